/* virConnectSetKeepAlive (argv[1] a daemon's URI, argv[2] its pid): what it answers on the test
 * driver, on a remote connection opened before any event loop is registered and on one opened
 * after; the values it accepts and refuses; then a daemon that stops answering (SIGSTOP) while
 * the connection is idle with keepalive on (interval 1 s, count 1): the close callback's reason,
 * virConnectIsAlive, and the error of the next call. The daemon is continued before leaving. No
 * timing is printed; an alarm fails the test instead of a hang. */
#include "../common.h"
#include "closewait.h"
#include <signal.h>
#include <sys/types.h>

static int closed_calls, closed_reason = -1;

static void closed(virConnectPtr c, int reason, void *opaque)
{
    (void)c;
    (void)opaque;
    pthread_mutex_lock(&mu);
    closed_calls++;
    closed_reason = reason;
    pthread_mutex_unlock(&mu);
}

static void keepalive(virConnectPtr c, const char *what, int interval, unsigned count)
{
    virResetLastError();
    int r = virConnectSetKeepAlive(c, interval, count);
    if (r < 0) {
        char label[128];
        snprintf(label, sizeof(label), "%s: SetKeepAlive(%d, %u)", what, interval, count);
        show_error(label);
    } else {
        printf("%s: SetKeepAlive(%d, %u) = %d\n", what, interval, count, r);
    }
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    alarm(60);
    signal(SIGPIPE, SIG_IGN);
    virSetErrorFunc(NULL, quiet_errors);
    pid_t pid = (pid_t)atoi(argv[2]);

    virConnectPtr t = virConnectOpen("test:///default");
    keepalive(t, "test", 5, 3);
    keepalive(t, "test", 0, 0);
    virConnectClose(t);

    virConnectPtr noloop = virConnectOpen(argv[1]);
    if (!noloop) {
        show_error("open");
        return 1;
    }
    keepalive(noloop, "no event loop", 5, 3);
    keepalive(noloop, "no event loop", 0, 0);
    virConnectClose(noloop);

    virEventRegisterDefaultImpl();
    pthread_t loop_thread;
    pthread_create(&loop_thread, NULL, loop, NULL);

    virConnectPtr c = virConnectOpen(argv[1]);
    if (!c) {
        show_error("open");
        return 1;
    }
    keepalive(c, "loop", 2147484, 1);
    keepalive(c, "loop", 0, 0);
    keepalive(c, "loop", -1, 0);
    keepalive(c, "loop", 5, 3);
    keepalive(c, "loop", 5, 3);
    keepalive(c, "loop", 0, 0);
    keepalive(c, "loop", 7, 2);
    virConnectClose(c);

    c = virConnectOpen(argv[1]);
    if (!c) {
        show_error("open");
        return 1;
    }
    virConnectRegisterCloseCallback(c, closed, NULL, NULL);
    keepalive(c, "stopped daemon", 1, 1);
    printf("alive before: %d\n", virConnectIsAlive(c));
    kill(pid, SIGSTOP);
    wait_called(&closed_calls);
    kill(pid, SIGCONT);
    pthread_mutex_lock(&mu);
    printf("close callback: calls=%d reason=%d\n", closed_calls, closed_reason);
    pthread_mutex_unlock(&mu);
    printf("alive after: %d\n", virConnectIsAlive(c));
    virDomainPtr d = virDomainLookupByName(c, "test");
    if (!d)
        show_error("LookupByName after");
    else
        virDomainFree(d);
    virConnectClose(c);
    return 0;
}
