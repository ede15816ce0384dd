/* Helpers shared by the qemu driver tests (c-tests/qemu, run by tests/qemu.sh): fresh roots,
 * guest XML, PASS/FAIL bookkeeping, /proc inspection, leftover-file checks and an optional event
 * collector. Only the public libvirt API is used here, so the differential probe can build against
 * Debian's headers too. Every check prints one line, `PASS ...` or `FAIL ...`; tests/qemu.sh
 * counts them. */
#ifndef OXVIRT_QT_H
#define OXVIRT_QT_H
#pragma GCC diagnostic ignored "-Wunused-function"
#define _GNU_SOURCE
#include "../common.h"
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

static int qt_pass, qt_fail;

static void qt_check(int ok, const char *file, int line, const char *cond, const char *fmt, ...)
    __attribute__((format(printf, 5, 6)));
static void qt_check(int ok, const char *file, int line, const char *cond, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf(ok ? "PASS " : "FAIL ");
    vprintf(fmt, ap);
    va_end(ap);
    if (!ok) {
        virErrorPtr e = virGetLastError();
        printf("  [%s:%d: %s]", file, line, cond);
        if (e)
            printf(" [last error: code=%d domain=%d int1=%d msg=%s]", e->code, e->domain, e->int1,
                   e->message ? e->message : "(null)");
    }
    printf("\n");
    if (ok)
        qt_pass++;
    else
        qt_fail++;
}
#define CHECK(cond, ...) qt_check(!!(cond), __FILE__, __LINE__, #cond, __VA_ARGS__)

static int qt_done(void)
{
    printf("# %d checks passed, %d failed\n", qt_pass, qt_fail);
    return qt_fail ? 1 : 0;
}

static double qt_now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static void qt_sleep_ms(int ms)
{
    struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
    while (nanosleep(&ts, &ts) < 0 && errno == EINTR)
        ;
}

/* ------------------------------------------------------------------ roots */

/* Reference keys (the reference's embedded driver needs them; ours ignores them) and our
 * kill-engine timeouts, short so that the suite is fast. */
static void qt_write_conf(const char *root, int graceful_ms, int grace_ms, int after_ms)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/etc", root);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/etc/qemu.conf", root);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fprintf(f,
            "user = \"root\"\ngroup = \"root\"\nsecurity_driver = \"none\"\nnamespaces = []\n"
            "cgroup_controllers = []\nstdio_handler = \"file\"\n"
            "oxvirt_graceful_timeout_ms = %d\noxvirt_grace_before_sigkill_ms = %d\n"
            "oxvirt_after_sigkill_ms = %d\noxvirt_per_hostdev_ms = 0\n",
            graceful_ms, grace_ms, after_ms);
    fclose(f);
}

/* A fresh root under $QT_BASE (tests/qemu.sh sets it; it kills stragglers by that path). */
static char *qt_new_root(const char *tag, int graceful_ms, int grace_ms, int after_ms)
{
    const char *base = getenv("QT_BASE");
    char tmpl[4096];
    snprintf(tmpl, sizeof(tmpl), "%s/%s.XXXXXX", base && *base ? base : "/tmp", tag);
    char *root = mkdtemp(strdup(tmpl));
    if (!root) {
        perror("mkdtemp");
        exit(2);
    }
    qt_write_conf(root, graceful_ms, grace_ms, after_ms);
    return root;
}

static char *qt_uri(const char *root)
{
    char *u = malloc(strlen(root) + 32);
    sprintf(u, "qemu:///embed?root=%s", root);
    return u;
}

static const char *qt_emulator(void)
{
    const char *e = getenv("QT_QEMU");
    return e && *e ? e : "/usr/bin/qemu-system-x86_64";
}

/* A guest: TCG, 64 MiB, 1 vCPU, no disk. `extra` goes inside <domain> (devices etc.). */
static char *qt_xml(const char *name, const char *uuid, const char *emulator, const char *extra)
{
    char *x = malloc(4096);
    snprintf(x, 4096,
             "<domain type='qemu'><name>%s</name>%s%s%s<memory unit='MiB'>64</memory><vcpu>1</vcpu>"
             "<os><type arch='x86_64'>hvm</type></os><devices><emulator>%s</emulator>%s</devices>"
             "</domain>",
             name, uuid ? "<uuid>" : "", uuid ? uuid : "", uuid ? "</uuid>" : "",
             emulator ? emulator : qt_emulator(), extra ? extra : "");
    return x;
}

