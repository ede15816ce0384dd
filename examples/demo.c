/* The oxvirt demo: create guests, destroy them gracefully and forcefully, and print what happened
 * with the time each step took and the lifecycle events received.
 *
 * On the qemu driver (qemu:///embed?root=DIR) the second guest is frozen with SIGSTOP to play a
 * hung guest: VIR_DOMAIN_DESTROY_GRACEFUL must fail after the configured timeout and leave it
 * alive; a plain destroy then kills it. On test:///default the same story runs without processes.
 *
 * usage: demo URI */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static const char *event_name(int e)
{
    static const char *names[] = {"DEFINED", "UNDEFINED", "STARTED", "SUSPENDED", "RESUMED",
                                  "STOPPED", "SHUTDOWN", "PMSUSPENDED", "CRASHED"};
    return e >= 0 && e < 9 ? names[e] : "?";
}

static int on_event(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    printf("    event: %s %s/%d\n", virDomainGetName(d), event_name(event), detail);
    return 0;
}

static void *loop(void *arg)
{
    (void)arg;
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

static void quiet(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
}

static const char *last_error(void)
{
    virErrorPtr e = virGetLastError();
    static char buf[512];
    if (!e)
        return "no error";
    snprintf(buf, sizeof(buf), "code %d, domain %d: %s", e->code, e->domain, e->message);
    return buf;
}

static void settle(void)
{
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL); /* let the loop thread print the events of the last step */
}

static virDomainPtr start_guest(virConnectPtr c, const char *name, int qemu)
{
    char xml[1024];
    if (qemu)
        snprintf(xml, sizeof(xml),
                 "<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                 "<os><type arch='x86_64'>hvm</type></os></domain>", name);
    else
        snprintf(xml, sizeof(xml),
                 "<domain type='test'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
                 "<os><type>hvm</type></os></domain>", name);
    double t0 = now_ms();
    virDomainPtr d = virDomainCreateXML(c, xml, 0);
    printf("create %-8s -> %s in %.2f ms\n", name, d ? "running" : last_error(), now_ms() - t0);
    settle();
    return d;
}

static void destroy(virDomainPtr d, unsigned int flags, const char *what)
{
    double t0 = now_ms();
    int r = virDomainDestroyFlags(d, flags);
    double ms = now_ms() - t0;
    char why[512];
    snprintf(why, sizeof(why), "%s", r == 0 ? "ok" : last_error());
    int state = -1, reason = -1;
    if (virDomainGetState(d, &state, &reason, 0) < 0)
        printf("%-34s -> %d (%s) in %.2f ms; domain gone\n", what, r, why, ms);
    else
        printf("%-34s -> %d (%s) in %.2f ms; state %d/%d\n", what, r, why, ms, state, reason);
    settle();
}

static pid_t guest_pid(const char *root, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/run/qemu/%s.pid", root, name);
    FILE *f = fopen(path, "r");
    int pid = -1;
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = -1;
        fclose(f);
    }
    return pid;
}

int main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : "test:///default";
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet);
    pthread_t t;
    if (virEventRegisterDefaultImpl() < 0)
        printf("no event loop: %s\n", last_error());
    else
        pthread_create(&t, NULL, loop, NULL);

    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        printf("cannot open %s: %s\n", uri, last_error());
        return 1;
    }
    int qemu = strcmp(virConnectGetType(c), "QEMU") == 0;
    printf("connected to %s (%s driver)\n", uri, virConnectGetType(c));
    if (virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(on_event), NULL, NULL) < 0)
        printf("no lifecycle events: %s\n", last_error());

    virDomainPtr a = start_guest(c, "healthy", qemu);
    if (a)
        destroy(a, VIR_DOMAIN_DESTROY_GRACEFUL, "destroy healthy, GRACEFUL");

    virDomainPtr b = start_guest(c, "hung", qemu);
    if (b && qemu) {
        const char *root = strstr(uri, "root=");
        pid_t pid = root ? guest_pid(root + 5, "hung") : -1;
        if (pid > 0) {
            kill(pid, SIGSTOP);
            printf("froze guest 'hung' (pid %d) with SIGSTOP\n", pid);
        }
        destroy(b, VIR_DOMAIN_DESTROY_GRACEFUL, "destroy hung, GRACEFUL");
        if (pid > 0)
            printf("guest process %d %s\n", pid, kill(pid, 0) == 0 ? "still alive" : "gone");
    } else if (b) {
        destroy(b, VIR_DOMAIN_DESTROY_GRACEFUL, "destroy 'hung' (test driver), GRACEFUL");
        virDomainFree(b);
        b = start_guest(c, "hung", qemu);
    }
    if (b)
        destroy(b, 0, "destroy hung, forced");
    if (a)
        virDomainFree(a);
    if (b)
        virDomainFree(b);
    virConnectClose(c);
    return 0;
}
