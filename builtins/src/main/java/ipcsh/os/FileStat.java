package ipcsh.os;

/** What fstat(2) says about a descriptor ({@link LibC#fstat}): type and permission bits, owner, and identity. */
public record FileStat(int mode, int uid, long dev, long ino, long size) {
    public int type() { return mode & LibC.S_IFMT; }
    public int perms() { return mode & 07777; }
}
