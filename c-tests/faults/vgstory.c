/* One story through the qemu driver, made to run under valgrind's memcheck (tests/faults.sh runs
 * it with --trace-children=no: qemu itself is not traced): events on a loop thread; a transient
 * guest created and destroyed; a persistent one defined, started, destroyed with GRACEFUL,
 * restarted, destroyed, undefined; a frozen guest on which GRACEFUL fails (code 38) and a plain
 * destroy then kills; a guest killed from outside; lookups, lists, XML, info; refused input
 * (bad XML, unsupported flags, an unsupported device, a missing emulator); a stale handle;
 * every handle freed and the connection closed. Memcheck must find no invalid access and no
 * definite or indirect leak.
 *
 * With VGSTORY_NOSPAWN=1 (Debian 12's valgrind 3.19 answers ENOSYS to clone3, pidfd_open and
 * pidfd_send_signal, so no guest can start under it): the story the driver can tell without a
 * process: starts fail cleanly (an error, nothing left, the persistent domain shut off), and
 * everything else (define, lookups, XML, info, lists, undefine, refused input, stale handles,
 * close) runs as usual. */
#include "../qemu/qt.h"

static const char *root;

static virDomainPtr start(virConnectPtr c, const char *name, int persistent)
{
    char *xml = qt_xml(name, NULL, NULL, NULL);
    virDomainPtr d = persistent ? virDomainDefineXML(c, xml) : virDomainCreateXML(c, xml, 0);
    if (d && persistent && virDomainCreate(d) < 0) {
        virDomainUndefine(d);
        virDomainFree(d);
        d = NULL;
    }
    free(xml);
    CHECK(d != NULL, "%s: started (%s)", name, d ? "ok" : qt_err_msg());
    return d;
}

