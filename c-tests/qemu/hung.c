/* A hung guest (qemu frozen with SIGSTOP). GRACEFUL fails with the kill engine's error and leaves
 * the guest alone (spec section 2, step 7: we deliberately differ from the reference); a plain
 * destroy then kills it, SIGKILL coming only after the grace period (SIGTERM first). */
#include "qt.h"

#define GRACEFUL_MS 500
#define GRACE_MS 1500
#define AFTER_MS 2000

static const char *root;

/* Samples the frozen guest while a destroy runs: when was it last seen alive, and was SIGTERM
 * seen pending (sent, not yet acted on) while it was alive. */
static struct {
    pid_t pid;
    double t0;
    volatile int stop;
    double last_alive_ms;
    int term_pending_seen;
    int samples;
} mon;

static void *sampler(void *arg)
{
    (void)arg;
    while (!mon.stop) {
        char st = qt_proc_state(mon.pid);
        double t = qt_now_ms() - mon.t0;
        if (st && st != 'Z') {
            mon.last_alive_ms = t;
            if (qt_has_pending(mon.pid, SIGTERM))
                mon.term_pending_seen = 1;
        }
        mon.samples++;
        qt_sleep_ms(2);
    }
    return NULL;
}

static virDomainPtr start_frozen(virConnectPtr c, const char *name, int persistent, pid_t *pid)
{
    virDomainPtr d;
    if (persistent) {
        d = virDomainDefineXML(c, qt_xml(name, NULL, NULL, NULL));
        if (d && virDomainCreate(d) < 0) {
            virDomainFree(d);
            d = NULL;
        }
    } else {
        d = virDomainCreateXML(c, qt_xml(name, NULL, NULL, NULL), 0);
    }
    CHECK(d != NULL, "%s: started", name);
    if (!d)
        return NULL;
    *pid = qt_read_pidfile(root, name);
    CHECK(*pid > 0 && kill(*pid, SIGSTOP) == 0, "%s: froze qemu %d with SIGSTOP", name, *pid);
    CHECK(qt_wait_state(*pid, 'T', 5000), "%s: qemu is stopped (state T)", name);
    return d;
}

