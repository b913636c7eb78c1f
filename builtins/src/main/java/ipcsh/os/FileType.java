package ipcsh.os;

/** A file's type as people say it, from st_mode's S_IFMT bits: for errors that name what is there instead. */
public final class FileType {
    private FileType() {}

    /** "FIFO", "regular file", "directory", "socket", "symbolic link"… of st_mode m. */
    public static String name(int m) {
        return switch (m & LibC.S_IFMT) {
            case LibC.S_IFIFO -> "FIFO";
            case LibC.S_IFREG -> "regular file";
            case LibC.S_IFDIR -> "directory";
            case LibC.S_IFSOCK -> "socket";
            case LibC.S_IFLNK -> "symbolic link";
            case LibC.S_IFCHR -> "character device";
            case LibC.S_IFBLK -> "block device";
            default -> "special file";
        };
    }

    /** Whether st_mode m is of type (one of LibC's S_IF* values). */
    public static boolean is(int m, int type) {
        return (m & LibC.S_IFMT) == type;
    }
}
