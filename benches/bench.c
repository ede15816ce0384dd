/* oxvirt benchmark: one program, compiled once against Debian's libvirt 9.0 headers and linked with
 * -lvirt. benches/run.sh runs it twice per round: with the default loader (Debian's libvirt, "the
 * reference") and with LD_LIBRARY_PATH pointing at our libvirt.so.0 ("ours").
 *
 * Every measurement goes through the public API (except the "qemu-raw" mode, which drives qemu by
 * hand to show what the hardware allows). Output lines, one per number:
 *     RESULT <metric> <value>       (unit in the metric's name: _ms, _us, _per_s, _kib, ...)
 *     INFO <key> <text>             (outcomes that are not numbers)
 *     PID <pid> <starttime>         (every qemu this process learned of, for the cleanup in run.sh)
 *
 * usage:
 *   bench lifecycle URI ROOT ITERS       scenarios 1 and 2: ITERS x (create, destroy flags 0) and
 *                                        ITERS x (create, destroy GRACEFUL), after a warm-up
 *   bench graceful-stopped URI ROOT      scenario 3: GRACEFUL on a SIGSTOPped guest
 *   bench forced-stopped URI ROOT ITERS  scenario 4: forced destroy of a SIGSTOPped guest
 *   bench parallel URI ROOT N            scenario 5: N guests destroyed from N threads at once
 *   bench testdrv CYCLES LOOKUPS         scenario 6: test driver cycles, lookups, list-all
 *   bench mem NDOMS                      scenario 7: peak RSS holding NDOMS test-driver domains
 *   bench remote URI CALLS EVENTS        scenario 9: a daemon serving the test driver (URI):
 *                                        lookup + GetInfo + free from one thread and from 8
 *                                        threads on one connection, and EVENTS lifecycle events
 *                                        from the daemon to a callback (latency, throughput)
 *   bench qemu-raw DIR ITERS             qemu itself: start-to-running and exit after SIGTERM
 *   bench qemu-raw-par DIR N             qemu itself: N running qemus SIGTERMed at once, until the last exit
 */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#if defined(__has_include)
#if __has_include(<valgrind/callgrind.h>)
#include <valgrind/callgrind.h>
#endif
#endif
#ifndef CALLGRIND_DUMP_STATS_AT
#define CALLGRIND_DUMP_STATS_AT(s) ((void)(s))
#define CALLGRIND_ZERO_STATS ((void)0)
#endif

#define QEMU_BIN "/usr/bin/qemu-system-x86_64"

/* A marker visible in `strace` output (write to fd -1 fails with EBADF and does nothing else);
 * run.sh's destroy breakdown cuts the trace at these. */
static void mark(const char *what)
{
    if (syscall(SYS_write, -1, what, strlen(what)) < 0)
        errno = 0;
}

/* ------------------------------------------------------------------ helpers */

static double now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void sleep_ms(double ms)
{
    struct timespec ts = {(time_t)(ms / 1000), (long)((ms - (time_t)(ms / 1000) * 1000) * 1e6)};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

static void result(const char *metric, double v)
{
    printf("RESULT %s %.6f\n", metric, v);
}

static void info(const char *key, const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    for (char *p = buf; *p; p++)
        if (*p == '\n')
            *p = ' ';
    printf("INFO %s %s\n", key, buf);
}

static const char *last_error(void)
{
    static __thread char buf[512];
    virErrorPtr e = virGetLastError();
    if (!e)
        return "no error";
    snprintf(buf, sizeof(buf), "code %d, domain %d: %s", e->code, e->domain,
             e->message ? e->message : "(null)");
    return buf;
}

static void quiet(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
}

static int pidfd_open_(pid_t pid)
{
    return (int)syscall(SYS_pidfd_open, pid, 0);
}

/* 1 if the pidfd says the process has exited, 0 if it runs, -1 on error. */
static int pidfd_exited(int fd, int timeout_ms)
{
    struct pollfd p = {fd, POLLIN, 0};
    int r;
    while ((r = poll(&p, 1, timeout_ms)) < 0 && errno == EINTR)
        ;
    if (r < 0)
        return -1;
    return r > 0;
}

static char proc_state(pid_t pid)
{
    char path[64], buf[512];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

static unsigned long long proc_starttime(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", pid);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    p += 2; /* field 3 (state) */
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    return p ? strtoull(p, NULL, 10) : 0;
}

/* Alive = exists and is not a zombie. */
static int proc_alive(pid_t pid)
{
    char s = proc_state(pid);
    return s != 0 && s != 'Z' && s != 'X';
}

static void wait_state(pid_t pid, char want, double max_ms)
{
    double t0 = now_ms();
    while (proc_state(pid) != want && now_ms() - t0 < max_ms)
        sleep_ms(1);
}

static long status_kib(const char *key)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long v = -1;
    size_t kl = strlen(key);
    while (f && fgets(line, sizeof(line), f))
        if (strncmp(line, key, kl) == 0 && line[kl] == ':')
            v = strtol(line + kl + 1, NULL, 10);
    if (f)
        fclose(f);
    return v;
}

static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return x < y ? -1 : x > y;
}

