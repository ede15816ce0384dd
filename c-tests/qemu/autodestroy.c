/* VIR_DOMAIN_START_AUTODESTROY (spec section 3; the reference refuses it in embed mode, we support
 * it): the guest is destroyed when the connection that started it closes, and only then. */
#include "qt.h"

static const char *root;

static void qt_wait_removed_name(virConnectPtr c, const char *name, int ms)
{
    double end = qt_now_ms() + ms;
    virDomainPtr d;
    while ((d = virDomainLookupByName(c, name)) && qt_now_ms() < end) {
        virDomainFree(d);
        qt_sleep_ms(5);
    }
    if (d)
        virDomainFree(d);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    qt_subreaper();
    qt_events_init();
    root = qt_new_root("autodestroy", 500, 500, 1000);

    /* Two connections to the root: A starts guests, B watches. */
    virConnectPtr a = qt_open(root);
    virConnectPtr b = qt_open(root);
    virDomainPtr t = virDomainCreateXML(a, qt_xml("ad-t", NULL, NULL, NULL),
                                        VIR_DOMAIN_START_AUTODESTROY);
    CHECK(t != NULL, "ad-t: transient started with AUTODESTROY");
    virDomainPtr p = virDomainDefineXML(a, qt_xml("ad-p", NULL, NULL, NULL));
    CHECK(p && virDomainCreateWithFlags(p, VIR_DOMAIN_START_AUTODESTROY) == 0,
          "ad-p: persistent started with AUTODESTROY");
    virDomainPtr keep = virDomainCreateXML(a, qt_xml("ad-keep", NULL, NULL, NULL), 0);
    CHECK(keep != NULL, "ad-keep: started without AUTODESTROY");
    virDomainPtr other = virDomainCreateXML(b, qt_xml("ad-other", NULL, NULL, NULL),
                                            VIR_DOMAIN_START_AUTODESTROY);
    CHECK(other != NULL, "ad-other: started with AUTODESTROY on the other connection");
    pid_t pt = qt_read_pidfile(root, "ad-t"), pp = qt_read_pidfile(root, "ad-p");
    pid_t pk = qt_read_pidfile(root, "ad-keep"), po = qt_read_pidfile(root, "ad-other");
    if (t)
        virDomainFree(t);
    if (p)
        virDomainFree(p);
    if (keep)
        virDomainFree(keep);
    if (other)
        virDomainFree(other);
    qt_events_settle("ad-other", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);

    /* Closed means: once the last reference is gone (close returns 0 unless an event being
     * dispatched still holds one; then the close completes right after). */
    int rc = qt_close(a);
    CHECK(rc >= 0, "connection A closed (%d)", rc);
    CHECK(qt_wait_gone(pt, 10000), "ad-t: its qemu %d is gone with the connection (no zombie)", pt);
    CHECK(qt_wait_gone(pp, 10000), "ad-p: its qemu %d is gone with the connection", pp);
    qt_wait_removed_name(b, "ad-t", 10000);
    virDomainPtr d = virDomainLookupByName(b, "ad-t");
    CHECK(!d && qt_err_code() == VIR_ERR_NO_DOMAIN, "ad-t: transient removed (seen from B)");
    if (d)
        virDomainFree(d);
    d = virDomainLookupByName(b, "ad-p");
    int s = -1, r = -1;
    if (d)
        qt_state(d, &s, &r);
    CHECK(d && s == VIR_DOMAIN_SHUTOFF && r == VIR_DOMAIN_SHUTOFF_DESTROYED,
          "ad-p: persistent shut off, destroyed (5/2), got %d/%d", s, r);
    if (d) {
        virDomainUndefine(d);
        virDomainFree(d);
    }
    if (qt_events_on) {
        CHECK(strstr(qt_events_of("ad-t", 100), "5/1") != NULL, "ad-t: STOPPED/DESTROYED seen by B (%s)",
              qt_events_of("ad-t", 0));
    }
    CHECK(qt_proc_state(pk) && qt_proc_state(pk) != 'Z', "ad-keep: still running (no AUTODESTROY)");
    CHECK(qt_proc_state(po) && qt_proc_state(po) != 'Z',
          "ad-other: still running (B's guest, B still open)");
    d = virDomainLookupByName(b, "ad-keep");
    CHECK(d && virDomainIsActive(d) == 1, "ad-keep: active, seen from B");
    if (d) {
        CHECK(virDomainDestroy(d) == 0, "ad-keep: destroyed by B");
        virDomainFree(d);
    }

    /* B is the last connection: closing it destroys its AUTODESTROY guest too (and the driver
     * goes away afterwards). */
    rc = qt_close(b);
    CHECK(rc >= 0, "connection B closed (%d)", rc);
    CHECK(qt_wait_gone(po, 10000), "ad-other: its qemu %d is gone with the last connection", po);
    const char *left = qt_leftovers(root);
    for (double end = qt_now_ms() + 10000; *left && qt_now_ms() < end; left = qt_leftovers(root))
        qt_sleep_ms(10);
    CHECK(!*left, "nothing left under the root (%s)", left);

    /* A fresh open finds none of them. */
    virConnectPtr c = qt_open(root);
    CHECK(virConnectNumOfDomains(c) == 0, "reopened: no active domain");
    d = virDomainLookupByName(c, "ad-other");
    CHECK(!d, "reopened: ad-other does not exist");
    qt_close(c);

    char kids[256];
    CHECK(qt_children(kids, sizeof(kids)) == 0, "no child process left (%s)", kids);
    if (!qt_fail)
        qt_rm_root(root);
    return qt_done();
}