/* ------------------------------------------------------------------ processes */

static pid_t qt_read_pidfile(const char *root, const char *name)
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

/* Scheduler state of pid ('R', 'S', 'T', 'Z', ...), or 0 if there is no such process. */
static char qt_proc_state(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    return p && p[1] == ' ' ? p[2] : 0;
}

static unsigned long long qt_proc_starttime(pid_t pid)
{
    char path[64], buf[2048];
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    if (!p)
        return 0;
    p += 2; /* field 3 */
    for (int field = 3; field < 22 && p; field++) {
        p = strchr(p, ' ');
        if (p)
            p++;
    }
    return p ? strtoull(p, NULL, 10) : 0;
}

/* A process exists (a zombie counts: the point is that nothing is left behind). */
static int qt_proc_exists(pid_t pid)
{
    return qt_proc_state(pid) != 0;
}

/* Pending signals of pid (thread-group shared | per thread), from /proc/<pid>/status. */
static unsigned long long qt_proc_pending(pid_t pid)
{
    char path[64], line[256];
    snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
    FILE *f = fopen(path, "r");
    unsigned long long mask = 0, v;
    if (!f)
        return 0;
    while (fgets(line, sizeof(line), f))
        if ((sscanf(line, "ShdPnd: %llx", &v) == 1) || (sscanf(line, "SigPnd: %llx", &v) == 1))
            mask |= v;
    fclose(f);
    return mask;
}

static int qt_has_pending(pid_t pid, int sig)
{
    return (qt_proc_pending(pid) >> (sig - 1)) & 1;
}

/* Wait up to ms for the process to vanish entirely (not even a zombie). */
static int qt_wait_gone(pid_t pid, int ms)
{
    double end = qt_now_ms() + ms;
    while (qt_proc_exists(pid)) {
        if (qt_now_ms() > end)
            return 0;
        qt_sleep_ms(5);
    }
    return 1;
}

static int qt_wait_state(pid_t pid, char want, int ms)
{
    double end = qt_now_ms() + ms;
    while (qt_proc_state(pid) != want) {
        if (qt_now_ms() > end)
            return 0;
        qt_sleep_ms(5);
    }
    return 1;
}

/* Processes the test itself started (helpers, `sleep`): not counted by qt_children. */
static pid_t qt_expected_children[8];

/* Our children (any thread's), e.g. qemu processes not yet reaped: 0 when none. */
static int qt_children(char *out, size_t len)
{
    char path[512];
    int n = 0;
    if (out && len)
        out[0] = 0;
    DIR *d = opendir("/proc/self/task");
    if (!d)
        return 0;
    struct dirent *e;
    while ((e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
        FILE *f = fopen(path, "r");
        if (!f)
            continue;
        int pid;
        while (fscanf(f, "%d", &pid) == 1) {
            /* helper processes a test started itself are registered as "expected" */
            int expected = 0;
            for (int i = 0; i < 8; i++)
                if (qt_expected_children[i] == pid)
                    expected = 1;
            if (expected)
                continue;
            n++;
            if (out && strlen(out) + 16 < len)
                sprintf(out + strlen(out), " %d%c", pid, qt_proc_state(pid));
        }
        fclose(f);
    }
    closedir(d);
    return n;
}
/* Become the reaper of orphans: qemu processes another (exited) process started are re-parented
 * to us, so that "no zombie is left" depends on the library, not on the container's init. */
static void qt_subreaper(void)
{
    prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0);
}

/* Whether pid runs in a session other than ours (a daemonized process: libvirt's daemonizing
 * fork and `qemu -daemonize` call setsid), and whether a signal ended it: from /proc/PID/stat's
 * session and exit_code fields. */
static void qt_zombie_facts(pid_t pid, int *other_session, int *signalled)
{
    char path[64], buf[1024];
    *other_session = *signalled = 0;
    snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
    int fd = open(path, O_RDONLY);
    if (fd < 0)
        return;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return;
    buf[n] = 0;
    char *p = strrchr(buf, ')');
    char state;
    int ppid, pgrp, session;
    if (p && sscanf(p + 1, " %c %d %d %d", &state, &ppid, &pgrp, &session) == 4)
        *other_session = session != getsid(0);
    char *last = strrchr(buf, ' ');
    int status = last ? atoi(last + 1) : 0;
    *signalled = status > 0 && WIFSIGNALED(status);
}