static double median(double *v, int n)
{
    qsort(v, n, sizeof(double), cmp_double);
    return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

/* Which libvirt.so.0 did the loader give us? */
static void report_library(void)
{
    Dl_info di;
    if (dladdr((void *)virConnectOpen, &di) && di.dli_fname)
        info("library", "%s", di.dli_fname);
    unsigned long v = 0;
    virGetVersion(&v, NULL, NULL);
    info("libvirt_version", "%lu", v);
}

/* ------------------------------------------------------------------ qemu guests via the API */

static const char *g_root;
static virConnectPtr g_conn;

/* Every domain this process created and has not destroyed: destroyed on a failure exit. */
#define MAX_LIVE 256
static virDomainPtr g_live[MAX_LIVE];
static pid_t g_live_pid[MAX_LIVE];

static void track(virDomainPtr d, pid_t pid)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (!g_live[i]) {
            g_live[i] = d;
            g_live_pid[i] = pid;
            return;
        }
}

static void untrack(virDomainPtr d)
{
    for (int i = 0; i < MAX_LIVE; i++)
        if (g_live[i] == d)
            g_live[i] = NULL;
}

static void cleanup_live(void)
{
    for (int i = 0; i < MAX_LIVE; i++) {
        if (!g_live[i])
            continue;
        if (g_live_pid[i] > 0)
            kill(g_live_pid[i], SIGCONT);
        virDomainDestroyFlags(g_live[i], 0);
        if (g_live_pid[i] > 0 && proc_alive(g_live_pid[i]))
            kill(g_live_pid[i], SIGKILL);
        g_live[i] = NULL;
    }
}

static void die(const char *fmt, ...)
{
    char buf[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof(buf), fmt, ap);
    va_end(ap);
    printf("FAIL %s\n", buf);
    fprintf(stderr, "bench: FAIL %s\n", buf);
    fflush(stdout);
    cleanup_live();
    exit(1);
}

static void *event_loop(void *arg)
{
    (void)arg;
    for (;;)
        if (virEventRunDefaultImpl() < 0)
            sleep_ms(100);
    return NULL;
}

/* Open URI; register and run the default event loop as an application of the embedded driver
 * does (the reference wants one; ours may not implement it yet: then we go on without). */
static void open_qemu(const char *uri, const char *root)
{
    g_root = root;
    if (virEventRegisterDefaultImpl() == 0) {
        pthread_t t;
        pthread_create(&t, NULL, event_loop, NULL);
        pthread_detach(t);
        info("event_loop", "running");
    } else {
        info("event_loop", "virEventRegisterDefaultImpl failed (%s); going on without", last_error());
    }
    g_conn = virConnectOpen(uri);
    if (!g_conn)
        die("virConnectOpen(%s): %s", uri, last_error());
}

static pid_t guest_pid(const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/run/qemu/%s.pid", g_root, name);
    FILE *f = fopen(path, "r");
    int pid = -1;
    if (f) {
        if (fscanf(f, "%d", &pid) != 1)
            pid = -1;
        fclose(f);
    }
    if (pid > 0)
        printf("PID %d %llu\n", pid, proc_starttime(pid));
    return pid;
}

static void guest_xml(char *buf, size_t n, const char *name)
{
    snprintf(buf, n,
             "<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory>"
             "<vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>"
             "<devices><emulator>" QEMU_BIN "</emulator></devices></domain>",
             name);
}

struct guest {
    virDomainPtr dom;
    pid_t pid;
    int pidfd;
    double create_ms;
    char name[64];
};

static void start_guest(struct guest *g, const char *name)
{
    char xml[1024];
    guest_xml(xml, sizeof(xml), name);
    snprintf(g->name, sizeof(g->name), "%s", name);
    double t0 = now_ms();
    g->dom = virDomainCreateXML(g_conn, xml, 0);
    g->create_ms = now_ms() - t0;
    if (!g->dom)
        die("virDomainCreateXML(%s): %s", name, last_error());
    g->pid = guest_pid(name);
    track(g->dom, g->pid);
    if (g->pid <= 0)
        die("no pid file for %s under %s/run/qemu", name, g_root);
    g->pidfd = pidfd_open_(g->pid);
    if (g->pidfd < 0)
        die("pidfd_open(%d): %s", g->pid, strerror(errno));
}

static void finish_guest(struct guest *g)
{
    untrack(g->dom);
    virDomainFree(g->dom);
    close(g->pidfd);
    g->dom = NULL;
}

/* Warm-up (excluded): the reference probes qemu's capabilities on its first start in a new root. */
static void warm_up(const char *tag)
{
    struct guest g;
    char name[64];
    snprintf(name, sizeof(name), "warm-%s-%d", tag, getpid());
    start_guest(&g, name);
    result("warmup_create_ms", g.create_ms);
    if (virDomainDestroyFlags(g.dom, 0) < 0)
        die("warm-up destroy: %s", last_error());
    finish_guest(&g);
}

/* ---- scenarios 1 and 2 */

struct death_watch {
    int pidfd;
    double t_exit;
};

static void *watch_death(void *arg)
{
    struct death_watch *w = arg;
    if (pidfd_exited(w->pidfd, -1) == 1)
        w->t_exit = now_ms();
    return NULL;
}

