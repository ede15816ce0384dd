/* The daemon's events through an application's own event loop (virEventRegisterImpl, run by a
 * thread of the program): the client watches its connection's socket through the loop (one
 * handle per connection, added by virConnectOpen, gone once the connection is closed and its free
 * callback run), and the lifecycle events another connection's calls cause reach the callback on
 * the loop's thread. argv[1]: a daemon's test driver, e.g. test+unix:///default?socket=S.
 * Differential: Debian's client and ours, each on a fresh daemon. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define SLOTS 64
#define TOGGLES 20

struct handle {
    int id, fd, events, live, freed;
    virEventHandleCallback cb;
    void *opaque;
    virFreeCallback ff;
};

struct timer {
    int id, ms, live, freed;
    double due;
    virEventTimeoutCallback cb;
    void *opaque;
    virFreeCallback ff;
};

static pthread_mutex_t lmu = PTHREAD_MUTEX_INITIALIZER;
static struct handle handles[SLOTS];
static struct timer timers[SLOTS];
static int nhandles, ntimers, handles_freed;
static volatile int running = 1;
static pthread_t loop_thread;

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000.0 + ts.tv_nsec / 1e6;
}

static int add_handle(int fd, int events, virEventHandleCallback cb, void *opaque, virFreeCallback ff)
{
    pthread_mutex_lock(&lmu);
    if (nhandles == SLOTS) {
        pthread_mutex_unlock(&lmu);
        return -1;
    }
    struct handle *h = &handles[nhandles];
    *h = (struct handle){ nhandles + 1, fd, events, 1, 0, cb, opaque, ff };
    nhandles++;
    pthread_mutex_unlock(&lmu);
    return h->id;
}

static void update_handle(int id, int events)
{
    pthread_mutex_lock(&lmu);
    if (id > 0 && id <= nhandles && handles[id - 1].live)
        handles[id - 1].events = events;
    pthread_mutex_unlock(&lmu);
}

static int remove_handle(int id)
{
    int r = -1;
    pthread_mutex_lock(&lmu);
    if (id > 0 && id <= nhandles && handles[id - 1].live) {
        handles[id - 1].live = 0;
        r = 0;
    }
    pthread_mutex_unlock(&lmu);
    return r;
}

static int add_timeout(int ms, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
    pthread_mutex_lock(&lmu);
    if (ntimers == SLOTS) {
        pthread_mutex_unlock(&lmu);
        return -1;
    }
    struct timer *t = &timers[ntimers];
    *t = (struct timer){ ntimers + 1, ms, 1, 0, now_ms() + (ms > 0 ? ms : 0), cb, opaque, ff };
    ntimers++;
    pthread_mutex_unlock(&lmu);
    return t->id;
}

static void update_timeout(int id, int ms)
{
    pthread_mutex_lock(&lmu);
    if (id > 0 && id <= ntimers && timers[id - 1].live) {
        timers[id - 1].ms = ms;
        timers[id - 1].due = now_ms() + (ms > 0 ? ms : 0);
    }
    pthread_mutex_unlock(&lmu);
}

static int remove_timeout(int id)
{
    int r = -1;
    pthread_mutex_lock(&lmu);
    if (id > 0 && id <= ntimers && timers[id - 1].live) {
        timers[id - 1].live = 0;
        r = 0;
    }
    pthread_mutex_unlock(&lmu);
    return r;
}

static int to_vir(short revents)
{
    return (revents & POLLIN ? VIR_EVENT_HANDLE_READABLE : 0) |
           (revents & POLLOUT ? VIR_EVENT_HANDLE_WRITABLE : 0) |
           (revents & (POLLERR | POLLNVAL) ? VIR_EVENT_HANDLE_ERROR : 0) |
           (revents & POLLHUP ? VIR_EVENT_HANDLE_HANGUP : 0);
}

static short to_poll(int events)
{
    return (events & VIR_EVENT_HANDLE_READABLE ? POLLIN : 0) |
           (events & VIR_EVENT_HANDLE_WRITABLE ? POLLOUT : 0);
}

/* One iteration: poll the live handles (5 ms at most: updates from other threads need no
 * wake-up), run the due timers and the ready handles, then the free callbacks of what is gone. */