/* Whether the zombie pid has been one for at least ms (first sightings kept in a small table). */
static int qt_zombie_for(pid_t pid, double ms)
{
    static pid_t seen_pid[64];
    static double seen_at[64];
    double now = qt_now_ms();
    int free_slot = -1;
    for (int i = 0; i < 64; i++) {
        if (seen_pid[i] == pid)
            return now - seen_at[i] >= ms;
        if (seen_pid[i] == 0 || qt_proc_state(seen_pid[i]) != 'Z')
            free_slot = i;
    }
    if (free_slot >= 0) {
        seen_pid[free_slot] = pid;
        seen_at[free_slot] = now;
    }
    return 0;
}

/* As a subreaper we are the init of orphaned qemu processes: reap those that have exited (only
 * zombies named qemu*, so helper programs keep their exit status for waitpid). The differential
 * probe needs this for the reference, whose qemu processes are daemonized orphans (in sessions of
 * their own): it waits for a killed one to vanish. A qemu in our session may be a child the
 * library itself waits for (the first process of the capability probe's `qemu -daemonize`, which
 * exits once its child is ready): unless a signal ended it, it is left to its parent for a second,
 * else the library's waitpid finds nothing ("unable to wait for process N: No child processes",
 * seen in CI). */
static void *qt_reaper_loop(void *arg)
{
    (void)arg;
    for (;;) {
        char path[512], comm[64];
        DIR *d = opendir("/proc/self/task");
        struct dirent *e;
        while (d && (e = readdir(d))) {
            if (e->d_name[0] == '.')
                continue;
            snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
            FILE *f = fopen(path, "r");
            int pid;
            while (f && fscanf(f, "%d", &pid) == 1) {
                if (qt_proc_state(pid) != 'Z')
                    continue;
                snprintf(path, sizeof(path), "/proc/%d/comm", pid);
                FILE *c = fopen(path, "r");
                int qemu = c && fgets(comm, sizeof(comm), c) && strncmp(comm, "qemu", 4) == 0;
                if (c)
                    fclose(c);
                if (!qemu)
                    continue;
                int other_session, signalled;
                qt_zombie_facts(pid, &other_session, &signalled);
                if (other_session || signalled || qt_zombie_for(pid, 1000))
                    waitpid(pid, NULL, WNOHANG);
            }
            if (f)
                fclose(f);
        }
        if (d)
            closedir(d);
        qt_sleep_ms(20);
    }
    return NULL;
}

static void qt_start_reaper(void)
{
    pthread_t t;
    pthread_create(&t, NULL, qt_reaper_loop, NULL);
    pthread_detach(t);
}

/* Runs the helper application (qhelper) to start guests on root and exit without cleaning up.
 * args: NAME PERSISTENT pairs, NULL-terminated. Fills pids[]/ids[] in order; returns its exit
 * status (0 when all started). */