static int join_within(pthread_t t, int ms)
{
    struct timespec dl;
    clock_gettime(CLOCK_REALTIME, &dl);
    dl.tv_sec += ms / 1000;
    dl.tv_nsec += (long)(ms % 1000) * 1000000L;
    if (dl.tv_nsec >= 1000000000L) {
        dl.tv_sec++;
        dl.tv_nsec -= 1000000000L;
    }
    return pthread_timedjoin_np(t, NULL, &dl);
}


static int mode_lifecycle(const char *uri, const char *root, int iters)
{
    open_qemu(uri, root);
    warm_up("lc");
    int not_dead = 0;
    for (int i = 0; i < iters; i++) {
        for (int k = 0; k < 2; k++) {
            unsigned int flags = k ? VIR_DOMAIN_DESTROY_GRACEFUL : 0;
            struct guest g;
            char name[64];
            snprintf(name, sizeof(name), "lc-%d-%d-%d", getpid(), i, k);
            mark("MARK create-begin");
            start_guest(&g, name);
            mark("MARK create-end");
            result("create_ms", g.create_ms);
            sleep_ms(100); /* let the guest settle into running, as qemu-raw does */
            /* A thread of ours waits on its own pidfd for the guest's exit: it splits the call
             * into "until the guest is gone" and "after the guest is gone". */
            struct death_watch w = {g.pidfd, 0};
            pthread_t wt;
            pthread_create(&wt, NULL, watch_death, &w);
            sleep_ms(1);
            mark(k ? "MARK destroy-graceful-begin" : "MARK destroy-begin");
            double t0 = now_ms();
            int r = virDomainDestroyFlags(g.dom, flags);
            double t1 = now_ms();
            mark(k ? "MARK destroy-graceful-end" : "MARK destroy-end");
            if (r < 0) {
                kill(g.pid, SIGKILL);
                pthread_join(wt, NULL);
                die("destroy(%s, %u): %s", name, flags, last_error());
            }
            int dead = pidfd_exited(g.pidfd, 0) == 1;
            if (!dead)
                not_dead++;
            if (join_within(wt, 5000) != 0) {
                kill(g.pid, SIGKILL);
                pthread_join(wt, NULL);
            }
            result(k ? "destroy_graceful_ms" : "destroy_flags0_ms", t1 - t0);
            result(k ? "destroy_graceful_call_to_exit_ms" : "destroy_flags0_call_to_exit_ms", w.t_exit - t0);
            result(k ? "destroy_graceful_exit_to_return_ms" : "destroy_flags0_exit_to_return_ms", t1 - w.t_exit);
            finish_guest(&g);
        }
    }
    result("destroy_returned_before_guest_exit_count", not_dead);
    virConnectClose(g_conn);
    return 0;
}

/* ---- scenario 3 */

static int mode_graceful_stopped(const char *uri, const char *root)
{
    open_qemu(uri, root);
    warm_up("gs");
    struct guest g;
    char name[64];
    snprintf(name, sizeof(name), "gs-%d", getpid());
    start_guest(&g, name);
    sleep_ms(100);
    kill(g.pid, SIGSTOP);
    wait_state(g.pid, 'T', 2000);
    double t0 = now_ms();
    virResetLastError();
    int r = virDomainDestroyFlags(g.dom, VIR_DOMAIN_DESTROY_GRACEFUL);
    double ms = now_ms() - t0;
    const char *err = last_error();
    int alive = pidfd_exited(g.pidfd, 0) == 0 && proc_alive(g.pid);
    char st = proc_state(g.pid);
    result("graceful_stopped_ms", ms);
    result("graceful_stopped_ret", r);
    result("graceful_stopped_alive_after", alive);
    info("graceful_stopped_error", "%s", err);
    info("graceful_stopped_proc_state_after", "%c", st ? st : '-');
    int state = -1, reason = -1;
    if (virDomainGetState(g.dom, &state, &reason, 0) == 0)
        info("graceful_stopped_domain_state_after", "%d/%d", state, reason);
    else
        info("graceful_stopped_domain_state_after", "gone (%s)", last_error());
    /* Clean up: a surviving guest is continued and destroyed. */
    if (alive) {
        kill(g.pid, SIGCONT);
        if (virDomainDestroyFlags(g.dom, 0) < 0)
            info("graceful_stopped_cleanup", "destroy failed: %s", last_error());
    }
    if (proc_alive(g.pid))
        kill(g.pid, SIGKILL);
    finish_guest(&g);
    virConnectClose(g_conn);
    return 0;
}

/* ---- scenario 4 */

