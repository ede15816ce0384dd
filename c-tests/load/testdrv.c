/* Load on test:///default (issue 8, "Load"): LOAD_THREADS (16) threads, each on its own
 * connection, do random create / destroy (flags 0 or GRACEFUL) / define / start / undefine /
 * suspend / resume / lookups (by name, UUID, id, often of other threads' domains) / lists /
 * XML / state, and register and deregister lifecycle callbacks, for LOAD_SECONDS (20) seconds
 * split into LOAD_ROUNDS (3) rounds, while a loop thread (virEventRunDefaultImpl) delivers the
 * events. The first round is a warm-up (the registries' tables grow to their working size);
 * then the workload runs twice and the second run must not grow memory.
 *
 * Checked:
 *  - every failed call fails with an expected error: code 42 (the domain went away under us),
 *    55 (not running / already running, races with other threads), or 1 with the test driver's
 *    own "domain 'x' not paused" / "not running" (as the reference's test driver); any other
 *    error, or a call that fails without an error, is a failure. Errors are counted by code;
 *  - events: on an observer connection every domain of the run has as many STOPPED as STARTED
 *    events and as many UNDEFINED as DEFINED, once all its domains are gone; all are delivered on
 *    the loop thread; every callback registered by the workers has its free function called
 *    exactly once after deregistration;
 *  - after each round (connections closed): the open descriptors, the thread count and the
 *    children are back to the baseline; after the last round the resident memory did not grow
 *    by more than LOAD_RSS_MARGIN_KB (2048) over the round before, and the heap in use
 *    (mallinfo2, all arenas) by more than half that. tests/load.sh runs this with MALLOC_ARENA_MAX=1: with
 *    glibc's per-thread arenas the RSS of 16 busy threads drifts with fragmentation (the heap in
 *    use stays flat), which would measure the allocator, not us.
 * The workers are a pool kept across rounds (as a daemon's threads), so the thread baseline
 * includes them and any thread the library leaves behind shows.
 * Output: one PASS/FAIL line per check (tests/load.sh counts them), a summary line of counts. */
#define _GNU_SOURCE
#include "../common.h"
#include <dirent.h>
#include <errno.h>
#include <malloc.h>
#include <pthread.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#define MAXT 64
#define OWN 12 /* domains a thread holds at a time */
#define NAMES 16384

static int nthreads = 16;
static double seconds = 20;
static int pass, fail;
static volatile int loop_running = 1;
static pthread_t loop_thread;

static void check(int ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void check(int ok, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf(ok ? "PASS " : "FAIL ");
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    if (ok)
        pass++;
    else
        fail++;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
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
    return count_dir("/proc/self/fd") - 1; /* the directory's own descriptor */
}

static int count_threads(void)
{
    return count_dir("/proc/self/task");
}

/* Bytes the program has allocated and not freed, all arenas (glibc's mallinfo2): the memory
 * check that does not depend on how the allocator maps it. */
static long heap_kb(void)
{
    struct mallinfo2 mi = mallinfo2();
    return (long)((mi.uordblks + mi.hblkhd) / 1024);
}

static long rss_kb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof(line), f))
        if (sscanf(line, "VmRSS: %ld", &kb) == 1)
            break;
    if (f)
        fclose(f);
    return kb;
}

/* Children of this process (any state): there should be none. */
static int count_children(void)
{
    char path[512];
    int n = 0, pid;
    DIR *d = opendir("/proc/self/task");
    struct dirent *e;
    while (d && (e = readdir(d))) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "/proc/self/task/%s/children", e->d_name);
        FILE *f = fopen(path, "r");
        while (f && fscanf(f, "%d", &pid) == 1)
            n++;
        if (f)
            fclose(f);
    }
    if (d)
        closedir(d);
    return n;
}

/* ---------------------------------------------------------------- error bookkeeping */

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static long err_by_code[128];
static long unexpected, no_error_set, calls, ok_calls;
static char unexpected_samples[8][320];
static int nsamples;

static void note_unexpected(const char *what, int code, const char *msg)
{
    pthread_mutex_lock(&mu);
    unexpected++;
    if (nsamples < 8)
        snprintf(unexpected_samples[nsamples++], sizeof(unexpected_samples[0]),
                 "%s: code=%d msg=%s", what, code, msg);
    pthread_mutex_unlock(&mu);
}