static int qt_run_helper(const char *helper, const char *root, pid_t *pids, int *ids, ...)
{
    char *argv[32];
    int n = 0;
    argv[n++] = (char *)helper;
    argv[n++] = (char *)root;
    va_list ap;
    va_start(ap, ids);
    for (char *a; n < 30 && (a = va_arg(ap, char *));)
        argv[n++] = a;
    va_end(ap);
    argv[n] = NULL;
    int fds[2];
    if (pipe(fds) < 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid == 0) {
        dup2(fds[1], 1);
        close(fds[0]);
        close(fds[1]);
        execv(helper, argv);
        _exit(127);
    }
    close(fds[1]);
    FILE *f = fdopen(fds[0], "r");
    char line[512];
    int k = 0;
    while (f && fgets(line, sizeof(line), f)) {
        int p = -1, id = -1;
        char *q = strstr(line, " pid=");
        if (q && sscanf(q, " pid=%d id=%d", &p, &id) == 2 && k < 8) {
            pids[k] = p;
            ids[k] = id;
            k++;
        } else {
            printf("NOTE helper: %s", line);
        }
    }
    if (f)
        fclose(f);
    int status = 0;
    waitpid(pid, &status, 0);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

/* ------------------------------------------------------------------ files */

static char qt_found[8192];
static const char *qt_root_for_walk;

static int qt_walk_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)ftw;
    (void)sb;
    const char *rel = path + strlen(qt_root_for_walk);
    const char *base = strrchr(path, '/');
    base = base ? base + 1 : path;
    int bad = 0;
    if (type == FTW_F || type == FTW_SL || type == FTW_NS) {
        size_t n = strlen(base);
        /* run/qemu/autostarted is the driver's once-per-root marker (the reference's
         * virDriverShouldAutostart), not a guest's runtime file. */
        if (strcmp(rel, "/run/qemu/autostarted") == 0)
            bad = 0;
        else if (strncmp(rel, "/run/", 5) == 0)
            bad = 1; /* pid files, status files, temporaries */
        else if (n > 5 && strcmp(base + n - 5, ".sock") == 0)
            bad = 1;
        else if (S_ISSOCK(sb->st_mode))
            bad = 1;
    } else if (type == FTW_D || type == FTW_DP) {
        if (strncmp(base, "domain-", 7) == 0)
            bad = 1;
    }
    if (bad && strlen(qt_found) + strlen(rel) + 2 < sizeof(qt_found)) {
        strcat(qt_found, " ");
        strcat(qt_found, rel);
    }
    return 0;
}

/* Runtime leftovers under the root: any file under run/ (but the autostart marker), any socket,
 * any domain-* directory.
 * Returns a static string, empty when clean. */
static const char *qt_leftovers(const char *root)
{
    qt_found[0] = 0;
    qt_root_for_walk = root;
    nftw(root, qt_walk_cb, 16, FTW_PHYS);
    return qt_found;
}

static int qt_file_exists(const char *root, const char *fmt, const char *name)
{
    char rel[1024], path[4096];
    snprintf(rel, sizeof(rel), fmt, name);
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    struct stat st;
    return stat(path, &st) == 0;
}

static int qt_rm_cb(const char *path, const struct stat *sb, int type, struct FTW *ftw)
{
    (void)sb;
    (void)type;
    (void)ftw;
    remove(path);
    return 0;
}

static void qt_rm_root(const char *root)
{
    if (getenv("QT_KEEP"))
        return;
    nftw(root, qt_rm_cb, 16, FTW_DEPTH | FTW_PHYS);
}

/* ------------------------------------------------------------------ errors */

static int qt_err_code(void)
{
    virErrorPtr e = virGetLastError();
    return e ? e->code : 0;
}
static int qt_err_domain(void)
{
    virErrorPtr e = virGetLastError();
    return e ? e->domain : -1;
}
static int qt_err_int1(void)
{
    virErrorPtr e = virGetLastError();
    return e ? e->int1 : -1;
}
static const char *qt_err_msg(void)
{
    virErrorPtr e = virGetLastError();
    return e && e->message ? e->message : "";
}

static int qt_state(virDomainPtr d, int *state, int *reason)
{
    *state = *reason = -1;
    return virDomainGetState(d, state, reason, 0);
}

/* The handle's domain is gone: `Domain not found: no domain with matching uuid '<uuid>' (<name>)`,
 * code 42, domain 10. */
static int qt_is_gone(virDomainPtr d)
{
    int s, r;
    char uuid[VIR_UUID_STRING_BUFLEN], want[512];
    virDomainGetUUIDString(d, uuid);
    snprintf(want, sizeof(want), "Domain not found: no domain with matching uuid '%s' (%s)", uuid,
             virDomainGetName(d));
    if (qt_state(d, &s, &r) == 0)
        return 0;
    return qt_err_code() == VIR_ERR_NO_DOMAIN && qt_err_domain() == VIR_FROM_QEMU &&
           strcmp(qt_err_msg(), want) == 0;
}

/* Wait up to ms for a transient domain to be removed. */
static int qt_wait_removed(virDomainPtr d, int ms)
{
    double end = qt_now_ms() + ms;
    int s, r;
    while (qt_state(d, &s, &r) == 0) {
        if (qt_now_ms() > end)
            return 0;
        qt_sleep_ms(5);
    }
    return qt_is_gone(d);
}