static int mode_forced_stopped(const char *uri, const char *root, int iters)
{
    open_qemu(uri, root);
    warm_up("fs");
    for (int i = 0; i < iters; i++) {
        struct guest g;
        char name[64];
        snprintf(name, sizeof(name), "fs-%d-%d", getpid(), i);
        start_guest(&g, name);
        sleep_ms(100);
        kill(g.pid, SIGSTOP);
        wait_state(g.pid, 'T', 2000);
        struct death_watch w = {g.pidfd, 0};
        pthread_t t;
        pthread_create(&t, NULL, watch_death, &w);
        double t0 = now_ms();
        int r = virDomainDestroyFlags(g.dom, 0);
        double t1 = now_ms();
        if (r < 0) {
            kill(g.pid, SIGKILL);
            pthread_join(t, NULL);
            die("forced destroy of a stopped guest: %s", last_error());
        }
        /* The watcher wakes at most a few ms after the exit; give it time if destroy returned first. */
        if (join_within(t, 5000) != 0) {
            kill(g.pid, SIGKILL);
            pthread_join(t, NULL);
        }
        result("forced_stopped_call_ms", t1 - t0);
        result("forced_stopped_call_to_exit_ms", w.t_exit - t0);
        /* negative: the call returned before the process was gone */
        result("forced_stopped_exit_to_return_ms", t1 - w.t_exit);
        finish_guest(&g);
    }
    virConnectClose(g_conn);
    return 0;
}

/* ---- scenario 5 */

struct par {
    virDomainPtr dom;
    atomic_int *ready;
    pthread_barrier_t *barrier;
    double t_start, t_end;
    int ret;
};

static void *par_destroy(void *arg)
{
    struct par *p = arg;
    atomic_fetch_add(p->ready, 1);
    pthread_barrier_wait(p->barrier);
    p->t_start = now_ms();
    p->ret = virDomainDestroyFlags(p->dom, 0);
    p->t_end = now_ms();
    return NULL;
}

static int mode_parallel(const char *uri, const char *root, int n)
{
    open_qemu(uri, root);
    warm_up("par");
    struct guest *g = calloc(n, sizeof(*g));
    struct par *p = calloc(n, sizeof(*p));
    pthread_t *t = calloc(n, sizeof(*t));
    double *creates = calloc(n, sizeof(double));
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof(name), "par-%d-%d", getpid(), i);
        start_guest(&g[i], name);
        creates[i] = g[i].create_ms;
    }
    result("parallel_create_each_median_ms", median(creates, n));
    sleep_ms(200);
    atomic_int ready = 0;
    pthread_barrier_t barrier;
    pthread_barrier_init(&barrier, NULL, n + 1);
    for (int i = 0; i < n; i++) {
        p[i] = (struct par){g[i].dom, &ready, &barrier, 0, 0, 0};
        pthread_create(&t[i], NULL, par_destroy, &p[i]);
    }
    while (atomic_load(&ready) < n)
        sleep_ms(1);
    sleep_ms(10); /* all threads are in the barrier */
    double t0 = now_ms();
    pthread_barrier_wait(&barrier);
    double last = 0, first = 1e18;
    int failed = 0;
    for (int i = 0; i < n; i++) {
        pthread_join(t[i], NULL);
        if (p[i].t_end > last)
            last = p[i].t_end;
        if (p[i].t_end < first)
            first = p[i].t_end;
        if (p[i].ret < 0)
            failed++;
    }
    int alive = 0;
    for (int i = 0; i < n; i++) {
        if (pidfd_exited(g[i].pidfd, 0) == 0 && proc_alive(g[i].pid))
            alive++;
        if (p[i].ret < 0)
            info("parallel_destroy_failed", "%s", g[i].name);
        finish_guest(&g[i]);
    }
    result("parallel_wall_ms", last - t0);
    result("parallel_first_return_ms", first - t0);
    result("parallel_failed", failed);
    result("parallel_alive_after", alive);
    if (failed)
        die("%d of %d parallel destroys failed", failed, n);
    virConnectClose(g_conn);
    return 0;
}

/* ------------------------------------------------------------------ test driver */

static virDomainPtr test_create(virConnectPtr c, const char *xml)
{
    virDomainPtr d = virDomainCreateXML(c, xml, 0);
    if (!d)
        die("test driver create: %s", last_error());
    return d;
}

static void test_xml(char *buf, size_t n, const char *name)
{
    snprintf(buf, n,
             "<domain type='test'><name>%s</name><memory unit='MiB'>64</memory>"
             "<vcpu>1</vcpu><os><type>hvm</type></os></domain>",
             name);
}

static int populate(virConnectPtr c, int from, int to, char **names)
{
    char xml[512];
    for (int i = from; i < to; i++) {
        test_xml(xml, sizeof(xml), names[i]);
        virDomainFree(test_create(c, xml));
    }
    return 0;
}

static void lookups(virConnectPtr c, char **names, int ndoms, int count, const char *metric)
{
    /* a fixed pseudo-random order over the live names */
    int *order = malloc(sizeof(int) * count);
    unsigned int s = 12345;
    for (int i = 0; i < count; i++) {
        s = s * 1103515245u + 12345u;
        order[i] = (int)((s >> 8) % (unsigned)ndoms);
    }
    double t0 = now_ms();
    for (int i = 0; i < count; i++) {
        virDomainPtr d = virDomainLookupByName(c, names[order[i]]);
        if (!d)
            die("lookup %s: %s", names[order[i]], last_error());
        virDomainFree(d);
    }
    double ms = now_ms() - t0;
    result(metric, ms * 1000.0 / count);
    free(order);
}

