/* A C peer for the ipc and os tests: what a C program sees of ipcsh's System V queues, POSIX
 * semaphores and ftok keys.
 *   ipc_peer ftok PATH PROJ          prints the key as ipcs does (0x%08x)
 *   ipc_peer msg-send KEY TYPE TEXT  msgsnd TEXT with TYPE to the queue of KEY
 *   ipc_peer msg-recv KEY TYPE       msgrcv as msgrcv(2) selects by TYPE; prints "TYPE TEXT"
 *   ipc_peer sem-post NAME           sem_post on the named semaphore
 */
#include <fcntl.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ipc.h>
#include <sys/msg.h>

struct msg { long type; char text[8192]; };

static int fail(const char *what) { perror(what); return 1; }

int main(int argc, char **argv) {
    if (argc == 4 && !strcmp(argv[1], "ftok")) {
        key_t k = ftok(argv[2], atoi(argv[3]));
        if (k == -1) return fail("ftok");
        printf("0x%08x\n", (unsigned) k);
        return 0;
    }
    if (argc == 5 && !strcmp(argv[1], "msg-send")) {
        int id = msgget((key_t) strtoul(argv[2], NULL, 0), 0);
        if (id < 0) return fail("msgget");
        struct msg m = { .type = atol(argv[3]) };
        size_t n = strlen(argv[4]);
        memcpy(m.text, argv[4], n);
        if (msgsnd(id, &m, n, 0) < 0) return fail("msgsnd");
        return 0;
    }
    if (argc == 4 && !strcmp(argv[1], "msg-recv")) {
        int id = msgget((key_t) strtoul(argv[2], NULL, 0), 0);
        if (id < 0) return fail("msgget");
        struct msg m;
        ssize_t n = msgrcv(id, &m, sizeof m.text, atol(argv[3]), 0);
        if (n < 0) return fail("msgrcv");
        printf("%ld %.*s\n", m.type, (int) n, m.text);
        return 0;
    }
    if (argc == 3 && !strcmp(argv[1], "sem-post")) {
        sem_t *s = sem_open(argv[2], 0);
        if (s == SEM_FAILED) return fail("sem_open");
        if (sem_post(s) < 0) return fail("sem_post");
        return 0;
    }
    fprintf(stderr, "usage: ipc_peer ftok PATH PROJ | msg-send KEY TYPE TEXT | msg-recv KEY TYPE | sem-post NAME\n");
    return 2;
}
