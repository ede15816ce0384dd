/* The kill engine from C (spec section 1): qemuProcessKill on our library only (the reference does
 * not export it), through qemuDomainObjFromDomain / virDomainObjEndAPI. */
#include "qt.h"
#include <libvirt/qemu_process.h>

#define GRACEFUL_MS 400
#define GRACE_MS 400
#define AFTER_MS 2000

static const char *root;

static const char *flag_name(unsigned int f)
{
    static char buf[64];
    if (!f)
        return "0";
    buf[0] = 0;
    if (f & VIR_QEMU_PROCESS_KILL_NOWAIT)
        strcat(buf, "NOWAIT|");
    if (f & VIR_QEMU_PROCESS_KILL_FORCE)
        strcat(buf, "FORCE|");
    if (f & VIR_QEMU_PROCESS_KILL_NOCHECK)
        strcat(buf, "NOCHECK|");
    buf[strlen(buf) - 1] = 0;
    return buf;
}

/* The error qemuProcessKill left (copied before EndAPI). */
static virError kerr;
static int kerr_set;

static int kill_with(virDomainPtr d, unsigned int flags)
{
    virDomainObjPtr vm = qemuDomainObjFromDomain(d);
    CHECK(vm != NULL, "%s: qemuDomainObjFromDomain", virDomainGetName(d));
    if (!vm)
        return -2;
    int rc = qemuProcessKill(vm, flags);
    virResetError(&kerr);
    kerr_set = virCopyLastError(&kerr) > 0;
    virDomainObjEndAPI(&vm);
    CHECK(vm == NULL, "%s: virDomainObjEndAPI sets the pointer to NULL", virDomainGetName(d));
    return rc;
}

static virDomainPtr second_dom;
static volatile int second_done;

static void *second_taker(void *arg)
{
    (void)arg;
    virDomainObjPtr vm = qemuDomainObjFromDomain(second_dom);
    second_done = 1;
    virDomainObjEndAPI(&vm);
    return NULL;
}

