/* Load on the qemu driver (issue 8, "Load"): LOAD_GUESTS (10) real qemu guests on
 * qemu:///embed, created and destroyed from LOAD_QTHREADS (4) threads in LOAD_QROUNDS (2) rounds.
 * In each round every guest (transient or persistent, alternately) is started, then meets one
 * fate, chosen at random (seeded by LOAD_SEED):
 *   - destroyed with flags 0 or GRACEFUL: returns 0, one STOPPED/DESTROYED (5/1);
 *   - frozen with SIGSTOP: GRACEFUL fails with code 38 and leaves it running, untouched (short
 *     timeouts), then a plain destroy kills it: one STOPPED/DESTROYED;
 *   - killed from outside with SIGKILL: the driver notices (transient removed, persistent shut
 *     off), one STOPPED/FAILED (5/5).
 * while the other threads look up and list domains. After each round (connection closed): no
 * qemu process of the root left, no zombie child of ours (/proc scan for ppid == our pid in
 * state Z) and no child at all, the open descriptors and threads back to the baseline (taken
 * after a warm-up guest, so that the process-wide exit watcher thread is part of it), no runtime
 * file under <root>/run or <root>/lib (regular file or socket), every guest's events balanced.
 * LOAD_GUESTS is capped by MemAvailable (150 MiB per guest), with a NOTE.
 * usage: qemu (QT_BASE: where roots go; tests/load.sh sets it and cleans up after) */
#include "../qemu/qt.h"
#include <sys/resource.h>

#define MAXG 256
#define MAXT 32

static const char *root;
static int nguests = 10, nthreads = 4, nrounds = 2;
static unsigned seed = 1;
static pthread_t loop_thread;
static volatile int loop_running = 1;
static volatile int round_no;

enum fate { F_DESTROY, F_GRACEFUL, F_FROZEN, F_KILLED };
static const char *fate_name[] = {"destroy", "graceful", "frozen", "killed"};

static struct guest {
    char name[32];
    int persistent;
    enum fate fate;
    virDomainPtr d;
    pid_t pid;
    int started, stopped, last_stop_detail;
    int ok; /* its story went as expected */
} g[MAXG];

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long off_loop_events;

static int on_event(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    int i = -1, r = -1;
    pthread_mutex_lock(&mu);
    if (!pthread_equal(pthread_self(), loop_thread))
        off_loop_events++;
    if (sscanf(virDomainGetName(d), "lq%d-%d", &r, &i) == 2 && r == round_no && i >= 0 &&
        i < nguests) {
        if (event == VIR_DOMAIN_EVENT_STARTED)
            g[i].started++;
        if (event == VIR_DOMAIN_EVENT_STOPPED) {
            g[i].stopped++;
            g[i].last_stop_detail = detail;
        }
    }
    pthread_mutex_unlock(&mu);
    return 0;
}

static void *loop(void *arg)
{
    (void)arg;
    while (loop_running)
        virEventRunDefaultImpl();
    return NULL;
}

static void wake(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

static int count_dir(const char *path)
{
    DIR *d = opendir(path);
    int n = 0;
    struct dirent *e;
    if (!d)
        return -1;
    while ((e = readdir(d)))
        if (e->d_name[0] != '.')
            n++;
    closedir(d);
    return n;
}

static int count_fds(void)
{
    return count_dir("/proc/self/fd") - 1;
}

static int count_threads(void)
{
    return count_dir("/proc/self/task");
}

/* Zombies whose parent is us (the /proc scan the issue asks for). */
static int count_zombies(char *out, size_t len)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    out[0] = 0;
    while (d && (e = readdir(d))) {
        char path[300], buf[1024];
        if (e->d_name[0] < '0' || e->d_name[0] > '9')
            continue;
        snprintf(path, sizeof(path), "/proc/%s/stat", e->d_name);
        int fd = open(path, O_RDONLY);
        if (fd < 0)
            continue;
        ssize_t k = read(fd, buf, sizeof(buf) - 1);
        close(fd);
        if (k <= 0)
            continue;
        buf[k] = 0;
        char *p = strrchr(buf, ')');
        char st;
        int ppid;
        if (p && sscanf(p + 2, "%c %d", &st, &ppid) == 2 && ppid == getpid() && st == 'Z') {
            n++;
            if (strlen(out) + 16 < len)
                sprintf(out + strlen(out), " %s", e->d_name);
        }
    }
    if (d)
        closedir(d);
    return n;
}

