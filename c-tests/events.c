/* Domain events, printed step by step. Built once against Debian's headers and run against the
 * reference and against oxvirt: the outputs must be equal.
 *
 *   events          the default event loop (virEventRegisterDefaultImpl) run by a loop thread:
 *                   the event trace of a scripted lifecycle on test:///default, registration
 *                   errors, deregistration, per-domain filters, callbacks calling back into the
 *                   library, free callbacks
 *   events custom   an application loop (virEventRegisterImpl) that logs every call the library
 *                   makes to it, and whose timers the program fires by hand
 *   events loop     the default loop itself: watches on pipes, timers, ids, updates, removal
 *                   from inside callbacks, poll results, waking a blocked loop thread, free
 *                   callbacks (printed once all have run: the reference runs them from idle
 *                   sources, whose turn comes when nothing else is ready)
 *
 * After each step the program waits for the loop to go round a few times (a 0 ms timer of its
 * own, three times) before printing anything else, so callbacks print at fixed places. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

static void quiet(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
}

/* The last error, with any pointer value in the message masked (they differ run to run). */
static void show(const char *what, int r)
{
    virErrorPtr e = virGetLastError();
    if (!e) {
        printf("%s: r=%d no error\n", what, r);
        return;
    }
    char msg[512];
    snprintf(msg, sizeof(msg), "%s", e->message ? e->message : "(null)");
    char *p = strstr(msg, "0x");
    if (p) {
        char *q = p + 2;
        while ((*q >= '0' && *q <= '9') || (*q >= 'a' && *q <= 'f'))
            q++;
        memmove(p + 3, q, strlen(q) + 1);
        memcpy(p, "PTR", 3);
    }
    printf("%s: r=%d code=%d domain=%d level=%d int1=%d int2=%d str1=%s msg=%s\n", what, r, e->code,
           e->domain, e->level, e->int1, e->int2, e->str1 ? e->str1 : "(null)", msg);
}

/* VIR_DOMAIN_EVENT_ID_LAST of libvirt 9.0 (the headers define it only with VIR_ENUM_SENTINELS). */
#define EVENT_ID_LAST 27

static const char *EVNAME[] = {"DEFINED", "UNDEFINED", "STARTED", "SUSPENDED",
                               "RESUMED", "STOPPED",   "SHUTDOWN", "PMSUSPENDED", "CRASHED"};

static pthread_t main_thread, loop_thread;
static volatile int loop_running = 1;
static virConnectPtr conn, conn2;
static int destroyed_tr;
static int self_id = -1;

static const char *where(void)
{
    if (pthread_equal(pthread_self(), loop_thread))
        return "loop";
    return pthread_equal(pthread_self(), main_thread) ? "MAIN" : "OTHER";
}

static int lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    const char *tag = opaque;
    printf("  event[%s] %s id=%d %s/%d thread=%s conn=%s\n", tag, virDomainGetName(d),
           (int)virDomainGetID(d), event >= 0 && event <= 8 ? EVNAME[event] : "?", detail, where(),
           c == conn ? "conn" : c == conn2 ? "conn2" : "?");
    if (event == VIR_DOMAIN_EVENT_STOPPED && detail == VIR_DOMAIN_EVENT_STOPPED_DESTROYED &&
        strcmp(tag, "all") == 0 && strcmp(virDomainGetName(d), "tr") == 0)
        destroyed_tr++;
    return 0;
}

/* Calls back into the library from the loop thread: looks a domain up, destroys another one,
 * creates a third (their events come in the next round). */
static int reentrant(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)detail;
    (void)opaque;
    if (event != VIR_DOMAIN_EVENT_STARTED || strcmp(virDomainGetName(d), "tr") != 0)
        return 0;
    virDomainPtr o = virDomainLookupByName(c, "other");
    printf("  reentrant: lookup other=%s active=%d\n", o ? virDomainGetName(o) : "NULL",
           o ? virDomainIsActive(o) : -1);
    if (o) {
        int r = virDomainDestroy(o);
        show("  reentrant: destroy other", r);
        virDomainFree(o);
    }
    virDomainPtr n = virDomainCreateXML(
        c, "<domain type='test'><name>fromcb</name><memory>1024</memory><os><type>hvm</type></os></domain>",
        0);
    printf("  reentrant: created fromcb=%d\n", n != NULL);
    if (n)
        virDomainFree(n);
    /* The handle we were given stays valid during the call. */
    char uuid[VIR_UUID_STRING_BUFLEN];
    printf("  reentrant: own handle uuid=%d name=%s\n", virDomainGetUUIDString(d, uuid),
           virDomainGetName(d));
    return 0;
}

