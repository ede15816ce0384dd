/* Destroying healthy guests (spec section 2): flags 0, GRACEFUL and REMOVE_LOGS, transient and
 * persistent. Afterwards: the right state or "Domain not found", no qemu process (not even a
 * zombie), no runtime file under the root, the log kept unless REMOVE_LOGS; one STOPPED/DESTROYED
 * event after SHUTDOWN/HOST when events are available. */
#include "qt.h"

static const char *root;

static void after_destroy(const char *what, virDomainPtr d, pid_t pid, int persistent,
                          int log_expected)
{
    char kids[256];
    const char *name = virDomainGetName(d);
    CHECK(!qt_proc_exists(pid), "%s: qemu process %d is gone, no zombie (state %c)", what, pid,
          qt_proc_state(pid) ? qt_proc_state(pid) : '-');
    CHECK(qt_children(kids, sizeof(kids)) == 0, "%s: no child process left (%s)", what, kids);
    const char *left = qt_leftovers(root);
    CHECK(!*left, "%s: no pid/status/socket file left under the root (%s)", what, left);
    CHECK(qt_file_exists(root, "log/qemu/%s.log", name) == log_expected, "%s: log file %s", what,
          log_expected ? "kept" : "removed");
    if (persistent) {
        int s, r;
        qt_state(d, &s, &r);
        CHECK(s == VIR_DOMAIN_SHUTOFF &&
                  r == VIR_DOMAIN_SHUTOFF_DESTROYED,
              "%s: persistent domain shut off, destroyed (5/2), got %d/%d", what, s, r);
        CHECK(virDomainGetID(d) == (unsigned int)-1, "%s: id is -1, got %d", what,
              (int)virDomainGetID(d));
        CHECK(virDomainIsActive(d) == 0, "%s: not active", what);
        virDomainPtr again = virDomainLookupByName(virDomainGetConnect(d), name);
        CHECK(again != NULL, "%s: still defined (lookup by name)", what);
        if (again)
            virDomainFree(again);
    } else {
        CHECK(qt_is_gone(d), "%s: transient domain removed (code 42, domain 10, exact message)",
              what);
        virDomainPtr again = virDomainLookupByName(virDomainGetConnect(d), name);
        CHECK(!again && qt_err_code() == VIR_ERR_NO_DOMAIN, "%s: lookup by name fails with 42",
              what);
        if (again)
            virDomainFree(again);
    }
    if (qt_events_on)
        CHECK(strcmp(qt_events_of(name, 100), "6/2 5/1") == 0,
              "%s: events SHUTDOWN/HOST then one STOPPED/DESTROYED (6/2 5/1), got '%s'", what,
              qt_events_of(name, 0));
}

static void destroy_one(virConnectPtr c, const char *name, int persistent, unsigned int flags)
{
    char what[128];
    snprintf(what, sizeof(what), "%s %s flags %u", persistent ? "persistent" : "transient", name,
             flags);
    virDomainPtr d;
    if (persistent) {
        d = virDomainDefineXML(c, qt_xml(name, NULL, NULL, NULL));
        CHECK(d != NULL, "%s: define", what);
        if (!d)
            return;
        CHECK(virDomainCreate(d) == 0, "%s: create", what);
    } else {
        d = virDomainCreateXML(c, qt_xml(name, NULL, NULL, NULL), 0);
        CHECK(d != NULL, "%s: create", what);
        if (!d)
            return;
    }
    int s, r;
    qt_state(d, &s, &r);
    CHECK(s == VIR_DOMAIN_RUNNING && r == VIR_DOMAIN_RUNNING_BOOTED,
          "%s: running, booted (1/1), got %d/%d", what, s, r);
    CHECK((int)virDomainGetID(d) > 0, "%s: positive id", what);
    pid_t pid = qt_read_pidfile(root, name);
    CHECK(pid > 0 && qt_proc_exists(pid), "%s: pid file names a live process (%d)", what, pid);
    CHECK(qt_file_exists(root, "run/qemu/%s.xml", name), "%s: status file present", what);
    qt_events_settle(name, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    int rc = virDomainDestroyFlags(d, flags);
    CHECK(rc == 0, "%s: destroy returns 0", what);
    CHECK(virGetLastError() == NULL, "%s: no error left set", what);
    after_destroy(what, d, pid, persistent, !(flags & VIR_DOMAIN_DESTROY_REMOVE_LOGS));
    if (persistent) {
        CHECK(virDomainUndefine(d) == 0, "%s: undefine", what);
        CHECK(!qt_file_exists(root, "etc/qemu/%s.xml", name), "%s: definition file removed", what);
    }
    virDomainFree(d);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    qt_subreaper();
    qt_events_init();
    root = qt_new_root("healthy", 1000, 1000, 1000);
    virConnectPtr c = qt_open(root);

    destroy_one(c, "h-t0", 0, 0);
    destroy_one(c, "h-tg", 0, VIR_DOMAIN_DESTROY_GRACEFUL);
    destroy_one(c, "h-tl", 0, VIR_DOMAIN_DESTROY_REMOVE_LOGS);
    destroy_one(c, "h-p0", 1, 0);
    destroy_one(c, "h-pg", 1, VIR_DOMAIN_DESTROY_GRACEFUL);
    destroy_one(c, "h-pgl", 1, VIR_DOMAIN_DESTROY_GRACEFUL | VIR_DOMAIN_DESTROY_REMOVE_LOGS);

    /* virDomainDestroy is virDomainDestroyFlags(dom, 0); a persistent guest restarts afterwards. */
    virDomainPtr d = virDomainDefineXML(c, qt_xml("h-again", NULL, NULL, NULL));
    for (int i = 0; d && i < 3; i++) {
        CHECK(virDomainCreate(d) == 0, "restart %d: create", i);
        pid_t pid = qt_read_pidfile(root, "h-again");
        CHECK(virDomainDestroy(d) == 0, "restart %d: virDomainDestroy returns 0", i);
        CHECK(!qt_proc_exists(pid), "restart %d: process %d gone", i, pid);
    }
    if (d) {
        virDomainUndefine(d);
        virDomainFree(d);
    }
    const char *left = qt_leftovers(root);
    CHECK(!*left, "after everything: nothing left under the root (%s)", left);
    CHECK(qt_close(c) == 0, "close returns 0");
    if (!qt_fail)
        qt_rm_root(root);
    return qt_done();
}
