/* A C peer for (mutex seg offset): maps the POSIX shm object NAME and uses the pthread_mutex_t at
 * offset 0, the layout ipcsh documents (robust, process-shared). The counter it guards is an
 * int64 at offset 64, and a "dirty" int64 at 72 says an update is half done.
 *   mutex_peer NAME add N   N increments under the mutex (repairs after EOWNERDEAD), prints "done"
 *   mutex_peer NAME die     locks, marks dirty, prints "held", then SIGKILLs itself holding it
 *   mutex_peer NAME hold    locks, prints "held", holds it for 60 s
 */
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

static pthread_mutex_t *m;
static volatile int64_t *counter, *dirty;

static void lock(void) {
    int r = pthread_mutex_lock(m);
    if (r == EOWNERDEAD) {
        printf("owner-died\n");
        *dirty = 0; /* the repair: the counter itself is always whole here */
        pthread_mutex_consistent(m);
    } else if (r != 0) {
        fprintf(stderr, "pthread_mutex_lock: %s\n", strerror(r));
        exit(2);
    }
}

int main(int argc, char **argv) {
    if (argc < 3) return 64;
    int fd = shm_open(argv[1], O_RDWR, 0);
    if (fd < 0) { perror("shm_open"); return 1; }
    void *p = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    if (p == MAP_FAILED) { perror("mmap"); return 1; }
    m = p;
    counter = (int64_t *) ((char *) p + 64);
    dirty = (int64_t *) ((char *) p + 72);
    if (strcmp(argv[2], "add") == 0 && argc == 4) {
        long n = atol(argv[3]);
        for (long i = 0; i < n; i++) {
            lock();
            int64_t v = *counter;
            *counter = v + 1;
            pthread_mutex_unlock(m);
        }
        printf("done\n");
        return 0;
    }
    if (strcmp(argv[2], "die") == 0) {
        lock();
        *dirty = 1;
        *counter = *counter + 1;
        printf("held\n");
        fflush(stdout);
        raise(SIGKILL);
    }
    if (strcmp(argv[2], "hold") == 0) {
        lock();
        printf("held\n");
        fflush(stdout);
        sleep(60);
        return 0;
    }
    return 64;
}