static void graceful_fails(virDomainPtr d, pid_t pid, int round)
{
    const char *name = virDomainGetName(d);
    char want[256];
    snprintf(want, sizeof(want),
             "Failed to terminate process %d with SIGTERM: Device or resource busy", pid);
    int rc = virDomainDestroyFlags(d, VIR_DOMAIN_DESTROY_GRACEFUL);
    CHECK(rc == -1, "%s: GRACEFUL #%d on a hung guest returns -1", name, round);
    CHECK(qt_err_code() == VIR_ERR_SYSTEM_ERROR && qt_err_domain() == VIR_FROM_NONE,
          "%s: GRACEFUL #%d: code 38, domain 0 (got %d, %d)", name, round, qt_err_code(),
          qt_err_domain());
    CHECK(strcmp(qt_err_msg(), want) == 0, "%s: GRACEFUL #%d: message '%s' (got '%s')", name,
          round, want, qt_err_msg());
    CHECK(qt_err_int1() == EBUSY, "%s: GRACEFUL #%d: int1 16 (EBUSY), got %d", name, round,
          qt_err_int1());
    CHECK(qt_proc_state(pid) == 'T', "%s: GRACEFUL #%d: process still alive, stopped (%c)", name,
          round, qt_proc_state(pid) ? qt_proc_state(pid) : '-');
    int s, r;
    qt_state(d, &s, &r);
    CHECK(s == VIR_DOMAIN_RUNNING && r == VIR_DOMAIN_RUNNING_BOOTED,
          "%s: GRACEFUL #%d: domain still running (1/1), got %d/%d", name, round, s, r);
    CHECK(virDomainIsActive(d) == 1 && (int)virDomainGetID(d) > 0,
          "%s: GRACEFUL #%d: still active with its id", name, round);
    CHECK(qt_read_pidfile(root, name) == pid, "%s: GRACEFUL #%d: pid file unchanged", name, round);
    CHECK(qt_file_exists(root, "run/qemu/%s.xml", name), "%s: GRACEFUL #%d: status file kept",
          name, round);
    if (qt_events_on)
        CHECK(strcmp(qt_events_of(name, 100), "") == 0,
              "%s: GRACEFUL #%d: no event (got '%s')", name, round, qt_events_of(name, 0));
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    qt_subreaper();
    qt_events_init();
    root = qt_new_root("hung", GRACEFUL_MS, GRACE_MS, AFTER_MS);
    virConnectPtr c = qt_open(root);

    for (int persistent = 0; persistent < 2; persistent++) {
        const char *name = persistent ? "hung-p" : "hung-t";
        pid_t pid = -1;
        virDomainPtr d = start_frozen(c, name, persistent, &pid);
        if (!d)
            continue;
        qt_events_settle(name, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
        graceful_fails(d, pid, 1);
        graceful_fails(d, pid, 2); /* the caller may try again: same answer, guest untouched */

        /* Now without GRACEFUL: SIGTERM, the grace period, SIGKILL. */
        memset(&mon, 0, sizeof(mon));
        mon.pid = pid;
        mon.t0 = qt_now_ms();
        pthread_t t;
        pthread_create(&t, NULL, sampler, NULL);
        int rc = virDomainDestroy(d);
        mon.stop = 1;
        pthread_join(t, NULL);
        CHECK(rc == 0, "%s: destroy without flags kills the hung guest", name);
        CHECK(virGetLastError() == NULL, "%s: no error left set", name);
        CHECK(!qt_proc_exists(pid), "%s: process %d gone, no zombie", name, pid);
        CHECK(mon.term_pending_seen, "%s: SIGTERM came first (seen pending on the stopped guest)",
              name);
        /* Not a timing assertion on speed: only that SIGKILL did not come right away. The sampler
         * checks every 2 ms; being starved for GRACE_MS/2 would be needed to fail this. */
        CHECK(mon.last_alive_ms >= GRACE_MS / 2.0,
              "%s: still alive half-way through the grace period (last seen alive at %.0f ms, "
              "%d samples)",
              name, mon.last_alive_ms, mon.samples);
        /* qemu was frozen: it cannot send its SHUTDOWN notice, so STOPPED/DESTROYED alone. */
        if (qt_events_on)
            CHECK(strcmp(qt_events_of(name, 100), "5/1") == 0,
                  "%s: one STOPPED/DESTROYED event (got '%s')", name, qt_events_of(name, 0));
        if (persistent) {
            int s, r;
            qt_state(d, &s, &r);
            CHECK(s == VIR_DOMAIN_SHUTOFF &&
                      r == VIR_DOMAIN_SHUTOFF_DESTROYED,
                  "%s: shut off, destroyed (5/2), got %d/%d", name, s, r);
            virDomainUndefine(d);
        } else {
            CHECK(qt_is_gone(d), "%s: transient domain removed", name);
        }
        const char *left = qt_leftovers(root);
        CHECK(!*left, "%s: nothing left under the root (%s)", name, left);
        virDomainFree(d);
    }

    /* GRACEFUL on a hung guest, then the guest resumes by itself (SIGCONT): the pending SIGTERM
     * now ends qemu, and the driver notices that exit on its own. */
    pid_t pid = -1;
    virDomainPtr d = start_frozen(c, "hung-cont", 0, &pid);
    if (d) {
        CHECK(virDomainDestroyFlags(d, VIR_DOMAIN_DESTROY_GRACEFUL) == -1,
              "hung-cont: GRACEFUL fails on the hung guest");
        kill(pid, SIGCONT);
        CHECK(qt_wait_gone(pid, 10000), "hung-cont: after SIGCONT the pending SIGTERM ends qemu");
        CHECK(qt_wait_removed(d, 10000), "hung-cont: the driver noticed the exit (domain removed)");
        const char *left = qt_leftovers(root);
        CHECK(!*left, "hung-cont: nothing left under the root (%s)", left);
        virDomainFree(d);
    }

    char kids[256];
    CHECK(qt_children(kids, sizeof(kids)) == 0, "no child process left (%s)", kids);
    CHECK(qt_close(c) == 0, "close returns 0");
    if (!qt_fail)
        qt_rm_root(root);
    return qt_done();
}
