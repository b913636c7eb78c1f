/* The other end of QueuesAndSemaphoresTest's mq exchange, as any C program would talk to ipcsh:
 *   mq_peer exchange IN OUT  receives 3 messages from IN (printing "prio data" each), then sends
 *                            "low" at priority 2 and "high" at priority 7 to OUT
 *   mq_peer create NAME      creates NAME with mode 0600 and exits (run as another user: EACCES) */
#include <fcntl.h>
#include <mqueue.h>
#include <stdio.h>
#include <string.h>

static int fail(const char *what, const char *name) { perror(what); fprintf(stderr, "(%s)\n", name); return 1; }

int main(int argc, char **argv) {
    if (argc == 3 && strcmp(argv[1], "create") == 0) {
        struct mq_attr at = {0};
        at.mq_maxmsg = 4;
        at.mq_msgsize = 64;
        mqd_t q = mq_open(argv[2], O_CREAT | O_EXCL | O_RDWR, 0600, &at);
        return q == (mqd_t)-1 ? fail("mq_open", argv[2]) : 0;
    }
    if (argc != 4 || strcmp(argv[1], "exchange") != 0) {
        fprintf(stderr, "usage: mq_peer exchange IN OUT | mq_peer create NAME\n");
        return 2;
    }
    mqd_t in = mq_open(argv[2], O_RDONLY), out = mq_open(argv[3], O_WRONLY);
    if (in == (mqd_t)-1) return fail("mq_open", argv[2]);
    if (out == (mqd_t)-1) return fail("mq_open", argv[3]);
    struct mq_attr at;
    mq_getattr(in, &at);
    char buf[65536];
    for (int i = 0; i < 3; i++) {
        unsigned prio;
        ssize_t n = mq_receive(in, buf, sizeof buf, &prio);
        if (n < 0) return fail("mq_receive", argv[2]);
        printf("%u %.*s\n", prio, (int)n, buf);
    }
    fflush(stdout);
    if (mq_send(out, "low", 3, 2) || mq_send(out, "high", 4, 7)) return fail("mq_send", argv[3]);
    return 0;
}
