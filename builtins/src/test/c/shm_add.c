/* A C peer for SegmentTest: adds 1 to the int64 at an offset of a POSIX shared memory object,
 * n times, with C11-style atomics: usage: shm_add NAME OFFSET N */
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: shm_add NAME OFFSET N\n"); return 2; }
    int fd = shm_open(argv[1], O_RDWR, 0);
    if (fd < 0) { perror("shm_open"); return 1; }
    struct stat st;
    if (fstat(fd, &st) < 0) { perror("fstat"); return 1; }
    char *p = mmap(NULL, st.st_size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    int64_t *cell = (int64_t *)(p + atol(argv[2]));
    long n = atol(argv[3]);
    for (long i = 0; i < n; i++) __atomic_fetch_add(cell, 1, __ATOMIC_SEQ_CST);
    printf("added %ld\n", n);
    return 0;
}
