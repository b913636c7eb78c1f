package ipcsh.os;

/** errno numbers of Linux (x86_64 and aarch64 share them), their names and the C library's text. */
public final class Errno {
    public static final int EPERM = 1, ENOENT = 2, ESRCH = 3, EINTR = 4, EIO = 5, ENXIO = 6, E2BIG = 7,
            EBADF = 9, ECHILD = 10, EAGAIN = 11, ENOMEM = 12, EACCES = 13, EFAULT = 14, EBUSY = 16,
            EEXIST = 17, ENOTDIR = 20, EISDIR = 21, EINVAL = 22, EMFILE = 24, ENOSPC = 28, ESPIPE = 29,
            EPIPE = 32, ENAMETOOLONG = 36, ENOSYS = 38, ELOOP = 40, ENOMSG = 42, EIDRM = 43, EBADMSG = 74,
            EOVERFLOW = 75, EILSEQ = 84, ENOTSOCK = 88, EDESTADDRREQ = 89, EMSGSIZE = 90, EPROTOTYPE = 91,
            EOPNOTSUPP = 95, EADDRINUSE = 98, EADDRNOTAVAIL = 99, ENETUNREACH = 101, ECONNABORTED = 103,
            ECONNRESET = 104, EISCONN = 106, ENOTCONN = 107, ETIMEDOUT = 110, ECONNREFUSED = 111,
            EHOSTUNREACH = 113, EALREADY = 114, EINPROGRESS = 115, EDEADLK = 35, EOWNERDEAD = 130, ENOTRECOVERABLE = 131;

    private static final String[] NAMES = new String[134];

    static {
        String[] pairs = {
            "1", "EPERM", "2", "ENOENT", "3", "ESRCH", "4", "EINTR", "5", "EIO", "6", "ENXIO", "7", "E2BIG",
            "8", "ENOEXEC", "9", "EBADF", "10", "ECHILD", "11", "EAGAIN", "12", "ENOMEM", "13", "EACCES",
            "14", "EFAULT", "16", "EBUSY", "17", "EEXIST", "18", "EXDEV", "19", "ENODEV", "20", "ENOTDIR",
            "21", "EISDIR", "22", "EINVAL", "23", "ENFILE", "24", "EMFILE", "25", "ENOTTY", "26", "ETXTBSY",
            "27", "EFBIG", "28", "ENOSPC", "29", "ESPIPE", "30", "EROFS", "31", "EMLINK", "32", "EPIPE",
            "33", "EDOM", "34", "ERANGE", "35", "EDEADLK", "36", "ENAMETOOLONG", "37", "ENOLCK", "38", "ENOSYS",
            "39", "ENOTEMPTY", "40", "ELOOP", "42", "ENOMSG", "43", "EIDRM", "61", "ENODATA", "62", "ETIME", "74", "EBADMSG", "75", "EOVERFLOW", "84", "EILSEQ",
            "88", "ENOTSOCK", "89", "EDESTADDRREQ", "90", "EMSGSIZE", "91", "EPROTOTYPE", "92", "ENOPROTOOPT",
            "93", "EPROTONOSUPPORT", "94", "ESOCKTNOSUPPORT", "95", "EOPNOTSUPP", "96", "EPFNOSUPPORT",
            "97", "EAFNOSUPPORT", "98", "EADDRINUSE", "99", "EADDRNOTAVAIL", "100", "ENETDOWN",
            "101", "ENETUNREACH", "102", "ENETRESET", "103", "ECONNABORTED", "104", "ECONNRESET",
            "105", "ENOBUFS", "106", "EISCONN", "107", "ENOTCONN", "108", "ESHUTDOWN", "110", "ETIMEDOUT",
            "111", "ECONNREFUSED", "112", "EHOSTDOWN", "113", "EHOSTUNREACH", "114", "EALREADY",
            "115", "EINPROGRESS", "116", "ESTALE", "122", "EDQUOT", "125", "ECANCELED", "130", "EOWNERDEAD", "131", "ENOTRECOVERABLE"};
        for (int i = 0; i < pairs.length; i += 2) NAMES[Integer.parseInt(pairs[i])] = pairs[i + 1];
    }

    private Errno() {}

    public static String name(int errno) {
        String n = errno >= 0 && errno < NAMES.length ? NAMES[errno] : null;
        return n == null ? "errno " + errno : n;
    }

    public static String text(int errno) {
        return LibC.get().strerror(errno);
    }
}
