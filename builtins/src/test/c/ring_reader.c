/* A C reader of an ipcsh shm-ring, written from the layout in the man page (shm-ring):
 * reads to end of stream and prints the byte count and the FNV-1a 64 hash of the bytes.
 * usage: ring_reader NAME [--announce]   (NAME as "/feed"; --announce prints a line once the
 * reader's side is taken) */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#define LOAD32(p) __atomic_load_n((uint32_t *)(p), __ATOMIC_SEQ_CST)
#define LOAD64(p) __atomic_load_n((uint64_t *)(p), __ATOMIC_SEQ_CST)
#define STORE32(p, v) __atomic_store_n((uint32_t *)(p), (v), __ATOMIC_SEQ_CST)
#define STORE64(p, v) __atomic_store_n((uint64_t *)(p), (v), __ATOMIC_SEQ_CST)

static void drain(int fd) { char b[4096]; while (read(fd, b, sizeof b) > 0) {} }

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) { fprintf(stderr, "usage: ring_reader NAME [--announce]\n"); return 2; }
    int fd = shm_open(argv[1], O_RDWR, 0);
    if (fd < 0) { perror("shm_open"); return 1; }
    struct stat st;
    fstat(fd, &st);
    char *h = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (h == MAP_FAILED) { perror("mmap"); return 1; }
    if (LOAD32(h + 0) != 0x52435049 || LOAD32(h + 4) != 2) { fprintf(stderr, "not a version 2 ring\n"); return 1; }
    uint64_t cap = *(uint64_t *)(h + 8), off = *(uint64_t *)(h + 16);
    char *data = h + off;
    /* the reader's side: an OFD lock on byte 1, held while we run; refused when taken */
    struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = 1, .l_len = 1};
    if (fcntl(fd, F_OFD_SETLK, &fl) < 0) { perror("the ring has a reader already"); return 1; }
    STORE32(h + 196, 0);
    if (argc == 3) { printf("reader side taken\n"); fflush(stdout); }
    /* the doorbells: in the directory the header names, owned by the segment's owner */
    char dir[257];
    memcpy(dir, h + 256, 256);
    dir[256] = 0;
    int dfd = open(dir, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat ds;
    if (dfd < 0 || fstat(dfd, &ds) < 0 || !S_ISDIR(ds.st_mode) || ds.st_uid != st.st_uid || (ds.st_mode & 022)) {
        fprintf(stderr, "bad doorbell directory %s\n", dir);
        return 1;
    }
    int wake_reader = openat(dfd, "wake-reader", O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    int wake_writer = openat(dfd, "wake-writer", O_RDWR | O_NONBLOCK | O_NOFOLLOW | O_CLOEXEC);
    if (wake_reader < 0 || wake_writer < 0) { perror("open doorbell"); return 1; }
    struct stat rs, ws;
    if (fstat(wake_reader, &rs) < 0 || fstat(wake_writer, &ws) < 0 || !S_ISFIFO(rs.st_mode) || !S_ISFIFO(ws.st_mode)
        || rs.st_uid != st.st_uid || ws.st_uid != st.st_uid) { fprintf(stderr, "doorbells are not the ring owner's FIFOs\n"); return 1; }

    uint64_t tail = LOAD64(h + 128), count = 0, hash = 14695981039346656037ULL;
    for (;;) {
        uint64_t head = LOAD64(h + 64);
        if (head == tail) {
            drain(wake_reader);
            STORE32(h + 200, 1);
            head = LOAD64(h + 64);
            if (head == tail) {
                if (LOAD32(h + 192)) {
                    head = LOAD64(h + 64);
                    if (head == tail) break;
                } else {
                    struct pollfd p = {wake_reader, POLLIN, 0};
                    poll(&p, 1, -1);
                    continue;
                }
            }
            STORE32(h + 200, 0);
            char one = 1;
            write(wake_reader, &one, 1); /* as the layout says; this reader only polls when head = tail */
        }
        uint64_t n = head - tail;
        for (uint64_t i = 0; i < n; i++) {
            hash ^= (unsigned char)data[(tail + i) % cap];
            hash *= 1099511628211ULL;
        }
        tail += n;
        count += n;
        STORE64(h + 128, tail);
        uint32_t one = 1;
        if (LOAD32(h + 204) == 1 && __atomic_compare_exchange_n((uint32_t *)(h + 204), &one, 0, 0,
                                                                 __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST)) {
            drain(wake_writer);
        }
    }
    STORE32(h + 196, 1);
    drain(wake_writer);
    printf("%llu %016llx\n", (unsigned long long)count, (unsigned long long)hash);
    return 0;
}