static int mode_testdrv(int cycles, int nlookups)
{
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        die("open test:///default: %s", last_error());
    char xml[512];
    test_xml(xml, sizeof(xml), "cycle");
    /* warm-up, excluded */
    for (int i = 0; i < 200; i++) {
        virDomainPtr d = test_create(c, xml);
        virDomainDestroyFlags(d, 0);
        virDomainFree(d);
    }
    CALLGRIND_ZERO_STATS;
    double t0 = now_ms();
    for (int i = 0; i < cycles; i++) {
        virDomainPtr d = test_create(c, xml);
        if (virDomainDestroyFlags(d, 0) < 0)
            die("test destroy: %s", last_error());
        virDomainFree(d);
    }
    double ms = now_ms() - t0;
    CALLGRIND_DUMP_STATS_AT("phase-cycles");
    result("test_cycle_us", ms * 1000.0 / cycles);
    result("test_cycles_per_s", cycles / (ms / 1000.0));

    int big = 10000;
    char **names = malloc(sizeof(char *) * big);
    for (int i = 0; i < big; i++) {
        names[i] = malloc(32);
        snprintf(names[i], 32, "dom%05d", i);
    }
    t0 = now_ms();
    populate(c, 0, 1000, names);
    result("test_populate_first_1000_create_us", (now_ms() - t0) * 1000.0 / 1000);
    CALLGRIND_ZERO_STATS;
    lookups(c, names, 1000, nlookups, "test_lookup_1000_us");
    CALLGRIND_DUMP_STATS_AT("phase-lookup-1000");
    t0 = now_ms();
    populate(c, 1000, big, names);
    result("test_populate_to_10000_create_us", (now_ms() - t0) * 1000.0 / (big - 1000));
    CALLGRIND_ZERO_STATS;
    lookups(c, names, big, nlookups, "test_lookup_10000_us");
    CALLGRIND_DUMP_STATS_AT("phase-lookup-10000");

    /* virConnectListAllDomains with 10,000 (+1 default) domains: the call alone, and the call
     * plus freeing every handle and the array. */
    double call[9], whole[9];
    int got = 0;
    CALLGRIND_ZERO_STATS;
    for (int r = 0; r < 9; r++) {
        virDomainPtr *doms = NULL;
        double a = now_ms();
        got = virConnectListAllDomains(c, &doms, 0);
        double b = now_ms();
        if (got < 0)
            die("list all: %s", last_error());
        for (int i = 0; i < got; i++)
            virDomainFree(doms[i]);
        free(doms);
        double e = now_ms();
        call[r] = b - a;
        whole[r] = e - a;
    }
    CALLGRIND_DUMP_STATS_AT("phase-listall-10000");
    result("test_listall_10000_ms", median(call, 9));
    result("test_listall_10000_with_free_ms", median(whole, 9));
    result("test_listall_count", got);

    /* destroy + free of each live domain among 10,000 (going down to 0) */
    t0 = now_ms();
    for (int i = 0; i < big; i++) {
        virDomainPtr d = virDomainLookupByName(c, names[i]);
        if (!d)
            die("lookup %s: %s", names[i], last_error());
        if (virDomainDestroy(d) < 0)
            die("destroy %s: %s", names[i], last_error());
        virDomainFree(d);
    }
    result("test_lookup_destroy_free_us", (now_ms() - t0) * 1000.0 / big);
    virConnectClose(c);
    return 0;
}

static int mode_mem(int ndoms)
{
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        die("open test:///default: %s", last_error());
    long base = status_kib("VmHWM");
    char xml[512], name[32];
    for (int i = 0; i < ndoms; i++) {
        snprintf(name, sizeof(name), "mem%05d", i);
        test_xml(xml, sizeof(xml), name);
        virDomainFree(test_create(c, xml));
    }
    int n = virConnectNumOfDomains(c);
    long hwm = status_kib("VmHWM");
    long rss = status_kib("VmRSS");
    struct rusage ru;
    getrusage(RUSAGE_SELF, &ru);
    result("mem_baseline_hwm_kib", base);
    result("mem_peak_hwm_kib", hwm);
    result("mem_rss_kib", rss);
    result("mem_ru_maxrss_kib", ru.ru_maxrss);
    result("mem_per_domain_bytes", (hwm - base) * 1024.0 / ndoms);
    result("mem_live_domains", n);
    virConnectClose(c);
    return 0;
}

/* ------------------------------------------------------------------ qemu by hand */

struct lines {
    int fd;
    char buf[65536];
    size_t len;
};

/* Read one line (without the newline) into out; 0 on success. */
static int read_line(struct lines *l, char *out, size_t outsz)
{
    for (;;) {
        char *nl = memchr(l->buf, '\n', l->len);
        if (nl) {
            size_t n = (size_t)(nl - l->buf);
            size_t c = n < outsz - 1 ? n : outsz - 1;
            memcpy(out, l->buf, c);
            out[c] = 0;
            memmove(l->buf, nl + 1, l->len - n - 1);
            l->len -= n + 1;
            return 0;
        }
        if (l->len == sizeof(l->buf))
            return -1;
        ssize_t r = read(l->fd, l->buf + l->len, sizeof(l->buf) - l->len);
        if (r < 0 && errno == EINTR)
            continue;
        if (r <= 0)
            return -1;
        l->len += (size_t)r;
    }
}

