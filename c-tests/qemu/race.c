/* Destroy against everything else (spec section 2, step 7 and "Concurrency"): a destroy pre-empts
 * a job stuck in the monitor; 16 threads destroy one guest; destroys of different guests do not wait
 * on each other; a guest killed from outside is noticed at once (one STOPPED/FAILED event, a
 * transient removed, a persistent one shut off). */
#include "qt.h"

#define GRACEFUL_MS 500
#define GRACE_MS 1500
#define AFTER_MS 2000
#define NTHREADS 16

static const char *root;
static virConnectPtr conn;

static virDomainPtr start(const char *name, int persistent)
{
    virDomainPtr d;
    if (persistent) {
        d = virDomainDefineXML(conn, qt_xml(name, NULL, NULL, NULL));
        if (d && virDomainCreate(d) < 0) {
            virDomainUndefine(d);
            virDomainFree(d);
            d = NULL;
        }
    } else {
        d = virDomainCreateXML(conn, qt_xml(name, NULL, NULL, NULL), 0);
    }
    CHECK(d != NULL, "%s: started", name);
    return d;
}

/* ---- a job blocked in the monitor ---- */

static struct {
    virDomainPtr d;
    volatile int done;
    int rc, code;
    char msg[512];
} job;

static void *suspender(void *arg)
{
    (void)arg;
    virSetErrorFunc(NULL, quiet_errors);
    job.rc = virDomainSuspend(job.d);
    virErrorPtr e = virGetLastError();
    job.code = e ? e->code : 0;
    snprintf(job.msg, sizeof(job.msg), "%s", e && e->message ? e->message : "");
    job.done = 1;
    return NULL;
}

static void destroy_preempts_job(int persistent)
{
    const char *name = persistent ? "race-job-p" : "race-job-t";
    virDomainPtr d = start(name, persistent);
    if (!d)
        return;
    pid_t pid = qt_read_pidfile(root, name);
    kill(pid, SIGSTOP);
    qt_wait_state(pid, 'T', 5000);
    memset(&job, 0, sizeof(job));
    job.d = d;
    pthread_t t;
    pthread_create(&t, NULL, suspender, NULL);
    qt_sleep_ms(300); /* let it get into the monitor (not asserted: ordering only) */
    CHECK(!job.done, "%s: virDomainSuspend blocks on the frozen guest's monitor", name);
    int rc = virDomainDestroy(d);
    CHECK(rc == 0, "%s: destroy succeeds while the suspend job holds the domain", name);
    /* The job must not hang: wait for it with a bound (a hang is the failure being tested). */
    double end = qt_now_ms() + 10000;
    while (!job.done && qt_now_ms() < end)
        qt_sleep_ms(5);
    CHECK(job.done, "%s: the suspend returned once the guest was destroyed", name);
    if (!job.done) {
        pthread_detach(t);
        return;
    }
    pthread_join(t, NULL);
    CHECK(job.rc == -1 && job.code != 0, "%s: the suspend failed with an error (rc %d, code %d: %s)",
          name, job.rc, job.code, job.msg);
    CHECK(!qt_proc_exists(pid), "%s: qemu %d gone", name, pid);
    int s, r;
    if (persistent) {
        qt_state(d, &s, &r);
        CHECK(s == VIR_DOMAIN_SHUTOFF &&
                  r == VIR_DOMAIN_SHUTOFF_DESTROYED,
              "%s: shut off, destroyed (5/2), got %d/%d", name, s, r);
        /* The domain is usable again: start and destroy it once more. */
        CHECK(virDomainCreate(d) == 0, "%s: starts again after the pre-empted job", name);
        CHECK(virDomainDestroy(d) == 0, "%s: and is destroyed again", name);
        virDomainUndefine(d);
    } else {
        CHECK(qt_is_gone(d), "%s: transient domain removed", name);
    }
    virDomainFree(d);
}

/* ---- 16 destroyers ---- */

static virDomainPtr target;
static pthread_barrier_t go;
static int results[NTHREADS], codes[NTHREADS];

static void *destroyer(void *arg)
{
    int i = (int)(long)arg;
    virSetErrorFunc(NULL, quiet_errors);
    pthread_barrier_wait(&go);
    results[i] = virDomainDestroy(target);
    virErrorPtr e = virGetLastError();
    codes[i] = e ? e->code : 0;
    return NULL;
}

static void many_destroyers(int persistent, int frozen)
{
    char name[64];
    snprintf(name, sizeof(name), "race-16-%s%s", persistent ? "p" : "t", frozen ? "-frozen" : "");
    virDomainPtr d = start(name, persistent);
    if (!d)
        return;
    pid_t pid = qt_read_pidfile(root, name);
    qt_events_settle(name, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    if (frozen) {
        kill(pid, SIGSTOP);
        qt_wait_state(pid, 'T', 5000);
    }
    target = d;
    pthread_t t[NTHREADS];
    pthread_barrier_init(&go, NULL, NTHREADS);
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, destroyer, (void *)i);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&go);
    int ok = 0, expected_fail = 0;
    char other[256] = "";
    for (int i = 0; i < NTHREADS; i++) {
        if (results[i] == 0)
            ok++;
        else if (codes[i] == VIR_ERR_OPERATION_INVALID ||
                 (!persistent && codes[i] == VIR_ERR_NO_DOMAIN))
            expected_fail++;
        else if (strlen(other) < 200)
            sprintf(other + strlen(other), " rc=%d/code=%d", results[i], codes[i]);
    }
    CHECK(ok == 1, "%s: exactly one of 16 destroys succeeds (%d did)", name, ok);
    CHECK(expected_fail == NTHREADS - 1, "%s: the others fail with code 55%s (%s)", name,
          persistent ? "" : " or 42", other);
    CHECK(!qt_proc_exists(pid), "%s: qemu %d gone", name, pid);
    if (persistent) {
        int s, r;
        qt_state(d, &s, &r);
        CHECK(s == VIR_DOMAIN_SHUTOFF &&
                  r == VIR_DOMAIN_SHUTOFF_DESTROYED,
              "%s: shut off, destroyed (5/2), got %d/%d", name, s, r);
        if (qt_events_on)
            CHECK(strstr(qt_events_of(name, 100), "5/1") &&
                      !strstr(strstr(qt_events_of(name, 0), "5/1") + 3, "5/"),
                  "%s: exactly one STOPPED event (%s)", name, qt_events_of(name, 0));
        virDomainUndefine(d);
    } else {
        CHECK(qt_is_gone(d), "%s: transient domain removed", name);
    }
    virDomainFree(d);
}