/* A call failed: was it one of the failures other threads can cause? */
static void failed(const char *what)
{
    virErrorPtr e = virGetLastError();
    if (!e) {
        pthread_mutex_lock(&mu);
        no_error_set++;
        pthread_mutex_unlock(&mu);
        note_unexpected(what, 0, "(no error set)");
        return;
    }
    int code = e->code;
    const char *m = e->message ? e->message : "";
    pthread_mutex_lock(&mu);
    if (code >= 0 && code < 128)
        err_by_code[code]++;
    pthread_mutex_unlock(&mu);
    int expected = code == VIR_ERR_NO_DOMAIN || code == VIR_ERR_OPERATION_INVALID ||
                   (code == VIR_ERR_INTERNAL_ERROR &&
                    (strstr(m, "' not paused") || strstr(m, "' not running") ||
                     strstr(m, "' is already running"))) ||
                   /* the same callback twice on one connection, as the reference */
                   (code == VIR_ERR_INVALID_ARG && strstr(m, "event callback already tracked"));
    if (getenv("LOAD_DEBUG"))
        fprintf(stderr, "%s: %d %s\n", what, code, m);
    if (!expected)
        note_unexpected(what, code, m);
}

/* Result of an int-returning call: 0 ok, -1 failed (then classified). */
static int r_int(const char *what, int rc)
{
    __sync_fetch_and_add(&calls, 1);
    if (rc < 0) {
        failed(what);
        return -1;
    }
    __sync_fetch_and_add(&ok_calls, 1);
    return rc;
}

static void *r_ptr(const char *what, void *p)
{
    __sync_fetch_and_add(&calls, 1);
    if (!p)
        failed(what);
    else
        __sync_fetch_and_add(&ok_calls, 1);
    return p;
}

/* ---------------------------------------------------------------- events */

struct name_events {
    int started, stopped, defined, undefined;
};
static struct name_events *evs; /* by domain number */
static int ndomains_max;
static long ev_total, ev_off_loop, ev_foreign;
static long cb_registered, cb_freed, cb_calls, close_deferred;

static int dom_number(const char *name)
{
    int r, t, n;
    if (name && sscanf(name, "ld-%d-%d-%d", &r, &t, &n) == 3 && t < nthreads && n < NAMES)
        return (r * nthreads + t) * NAMES + n;
    return -1;
}

static int observer_cb(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)detail;
    (void)opaque;
    int k = dom_number(virDomainGetName(d));
    pthread_mutex_lock(&mu);
    ev_total++;
    if (!pthread_equal(pthread_self(), loop_thread))
        ev_off_loop++;
    if (k < 0 || k >= ndomains_max) {
        if (strcmp(virDomainGetName(d), "test") != 0)
            ev_foreign++;
    } else if (event == VIR_DOMAIN_EVENT_STARTED) {
        evs[k].started++;
    } else if (event == VIR_DOMAIN_EVENT_STOPPED) {
        evs[k].stopped++;
    } else if (event == VIR_DOMAIN_EVENT_DEFINED) {
        evs[k].defined++;
    } else if (event == VIR_DOMAIN_EVENT_UNDEFINED) {
        evs[k].undefined++;
    }
    pthread_mutex_unlock(&mu);
    return 0;
}

static int worker_cb(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)d;
    (void)event;
    (void)detail;
    (void)opaque;
    __sync_fetch_and_add(&cb_calls, 1);
    return 0;
}
static int worker_cb2(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    return worker_cb(c, d, event, detail, opaque);
}
static int worker_cb3(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    return worker_cb(c, d, event, detail, opaque);
}
/* One callback function per slot: libvirt refuses the same function twice on a connection. */
static int (*const worker_cbs[4])(virConnectPtr, virDomainPtr, int, int, void *) = {
    worker_cb, worker_cb2, worker_cb3, worker_cb};