/* Deregisters itself from inside its first call, twice. */
static int self_remover(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)opaque;
    printf("  self-remover: %s %s/%d\n", virDomainGetName(d), EVNAME[event], detail);
    int r = virConnectDomainEventDeregisterAny(c, self_id);
    show("  self-remover: deregister", r);
    r = virConnectDomainEventDeregisterAny(c, self_id);
    show("  self-remover: deregister again", r);
    return 0;
}

static void generic(virConnectPtr c, virDomainPtr d, void *opaque)
{
    (void)c;
    (void)d;
    printf("  generic event [%s]\n", (char *)opaque);
}

static void on_close(virConnectPtr c, int reason, void *opaque)
{
    (void)c;
    printf("  close callback [%s] reason=%d\n", (char *)opaque, reason);
}

static void freed(void *opaque)
{
    printf("  free[%s] thread=%s\n", (char *)opaque, where());
}

/* ---- waiting for the loop ---------------------------------------------------------------- */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t cv = PTHREAD_COND_INITIALIZER;
static int fired;

static void barrier(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
    pthread_mutex_lock(&mu);
    fired = 1;
    pthread_cond_signal(&cv);
    pthread_mutex_unlock(&mu);
}

static void sync_loop(void)
{
    for (int round = 0; round < 3; round++) {
        pthread_mutex_lock(&mu);
        fired = 0;
        pthread_mutex_unlock(&mu);
        if (virEventAddTimeout(0, barrier, NULL, NULL) < 0) {
            printf("sync: cannot add a timer\n");
            return;
        }
        struct timespec until;
        clock_gettime(CLOCK_REALTIME, &until);
        until.tv_sec += 10;
        pthread_mutex_lock(&mu);
        while (!fired && pthread_cond_timedwait(&cv, &mu, &until) == 0)
            ;
        int ok = fired;
        pthread_mutex_unlock(&mu);
        if (!ok) {
            printf("sync: the loop did not go round\n");
            return;
        }
    }
}

static void *loop(void *arg)
{
    (void)arg;
    while (loop_running)
        if (virEventRunDefaultImpl() < 0)
            show("virEventRunDefaultImpl", -1);
    return NULL;
}

static void stop_loop(void)
{
    loop_running = 0;
    virEventAddTimeout(0, barrier, NULL, NULL); /* wake it */
    pthread_join(loop_thread, NULL);
}

#define STEP(what, expr)                                                                          \
    do {                                                                                          \
        int r_ = (expr);                                                                          \
        sync_loop();                                                                              \
        show(what, r_);                                                                           \
    } while (0)

static const char *TR =
    "<domain type='test'><name>tr</name><uuid>da500183-7ebd-4626-8eb3-1efb52add7f7</uuid>"
    "<memory>1024</memory><os><type>hvm</type></os></domain>";
static const char *PERS =
    "<domain type='test'><name>pers</name><uuid>8f04b1c5-6a7c-4b0e-9d43-2c4f1f1a9e01</uuid>"
    "<memory>1024</memory><os><type>hvm</type></os></domain>";
static const char *PERS_DESTROY_ON_REBOOT =
    "<domain type='test'><name>pers</name><uuid>8f04b1c5-6a7c-4b0e-9d43-2c4f1f1a9e01</uuid>"
    "<memory>2048</memory><os><type>hvm</type></os><on_reboot>destroy</on_reboot></domain>";
static const char *OTHER =
    "<domain type='test'><name>other</name><memory>1024</memory><os><type>hvm</type></os></domain>";

static virDomainPtr create(const char *what, const char *xml)
{
    virDomainPtr d = virDomainCreateXML(conn, xml, 0);
    sync_loop();
    show(what, d ? 0 : -1);
    return d;
}

static virDomainPtr define(const char *what, const char *xml)
{
    virDomainPtr d = virDomainDefineXML(conn, xml);
    sync_loop();
    show(what, d ? 0 : -1);
    return d;
}