/* ---- different guests in parallel ---- */

static volatile int slow_done;
static int slow_rc;

static void *slow_destroy(void *arg)
{
    virSetErrorFunc(NULL, quiet_errors);
    slow_rc = virDomainDestroy((virDomainPtr)arg);
    slow_done = 1;
    return NULL;
}

static void parallel_guests(void)
{
    virDomainPtr hung = start("race-par-hung", 0);
    virDomainPtr fine = start("race-par-fine", 0);
    if (!hung || !fine)
        return;
    pid_t hp = qt_read_pidfile(root, "race-par-hung");
    pid_t fp = qt_read_pidfile(root, "race-par-fine");
    kill(hp, SIGSTOP);
    qt_wait_state(hp, 'T', 5000);
    pthread_t t;
    slow_done = 0;
    pthread_create(&t, NULL, slow_destroy, hung);
    qt_sleep_ms(100);
    int rc = virDomainDestroy(fine);
    int during = !slow_done; /* the hung guest's destroy waits GRACE_MS before its SIGKILL */
    CHECK(rc == 0, "parallel: the healthy guest's destroy succeeds");
    CHECK(during, "parallel: ... while the hung guest's destroy is still in its grace period");
    CHECK(!qt_proc_exists(fp), "parallel: the healthy guest's qemu is gone");
    pthread_join(t, NULL);
    CHECK(slow_rc == 0 && !qt_proc_exists(hp), "parallel: the hung guest is destroyed too");
    virDomainFree(hung);
    virDomainFree(fine);
}

/* ---- killed from outside ---- */

static void killed_outside(int persistent)
{
    const char *name = persistent ? "race-ext-p" : "race-ext-t";
    virDomainPtr d = start(name, persistent);
    if (!d)
        return;
    pid_t pid = qt_read_pidfile(root, name);
    qt_events_settle(name, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    CHECK(kill(pid, SIGKILL) == 0, "%s: qemu %d killed with SIGKILL from outside", name, pid);
    int s, r;
    if (persistent) {
        CHECK(qt_wait_shutoff(d, 10000), "%s: the driver notices: shut off", name);
        qt_state(d, &s, &r);
        CHECK(s == VIR_DOMAIN_SHUTOFF && r == VIR_DOMAIN_SHUTOFF_CRASHED,
              "%s: state 5/3 (shut off, crashed: the reference's reason), got %d/%d", name, s, r);
        CHECK(virDomainIsActive(d) == 0, "%s: not active", name);
    } else {
        CHECK(qt_wait_removed(d, 10000), "%s: the driver notices: transient domain removed", name);
    }
    CHECK(qt_wait_gone(pid, 5000), "%s: the dead qemu is reaped (no zombie)", name);
    const char *left = qt_leftovers(root);
    CHECK(!*left, "%s: runtime files removed (%s)", name, left);
    CHECK(qt_file_exists(root, "log/qemu/%s.log", name), "%s: log kept", name);
    if (qt_events_on)
        CHECK(strcmp(qt_events_of(name, 200), "5/5") == 0,
              "%s: exactly one event, STOPPED/FAILED 5/5 (got '%s')", name, qt_events_of(name, 0));
    int rc = virDomainDestroy(d);
    CHECK(rc == -1 && qt_err_code() == (persistent ? VIR_ERR_OPERATION_INVALID : VIR_ERR_NO_DOMAIN),
          "%s: a destroy afterwards fails with code %d", name,
          persistent ? VIR_ERR_OPERATION_INVALID : VIR_ERR_NO_DOMAIN);
    if (persistent) {
        CHECK(virDomainCreate(d) == 0, "%s: starts again", name);
        CHECK(virDomainDestroy(d) == 0, "%s: destroyed again", name);
        virDomainUndefine(d);
    }
    virDomainFree(d);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    qt_subreaper();
    qt_events_init();
    root = qt_new_root("race", GRACEFUL_MS, GRACE_MS, AFTER_MS);
    conn = qt_open(root);

    destroy_preempts_job(0);
    destroy_preempts_job(1);
    many_destroyers(0, 0);
    many_destroyers(1, 0);
    many_destroyers(0, 1);
    many_destroyers(1, 1);
    parallel_guests();
    killed_outside(0);
    killed_outside(1);

    char kids[256];
    CHECK(qt_children(kids, sizeof(kids)) == 0, "no child process left (%s)", kids);
    const char *left = qt_leftovers(root);
    CHECK(!*left, "nothing left under the root (%s)", left);
    CHECK(qt_close(conn) == 0, "close returns 0");
    if (!qt_fail)
        qt_rm_root(root);
    return qt_done();
}