/* Processes whose stdout/stderr is a file under the root: qemu's log is there. */
static int qemu_of_root(char *out, size_t len)
{
    DIR *d = opendir("/proc");
    struct dirent *e;
    int n = 0;
    out[0] = 0;
    while (d && (e = readdir(d))) {
        char path[300], link[4096];
        if (e->d_name[0] < '0' || e->d_name[0] > '9' || atoi(e->d_name) == getpid())
            continue;
        for (int fd = 1; fd <= 2; fd++) {
            snprintf(path, sizeof(path), "/proc/%s/fd/%d", e->d_name, fd);
            ssize_t k = readlink(path, link, sizeof(link) - 1);
            if (k <= 0)
                continue;
            link[k] = 0;
            if (strncmp(link, root, strlen(root)) == 0) {
                n++;
                if (strlen(out) + 16 < len)
                    sprintf(out + strlen(out), " %s", e->d_name);
                break;
            }
        }
    }
    if (d)
        closedir(d);
    return n;
}

static virConnectPtr conn;
static int next_index;
static pthread_barrier_t all_started;

static int take(void)
{
    return __sync_fetch_and_add(&next_index, 1);
}

static void start_guest(int i)
{
    struct guest *x = &g[i];
    char *xml = qt_xml(x->name, NULL, NULL, NULL);
    if (x->persistent) {
        x->d = virDomainDefineXML(conn, xml);
        if (x->d && virDomainCreate(x->d) < 0) {
            CHECK(0, "%s: persistent start", x->name);
            virDomainUndefine(x->d);
            virDomainFree(x->d);
            x->d = NULL;
        }
    } else {
        x->d = virDomainCreateXML(conn, xml, 0);
    }
    free(xml);
    if (!x->d) {
        CHECK(0, "%s: start (%s)", x->name, qt_err_msg());
        return;
    }
    x->pid = qt_read_pidfile(root, x->name);
}

/* Meanwhile: lookups and lists by the same threads, results unchecked but errors must be the
 * expected ones (the domain may go away under us). */
static int browse(void)
{
    int bad = 0;
    virDomainPtr *list = NULL;
    int n = virConnectListAllDomains(conn, &list, 0);
    if (n < 0)
        bad++;
    for (int k = 0; k < n; k++) {
        int s, r;
        if (virDomainGetState(list[k], &s, &r, 0) < 0 && qt_err_code() != VIR_ERR_NO_DOMAIN)
            bad++;
        virDomainFree(list[k]);
    }
    free(list);
    return bad;
}

static void finish_guest(int i)
{
    struct guest *x = &g[i];
    if (!x->d)
        return;
    int ok = 1;
    int s, r;
    switch (x->fate) {
    case F_DESTROY:
    case F_GRACEFUL: {
        int rc = virDomainDestroyFlags(x->d, x->fate == F_GRACEFUL ? VIR_DOMAIN_DESTROY_GRACEFUL : 0);
        if (rc != 0) {
            CHECK(0, "%s: %s destroy returns 0", x->name, fate_name[x->fate]);
            ok = 0;
        }
        break;
    }
    case F_FROZEN: {
        kill(x->pid, SIGSTOP);
        qt_wait_state(x->pid, 'T', 5000);
        int rc = virDomainDestroyFlags(x->d, VIR_DOMAIN_DESTROY_GRACEFUL);
        int code = qt_err_code();
        qt_state(x->d, &s, &r);
        if (rc != -1 || code != VIR_ERR_SYSTEM_ERROR || qt_proc_state(x->pid) != 'T' ||
            s != VIR_DOMAIN_RUNNING) {
            CHECK(0, "%s: GRACEFUL on the frozen guest fails with 38 and leaves it (rc %d, code %d, "
                     "process %c, state %d)",
                  x->name, rc, code, qt_proc_state(x->pid) ? qt_proc_state(x->pid) : '-', s);
            ok = 0;
        }
        if (virDomainDestroy(x->d) != 0) {
            CHECK(0, "%s: destroy of the frozen guest returns 0 (%s)", x->name, qt_err_msg());
            ok = 0;
        }
        break;
    }
    case F_KILLED:
        kill(x->pid, SIGKILL);
        if (!(x->persistent ? qt_wait_shutoff(x->d, 10000) : qt_wait_removed(x->d, 10000))) {
            CHECK(0, "%s: killed from outside: noticed", x->name);
            ok = 0;
        }
        break;
    }
    if (!qt_wait_gone(x->pid, 5000)) {
        CHECK(0, "%s: qemu %d gone, not even a zombie", x->name, x->pid);
        ok = 0;
    }
    if (x->persistent) {
        qt_state(x->d, &s, &r);
        int want = x->fate == F_KILLED ? VIR_DOMAIN_SHUTOFF_CRASHED : VIR_DOMAIN_SHUTOFF_DESTROYED;
        if (s != VIR_DOMAIN_SHUTOFF || r != want) {
            CHECK(0, "%s: shut off with reason %d, got %d/%d", x->name, want, s, r);
            ok = 0;
        }
        if (virDomainUndefine(x->d) != 0) {
            CHECK(0, "%s: undefine", x->name);
            ok = 0;
        }
    } else if (!qt_is_gone(x->d)) {
        CHECK(0, "%s: transient domain removed", x->name);
        ok = 0;
    }
    virDomainFree(x->d);
    x->d = NULL;
    x->ok = ok;
}