static int default_loop(void)
{
    int r;
    conn = virConnectOpen("test:///default");

    printf("-- without an event loop\n");
    r = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "all", freed);
    show("register any", r);
    r = virConnectDomainEventRegister(conn, lifecycle, "legacy", freed);
    show("register legacy", r);
    r = virEventAddTimeout(0, barrier, NULL, NULL);
    show("virEventAddTimeout", r);
    r = virEventAddHandle(0, VIR_EVENT_HANDLE_READABLE, NULL, NULL, NULL);
    show("virEventAddHandle", r);
    show("virEventRemoveTimeout", virEventRemoveTimeout(1));
    show("virEventRemoveHandle", virEventRemoveHandle(1));

    printf("-- argument checks\n");
    show("register NULL conn",
         virConnectDomainEventRegisterAny(NULL, NULL, 0, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), NULL, NULL));
    show("register NULL cb", virConnectDomainEventRegisterAny(conn, NULL, 0, NULL, NULL, NULL));
    show("register id -1",
         virConnectDomainEventRegisterAny(conn, NULL, -1, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), NULL, NULL));
    show("register id 27",
         virConnectDomainEventRegisterAny(conn, NULL, 27, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), NULL, NULL));
    show("register legacy NULL cb", virConnectDomainEventRegister(conn, NULL, NULL, NULL));
    show("deregister id -1", virConnectDomainEventDeregisterAny(conn, -1));
    show("deregister NULL conn", virConnectDomainEventDeregisterAny(NULL, 0));
    show("deregister unknown id", virConnectDomainEventDeregisterAny(conn, 0));
    show("deregister legacy NULL", virConnectDomainEventDeregister(conn, NULL));
    show("deregister legacy unknown", virConnectDomainEventDeregister(conn, lifecycle));
    show("close callback", virConnectRegisterCloseCallback(conn, on_close, "close", freed));
    show("close callback again", virConnectRegisterCloseCallback(conn, on_close, "close", freed));
    show("close callback NULL", virConnectRegisterCloseCallback(conn, NULL, NULL, NULL));
    show("unregister close callback", virConnectUnregisterCloseCallback(conn, on_close));
    show("unregister close callback again", virConnectUnregisterCloseCallback(conn, on_close));
    show("unregister close callback NULL", virConnectUnregisterCloseCallback(conn, NULL));

    printf("-- the default loop\n");
    show("virEventRegisterDefaultImpl", virEventRegisterDefaultImpl());
    show("virEventRegisterDefaultImpl again", virEventRegisterDefaultImpl());
    pthread_create(&loop_thread, NULL, loop, NULL);

    r = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "all", freed);
    show("register all", r);
    r = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                         VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "dup", freed);
    show("register the same callback again", r);
    int others[EVENT_ID_LAST];
    for (int id = 1; id < EVENT_ID_LAST; id++) {
        others[id] = virConnectDomainEventRegisterAny(conn, NULL, id, VIR_DOMAIN_EVENT_CALLBACK(generic),
                                                      "other-id", NULL);
        printf("register event id %d -> %d\n", id, others[id]);
    }
    virDomainPtr test = virDomainLookupByName(conn, "test");
    int filtered = virConnectDomainEventRegisterAny(conn, test, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                    VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "test-only", freed);
    show("register filtered on 'test'", filtered);
    r = virConnectDomainEventRegister(conn, lifecycle, "legacy", freed);
    show("register legacy", r);
    show("register legacy again", virConnectDomainEventRegister(conn, lifecycle, "legacy2", freed));

    conn2 = virConnectOpen("test:///default");
    show("register filtered with another connection's domain",
         virConnectDomainEventRegisterAny(conn2, test, 0, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "x", freed));
    int on2 = virConnectDomainEventRegisterAny(conn2, NULL, 0, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "conn2", freed);
    show("register on a second connection", on2);
    show("deregister another connection's id", virConnectDomainEventDeregisterAny(conn2, 0));

    printf("-- lifecycle of a transient domain\n");
    virDomainPtr tr = create("createXML tr", TR);
    STEP("suspend tr", virDomainSuspend(tr));
    STEP("suspend tr again", virDomainSuspend(tr));
    STEP("resume tr", virDomainResume(tr));
    STEP("reboot tr (restart)", virDomainReboot(tr, 0));
    STEP("shutdown tr", virDomainShutdown(tr));
    virDomainFree(tr);
    tr = create("createXML tr", TR);
    STEP("destroy tr", virDomainDestroy(tr));
    STEP("destroy tr again", virDomainDestroy(tr));
    virDomainFree(tr);
    printf("STOPPED/DESTROYED events for tr: %d\n", destroyed_tr);

    printf("-- lifecycle of a persistent domain\n");
    virDomainPtr pers = define("define pers", PERS);
    virDomainFree(pers);
    pers = define("define pers again", PERS);
    STEP("create pers", virDomainCreate(pers));
    STEP("suspend pers", virDomainSuspend(pers));
    STEP("destroy paused pers", virDomainDestroy(pers));
    STEP("create pers", virDomainCreate(pers));
    STEP("shutdown pers", virDomainShutdown(pers));
    STEP("create pers", virDomainCreate(pers));
    STEP("undefine running pers", virDomainUndefine(pers));
    virDomainFree(define("define running pers", PERS));
    STEP("undefine running pers", virDomainUndefine(pers));
    STEP("destroy transient pers", virDomainDestroy(pers));
    virDomainFree(pers);
    pers = define("define pers (on_reboot destroy)", PERS_DESTROY_ON_REBOOT);
    STEP("create pers", virDomainCreate(pers));
    STEP("reboot pers (destroy)", virDomainReboot(pers, 0));
    virDomainPtr again = create("createXML over inactive persistent pers", PERS);
    STEP("shutdown pers", virDomainShutdownFlags(again, 0));
    STEP("undefine pers", virDomainUndefineFlags(again, 0));
    virDomainFree(again);
    virDomainFree(pers);

    printf("-- the filtered callback sees 'test' only\n");
    STEP("suspend test", virDomainSuspend(test));
    STEP("resume test", virDomainResume(test));
    STEP("destroy test", virDomainDestroy(test));
    STEP("create test", virDomainCreate(test));

    printf("-- deregistration\n");
    show("deregister legacy", virConnectDomainEventDeregister(conn, lifecycle));
    show("deregister legacy again", virConnectDomainEventDeregister(conn, lifecycle));
    show("deregister filtered", virConnectDomainEventDeregisterAny(conn, filtered));
    show("deregister filtered again", virConnectDomainEventDeregisterAny(conn, filtered));
    for (int id = 1; id < EVENT_ID_LAST; id++)
        if (virConnectDomainEventDeregisterAny(conn, others[id]) < 0)
            show("deregister other id", -1);
    show("deregister conn2's", virConnectDomainEventDeregisterAny(conn2, on2));
    sync_loop();
    STEP("suspend test", virDomainSuspend(test));
    STEP("resume test", virDomainResume(test));

    printf("-- callbacks calling back into the library\n");
    virDomainFree(create("createXML other", OTHER));
    int re = virConnectDomainEventRegisterAny(conn, NULL, 0, VIR_DOMAIN_EVENT_CALLBACK(reentrant), "re", freed);
    show("register reentrant", re);
    self_id = virConnectDomainEventRegisterAny(conn, NULL, 0, VIR_DOMAIN_EVENT_CALLBACK(self_remover), "self", freed);
    show("register self-remover", self_id);
    tr = create("createXML tr", TR);
    STEP("destroy tr", virDomainDestroy(tr));
    virDomainFree(tr);
    virDomainPtr fromcb = virDomainLookupByName(conn, "fromcb");
    STEP("destroy fromcb", virDomainDestroy(fromcb));
    virDomainFree(fromcb);
    show("deregister reentrant", virConnectDomainEventDeregisterAny(conn, re));
    show("deregister self-remover (gone)", virConnectDomainEventDeregisterAny(conn, self_id));

    printf("-- connections stay open while callbacks are registered\n");
    virDomainFree(test);
    on2 = virConnectDomainEventRegisterAny(conn2, NULL, 0, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "conn2b", freed);
    show("register on conn2", on2);
    printf("close conn2 (a callback registered) = %d\n", virConnectClose(conn2));
    /* Dropping the last reference this way while the driver stays (conn is open) is safe in the
     * reference; closing the driver's last connection from here sometimes crashes it. */
    show("deregister on the closed conn2", virConnectDomainEventDeregisterAny(conn2, on2));
    sync_loop();
    show("deregister all", virConnectDomainEventDeregisterAny(conn, 0));
    sync_loop();
    printf("close conn = %d\n", virConnectClose(conn));

    printf("-- a fresh driver numbers callbacks from 0 again\n");
    conn = virConnectOpen("test:///default");
    r = virConnectDomainEventRegisterAny(conn, NULL, 0, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "fresh", freed);
    show("register on a new connection", r);
    virDomainPtr t = virDomainLookupByName(conn, "test");
    STEP("suspend test", virDomainSuspend(t));
    virDomainFree(t);
    show("deregister", virConnectDomainEventDeregisterAny(conn, r));
    sync_loop();
    printf("close conn = %d\n", virConnectClose(conn));
    stop_loop();
    return 0;
}