static int qt_wait_shutoff(virDomainPtr d, int ms)
{
    double end = qt_now_ms() + ms;
    int s, r;
    while (qt_state(d, &s, &r) == 0 && s != VIR_DOMAIN_SHUTOFF) {
        if (qt_now_ms() > end)
            return 0;
        qt_sleep_ms(5);
    }
    return s == VIR_DOMAIN_SHUTOFF;
}

/* ------------------------------------------------------------------ events (optional) */

#define QT_MAX_EVENTS 256
static struct {
    char name[64];
    int event, detail;
} qt_events[QT_MAX_EVENTS];
static int qt_nevents;
static int qt_events_on; /* 1 when lifecycle events are delivered */
static pthread_mutex_t qt_ev_lock = PTHREAD_MUTEX_INITIALIZER;

static int qt_on_event(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    pthread_mutex_lock(&qt_ev_lock);
    if (qt_nevents < QT_MAX_EVENTS) {
        snprintf(qt_events[qt_nevents].name, sizeof(qt_events[0].name), "%s", virDomainGetName(d));
        qt_events[qt_nevents].event = event;
        qt_events[qt_nevents].detail = detail;
        qt_nevents++;
    }
    pthread_mutex_unlock(&qt_ev_lock);
    return 0;
}

static void *qt_event_loop(void *arg)
{
    (void)arg;
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

/* Register the default event loop and run it on a thread of its own: 0, or -1 as
 * virEventRegisterDefaultImpl fails. */
static int qt_start_default_loop(void)
{
    if (virEventRegisterDefaultImpl() < 0)
        return -1;
    pthread_t t;
    pthread_create(&t, NULL, qt_event_loop, NULL);
    pthread_detach(t);
    return 0;
}

/* Call before opening connections. */
static void qt_events_init(void)
{
    static int started;
    if (started)
        return;
    started = 1;
    if (qt_start_default_loop() < 0) {
        printf("NOTE events: virEventRegisterDefaultImpl failed (code %d: %s): event checks skipped\n",
               qt_err_code(), qt_err_msg());
        return;
    }
    qt_events_on = 1;
}

/* Register the lifecycle callback on c; on VIR_ERR_NO_SUPPORT (not implemented yet) events are
 * skipped with a notice. */
static struct {
    virConnectPtr conn;
    int id;
} qt_watches[16];

static void qt_events_watch(virConnectPtr c)
{
    if (!qt_events_on)
        return;
    int id = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK((void (*)(void))qt_on_event),
                                              NULL, NULL);
    for (int i = 0; id >= 0 && i < 16; i++)
        if (!qt_watches[i].conn) {
            qt_watches[i].conn = c;
            qt_watches[i].id = id;
            break;
        }
    if (id < 0) {
        printf("NOTE events: virConnectDomainEventRegisterAny failed (code %d: %s): event checks "
               "skipped\n",
               qt_err_code(), qt_err_msg());
        qt_events_on = 0;
    }
}

static void qt_events_clear(void)
{
    pthread_mutex_lock(&qt_ev_lock);
    qt_nevents = 0;
    pthread_mutex_unlock(&qt_ev_lock);
}

/* Wait (bounded) until the domain's event `event/detail` has been delivered; then forget all
 * events, so that the next step's events are seen alone. */
static void qt_events_settle(const char *name, int event, int detail)
{
    if (!qt_events_on)
        return;
    double end = qt_now_ms() + 3000;
    for (int seen = 0; !seen && qt_now_ms() < end;) {
        pthread_mutex_lock(&qt_ev_lock);
        for (int i = 0; i < qt_nevents; i++)
            if (strcmp(qt_events[i].name, name) == 0 && qt_events[i].event == event &&
                qt_events[i].detail == detail)
                seen = 1;
        pthread_mutex_unlock(&qt_ev_lock);
        if (!seen)
            qt_sleep_ms(2);
    }
    qt_events_clear();
}