static long browse_errors;

static void *worker(void *arg)
{
    (void)arg;
    virSetErrorFunc(NULL, quiet_errors);
    for (int i; (i = take()) < nguests;)
        start_guest(i);
    pthread_barrier_wait(&all_started);
    if (pthread_barrier_wait(&all_started) == PTHREAD_BARRIER_SERIAL_THREAD)
        next_index = 0;
    pthread_barrier_wait(&all_started);
    for (int i; (i = take()) < nguests;) {
        finish_guest(i);
        __sync_fetch_and_add(&browse_errors, browse());
    }
    return NULL;
}

static void round_of(int rd, int fds0, int threads0)
{
    round_no = rd;
    conn = qt_open(root);
    int cb = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(on_event), NULL, NULL);
    CHECK(cb >= 0, "round %d: lifecycle callback registered", rd);
    int counts[4] = {0};
    for (int i = 0; i < nguests; i++) {
        struct guest *x = &g[i];
        memset(x, 0, sizeof(*x));
        snprintf(x->name, sizeof(x->name), "lq%d-%d", rd, i);
        x->persistent = i % 2;
        unsigned r = rand_r(&seed) % 10;
        x->fate = r < 3 ? F_DESTROY : r < 6 ? F_GRACEFUL : r < 8 ? F_FROZEN : F_KILLED;
        counts[x->fate]++;
    }
    double t0 = qt_now_ms();
    next_index = 0;
    browse_errors = 0;
    pthread_t th[MAXT];
    pthread_barrier_init(&all_started, NULL, nthreads);
    for (int t = 0; t < nthreads; t++)
        pthread_create(&th[t], NULL, worker, NULL);
    for (int t = 0; t < nthreads; t++)
        pthread_join(th[t], NULL);
    pthread_barrier_destroy(&all_started);
    double ms = qt_now_ms() - t0;
    int ok = 0, started = 0;
    for (int i = 0; i < nguests; i++) {
        ok += g[i].ok;
        started += g[i].pid > 0;
    }
    CHECK(ok == nguests, "round %d: %d guests (%d destroy, %d GRACEFUL, %d frozen, %d killed from "
                         "outside) started and stopped as expected by %d threads in %.1f s (%d ok)",
          rd, nguests, counts[0], counts[1], counts[2], counts[3], nthreads, ms / 1000, ok);
    CHECK(browse_errors == 0, "round %d: lookups and lists meanwhile: only expected errors (%ld)",
          rd, browse_errors);

    /* Events: one STARTED and one STOPPED each, with the fate's detail. */
    int unbalanced = 0;
    char which[512] = "";
    for (double end = qt_now_ms() + 5000; qt_now_ms() < end; qt_sleep_ms(20)) {
        unbalanced = 0;
        which[0] = 0;
        pthread_mutex_lock(&mu);
        for (int i = 0; i < nguests; i++) {
            int want = g[i].fate == F_KILLED ? VIR_DOMAIN_EVENT_STOPPED_FAILED
                                             : VIR_DOMAIN_EVENT_STOPPED_DESTROYED;
            if (g[i].started != 1 || g[i].stopped != 1 || g[i].last_stop_detail != want) {
                unbalanced++;
                char piece[96];
                snprintf(piece, sizeof(piece), " %.31s(%s:%d/%d/%d)", g[i].name,
                         fate_name[g[i].fate], g[i].started, g[i].stopped, g[i].last_stop_detail);
                if (strlen(which) + strlen(piece) < sizeof(which))
                    strcat(which, piece);
            }
        }
        pthread_mutex_unlock(&mu);
        if (!unbalanced)
            break;
    }
    CHECK(unbalanced == 0, "round %d: every guest had one STARTED and one STOPPED with its "
                           "fate's detail (5/1, or 5/5 when killed from outside)%s",
          rd, which);
    CHECK(off_loop_events == 0, "round %d: events delivered on the loop thread only", rd);
    CHECK(virConnectNumOfDomains(conn) == 0 && virConnectNumOfDefinedDomains(conn) == 0,
          "round %d: no domain left", rd);
    virConnectDomainEventDeregisterAny(conn, cb);
    qt_sleep_ms(100);
    int left = virConnectClose(conn);
    CHECK(left == 0, "round %d: connection closed (%d)", rd, left);

    char buf[1024];
    CHECK(qemu_of_root(buf, sizeof(buf)) == 0, "round %d: no qemu process of the root left (%s)",
          rd, buf);
    CHECK(count_zombies(buf, sizeof(buf)) == 0, "round %d: no zombie child (%s)", rd, buf);
    CHECK(qt_children(buf, sizeof(buf)) == 0, "round %d: no child process at all (%s)", rd, buf);
    const char *files = qt_leftovers(root);
    CHECK(!*files, "round %d: no runtime file under run/ or lib/ (%s)", rd, files);
    int fds = count_fds(), threads = -1;
    for (double end = qt_now_ms() + 2000; qt_now_ms() < end; qt_sleep_ms(20))
        if ((threads = count_threads()) == threads0)
            break;
    CHECK(fds == fds0, "round %d: open descriptors back to the baseline (%d, baseline %d)", rd, fds,
          fds0);
    CHECK(threads == threads0, "round %d: threads back to the baseline (%d, baseline %d)", rd,
          threads, threads0);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (getenv("LOAD_GUESTS"))
        nguests = atoi(getenv("LOAD_GUESTS"));
    if (getenv("LOAD_QTHREADS"))
        nthreads = atoi(getenv("LOAD_QTHREADS"));
    if (getenv("LOAD_QROUNDS"))
        nrounds = atoi(getenv("LOAD_QROUNDS"));
    if (getenv("LOAD_SEED"))
        seed = (unsigned)atoi(getenv("LOAD_SEED"));
    if (nguests < 1 || nguests > MAXG)
        nguests = 10;
    if (nthreads < 1 || nthreads > MAXT)
        nthreads = 4;
    if (nrounds < 1)
        nrounds = 2;
    /* Memory: about 150 MiB per guest (64 MiB of guest RAM, qemu itself, TCG buffers). */
    FILE *f = fopen("/proc/meminfo", "r");
    long avail_kb = -1;
    char line[256];
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "MemAvailable: %ld", &avail_kb) == 1)
            break;
    if (f)
        fclose(f);
    int fit = avail_kb > 0 ? (int)(avail_kb / (150 * 1024)) : nguests;
    if (fit < nguests) {
        printf("NOTE load: %ld MiB available: %d guests instead of %d\n", avail_kb / 1024, fit,
               nguests);
        nguests = fit < 1 ? 1 : fit;
    }
    /* Each guest needs a few descriptors while it runs (pidfd, monitor, watcher's copy). */
    struct rlimit rl;
    if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 1024) {
        rl.rlim_cur = rl.rlim_max < 1024 ? rl.rlim_max : 1024;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
    printf("# %d guests, %d threads, %d rounds, seed %u\n", nguests, nthreads, nrounds, seed);

    if (virEventRegisterDefaultImpl() < 0) {
        CHECK(0, "virEventRegisterDefaultImpl");
        return qt_done();
    }
    pthread_create(&loop_thread, NULL, loop, NULL);
    root = qt_new_root("load", 1000, 1000, 3000);

    /* Warm-up: one guest, so that what lives for the whole process (the exit watcher thread)
     * exists before the baseline. */
    virConnectPtr c = qt_open(root);
    char *xml = qt_xml("warmup", NULL, NULL, NULL);
    virDomainPtr d = virDomainCreateXML(c, xml, 0);
    CHECK(d && virDomainDestroy(d) == 0, "warm-up guest started and destroyed");
    if (d)
        virDomainFree(d);
    free(xml);
    virConnectClose(c);
    virEventAddTimeout(0, wake, NULL, NULL);
    qt_sleep_ms(100);
    int fds0 = count_fds(), threads0 = count_threads();
    printf("# baseline: %d fds, %d threads\n", fds0, threads0);

    for (int rd = 1; rd <= nrounds; rd++)
        round_of(rd, fds0, threads0);

    loop_running = 0;
    virEventAddTimeout(0, wake, NULL, NULL);
    pthread_join(loop_thread, NULL);
    if (!qt_fail)
        qt_rm_root(root);
    return qt_done();
}