static int qmp_command(struct lines *l, const char *cmd)
{
    char line[8192];
    if (write(l->fd, cmd, strlen(cmd)) != (ssize_t)strlen(cmd))
        return -1;
    while (read_line(l, line, sizeof(line)) == 0) {
        if (strstr(line, "\"return\""))
            return 0;
        if (strstr(line, "\"error\""))
            return -1;
    }
    return -1;
}

struct raw_qemu {
    pid_t pid;
    int pidfd, lfd, cfd;
    struct lines *l;
    char sock[4096];
    double greet_ms, running_ms;
};

/* Spawn qemu with the command line our driver builds (src/driver/qemu/command.rs), the monitor on
 * an inherited listening socket as both libraries do, then QMP handshake and `cont`. */
static void raw_start(struct raw_qemu *q, const char *dir, int i)
{
    char logp[4096], name[64];
    snprintf(q->sock, sizeof(q->sock), "%s/raw-%d-%d.sock", dir, getpid(), i);
    snprintf(logp, sizeof(logp), "%s/raw-%d-%d.log", dir, getpid(), i);
    snprintf(name, sizeof(name), "guest=raw-%d-%d,debug-threads=on", getpid(), i);
    unlink(q->sock);
    int lfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    if (strlen(q->sock) >= sizeof(sa.sun_path))
        die("socket path too long: %s", q->sock);
    memcpy(sa.sun_path, q->sock, strlen(q->sock) + 1);
    if (lfd < 0 || bind(lfd, (struct sockaddr *)&sa, sizeof(sa)) < 0 || listen(lfd, 4) < 0)
        die("monitor socket %s: %s", q->sock, strerror(errno));
    char *argv[] = {QEMU_BIN, "-name", name, "-S", "-machine", "pc", "-accel", "tcg",
                    "-m", "64", "-smp", "1", "-display", "none", "-no-user-config",
                    "-nodefaults", "-chardev", "socket,id=charmonitor,fd=3,server=on,wait=off",
                    "-mon", "chardev=charmonitor,id=monitor,mode=control", "-rtc", "base=utc",
                    "-boot", "strict=on", NULL};
    double t0 = now_ms();
    pid_t pid = fork();
    if (pid == 0) {
        prctl(PR_SET_PDEATHSIG, SIGKILL);
        int logfd = open(logp, O_WRONLY | O_CREAT | O_TRUNC, 0600);
        int nul = open("/dev/null", O_RDONLY);
        dup2(nul, 0);
        dup2(logfd, 1);
        dup2(logfd, 2);
        if (lfd == 3)
            fcntl(3, F_SETFD, 0);
        else
            dup2(lfd, 3);
        execv(QEMU_BIN, argv);
        _exit(127);
    }
    if (pid < 0)
        die("fork: %s", strerror(errno));
    printf("PID %d %llu\n", pid, proc_starttime(pid));
    q->pid = pid;
    q->lfd = lfd;
    q->pidfd = pidfd_open_(pid);
    q->cfd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (connect(q->cfd, (struct sockaddr *)&sa, sizeof(sa)) < 0)
        die("connect %s: %s", q->sock, strerror(errno));
    q->l = calloc(1, sizeof(*q->l));
    q->l->fd = q->cfd;
    char line[8192];
    if (read_line(q->l, line, sizeof(line)) < 0 || !strstr(line, "QMP")) {
        kill(pid, SIGKILL);
        die("no QMP greeting from qemu (log %s)", logp);
    }
    q->greet_ms = now_ms() - t0;
    if (qmp_command(q->l, "{\"execute\":\"qmp_capabilities\"}\n") < 0 ||
        qmp_command(q->l, "{\"execute\":\"cont\"}\n") < 0) {
        kill(pid, SIGKILL);
        die("QMP qmp_capabilities/cont failed (log %s)", logp);
    }
    q->running_ms = now_ms() - t0;
}

static void raw_reap(struct raw_qemu *q)
{
    waitpid(q->pid, NULL, 0);
    close(q->pidfd);
    close(q->cfd);
    close(q->lfd);
    free(q->l);
    unlink(q->sock);
}

static int mode_qemu_raw(const char *dir, int iters)
{
    for (int i = 0; i < iters; i++) {
        struct raw_qemu q;
        raw_start(&q, dir, i);
        result("raw_start_to_qmp_greeting_ms", q.greet_ms);
        result("raw_start_to_running_ms", q.running_ms);
        sleep_ms(100); /* as the library scenarios wait before destroying */
        double t_sig = now_ms();
        kill(q.pid, SIGTERM);
        if (pidfd_exited(q.pidfd, 10000) != 1) {
            kill(q.pid, SIGKILL);
            die("qemu did not exit within 10 s of SIGTERM");
        }
        result("raw_exit_after_sigterm_ms", now_ms() - t_sig);
        raw_reap(&q);
    }
    return 0;
}

/* N qemus running; SIGTERM to all at once; time until the last has exited (what the hardware
 * allows for scenario 5). */
