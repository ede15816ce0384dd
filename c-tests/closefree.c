/* When a close callback's free function runs (argv[1] the URI, default test:///default), with the
 * default event loop running: on unregistering, on a refused second registration, when the
 * connection is closed (or its last reference goes), and never twice. Each free function prints
 * its tag; run under valgrind, nothing the library keeps for a registration is left behind. */
#include "common.h"
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

static void *loop(void *arg)
{
    (void)arg;
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

static void closed(virConnectPtr c, int reason, void *opaque)
{
    (void)c;
    printf("  callback %s reason=%d\n", (const char *)opaque, reason);
}

static void other(virConnectPtr c, int reason, void *opaque)
{
    closed(c, reason, opaque);
}

static void freed(void *opaque)
{
    printf("  free %s\n", (const char *)opaque);
}

static void rc(const char *what, int r)
{
    if (r < 0)
        show_error(what);
    else
        printf("%s: ok %d\n", what, r);
}

/* Long enough for a free function run elsewhere (the event loop) to have printed. */
static void settle(void)
{
    usleep(100000);
}

static virConnectPtr open_or_die(const char *uri)
{
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        show_error("open");
        exit(1);
    }
    return c;
}

int main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : "test:///default";
    setvbuf(stdout, NULL, _IONBF, 0);
    alarm(120);
    signal(SIGPIPE, SIG_IGN);
    virSetErrorFunc(NULL, quiet_errors);
    virEventRegisterDefaultImpl();
    pthread_t t;
    pthread_create(&t, NULL, loop, NULL);

    virConnectPtr c = open_or_die(uri);
    rc("register A", virConnectRegisterCloseCallback(c, closed, "A", freed));
    settle();
    rc("unregister A", virConnectUnregisterCloseCallback(c, closed));
    settle();
    rc("unregister A again", virConnectUnregisterCloseCallback(c, closed));
    settle();

    rc("register B", virConnectRegisterCloseCallback(c, closed, "B", freed));
    rc("register B2 (same function)", virConnectRegisterCloseCallback(c, closed, "B2", freed));
    rc("register B3 (another function)", virConnectRegisterCloseCallback(c, other, "B3", freed));
    settle();
    printf("close: %d\n", virConnectClose(c));
    settle();

    c = open_or_die(uri);
    rc("register C", virConnectRegisterCloseCallback(c, closed, "C", freed));
    rc("ref", virConnectRef(c));
    printf("close, one reference left: %d\n", virConnectClose(c));
    settle();
    printf("close, the last: %d\n", virConnectClose(c));
    settle();

    c = open_or_die(uri);
    rc("register D, no free function", virConnectRegisterCloseCallback(c, closed, "D", NULL));
    printf("close: %d\n", virConnectClose(c));
    settle();

    /* Many registrations on one connection, then many connections. */
    c = open_or_die(uri);
    for (int i = 0; i < 20; i++) {
        virConnectRegisterCloseCallback(c, closed, "E", freed);
        virConnectUnregisterCloseCallback(c, closed);
    }
    settle();
    printf("close: %d\n", virConnectClose(c));
    for (int i = 0; i < 5; i++) {
        c = open_or_die(uri);
        virConnectRegisterCloseCallback(c, closed, "F", freed);
        printf("close: %d\n", virConnectClose(c));
        settle();
    }
    printf("done\n");
    return 0;
}
