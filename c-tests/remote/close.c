/* Close callbacks and virConnectIsAlive when the daemon goes away (argv[1] the URI, argv[2] the
 * daemon's pid), with the default event loop running in a thread of its own, as libvirt delivers
 * close callbacks from its event loop. Two connections: one idle while the daemon is killed (the
 * loop notices, and must be the thread that calls back), one with a thread keeping calls in
 * flight (the caller that notices may call back itself, so the thread is not compared). For
 * both: how often the callback runs, with which reason and connection; IsAlive before and after;
 * the calls that follow. How registrations themselves behave is closereg.c's. An alarm fails the
 * test instead of a hang. */
#include "../common.h"
#include "closewait.h"
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>

static pthread_t loop_thread;

struct seen {
    const char *name;
    virConnectPtr conn;
    int calls, reason, on_loop, right_conn;
};

static void closed(virConnectPtr c, int reason, void *opaque)
{
    struct seen *s = opaque;
    pthread_mutex_lock(&mu);
    s->calls++;
    s->reason = reason;
    s->on_loop = pthread_equal(pthread_self(), loop_thread);
    s->right_conn = c == s->conn;
    pthread_mutex_unlock(&mu);
}

/* With calls in flight on TCP, the reason depends on whether the daemon died with a request
 * unread (a reset: EOF) or not (ERROR): only idle connections show it exactly. */
static void show_seen(struct seen *s, int exact)
{
    pthread_mutex_lock(&mu);
    if (exact)
        printf("%s: callback calls=%d reason=%d right connection=%d\n", s->name, s->calls,
               s->reason, s->right_conn);
    else
        printf("%s: callback calls=%d reason EOF or ERROR=%d right connection=%d\n", s->name,
               s->calls, s->reason == VIR_CONNECT_CLOSE_REASON_EOF ||
                             s->reason == VIR_CONNECT_CLOSE_REASON_ERROR,
               s->right_conn);
    pthread_mutex_unlock(&mu);
}

static void *busy(void *arg)
{
    virDomainPtr d = arg;
    int st, reason;
    while (virDomainGetState(d, &st, &reason, 0) == 0)
        ;
    return NULL;
}

static void rc(const char *what, int r)
{
    if (r < 0)
        show_error(what);
    else
        printf("%s: ok %d\n", what, r);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    alarm(60);
    signal(SIGPIPE, SIG_IGN);
    virSetErrorFunc(NULL, quiet_errors);
    pid_t pid = (pid_t)atoi(argv[2]);
    virEventRegisterDefaultImpl();
    pthread_create(&loop_thread, NULL, loop, NULL);

    struct seen idle = { .name = "idle" }, hot = { .name = "busy" };
    idle.conn = virConnectOpen(argv[1]);
    hot.conn = virConnectOpen(argv[1]);
    if (!idle.conn || !hot.conn) {
        show_error("open");
        return 1;
    }
    virDomainPtr d = virDomainLookupByName(hot.conn, "test");
    virDomainPtr d2 = virDomainLookupByName(idle.conn, "test");
    if (!d || !d2) {
        show_error("lookup");
        return 1;
    }
    printf("alive before: %d %d\n", virConnectIsAlive(idle.conn), virConnectIsAlive(hot.conn));
    rc("register idle", virConnectRegisterCloseCallback(idle.conn, closed, &idle, NULL));
    rc("register busy", virConnectRegisterCloseCallback(hot.conn, closed, &hot, NULL));
    printf("callbacks before: %d %d\n", idle.calls, hot.calls);

    pthread_t t;
    pthread_create(&t, NULL, busy, d);
    usleep(300000);
    kill(pid, SIGKILL);
    pthread_join(t, NULL);

    wait_called(&hot.calls);
    show_seen(&hot, 0);
    wait_called(&idle.calls);
    show_seen(&idle, 1);
    /* With calls in flight the caller that sees the end may call back itself, as libvirt's
     * does; an idle connection hears it from the loop. */
    printf("idle: called back from the event loop thread: %d\n", idle.on_loop);
    printf("alive after: %d %d\n", virConnectIsAlive(idle.conn), virConnectIsAlive(hot.conn));

    int st, reason;
    printf("idle, first call: %d\n", virDomainGetState(d2, &st, &reason, 0));
    show_error("idle, first call");
    printf("idle, second call: %d\n", virDomainGetState(d2, &st, &reason, 0));
    show_error("idle, second call");
    printf("busy, next call: %d\n", virDomainGetState(d, &st, &reason, 0));
    show_error("busy, next call");
    usleep(200000);
    printf("callbacks after calls: %d %d\n", idle.calls, hot.calls);

    virDomainFree(d);
    virDomainFree(d2);
    printf("close idle: %d\n", virConnectClose(idle.conn));
    printf("close busy: %d\n", virConnectClose(hot.conn));
    return 0;
}
