package io.javisor.emulation.isa;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;

/**
 * Encodings worked out by hand from the field layouts of the unprivileged and privileged specs,
 * checked against the assembler and the decoder (objdump is not installed here to cross-check).
 */
class KnownEncodingTest
{
    private static void known(final int expected, final int assembled)
    {
        assertEquals(Integer.toHexString(expected), Integer.toHexString(assembled));
    }

    private static void known(final int expected, final short assembled)
    {
        assertEquals(Integer.toHexString(expected), Integer.toHexString(assembled & 0xFFFF));
    }

    @Test
    void baseInstructions()
    {
        known(0x00100093, Asm.addi(1, 0, 1));
        known(0x00000073, Asm.ecall());
        known(0x00100073, Asm.ebreak());
        known(0x123450B7, Asm.lui(1, 0x12345));
        known(0x0000006F, Asm.jal(0, 0));
        known(0x00008067, Asm.jalr(0, 1, 0));
        known(0x002081B3, Asm.add(3, 1, 2));
        known(0x402081B3, Asm.sub(3, 1, 2));
        known(0x022081B3, Asm.mul(3, 1, 2));
        known(0x0FF0000F, Asm.fence(0xF, 0xF));
        known(0x8330000F, Asm.fenceTso());
        known(0x0100000F, Asm.pause());
        known(0x0000100F, Asm.fence_i());
        known(0xFFF00093, Asm.addi(1, 0, -1));
        known(0xFE000EE3, Asm.beq(0, 0, -4));
    }

    @Test
    void systemInstructions()
    {
        known(0x30200073, Asm.mret());
        known(0x10200073, Asm.sret());
        known(0x10500073, Asm.wfi());
        known(0x12000073, Asm.sfence_vma(0, 0));
        known(0x300110F3, Asm.csrrw(1, 0x300, 2));
        known(0xF1402573, Asm.csrrs(10, 0xF14, 0));
    }

    @Test
    void atomics()
    {
        known(0x0020A1AF, Asm.amoadd_w(3, 2, 1));
        known(0x1000B1AF, Asm.lr_d(3, 1));
        known(0x0620A1AF, Asm.amo(0, 2, 3, 1, 2, true, true));
    }

    @Test
    void compressedInstructions()
    {
        known(0x0001, Asm.c_nop());
        known(0x8082, Asm.c_jr(1));
        known(0x4505, Asm.c_li(10, 1));
        known(0x852E, Asm.c_mv(10, 11));
        known(0x1141, Asm.c_addi(2, -16));
        known(0xE406, Asm.c_sdsp(1, 8));
        known(0x60A2, Asm.c_ldsp(1, 8));
        known(0x9002, Asm.c_ebreak());
    }

    @Test
    void prologueAndEpilogueIdioms()
    {
        known(0xFE010113, Asm.addi(2, 2, -32));
        known(0x00113C23, Asm.sd(1, 2, 24));
        known(0x01813083, Asm.ld(1, 2, 24));
        known(0x00000013, Asm.addi(0, 0, 0));
        known(0x1101, Asm.c_addi(2, -32));
        known(0xEC06, Asm.c_sdsp(1, 24));
        known(0xE822, Asm.c_sdsp(8, 16));
        known(0x6442, Asm.c_ldsp(8, 16));
        known(0x6105, Asm.c_addi16sp(32));
        known(0x0800, Asm.c_addi4spn(8, 16));
        known(0x1000, Asm.c_addi4spn(8, 32));
        known(0xA001, Asm.c_j(0));
        known(0xC119, Asm.c_beqz(10, 6));
        known(0x8905, Asm.c_andi(10, 1));
        known(0x9101, Asm.c_srli(10, 32));
        known(0x1502, Asm.c_slli(10, 32));
        known(0x9522, Asm.c_add(10, 8));
        known(0x2501, Asm.c_addiw(10, 0));
    }

    @Test
    void decodeAnyPicksTheLengthFromTheLowBits()
    {
        assertEquals(Decoder.decode(Asm.addi(1, 0, 1)), Decoder.decodeAny(Asm.addi(1, 0, 1)));
        assertEquals(
            CompressedDecoder.decodeCompressed(Asm.c_li(10, 1)), Decoder.decodeAny(0xABCD0000 | Asm.c_li(10, 1) & 0xFFFF));
        assertEquals(4, Decoded.length(Decoded.ILLEGAL));
        assertEquals(2, Decoded.length(Decoded.ILLEGAL_COMPRESSED));
    }

    @Test
    void decodesKnownWordsToTheirFields()
    {
        final long csr = Decoder.decode(0xF1402573);
        assertEquals(Opcode.CSRRS, Decoded.opcode(csr));
        assertEquals(0xF14, Decoded.csr(csr));
        assertEquals(10, Decoded.rd(csr));

        final long ret = Decoder.decodeAny(0x8082);
        assertEquals(Opcode.JALR, Decoded.opcode(ret));
        assertEquals(1, Decoded.rs1(ret));
        assertEquals(0, Decoded.rd(ret));
        assertEquals(2, Decoded.length(ret));

        final long amo = Decoder.decode(0x0620A1AF);
        assertEquals(Opcode.AMOADD_W, Decoded.opcode(amo));
        assertEquals(true, Decoded.aq(amo));
        assertEquals(true, Decoded.rl(amo));
    }
}
