/* A daemon that goes away (argv[1] the URI, argv[2] the daemon's pid): four threads keep calls in
 * flight on one connection while the daemon is killed; a second connection sits idle meanwhile.
 * Every call must come back (no hang: an alarm fails the test) with an RPC error, and later calls
 * with the reference's "client socket is closed". No event loop runs: the idle connection stays
 * alive (virConnectIsAlive) until its next call notices the end. close.c has the loop. */
#include "../common.h"
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

struct worker {
    virDomainPtr d;
    int calls, code, domain;
};

static void *busy(void *arg)
{
    struct worker *w = arg;
    int st, reason;
    for (;;) {
        if (virDomainGetState(w->d, &st, &reason, 0) < 0) {
            virErrorPtr e = virGetLastError();
            w->code = e ? e->code : -1;
            w->domain = e ? e->domain : -1;
            return NULL;
        }
        w->calls++;
    }
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    alarm(30);
    /* As any long-running client: a write to a dead peer must be an error, not a signal. */
    signal(SIGPIPE, SIG_IGN);
    virSetErrorFunc(NULL, quiet_errors);
    pid_t pid = (pid_t)atoi(argv[2]);
    virConnectPtr c = virConnectOpen(argv[1]);
    virConnectPtr idle = virConnectOpen(argv[1]);
    if (!c || !idle) {
        show_error("open");
        return 1;
    }
    virDomainPtr d = virDomainLookupByName(c, "test");
    virDomainPtr d2 = virDomainLookupByName(idle, "test");
    if (!d || !d2) {
        show_error("lookup");
        return 1;
    }
    struct worker w[4];
    pthread_t t[4];
    for (int k = 0; k < 4; k++) {
        w[k] = (struct worker){ .d = d };
        pthread_create(&t[k], NULL, busy, &w[k]);
    }
    usleep(300000);
    kill(pid, SIGKILL);
    for (int k = 0; k < 4; k++) {
        pthread_join(t[k], NULL);
        printf("thread %d: calls made: %s, stopped by an RPC error: %s\n", k,
               w[k].calls > 0 ? "yes" : "no",
               w[k].domain == VIR_FROM_RPC && (w[k].code == VIR_ERR_SYSTEM_ERROR ||
                                               w[k].code == VIR_ERR_INTERNAL_ERROR)
                   ? "yes"
                   : "no");
    }
    int st, reason;
    printf("alive: busy %d, idle %d\n", virConnectIsAlive(c), virConnectIsAlive(idle));
    printf("busy connection, next call: %d\n", virDomainGetState(d, &st, &reason, 0));
    show_error("busy connection, next call");
    usleep(300000);
    printf("idle connection, first call: %d\n", virDomainGetState(d2, &st, &reason, 0));
    show_error("idle connection, first call");
    printf("alive: busy %d, idle %d\n", virConnectIsAlive(c), virConnectIsAlive(idle));
    printf("idle connection, second call: %d\n", virDomainDestroy(d2));
    show_error("idle connection, second call");
    virDomainFree(d);
    virDomainFree(d2);
    printf("close: %d %d\n", virConnectClose(c), virConnectClose(idle));
    if (!virConnectOpen(argv[1])) {
        virErrorPtr e = virGetLastError();
        printf("reopen: code=%d domain=%d int1=%d\n", e ? e->code : 0, e ? e->domain : 0,
               e ? e->int1 : 0);
    }
    return 0;
}