static void iterate(void)
{
    struct pollfd pfd[SLOTS];
    int ids[SLOTS], n = 0;
    pthread_mutex_lock(&lmu);
    for (int i = 0; i < nhandles; i++)
        if (handles[i].live && handles[i].events) {
            pfd[n] = (struct pollfd){ handles[i].fd, to_poll(handles[i].events), 0 };
            ids[n++] = handles[i].id;
        }
    pthread_mutex_unlock(&lmu);
    poll(pfd, n, 5);
    for (int i = 0; i < ntimers; i++) {
        pthread_mutex_lock(&lmu);
        struct timer t = timers[i];
        int due = t.live && t.ms >= 0 && t.due <= now_ms();
        if (due)
            timers[i].due = now_ms() + t.ms;
        pthread_mutex_unlock(&lmu);
        if (due && t.cb)
            t.cb(t.id, t.opaque);
    }
    for (int k = 0; k < n; k++) {
        if (!pfd[k].revents)
            continue;
        pthread_mutex_lock(&lmu);
        struct handle h = handles[ids[k] - 1];
        pthread_mutex_unlock(&lmu);
        if (h.live && h.events && h.cb)
            h.cb(h.id, h.fd, to_vir(pfd[k].revents), h.opaque);
    }
    for (int i = 0; i < nhandles; i++) {
        pthread_mutex_lock(&lmu);
        struct handle h = handles[i];
        int release = !h.live && !h.freed;
        if (release) {
            handles[i].freed = 1;
            handles_freed++;
        }
        pthread_mutex_unlock(&lmu);
        if (release && h.ff)
            h.ff(h.opaque);
    }
    for (int i = 0; i < ntimers; i++) {
        pthread_mutex_lock(&lmu);
        struct timer t = timers[i];
        int release = !t.live && !t.freed;
        if (release)
            timers[i].freed = 1;
        pthread_mutex_unlock(&lmu);
        if (release && t.ff)
            t.ff(t.opaque);
    }
}

static void *loop_main(void *arg)
{
    (void)arg;
    while (running)
        iterate();
    return NULL;
}

static int live_handles(void)
{
    int n = 0;
    pthread_mutex_lock(&lmu);
    for (int i = 0; i < nhandles; i++)
        n += handles[i].live;
    pthread_mutex_unlock(&lmu);
    return n;
}

static pthread_mutex_t emu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t econd = PTHREAD_COND_INITIALIZER;
static int seen, off_loop;

static int lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c, (void)d, (void)event, (void)detail, (void)opaque;
    pthread_mutex_lock(&emu);
    seen++;
    if (!pthread_equal(pthread_self(), loop_thread))
        off_loop++;
    pthread_cond_broadcast(&econd);
    pthread_mutex_unlock(&emu);
    return 0;
}

/* Wait (10 s at most) until `want` events were seen. */
static int wait_seen(int want)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&emu);
    while (seen < want)
        if (pthread_cond_timedwait(&econd, &emu, &until) != 0)
            break;
    int n = seen;
    pthread_mutex_unlock(&emu);
    return n;
}

static const char *err(void)
{
    virErrorPtr e = virGetLastError();
    return e && e->message ? e->message : "(no error)";
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: evloop URI\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    virEventRegisterImpl(add_handle, update_handle, remove_handle, add_timeout, update_timeout,
                         remove_timeout);
    pthread_create(&loop_thread, NULL, loop_main, NULL);

    virConnectPtr c = virConnectOpen(argv[1]);
    if (!c) {
        printf("open: %s\n", err());
        return 1;
    }
    printf("handles after the first open: %d\n", live_handles());
    virConnectPtr trigger = virConnectOpen(argv[1]);
    if (!trigger) {
        printf("open: %s\n", err());
        return 1;
    }
    printf("handles after the second open: %d\n", live_handles());
    int id = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(lifecycle), NULL, NULL);
    printf("register: %s\n", id >= 0 ? "ok" : err());
    virDomainPtr d = virDomainLookupByName(trigger, "test");
    int got = 0;
    for (int i = 0; d && i < TOGGLES; i++) {
        if ((i % 2 ? virDomainResume(d) : virDomainSuspend(d)) < 0)
            printf("toggle %d: %s\n", i, err());
        got = wait_seen(i + 1);
    }
    printf("events: %d of %d, off the loop's thread: %d\n", got, TOGGLES, off_loop);
    /* A call on the connection while the loop watches it, from the callback's connection. */
    virDomainPtr mine = virDomainLookupByName(c, "test");
    virDomainInfo info;
    printf("call between events: %d\n", mine ? virDomainGetInfo(mine, &info) : -1);
    if (mine)
        virDomainFree(mine);
    printf("deregister: %d\n", virConnectDomainEventDeregisterAny(c, id));
    if (d)
        virDomainFree(d);
    printf("close trigger: %d\n", virConnectClose(trigger));
    printf("close: %d\n", virConnectClose(c));
    /* The loop drops what was removed and runs its free callbacks. */
    for (int i = 0; i < 400 && (live_handles() > 0 || handles_freed < nhandles); i++)
        usleep(5000);
    pthread_mutex_lock(&lmu);
    int freed = handles_freed, added = nhandles;
    pthread_mutex_unlock(&lmu);
    printf("handles after close: %d live, %d of %d freed\n", live_handles(), freed, added);
    running = 0;
    pthread_join(loop_thread, NULL);
    return 0;
}