static void worker_cb_free(void *opaque)
{
    free(opaque);
    __sync_fetch_and_add(&cb_freed, 1);
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

/* ---------------------------------------------------------------- workers */

/* Recently used names, for lookups of other threads' domains. */
static char recent[256][64];
static unsigned recent_n;

struct worker {
    int t, round;
    unsigned seed;
    virConnectPtr c;
    virDomainPtr own[OWN];
    int next;
    int cb_ids[4];
    double until;
};

static const char *xml_for(char *buf, size_t len, const char *name)
{
    snprintf(buf, len,
             "<domain type='test'><name>%s</name><memory>1024</memory><os><type>hvm</type></os>"
             "</domain>",
             name);
    return buf;
}

static void remember(const char *name)
{
    unsigned i = __sync_fetch_and_add(&recent_n, 1) % 256;
    pthread_mutex_lock(&mu);
    snprintf(recent[i], sizeof(recent[i]), "%s", name);
    pthread_mutex_unlock(&mu);
}

static void random_name(struct worker *w, char *out, size_t len)
{
    unsigned n = recent_n;
    if (!n) {
        snprintf(out, len, "test");
        return;
    }
    pthread_mutex_lock(&mu);
    snprintf(out, len, "%s", recent[rand_r(&w->seed) % (n < 256 ? n : 256)]);
    pthread_mutex_unlock(&mu);
}

/* Drop our handle on a domain that is gone (or no longer ours to clean up). */
static void forget(struct worker *w, int slot)
{
    if (w->own[slot])
        virDomainFree(w->own[slot]);
    w->own[slot] = NULL;
}

static void one_op(struct worker *w)
{
    char name[64], xml[512];
    int slot = rand_r(&w->seed) % OWN;
    virDomainPtr d = w->own[slot];
    int op = rand_r(&w->seed) % 22;
    switch (op) {
    case 0:
    case 1: /* create a transient domain */
    case 2: /* define a persistent one */
        if (d || w->next >= NAMES)
            break;
        snprintf(name, sizeof(name), "ld-%d-%d-%d", w->round, w->t, w->next++);
        if (op == 2)
            d = r_ptr("define", virDomainDefineXML(w->c, xml_for(xml, sizeof(xml), name)));
        else
            d = r_ptr("create", virDomainCreateXML(w->c, xml_for(xml, sizeof(xml), name), 0));
        w->own[slot] = d;
        if (d)
            remember(name);
        break;
    case 3:
    case 4: /* destroy, sometimes GRACEFUL */
        if (!d)
            break;
        if (r_int("destroy", virDomainDestroyFlags(d, rand_r(&w->seed) % 2
                                                          ? VIR_DOMAIN_DESTROY_GRACEFUL
                                                          : 0)) == 0 &&
            virDomainIsPersistent(d) != 1) /* -1: the transient one is gone */
            forget(w, slot);
        break;
    case 5: /* start a defined one */
        if (d)
            r_int("create-defined", virDomainCreate(d));
        break;
    case 6: /* undefine (a running persistent one becomes transient) */
        if (d && virDomainIsPersistent(d) == 1 && r_int("undefine", virDomainUndefine(d)) == 0 &&
            virDomainIsActive(d) != 1) /* -1: gone with its definition */
            forget(w, slot);
        break;
    case 7:
        if (d)
            r_int("suspend", virDomainSuspend(d));
        break;
    case 8:
        if (d)
            r_int("resume", virDomainResume(d));
        break;
    case 9:
    case 10: { /* another thread's domain, by name: look at it, suspend / resume it */
        random_name(w, name, sizeof(name));
        virDomainPtr o = r_ptr("lookup-name", virDomainLookupByName(w->c, name));
        if (!o)
            break;
        int s, r;
        r_int("get-state", virDomainGetState(o, &s, &r, 0));
        if (op == 10)
            r_int(rand_r(&w->seed) % 2 ? "suspend-other" : "resume-other",
                  rand_r(&w->seed) % 2 ? virDomainSuspend(o) : virDomainResume(o));
        virDomainFree(o);
        break;
    }
    case 11: { /* by UUID and by id */
        if (!d)
            break;
        char uuid[VIR_UUID_STRING_BUFLEN];
        if (virDomainGetUUIDString(d, uuid) == 0) {
            virDomainPtr o = r_ptr("lookup-uuid", virDomainLookupByUUIDString(w->c, uuid));
            if (o)
                virDomainFree(o);
        }
        int id = (int)virDomainGetID(d);
        if (id > 0) {
            virDomainPtr o = r_ptr("lookup-id", virDomainLookupByID(w->c, id));
            if (o)
                virDomainFree(o);
        }
        break;
    }
    case 12: { /* list everything */
        virDomainPtr *list = NULL;
        int n = r_int("list-all", virConnectListAllDomains(w->c, &list, 0));
        for (int i = 0; i < n; i++)
            virDomainFree(list[i]);
        free(list);
        break;
    }
    case 13: {
        int ids[256];
        r_int("list-ids", virConnectListDomains(w->c, ids, 256));
        r_int("num-active", virConnectNumOfDomains(w->c));
        break;
    }
    case 14: {
        char *names[256];
        int n = r_int("list-defined", virConnectListDefinedDomains(w->c, names, 256));
        for (int i = 0; i < n; i++)
            free(names[i]);
        r_int("num-defined", virConnectNumOfDefinedDomains(w->c));
        break;
    }
    case 15:
        if (d) {
            char *x = r_ptr("xml", virDomainGetXMLDesc(d, 0));
            free(x);
            virDomainInfo info;
            r_int("info", virDomainGetInfo(d, &info));
        }
        break;
    case 16:
    case 17: { /* register or deregister a lifecycle callback */
        int k = rand_r(&w->seed) % 4; /* slot 3 reuses slot 0's function: refused while both */
        if (w->cb_ids[k] < 0) {
            int *opaque = malloc(sizeof(int));
            int id = r_int("event-register",
                           virConnectDomainEventRegisterAny(
                               w->c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                               VIR_DOMAIN_EVENT_CALLBACK(worker_cbs[k]), opaque, worker_cb_free));
            if (id >= 0) {
                w->cb_ids[k] = id;
                __sync_fetch_and_add(&cb_registered, 1);
            } else {
                free(opaque);
            }
        } else {
            r_int("event-deregister", virConnectDomainEventDeregisterAny(w->c, w->cb_ids[k]));
            w->cb_ids[k] = -1;
        }
        break;
    }
    case 18: { /* the shared default domain */
        virDomainPtr t = r_ptr("lookup-test", virDomainLookupByName(w->c, "test"));
        if (t) {
            r_int(op % 2 ? "suspend-test" : "resume-test",
                  rand_r(&w->seed) % 2 ? virDomainSuspend(t) : virDomainResume(t));
            virDomainFree(t);
        }
        break;
    }
    case 19: { /* a handle kept after its domain went away: every call fails cleanly */
        if (!d)
            break;
        int s, r;
        r_int("state", virDomainGetState(d, &s, &r, 0));
        r_int("is-active", virDomainIsActive(d));
        break;
    }
    default: { /* ref/free of our handle, open/close of an extra connection */
        if (d && virDomainRef(d) == 0)
            virDomainFree(d);
        if (rand_r(&w->seed) % 8 == 0) {
            virConnectPtr extra = r_ptr("open", virConnectOpen("test:///default"));
            if (extra)
                virConnectClose(extra);
        }
        break;
    }
    }
}

/* End of a round: everything of ours destroyed and undefined, callbacks deregistered. */
static void clean_up(struct worker *w)
{
    for (int i = 0; i < OWN; i++) {
        virDomainPtr d = w->own[i];
        if (!d)
            continue;
        /* Another thread may be suspending it right now (they finish first: joined). */
        if (virDomainIsActive(d) == 1)
            r_int("final-destroy", virDomainDestroy(d));
        if (virDomainIsPersistent(d) == 1)
            r_int("final-undefine", virDomainUndefine(d));
        forget(w, i);
    }
    for (int k = 0; k < 4; k++)
        if (w->cb_ids[k] >= 0) {
            r_int("final-deregister", virConnectDomainEventDeregisterAny(w->c, w->cb_ids[k]));
            w->cb_ids[k] = -1;
        }
}

/* The workers are a pool kept across rounds, as a daemon's: each round they open their
 * connections, work, clean up and close them. */
static pthread_barrier_t round_start, round_end, round_done;
static struct worker ws[MAXT];
static pthread_t th[MAXT];
static volatile int last_round;

static void *worker_main(void *arg)
{
    struct worker *w = arg;
    virSetErrorFunc(NULL, quiet_errors);
    for (;;) {
        pthread_barrier_wait(&round_start);
        if (last_round)
            return NULL;
        w->c = r_ptr("open", virConnectOpen("test:///default"));
        while (w->c && now() < w->until)
            for (int i = 0; i < 50; i++)
                one_op(w);
        /* Nobody touches another thread's domains any more before the clean-up. */
        pthread_barrier_wait(&round_end);
        if (w->c) {
            clean_up(w);
            /* > 0 when the loop thread is dispatching to one of its callbacks right now (that
             * dispatch holds a reference, as in libvirt): the connection closes when it is
             * done. The fd and thread counts after the round show it did. */
            if (virConnectClose(w->c) > 0)
                __sync_fetch_and_add(&close_deferred, 1);
        }
        pthread_barrier_wait(&round_done);
    }
}

static void start_pool(void)
{
    pthread_barrier_init(&round_start, NULL, nthreads + 1);
    pthread_barrier_init(&round_end, NULL, nthreads);
    pthread_barrier_init(&round_done, NULL, nthreads + 1);
    for (int t = 0; t < nthreads; t++)
        pthread_create(&th[t], NULL, worker_main, &ws[t]);
}

static void stop_pool(void)
{
    last_round = 1;
    pthread_barrier_wait(&round_start);
    for (int t = 0; t < nthreads; t++)
        pthread_join(th[t], NULL);
}

static void run_round(int round, double secs)
{
    recent_n = 0;
    virConnectPtr obs = virConnectOpen("test:///default");
    int obs_id = obs ? virConnectDomainEventRegisterAny(obs, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                       VIR_DOMAIN_EVENT_CALLBACK(observer_cb),
                                                       NULL, NULL)
                     : -1;
    check(obs && obs_id >= 0, "round %d: observer connection with a lifecycle callback", round);
    double until = now() + secs;
    for (int t = 0; t < nthreads; t++) {
        memset(&ws[t], 0, sizeof(ws[t]));
        ws[t].t = t;
        ws[t].round = round;
        ws[t].seed = 1000u * round + t;
        ws[t].until = until;
        for (int k = 0; k < 4; k++)
            ws[t].cb_ids[k] = -1;
    }
    pthread_barrier_wait(&round_start);
    pthread_barrier_wait(&round_done);

    /* Every domain of this round is gone now: wait (bounded) for its events. */
    int bad = 0, seen = 0;
    for (double end = now() + 30; now() < end; usleep(20000)) {
        bad = seen = 0;
        pthread_mutex_lock(&mu);
        for (int t = 0; t < nthreads; t++)
            for (int n = 0; n < ws[t].next; n++) {
                struct name_events *e = &evs[(round * nthreads + t) * NAMES + n];
                seen += e->started + e->defined;
                if (e->started != e->stopped || e->defined != e->undefined)
                    bad++;
            }
        pthread_mutex_unlock(&mu);
        if (!bad)
            break;
    }
    int domains = 0;
    for (int t = 0; t < nthreads; t++)
        domains += ws[t].next;
    check(bad == 0, "round %d: %d domains, every one with as many STOPPED as STARTED and "
                    "UNDEFINED as DEFINED events (%d unbalanced, %d starts/defines seen)",
          round, domains, bad, seen);
    if (obs) {
        virConnectDomainEventDeregisterAny(obs, obs_id);
        usleep(100000); /* a dispatch in progress holds a reference for a moment */
        int left = virConnectClose(obs);
        check(left == 0, "round %d: observer connection closed (%d)", round, left);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (getenv("LOAD_THREADS"))
        nthreads = atoi(getenv("LOAD_THREADS"));
    if (nthreads < 1 || nthreads > MAXT)
        nthreads = 16;
    if (getenv("LOAD_SECONDS"))
        seconds = atof(getenv("LOAD_SECONDS"));
    int rounds = getenv("LOAD_ROUNDS") ? atoi(getenv("LOAD_ROUNDS")) : 3;
    if (rounds < 2 || rounds > 20)
        rounds = 3;
    long margin_kb = getenv("LOAD_RSS_MARGIN_KB") ? atol(getenv("LOAD_RSS_MARGIN_KB")) : 2048;
    ndomains_max = (rounds + 1) * nthreads * NAMES;
    evs = calloc(ndomains_max, sizeof(*evs));
    memset(evs, 0, ndomains_max * sizeof(*evs)); /* resident from the start: not a growth */

    if (virEventRegisterDefaultImpl() < 0) {
        check(0, "virEventRegisterDefaultImpl: %s", virGetLastErrorMessage());
        return 1;
    }
    pthread_create(&loop_thread, NULL, loop, NULL);
    start_pool();
    virEventAddTimeout(0, wake, NULL, NULL);
    usleep(100000);
    int fds0 = count_fds(), threads0 = count_threads();
    printf("# baseline: %d fds, %d threads, rss %ld kB, heap in use %ld kB; %d threads x %.0f s in "
           "%d rounds; MALLOC_ARENA_MAX=%s\n",
           fds0, threads0, rss_kb(), heap_kb(), nthreads, seconds, rounds,
           getenv("MALLOC_ARENA_MAX") ? getenv("MALLOC_ARENA_MAX") : "(default)");

    long rss[21], heap[21];
    for (int round = 1; round <= rounds; round++) {
        double t0 = now();
        long calls0 = calls;
        run_round(round, seconds / rounds);
        usleep(200000);
        malloc_trim(0);
        rss[round] = rss_kb();
        heap[round] = heap_kb();
        int fds = count_fds(), threads = count_threads();
        printf("# round %d: %ld calls in %.1f s, rss %ld kB, heap in use %ld kB, %d fds, %d "
               "threads\n",
               round, calls - calls0, now() - t0, rss[round], heap[round], fds, threads);
        check(fds == fds0, "round %d: open descriptors back to the baseline (%d, baseline %d)",
              round, fds, fds0);
        check(threads == threads0, "round %d: threads back to the baseline (%d, baseline %d)",
              round, threads, threads0);
        check(count_children() == 0, "round %d: no child process", round);
    }
    long growth = rss[rounds] - rss[rounds - 1];
    check(growth <= margin_kb, "memory flat: rss after round %d is %ld kB, after round %d %ld kB "
                               "(growth %ld kB, margin %ld kB)",
          rounds, rss[rounds], rounds - 1, rss[rounds - 1], growth, margin_kb);
    long hgrowth = heap[rounds] - heap[rounds - 1];
    check(hgrowth <= margin_kb / 2,
          "heap in use flat: %ld kB after round %d, %ld kB after round %d (growth %ld kB, margin "
          "%ld kB)",
          heap[rounds], rounds, heap[rounds - 1], rounds - 1, hgrowth, margin_kb / 2);

    printf("# %ld calls, %ld succeeded; errors by code:", calls, ok_calls);
    for (int c = 0; c < 128; c++)
        if (err_by_code[c])
            printf(" %d:%ld", c, err_by_code[c]);
    printf("\n");
    for (int i = 0; i < nsamples; i++)
        printf("# unexpected: %s\n", unexpected_samples[i]);
    check(unexpected == 0, "no error other than the expected ones (42, 55, 1 'not paused/running', "
                           "8 'callback already tracked'): "
                           "%ld unexpected, %ld without an error set",
          unexpected, no_error_set);
    check(calls > 1000 && ok_calls > calls / 4, "the load did work: %ld calls, %ld succeeded", calls,
          ok_calls);
    printf("# events: %ld to the observer, %ld to worker callbacks; %ld registered, %ld freed; "
           "%ld closes deferred by a dispatch in progress\n",
           ev_total, cb_calls, cb_registered, cb_freed, close_deferred);
    check(ev_off_loop == 0 && ev_foreign == 0,
          "events delivered on the loop thread only, none for unknown domains (%ld off-loop, %ld "
          "foreign)",
          ev_off_loop, ev_foreign);
    for (double end = now() + 5; cb_freed < cb_registered && now() < end;)
        usleep(10000);
    check(cb_registered > 0 && cb_freed == cb_registered,
          "every worker callback's free function ran once (%ld registered, %ld freed)",
          cb_registered, cb_freed);

    stop_pool();
    loop_running = 0;
    virEventAddTimeout(0, wake, NULL, NULL);
    pthread_join(loop_thread, NULL);
    free(evs);
    printf("# %d checks passed, %d failed\n", pass, fail);
    return fail ? 1 : 0;
}
