/**
 * RV64IMAC + Zicsr + Zifencei instruction set: operation numbers ({@link io.javisor.emulation.isa.Opcode}),
 * the packed decoded form ({@link io.javisor.emulation.isa.Decoded}) and the allocation-free decoders
 * for 32-bit ({@link io.javisor.emulation.isa.Decoder}) and 16-bit
 * ({@link io.javisor.emulation.isa.CompressedDecoder}) encodings. F and D are not implemented and decode
 * as illegal, matching a misa without them.
 */
package io.javisor.emulation.isa;