/* The story without processes: every start fails, cleanly. */
static void nospawn(virConnectPtr c)
{
    char *xml = qt_xml("vg-p", NULL, NULL, NULL);
    virDomainPtr p = virDomainDefineXML(c, xml);
    free(xml);
    CHECK(p != NULL, "vg-p: defined");
    if (p) {
        CHECK(virDomainCreate(p) == -1 && qt_err_code() != 0, "vg-p: start fails (%s)",
              qt_err_msg());
        int s, r;
        qt_state(p, &s, &r);
        CHECK(s == VIR_DOMAIN_SHUTOFF && virDomainIsActive(p) == 0, "vg-p: shut off (%d/%d)", s, r);
        char *x = virDomainGetXMLDesc(p, 0);
        CHECK(x && strstr(x, "vg-p"), "vg-p: XML");
        free(x);
        virDomainInfo info;
        CHECK(virDomainGetInfo(p, &info) == 0, "vg-p: info");
        char uuid[VIR_UUID_STRING_BUFLEN];
        virDomainGetUUIDString(p, uuid);
        virDomainPtr byuuid = virDomainLookupByUUIDString(c, uuid);
        virDomainPtr byname = virDomainLookupByName(c, "vg-p");
        CHECK(byuuid && byname, "vg-p: lookups by UUID and name");
        if (byuuid)
            virDomainFree(byuuid);
        if (byname)
            virDomainFree(byname);
        char *names[8];
        int n = virConnectListDefinedDomains(c, names, 8);
        CHECK(n == 1, "vg-p: listed as defined (%d)", n);
        for (int i = 0; i < n; i++)
            free(names[i]);
        CHECK(virDomainDestroy(p) == -1 && qt_err_code() == VIR_ERR_OPERATION_INVALID,
              "vg-p: destroy when not running: 55");
        CHECK(virDomainUndefine(p) == 0, "vg-p: undefined");
        CHECK(virDomainGetXMLDesc(p, 0) == NULL && qt_err_code() == VIR_ERR_NO_DOMAIN,
              "vg-p: stale handle: 42");
        virDomainFree(p);
    }
    xml = qt_xml("vg-t", NULL, NULL, NULL);
    virDomainPtr t = virDomainCreateXML(c, xml, 0);
    free(xml);
    CHECK(!t && qt_err_code() != 0, "vg-t: transient start fails (%s)", qt_err_msg());
    if (t)
        virDomainFree(t);
    virDomainPtr gone = virDomainLookupByName(c, "vg-t");
    CHECK(!gone, "vg-t: no domain left");
    if (gone)
        virDomainFree(gone);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    qt_events_init();
    root = qt_new_root("vg", 2000, 1000, 5000);
    virConnectPtr c = qt_open(root);
    if (getenv("VGSTORY_NOSPAWN")) {
        nospawn(c);
        goto common;
    }

    virDomainPtr t = start(c, "vg-t", 0);
    if (t) {
        char *x = virDomainGetXMLDesc(t, 0);
        CHECK(x && strstr(x, "vg-t"), "vg-t: XML");
        free(x);
        virDomainInfo info;
        CHECK(virDomainGetInfo(t, &info) == 0 && info.state == VIR_DOMAIN_RUNNING, "vg-t: info");
        char uuid[VIR_UUID_STRING_BUFLEN];
        virDomainGetUUIDString(t, uuid);
        virDomainPtr byuuid = virDomainLookupByUUIDString(c, uuid);
        virDomainPtr byid = virDomainLookupByID(c, (int)virDomainGetID(t));
        CHECK(byuuid && byid, "vg-t: lookups by UUID and id");
        if (byuuid)
            virDomainFree(byuuid);
        if (byid)
            virDomainFree(byid);
        CHECK(virDomainSuspend(t) == 0 && virDomainResume(t) == 0, "vg-t: suspend, resume");
        CHECK(virDomainDestroyFlags(t, 0x80) == -1 && qt_err_code() == VIR_ERR_INVALID_ARG,
              "vg-t: unsupported flags refused");
        qt_events_settle("vg-t", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
        CHECK(virDomainDestroy(t) == 0, "vg-t: destroyed");
        if (qt_events_on)
            CHECK(strcmp(qt_events_of("vg-t", 200), "6/2 5/1") == 0, "vg-t: events 6/2 5/1 (%s)",
                  qt_events_of("vg-t", 0));
        CHECK(qt_is_gone(t), "vg-t: stale handle answers 'Domain not found'");
        CHECK(virDomainDestroy(t) == -1 && qt_err_code() == VIR_ERR_NO_DOMAIN,
              "vg-t: destroy on the stale handle: 42");
        virDomainFree(t);
    }

    virDomainPtr p = start(c, "vg-p", 1);
    if (p) {
        CHECK(virDomainDestroyFlags(p, VIR_DOMAIN_DESTROY_GRACEFUL) == 0, "vg-p: GRACEFUL destroy");
        CHECK(virDomainCreate(p) == 0, "vg-p: started again");
        CHECK(virDomainDestroyFlags(p, VIR_DOMAIN_DESTROY_REMOVE_LOGS) == 0,
              "vg-p: destroyed, logs removed");
        CHECK(virDomainUndefine(p) == 0, "vg-p: undefined");
        virDomainFree(p);
    }

    virDomainPtr h = start(c, "vg-hung", 0);
    if (h) {
        pid_t pid = qt_read_pidfile(root, "vg-hung");
        kill(pid, SIGSTOP);
        qt_wait_state(pid, 'T', 5000);
        CHECK(virDomainDestroyFlags(h, VIR_DOMAIN_DESTROY_GRACEFUL) == -1 &&
                  qt_err_code() == VIR_ERR_SYSTEM_ERROR,
              "vg-hung: GRACEFUL fails with 38 (%s)", qt_err_msg());
        CHECK(virDomainDestroy(h) == 0, "vg-hung: destroy kills it");
        CHECK(qt_wait_gone(pid, 5000), "vg-hung: qemu gone");
        virDomainFree(h);
    }

    virDomainPtr k = start(c, "vg-k", 0);
    if (k) {
        pid_t pid = qt_read_pidfile(root, "vg-k");
        kill(pid, SIGKILL);
        CHECK(qt_wait_removed(k, 20000), "vg-k: killed from outside: removed");
        virDomainFree(k);
    }

common:;
    virDomainPtr *list = NULL;
    int n = virConnectListAllDomains(c, &list, 0);
    CHECK(n == 0, "no domain listed (%d)", n);
    for (int i = 0; i < n; i++)
        virDomainFree(list[i]);
    free(list);
    CHECK(!virDomainCreateXML(c, "<domain type='qemu'><name>x</name", 0), "bad XML refused");
    char *xml = qt_xml("vg-dev", NULL, NULL, "<graphics type='rdp'/>");
    CHECK(!virDomainCreateXML(c, xml, 0), "unsupported device refused");
    free(xml);
    xml = qt_xml("vg-noemu", NULL, "/nonexistent/qemu", NULL);
    CHECK(!virDomainCreateXML(c, xml, 0), "missing emulator: start fails");
    free(xml);
    const char *left = qt_leftovers(root);
    CHECK(!*left, "nothing left under the root (%s)", left);
    CHECK(qt_close(c) == 0, "close returns 0");
    if (!qt_fail)
        qt_rm_root(root);
    free((char *)root);
    return qt_done();
}