static virDomainPtr start_frozen(virConnectPtr c, const char *name, pid_t *pid)
{
    virDomainPtr d = virDomainCreateXML(c, qt_xml(name, NULL, NULL, NULL), 0);
    CHECK(d != NULL, "%s: started", name);
    if (!d)
        return NULL;
    *pid = qt_read_pidfile(root, name);
    CHECK(*pid > 0 && kill(*pid, SIGSTOP) == 0, "%s: froze qemu %d with SIGSTOP", name, *pid);
    CHECK(qt_wait_state(*pid, 'T', 5000), "%s: qemu is stopped (state T)", name);
    return d;
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    qt_subreaper();
    root = qt_new_root("kill", GRACEFUL_MS, GRACE_MS, AFTER_MS);
    virConnectPtr c = qt_open(root);

    /* Bad objects: errors, not crashes. */
    CHECK(qemuDomainObjFromDomain(NULL) == NULL && virGetLastError() != NULL,
          "qemuDomainObjFromDomain(NULL): NULL with an error");
    CHECK(qemuProcessKill(NULL, 0) == -1 && virGetLastError() != NULL,
          "qemuProcessKill(NULL): -1 with an error");
    virDomainObjPtr none = NULL;
    virDomainObjEndAPI(&none);
    CHECK(none == NULL, "virDomainObjEndAPI on a NULL object: harmless");
    virDomainObjEndAPI(NULL);
    CHECK(1, "virDomainObjEndAPI(NULL): harmless");

    /* An inactive domain: every mode returns 0 and sends nothing. */
    virDomainPtr off = virDomainDefineXML(c, qt_xml("k-off", NULL, NULL, NULL));
    CHECK(off != NULL, "k-off: defined");
    unsigned int combos[] = {0,
                             VIR_QEMU_PROCESS_KILL_FORCE,
                             VIR_QEMU_PROCESS_KILL_NOWAIT,
                             VIR_QEMU_PROCESS_KILL_NOWAIT | VIR_QEMU_PROCESS_KILL_FORCE,
                             VIR_QEMU_PROCESS_KILL_NOCHECK,
                             VIR_QEMU_PROCESS_KILL_NOCHECK | VIR_QEMU_PROCESS_KILL_FORCE,
                             VIR_QEMU_PROCESS_KILL_NOCHECK | VIR_QEMU_PROCESS_KILL_NOWAIT};
    for (size_t i = 0; off && i < sizeof(combos) / sizeof(combos[0]); i++) {
        int rc = kill_with(off, combos[i]);
        CHECK(rc == 0 && !kerr_set, "k-off (inactive): %s returns 0, no error",
              flag_name(combos[i]));
    }
    /* The object lock is released by EndAPI: taking it twice in a row does not block. */
    if (off) {
        virDomainObjPtr a = qemuDomainObjFromDomain(off);
        virDomainObjEndAPI(&a);
        virDomainObjPtr b = qemuDomainObjFromDomain(off);
        CHECK(b != NULL, "k-off: the object can be taken again after EndAPI");
        virDomainObjEndAPI(&b);
        CHECK(a == NULL && b == NULL, "k-off: both pointers NULL after EndAPI");
    }

    /* A frozen guest, flags 0: SIGTERM, then the graceful timeout runs out. */
    pid_t pid = -1;
    virDomainPtr d = start_frozen(c, "k-zero", &pid);
    if (d) {
        char want[256];
        snprintf(want, sizeof(want),
                 "Failed to terminate process %d with SIGTERM: Device or resource busy", pid);
        int rc = kill_with(d, 0);
        CHECK(rc == -1, "k-zero: flags 0 on a frozen guest times out with -1");
        CHECK(kerr_set && kerr.code == VIR_ERR_SYSTEM_ERROR && kerr.domain == VIR_FROM_NONE &&
                  kerr.int1 == EBUSY,
              "k-zero: code 38, domain 0, int1 16 (got %d, %d, %d)", kerr.code, kerr.domain,
              kerr.int1);
        CHECK(kerr.message && strcmp(kerr.message, want) == 0, "k-zero: message '%s' (got '%s')",
              want, kerr.message ? kerr.message : "(none)");
        CHECK(qt_proc_state(pid) == 'T', "k-zero: the guest is still there, stopped");
        CHECK(qt_has_pending(pid, SIGTERM), "k-zero: SIGTERM is pending");
        int s, r;
        qt_state(d, &s, &r);
        CHECK(s == VIR_DOMAIN_RUNNING, "k-zero: domain still running");

        rc = kill_with(d, VIR_QEMU_PROCESS_KILL_FORCE);
        CHECK(rc == 0 && !kerr_set, "k-zero: FORCE kills it: 0, no error");
        CHECK(!qt_proc_exists(pid), "k-zero: process %d gone, no zombie", pid);
        /* Killed underneath the domain: the driver sees the exit and removes the transient. */
        CHECK(qt_wait_removed(d, 10000), "k-zero: the transient domain is removed");
        virDomainFree(d);
    }

    /* NOWAIT on a frozen guest: 0 at once, the guest stays with SIGTERM pending; then
     * NOWAIT|FORCE: 0 at once, and SIGKILL ends it. */
    d = start_frozen(c, "k-nowait", &pid);
    if (d) {
        int rc = kill_with(d, VIR_QEMU_PROCESS_KILL_NOWAIT);
        CHECK(rc == 0 && !kerr_set, "k-nowait: NOWAIT returns 0, no error");
        CHECK(qt_proc_state(pid) == 'T', "k-nowait: the guest stays (stopped)");
        CHECK(qt_has_pending(pid, SIGTERM), "k-nowait: SIGTERM is pending");
        int s, r;
        qt_state(d, &s, &r);
        CHECK(s == VIR_DOMAIN_RUNNING,
              "k-nowait: domain still running");
        rc = kill_with(d, VIR_QEMU_PROCESS_KILL_NOWAIT | VIR_QEMU_PROCESS_KILL_FORCE);
        CHECK(rc == 0 && !kerr_set, "k-nowait: NOWAIT|FORCE returns 0, no error");
        CHECK(qt_wait_gone(pid, 10000), "k-nowait: SIGKILL ends the guest (and it is reaped)");
        CHECK(qt_wait_removed(d, 10000), "k-nowait: the transient domain is removed");
        /* Everything again on the now inactive (removed) domain's handle. */
        virDomainObjPtr vm = qemuDomainObjFromDomain(d);
        CHECK(vm == NULL && qt_err_code() == VIR_ERR_NO_DOMAIN,
              "k-nowait: qemuDomainObjFromDomain on a removed domain: NULL, code 42");
        virDomainFree(d);
    }

    /* A healthy guest: flags 0 is enough (qemu ends on SIGTERM). */
    d = virDomainCreateXML(c, qt_xml("k-term", NULL, NULL, NULL), 0);
    if (d) {
        pid = qt_read_pidfile(root, "k-term");
        int rc = kill_with(d, 0);
        CHECK(rc == 0 && !kerr_set, "k-term: flags 0 on a healthy guest: 0");
        CHECK(!qt_proc_exists(pid), "k-term: process gone, no zombie");
        CHECK(qt_wait_removed(d, 10000), "k-term: the transient domain is removed");
        virDomainFree(d);
    }

    /* The domain object is locked between FromDomain and EndAPI: a second taker waits. */
    if (off) {
        virDomainObjPtr held = qemuDomainObjFromDomain(off);
        second_dom = off;
        pthread_t t;
        pthread_create(&t, NULL, second_taker, NULL);
        qt_sleep_ms(200);
        CHECK(!second_done, "k-off: a second qemuDomainObjFromDomain waits while the object is held");
        virDomainObjEndAPI(&held);
        pthread_join(t, NULL);
        CHECK(second_done && held == NULL, "k-off: ... and gets it once EndAPI released it");
        virDomainUndefine(off);
        virDomainFree(off);
    }

    char kids[256];
    CHECK(qt_children(kids, sizeof(kids)) == 0, "no child process left (%s)", kids);
    const char *left = qt_leftovers(root);
    CHECK(!*left, "nothing left under the root (%s)", left);
    CHECK(qt_close(c) == 0, "close returns 0");
    if (!qt_fail)
        qt_rm_root(root);
    return qt_done();
}