/* "6/2 5/1" for the named domain, after letting the loop deliver for a moment. */
static const char *qt_events_of(const char *name, int settle_ms)
{
    static char buf[1024];
    qt_sleep_ms(settle_ms);
    buf[0] = 0;
    pthread_mutex_lock(&qt_ev_lock);
    for (int i = 0; i < qt_nevents; i++)
        if (strcmp(qt_events[i].name, name) == 0 && strlen(buf) + 16 < sizeof(buf))
            sprintf(buf + strlen(buf), "%s%d/%d", buf[0] ? " " : "", qt_events[i].event,
                    qt_events[i].detail);
    pthread_mutex_unlock(&qt_ev_lock);
    return buf;
}

/* Deregister our callback (it holds a reference on the connection, as in libvirt), then close:
 * returns virConnectClose's answer. An event being dispatched at that moment holds a reference
 * too (the connection then really closes when it is done, and close returns 1): give a dispatch
 * in progress a moment first. */
static int qt_close(virConnectPtr c)
{
    int watched = 0;
    for (int i = 0; i < 16; i++)
        if (qt_watches[i].conn == c) {
            virConnectDomainEventDeregisterAny(c, qt_watches[i].id);
            qt_watches[i].conn = NULL;
            watched = 1;
        }
    if (watched)
        qt_sleep_ms(100);
    return virConnectClose(c);
}

static virConnectPtr qt_open(const char *root)
{
    char *u = qt_uri(root);
    virConnectPtr c = virConnectOpen(u);
    if (!c) {
        printf("FAIL cannot open %s: %s\n", u, qt_err_msg());
        qt_fail++;
        exit(qt_done());
    }
    free(u);
    qt_events_watch(c);
    return c;
}

/* An event log for programs that print the events their callbacks saw, in the order delivered:
 * callbacks add lines with qt_note; qt_log_until waits (bounded) for a line, qt_log_now for a
 * moment, then each prints what was delivered and forgets it. With qt_log_once set, a repeat of
 * the line just noted is shown once. */
static pthread_mutex_t qt_log_lock = PTHREAD_MUTEX_INITIALIZER;
static char qt_log[16384];
static char qt_log_last[1024];
static int qt_log_once;

static void qt_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void qt_note(const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    pthread_mutex_lock(&qt_log_lock);
    int repeat = qt_log_once && strcmp(line, qt_log_last) == 0;
    if (!repeat && strlen(qt_log) + strlen(line) + 8 < sizeof(qt_log))
        sprintf(qt_log + strlen(qt_log), "  event %s\n", line);
    snprintf(qt_log_last, sizeof(qt_log_last), "%s", line);
    pthread_mutex_unlock(&qt_log_lock);
}

/* Wait until a line containing `want` was noted (at most deadline_ms), then settle_ms more, so
 * what the same qemu event raised right after it is shown too. */
static void qt_log_until(const char *want, int deadline_ms, int settle_ms)
{
    double end = qt_now_ms() + deadline_ms;
    int found = 0;
    while (!found && qt_now_ms() < end) {
        pthread_mutex_lock(&qt_log_lock);
        found = strstr(qt_log, want) != NULL;
        pthread_mutex_unlock(&qt_log_lock);
        if (!found)
            qt_sleep_ms(10);
    }
    qt_sleep_ms(settle_ms);
    pthread_mutex_lock(&qt_log_lock);
    printf("events until '%s'%s:\n%s", want, found ? "" : " (NOT SEEN before the deadline)", qt_log);
    qt_log[0] = 0;
    pthread_mutex_unlock(&qt_log_lock);
}

/* What was noted within settle_ms (after a call that raises nothing). */
static void qt_log_now(const char *what, int settle_ms)
{
    qt_sleep_ms(settle_ms);
    pthread_mutex_lock(&qt_log_lock);
    printf("events after %s:\n%s", what, qt_log);
    qt_log[0] = 0;
    pthread_mutex_unlock(&qt_log_lock);
}

/* The start of a program that watches guests' events on a root: a subreaper with its reaper
 * thread (as a daemon would be), the default event loop on its own thread, and a connection to
 * the root; NULL (after printing why) if any of it fails. */
static virConnectPtr qt_open_watching(const char *root)
{
    qt_subreaper();
    qt_start_reaper();
    if (qt_start_default_loop() < 0) {
        printf("FAIL no event loop\n");
        return NULL;
    }
    char *uri = qt_uri(root);
    virConnectPtr c = virConnectOpen(uri);
    free(uri);
    if (!c)
        show_error("open");
    return c;
}

#endif