static int mode_qemu_raw_par(const char *dir, int n)
{
    struct raw_qemu *q = calloc(n, sizeof(*q));
    for (int i = 0; i < n; i++)
        raw_start(&q[i], dir, i);
    sleep_ms(200);
    double t0 = now_ms();
    for (int i = 0; i < n; i++)
        kill(q[i].pid, SIGTERM);
    int left = n;
    char *done = calloc(n, 1);
    struct pollfd *p = calloc(n, sizeof(*p));
    while (left > 0) {
        int k = 0;
        for (int i = 0; i < n; i++)
            if (!done[i])
                p[k++] = (struct pollfd){q[i].pidfd, POLLIN, 0};
        if (poll(p, k, 10000) <= 0)
            break;
        for (int j = 0; j < k; j++)
            if (p[j].revents)
                for (int i = 0; i < n; i++)
                    if (q[i].pidfd == p[j].fd && !done[i]) {
                        done[i] = 1;
                        left--;
                    }
    }
    double wall = now_ms() - t0;
    for (int i = 0; i < n; i++) {
        if (!done[i])
            kill(q[i].pid, SIGKILL);
        raw_reap(&q[i]);
    }
    if (left)
        die("%d of %d qemus did not exit within 10 s of SIGTERM", left, n);
    result("raw_par_exit_wall_ms", wall);
    return 0;
}

/* ------------------------------------------------------------------ main */

/* ---- scenario 8: watching and controlling running guests (issue 17) */

static int mode_watch(const char *uri, const char *root, int n)
{
    open_qemu(uri, root);
    warm_up("watch");
    struct guest *g = calloc(n, sizeof(*g));
    for (int i = 0; i < n; i++) {
        char name[64];
        snprintf(name, sizeof(name), "watch-%d-%d", getpid(), i);
        start_guest(&g[i], name);
    }
    sleep_ms(300);
    enum { STATS_CALLS = 20, INFO_CALLS = 2000, SAVES = 3 };
    double v[INFO_CALLS];
    for (int i = 0; i < STATS_CALLS; i++) {
        virDomainStatsRecordPtr *recs = NULL;
        double t0 = now_ms();
        int r = virConnectGetAllDomainStats(g_conn, 0, &recs, 0);
        v[i] = now_ms() - t0;
        if (r < n)
            die("virConnectGetAllDomainStats: %d records: %s", r, last_error());
        virDomainStatsRecordListFree(recs);
    }
    result("watch_allstats_ms", median(v, STATS_CALLS));
    for (int i = 0; i < INFO_CALLS; i++) {
        virDomainInfo di;
        double t0 = now_ms();
        if (virDomainGetInfo(g[0].dom, &di) < 0)
            die("virDomainGetInfo: %s", last_error());
        v[i] = (now_ms() - t0) * 1000.0;
    }
    result("watch_getinfo_us", median(v, INFO_CALLS));
    /* Save and restore of one guest, its image under the root. */
    char img[4096];
    snprintf(img, sizeof(img), "%s/watch.img", root);
    double sv[SAVES], rs[SAVES];
    for (int i = 0; i < SAVES; i++) {
        untrack(g[0].dom);
        double t0 = now_ms();
        if (virDomainSave(g[0].dom, img) < 0)
            die("virDomainSave: %s", last_error());
        sv[i] = now_ms() - t0;
        t0 = now_ms();
        if (virDomainRestore(g_conn, img) < 0)
            die("virDomainRestore: %s", last_error());
        rs[i] = now_ms() - t0;
        virDomainFree(g[0].dom);
        g[0].dom = virDomainLookupByName(g_conn, g[0].name);
        if (!g[0].dom)
            die("lookup after restore: %s", last_error());
        track(g[0].dom, guest_pid(g[0].name));
        unlink(img);
    }
    result("watch_save_ms", median(sv, SAVES));
    result("watch_restore_ms", median(rs, SAVES));
    for (int i = 0; i < n; i++) {
        if (virDomainDestroyFlags(g[i].dom, 0) < 0)
            die("destroy: %s", last_error());
        untrack(g[i].dom);
        virDomainFree(g[i].dom);
        close(g[i].pidfd);
    }
    free(g);
    return 0;
}

/* ---------------------------------------------------------------- scenario 9: remote */
#define REMOTE_THREADS 8

static void remote_call(virConnectPtr c)
{
    virDomainInfo info;
    virDomainPtr d = virDomainLookupByName(c, "test");
    if (!d)
        die("remote lookup: %s", last_error());
    if (virDomainGetInfo(d, &info) < 0)
        die("remote getinfo: %s", last_error());
    virDomainFree(d);
}

struct remote_worker {
    virConnectPtr conn;
    int calls;
};

static void *remote_worker(void *arg)
{
    struct remote_worker *w = arg;
    for (int i = 0; i < w->calls; i++)
        remote_call(w->conn);
    return NULL;
}

/* Lifecycle events seen by the callback (on the event loop's thread), with when the last came. */
static pthread_mutex_t ev_mu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t ev_cond = PTHREAD_COND_INITIALIZER;
static long ev_seen;
static double ev_last_ms;

static int remote_event(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c, (void)d, (void)event, (void)detail, (void)opaque;
    double t = now_ms();
    pthread_mutex_lock(&ev_mu);
    ev_seen++;
    ev_last_ms = t;
    pthread_cond_broadcast(&ev_cond);
    pthread_mutex_unlock(&ev_mu);
    return 0;
}