/* ---- an application loop ----------------------------------------------------------------- */

static virEventTimeoutCallback timer_cb[8];
static void *timer_opaque[8];
static virFreeCallback timer_ff[8];
static int timer_freq[8];
static int ntimers;

static int my_add_handle(int fd, int events, virEventHandleCallback cb, void *opaque, virFreeCallback ff)
{
    (void)cb;
    (void)opaque;
    printf("  loop: add handle fd=%d events=%d ff=%d\n", fd, events, ff != NULL);
    return 7;
}
static void my_update_handle(int watch, int events)
{
    printf("  loop: update handle %d events=%d\n", watch, events);
}
static int my_remove_handle(int watch)
{
    printf("  loop: remove handle %d\n", watch);
    return 0;
}
static int my_add_timeout(int freq, virEventTimeoutCallback cb, void *opaque, virFreeCallback ff)
{
    int id = ntimers++;
    timer_cb[id] = cb;
    timer_opaque[id] = opaque;
    timer_ff[id] = ff;
    timer_freq[id] = freq;
    printf("  loop: add timeout %d freq=%d cb=%d ff=%d\n", id, freq, cb != NULL, ff != NULL);
    return id;
}
static void my_update_timeout(int timer, int freq)
{
    printf("  loop: update timeout %d freq=%d\n", timer, freq);
    if (timer >= 0 && timer < ntimers)
        timer_freq[timer] = freq;
}
static int my_remove_timeout(int timer)
{
    printf("  loop: remove timeout %d\n", timer);
    if (timer < 0 || timer >= ntimers)
        return -1;
    if (timer_ff[timer])
        timer_ff[timer](timer_opaque[timer]);
    timer_cb[timer] = NULL;
    return 0;
}

