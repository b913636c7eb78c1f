/* A C reader of an ipcsh shm-ring, written from the layout in the man page (shm-ring):
 * reads to end of stream and prints the byte count and the FNV-1a 64 hash of the bytes.
 * usage: ring_reader NAME   (NAME as "/feed") */
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
    if (argc != 2) { fprintf(stderr, "usage: ring_reader NAME\n"); return 2; }
    int fd = shm_open(argv[1], O_RDWR, 0);
    if (fd < 0) { perror("shm_open"); return 1; }
    struct stat st;
    fstat(fd, &st);
    char *h = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (h == MAP_FAILED) { perror("mmap"); return 1; }
    if (LOAD32(h + 0) != 0x52435049 || *(uint32_t *)(h + 4) != 1) { fprintf(stderr, "not a ring\n"); return 1; }
    uint64_t cap = *(uint64_t *)(h + 8), off = *(uint64_t *)(h + 16);
    char *data = h + off;
    char path[512];
    snprintf(path, sizeof path, "/tmp/ipcsh-ring-%s.wake-reader", argv[1] + 1);
    int wake_reader = open(path, O_RDWR | O_NONBLOCK);
    snprintf(path, sizeof path, "/tmp/ipcsh-ring-%s.wake-writer", argv[1] + 1);
    int wake_writer = open(path, O_RDWR | O_NONBLOCK);
    if (wake_reader < 0 || wake_writer < 0) { perror("open doorbell"); return 1; }

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