/* Wait (10 s at most) until `want` events were seen; when the last came. */
static double wait_events(long want)
{
    struct timespec until;
    clock_gettime(CLOCK_REALTIME, &until);
    until.tv_sec += 10;
    pthread_mutex_lock(&ev_mu);
    while (ev_seen < want)
        if (pthread_cond_timedwait(&ev_cond, &ev_mu, &until) != 0)
            break;
    long seen = ev_seen;
    double t = ev_last_ms;
    pthread_mutex_unlock(&ev_mu);
    if (seen < want)
        die("remote events: %ld of %ld arrived within 10 s", seen, want);
    return t;
}

/* Suspend or resume (in turn) the test domain from the other connection: one lifecycle event. */
static int toggles;
static void remote_toggle(virDomainPtr d)
{
    if ((toggles++ % 2 ? virDomainResume(d) : virDomainSuspend(d)) < 0)
        die("remote suspend/resume: %s", last_error());
}

static int mode_remote(const char *uri, int calls, int events)
{
    if (virEventRegisterDefaultImpl() < 0)
        die("event loop: %s", last_error());
    pthread_t loop;
    pthread_create(&loop, NULL, event_loop, NULL);
    virConnectPtr c = virConnectOpen(uri);
    if (!c)
        die("open %s: %s", uri, last_error());
    for (int i = 0; i < 200; i++)
        remote_call(c);

    double t0 = now_ms();
    for (int i = 0; i < calls; i++)
        remote_call(c);
    result("remote_call_us", (now_ms() - t0) * 1000.0 / calls);

    pthread_t th[REMOTE_THREADS];
    struct remote_worker w = { c, calls / REMOTE_THREADS };
    t0 = now_ms();
    for (int i = 0; i < REMOTE_THREADS; i++)
        pthread_create(&th[i], NULL, remote_worker, &w);
    for (int i = 0; i < REMOTE_THREADS; i++)
        pthread_join(th[i], NULL);
    result("remote_8threads_calls_per_s", w.calls * REMOTE_THREADS / ((now_ms() - t0) / 1000.0));

    /* Events: another connection to the same daemon suspends and resumes the domain. */
    virConnectPtr trigger = virConnectOpen(uri);
    if (!trigger)
        die("open %s: %s", uri, last_error());
    virDomainPtr d = virDomainLookupByName(trigger, "test");
    if (!d)
        die("remote lookup: %s", last_error());
    int id = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(remote_event), NULL, NULL);
    if (id < 0)
        die("remote event register: %s", last_error());
    double *lat = malloc(sizeof(double) * events);
    for (int i = 0; i < events; i++) {
        double a = now_ms();
        remote_toggle(d);
        lat[i] = wait_events(i + 1) - a;
    }
    result("remote_event_latency_us", median(lat, events) * 1000.0);
    free(lat);
    /* Throughput: a burst of events, from the first call until the callback saw the last. */
    long before = ev_seen;
    t0 = now_ms();
    for (int i = 0; i < events; i++)
        remote_toggle(d);
    double last = wait_events(before + events);
    result("remote_events_per_s", events / ((last - t0) / 1000.0));
    if (toggles % 2)
        remote_toggle(d);
    virConnectDomainEventDeregisterAny(c, id);
    virDomainFree(d);
    virConnectClose(trigger);
    virConnectClose(c);
    return 0;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: see the comment at the top of benches/bench.c\n");
        return 2;
    }
    const char *mode = argv[1];
    if (strncmp(mode, "qemu-raw", 8) != 0) {
        virSetErrorFunc(NULL, quiet);
        report_library();
    }
    if (strcmp(mode, "watch") == 0 && argc == 5)
        return mode_watch(argv[2], argv[3], atoi(argv[4]));
    if (strcmp(mode, "lifecycle") == 0 && argc == 5)
        return mode_lifecycle(argv[2], argv[3], atoi(argv[4]));
    if (strcmp(mode, "graceful-stopped") == 0 && argc == 4)
        return mode_graceful_stopped(argv[2], argv[3]);
    if (strcmp(mode, "forced-stopped") == 0 && argc == 5)
        return mode_forced_stopped(argv[2], argv[3], atoi(argv[4]));
    if (strcmp(mode, "parallel") == 0 && argc == 5)
        return mode_parallel(argv[2], argv[3], atoi(argv[4]));
    if (strcmp(mode, "testdrv") == 0 && argc == 4)
        return mode_testdrv(atoi(argv[2]), atoi(argv[3]));
    if (strcmp(mode, "remote") == 0 && argc == 5)
        return mode_remote(argv[2], atoi(argv[3]), atoi(argv[4]));
    if (strcmp(mode, "mem") == 0 && argc == 3)
        return mode_mem(atoi(argv[2]));
    if (strcmp(mode, "qemu-raw") == 0 && argc == 4)
        return mode_qemu_raw(argv[2], atoi(argv[3]));
    if (strcmp(mode, "qemu-raw-par") == 0 && argc == 4)
        return mode_qemu_raw_par(argv[2], atoi(argv[3]));
    fprintf(stderr, "bench: bad arguments for mode %s\n", mode);
    return 2;
}