/* Fire every enabled timer once, as one loop iteration would. */
static void iterate(void)
{
    for (int i = 0; i < ntimers; i++)
        if (timer_cb[i] && timer_freq[i] >= 0) {
            printf("  loop: fire timeout %d\n", i);
            timer_cb[i](i, timer_opaque[i]);
        }
}

static int custom_loop(void)
{
    main_thread = loop_thread = pthread_self();
    conn = virConnectOpen("test:///default");
    virEventRegisterImpl(my_add_handle, my_update_handle, my_remove_handle, my_add_timeout,
                         my_update_timeout, my_remove_timeout);
    printf("registered\n");
    show("virEventRegisterDefaultImpl after an application loop", virEventRegisterDefaultImpl());
    printf("virEventAddTimeout = %d\n", virEventAddTimeout(5, NULL, NULL, NULL));
    printf("virEventAddHandle = %d\n", virEventAddHandle(0, VIR_EVENT_HANDLE_READABLE, NULL, NULL, NULL));
    virEventUpdateTimeout(0, -1);
    virEventUpdateHandle(7, VIR_EVENT_HANDLE_WRITABLE);
    printf("virEventRemoveHandle = %d\n", virEventRemoveHandle(7));
    printf("virEventRemoveTimeout = %d\n", virEventRemoveTimeout(0));

    int a = virConnectDomainEventRegisterAny(conn, NULL, 0, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "all", freed);
    show("register all", a);
    int b = virConnectDomainEventRegister(conn, lifecycle, "legacy", freed);
    show("register legacy", b);
    virDomainPtr d = virDomainLookupByName(conn, "test");
    printf("suspend = %d\n", virDomainSuspend(d));
    printf("resume = %d\n", virDomainResume(d));
    printf("(nothing delivered before the loop runs)\n");
    iterate();
    printf("second iteration:\n");
    iterate();
    printf("destroy = %d\n", virDomainDestroy(d));
    show("deregister all", virConnectDomainEventDeregisterAny(conn, a));
    iterate();
    show("deregister legacy", virConnectDomainEventDeregister(conn, lifecycle));
    printf("create = %d (nobody listens)\n", virDomainCreate(d));
    iterate();
    a = virConnectDomainEventRegisterAny(conn, d, 0, VIR_DOMAIN_EVENT_CALLBACK(lifecycle), "test-only", freed);
    show("register filtered", a);
    printf("destroy = %d\n", virDomainDestroy(d));
    show("deregister before the loop ran", virConnectDomainEventDeregisterAny(conn, a));
    iterate();
    virDomainFree(d);
    printf("close = %d\n", virConnectClose(conn));
    return 0;
}

