/* Close-callback registrations on a remote connection (argv[1] the URI, argv[2] the daemon's
 * pid), with the default event loop running: a second registration, unregistering another
 * function, the free function (on unregistering; and after the callback has run, when the
 * daemon went away), registering and unregistering once the daemon is gone, and closing with a
 * callback still registered. close.c is about the callback itself. */
#include "../common.h"
#include "closewait.h"
#include <pthread.h>
#include <signal.h>
#include <sys/types.h>
#include <time.h>
#include <unistd.h>


struct seen {
    int calls, reason, freed;
};

static void closed(virConnectPtr c, int reason, void *opaque)
{
    (void)c;
    struct seen *s = opaque;
    pthread_mutex_lock(&mu);
    s->calls++;
    s->reason = reason;
    pthread_mutex_unlock(&mu);
}

static void other(virConnectPtr c, int reason, void *opaque)
{
    (void)c;
    (void)reason;
    (void)opaque;
}

static void freed(void *opaque)
{
    struct seen *s = opaque;
    pthread_mutex_lock(&mu);
    s->freed++;
    pthread_mutex_unlock(&mu);
}

static void show(const char *what, struct seen *s)
{
    pthread_mutex_lock(&mu);
    printf("%s: calls=%d reason=%d freed=%d\n", what, s->calls, s->reason, s->freed);
    pthread_mutex_unlock(&mu);
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
    pthread_t t;
    pthread_create(&t, NULL, loop, NULL);

    struct seen s1 = { 0 }, s2 = { 0 };
    virConnectPtr c1 = virConnectOpen(argv[1]);
    virConnectPtr c2 = virConnectOpen(argv[1]);
    if (!c1 || !c2) {
        show_error("open");
        return 1;
    }
    rc("register", virConnectRegisterCloseCallback(c1, closed, &s1, freed));
    rc("register again", virConnectRegisterCloseCallback(c1, closed, &s1, freed));
    rc("register another function", virConnectRegisterCloseCallback(c1, other, NULL, NULL));
    rc("unregister another function", virConnectUnregisterCloseCallback(c1, other));
    show("still registered", &s1);
    rc("unregister", virConnectUnregisterCloseCallback(c1, closed));
    show("unregistered", &s1);
    rc("unregister again", virConnectUnregisterCloseCallback(c1, closed));
    rc("register anew", virConnectRegisterCloseCallback(c1, closed, &s1, freed));
    rc("register second connection", virConnectRegisterCloseCallback(c2, closed, &s2, freed));
    show("first, before", &s1);

    usleep(200000);
    kill(pid, SIGKILL);
    wait_called(&s1.calls);
    wait_called(&s2.calls);
    show("first, daemon gone", &s1);
    show("second, daemon gone", &s2);

    rc("first, register another function", virConnectRegisterCloseCallback(c1, other, NULL, NULL));
    rc("first, unregister", virConnectUnregisterCloseCallback(c1, closed));
    show("first, after unregister", &s1);
    printf("close first: %d\n", virConnectClose(c1));
    printf("close second: %d\n", virConnectClose(c2));
    usleep(100000);
    show("first, closed", &s1);
    show("second, closed", &s2);
    return 0;
}
