package io.javisor.memory;

/**
 * GNTST_* status codes returned by every grant operation, with Xen's values.
 */
public final class GrantStatus
{
    public static final int OKAY = 0;
    public static final int GENERAL_ERROR = -1;
    public static final int BAD_DOMAIN = -2;
    public static final int BAD_GNTREF = -4;
    public static final int BAD_HANDLE = -5;
    public static final int BAD_VIRT_ADDR = -6;
    public static final int BAD_DEV_ADDR = -7;
    public static final int NO_DEVICE_SPACE = -8;
    public static final int PERMISSION_DENIED = -9;
    public static final int BAD_PAGE = -10;
    public static final int BAD_COPY_ARG = -11;
    public static final int ADDRESS_TOO_BIG = -12;
    public static final int EAGAIN = -13;

    private GrantStatus()
    {
    }

    public static String describe(final int status)
    {
        return switch (status)
        {
            case OKAY -> "okay";
            case GENERAL_ERROR -> "general error";
            case BAD_DOMAIN -> "unrecognised domain id";
            case BAD_GNTREF -> "unrecognised or inappropriate grant reference";
            case BAD_HANDLE -> "unrecognised or inappropriate handle";
            case BAD_VIRT_ADDR -> "inappropriate virtual address to map";
            case BAD_DEV_ADDR -> "inappropriate device address to unmap";
            case NO_DEVICE_SPACE -> "out of space for mappings";
            case PERMISSION_DENIED -> "not enough privilege for operation";
            case BAD_PAGE -> "specified page was invalid for the operation";
            case BAD_COPY_ARG -> "copy arguments cross a page boundary";
            case ADDRESS_TOO_BIG -> "page address size too large";
            case EAGAIN -> "operation not done; try again";
            default -> "unknown grant status " + status;
        };
    }
}