/* ---- the default loop itself -------------------------------------------------------------- */

static int pa[2], pb[2], pc[2];
static int watch_a, watch_c, timer0, timer1, timer2;
static int t0_calls, t2_fired, c_fired, b_once;
static char freed_names[16][8];
static int nfreed;
static double t2_added;

static double mono(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

static void ff_record(void *opaque)
{
    pthread_mutex_lock(&mu);
    snprintf(freed_names[nfreed++ % 16], sizeof(freed_names[0]), "%s", (char *)opaque);
    pthread_mutex_unlock(&mu);
}

static void on_handle(int watch, int fd, int events, void *opaque)
{
    const char *name = opaque;
    printf(" %s(watch=%d fd=%s events=%d)", name, watch,
           fd == pa[0] ? "a" : fd == pb[1] ? "b" : fd == pc[0] ? "c" : "?", events);
    if (strcmp(name, "A") == 0 && (events & VIR_EVENT_HANDLE_READABLE)) {
        char buf[8];
        ssize_t n = read(fd, buf, sizeof(buf));
        if (n > 0 && buf[0] == 'q') {
            int r1 = virEventRemoveHandle(watch);
            int r2 = virEventRemoveHandle(watch);
            printf(" [A removes itself: %d, again: %d]", r1, r2);
        }
    }
    if (strcmp(name, "C") == 0) {
        c_fired = 1;
        printf(" [C removed: %d]", virEventRemoveHandle(watch));
    }
    if (strcmp(name, "B") == 0 && b_once) {
        b_once = 0;
        virEventUpdateHandle(watch, 0);
    }
}

static void on_timer(int timer, void *opaque)
{
    const char *name = opaque;
    printf(" %s(timer=%d)", name, timer);
    if (strcmp(name, "T0") == 0 && ++t0_calls == 3) {
        int r1 = virEventRemoveTimeout(timer);
        int r2 = virEventRemoveTimeout(timer);
        printf(" [T0 removes itself: %d, again: %d]", r1, r2);
    }
    if (strcmp(name, "T1") == 0)
        virEventUpdateTimeout(timer, -1);
    if (strcmp(name, "T2") == 0) {
        t2_fired = 1;
        printf(" [after >= 25 ms: %s]", mono() - t2_added >= 0.025 ? "yes" : "NO");
        virEventRemoveTimeout(timer);
    }
}

static void run(const char *what)
{
    printf("%s:", what);
    int r = virEventRunDefaultImpl();
    printf(" -> %d\n", r);
}

static double woke_at;
static void on_wake(int timer, void *opaque)
{
    (void)opaque;
    woke_at = mono();
    virEventRemoveTimeout(timer);
}

static void keep_alive(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
}

static int default_loop_itself(void)
{
    main_thread = pthread_self();
    if (pipe(pa) < 0 || pipe(pb) < 0 || pipe(pc) < 0)
        return 1;
    show("virEventRegisterDefaultImpl", virEventRegisterDefaultImpl());
    watch_a = virEventAddHandle(pa[0], VIR_EVENT_HANDLE_READABLE, on_handle, "A", ff_record);
    int watch_b = virEventAddHandle(pb[1], VIR_EVENT_HANDLE_WRITABLE, on_handle, "B", ff_record);
    timer0 = virEventAddTimeout(0, on_timer, "T0", ff_record);
    timer1 = virEventAddTimeout(-1, on_timer, "T1", ff_record);
    printf("watches A=%d B=%d, timers T0=%d T1=%d\n", watch_a, watch_b, timer0, timer1);

    run("run 1 (B writable, T0 every iteration)");
    if (write(pa[1], "x", 1) != 1)
        return 1;
    run("run 2 (A readable)");
    run("run 3 (T0's third call)");
    run("run 4");
    virEventUpdateTimeout(timer1, 0);
    run("run 5 (T1 enabled, remade after B)");
    virEventUpdateTimeout(timer1, 0);
    virEventUpdateHandle(watch_b, VIR_EVENT_HANDLE_WRITABLE | VIR_EVENT_HANDLE_READABLE);
    run("run 6 (T1 re-armed, then B's events changed: B remade after T1)");
    virEventUpdateTimeout(timer1, 0);
    virEventUpdateHandle(watch_b, VIR_EVENT_HANDLE_WRITABLE | VIR_EVENT_HANDLE_READABLE);
    run("run 7 (T1 re-armed, then B's events set as they were: B unchanged)");
    printf("remove unknown watch=%d timer=%d\n", virEventRemoveHandle(99), virEventRemoveTimeout(99));
    virEventUpdateHandle(99, VIR_EVENT_HANDLE_READABLE);
    virEventUpdateTimeout(99, 0);
    if (write(pa[1], "q", 1) != 1)
        return 1;
    run("run 8 (A removes itself)");

    /* From here on each step runs the loop until its callback came: the reference may spend
     * iterations on its idle sources (free callbacks) alone. */
    printf("-- a 30 ms timer\n");
    virEventUpdateHandle(watch_b, 0);
    t2_added = mono();
    timer2 = virEventAddTimeout(30, on_timer, "T2", ff_record);
    printf("T2=%d:", timer2);
    while (!t2_fired)
        virEventRunDefaultImpl();
    printf("\n");

    printf("-- poll results\n");
    if (write(pa[1], "x", 1) != 1) /* A is gone: nobody hears this */
        return 1;
    watch_c = virEventAddHandle(pc[0], VIR_EVENT_HANDLE_READABLE, on_handle, "C", ff_record);
    close(pc[1]);
    printf("C=%d, its writer closed:", watch_c);
    while (!c_fired)
        virEventRunDefaultImpl();
    printf("\n");
    close(pb[0]);
    b_once = 1;
    virEventUpdateHandle(watch_b, VIR_EVENT_HANDLE_WRITABLE);
    printf("B, its reader closed:");
    while (b_once)
        virEventRunDefaultImpl();
    printf("\n");

    printf("-- a loop thread blocked in poll wakes up for a new timer\n");
    virEventUpdateHandle(watch_b, 0);
    loop_running = 1;
    pthread_create(&loop_thread, NULL, loop, NULL);
    usleep(200000);
    double added = mono();
    int w = virEventAddTimeout(0, on_wake, NULL, NULL);
    for (int i = 0; i < 200 && woke_at == 0; i++)
        usleep(10000);
    printf("wake timer %d fired within 1 s: %s\n", w, woke_at > 0 && woke_at - added < 1.0 ? "yes" : "NO");
    stop_loop();

    printf("-- removal, free callbacks\n");
    printf("remove B=%d T1=%d\n", virEventRemoveHandle(watch_b), virEventRemoveTimeout(timer1));
    printf("remove T1 again=%d\n", virEventRemoveTimeout(timer1));
    int keep = virEventAddTimeout(1, keep_alive, NULL, NULL);
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&mu);
        int n = nfreed;
        pthread_mutex_unlock(&mu);
        if (n >= 6)
            break;
        virEventUpdateTimeout(keep, 1);
        virEventRunDefaultImpl();
    }
    qsort(freed_names, nfreed < 16 ? nfreed : 16, sizeof(freed_names[0]),
          (int (*)(const void *, const void *))strcmp);
    printf("freed (%d):", nfreed);
    for (int i = 0; i < nfreed && i < 16; i++)
        printf(" %s", freed_names[i]);
    printf("\n");
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet);
    main_thread = pthread_self();
    if (argc > 1 && strcmp(argv[1], "custom") == 0)
        return custom_loop();
    if (argc > 1 && strcmp(argv[1], "loop") == 0)
        return default_loop_itself();
    return default_loop();
}
