/* What the driver refuses, and starts that fail (spec section 3): malformed XML, devices it cannot
 * create (refused by name, never dropped), a missing emulator, an emulator that exits at once
 * (the error carries the tail of its output), a root that cannot be written, bad URIs. After each:
 * nothing running, no runtime file, no domain left behind. */
#define _GNU_SOURCE
#include "qt.h"
#include <sched.h>
#include <sys/mount.h>

static const char *root;
static virConnectPtr conn;

static void nothing_left(const char *what)
{
    char kids[256];
    CHECK(qt_children(kids, sizeof(kids)) == 0, "%s: no process left running (%s)", what, kids);
    const char *left = qt_leftovers(root);
    CHECK(!*left, "%s: no runtime file left (%s)", what, left);
    CHECK(virConnectNumOfDomains(conn) == 0, "%s: no active domain", what);
}

static void refused(const char *what, const char *xml, int code, const char *needle)
{
    virDomainPtr d = virDomainCreateXML(conn, xml, 0);
    CHECK(!d, "%s: virDomainCreateXML refuses", what);
    CHECK(qt_err_code() == code, "%s: create: code %d (got %d: %s)", what, code, qt_err_code(),
          qt_err_msg());
    if (needle)
        CHECK(strstr(qt_err_msg(), needle) != NULL, "%s: create: the message names '%s' (%s)", what,
              needle, qt_err_msg());
    if (d)
        virDomainDestroy(d);
    d = virDomainDefineXML(conn, xml);
    CHECK(!d, "%s: virDomainDefineXML refuses", what);
    CHECK(qt_err_code() == code, "%s: define: code %d (got %d)", what, code, qt_err_code());
    if (d) {
        virDomainUndefine(d);
        virDomainFree(d);
    }
    CHECK(virConnectNumOfDefinedDomains(conn) == 0, "%s: nothing defined", what);
    nothing_left(what);
}

/* A start that fails: an error containing `needle`, nothing left (transient gone; a persistent
 * one stays defined, shut off). */
static void start_fails(const char *what, const char *name, const char *emulator,
                        const char *needle)
{
    char *xml = qt_xml(name, NULL, emulator, NULL);
    double t0 = qt_now_ms();
    virDomainPtr d = virDomainCreateXML(conn, xml, 0);
    double ms = qt_now_ms() - t0;
    CHECK(!d && qt_err_code() != 0, "%s: transient start fails (code %d, %.0f ms): %s", what,
          qt_err_code(), ms, qt_err_msg());
    CHECK(strstr(qt_err_msg(), needle) != NULL, "%s: the error includes '%s'", what, needle);
    if (d) {
        virDomainDestroy(d);
        virDomainFree(d);
    }
    virDomainPtr gone = virDomainLookupByName(conn, name);
    CHECK(!gone, "%s: no transient domain left", what);
    if (gone)
        virDomainFree(gone);
    nothing_left(what);

    d = virDomainDefineXML(conn, xml);
    CHECK(d != NULL, "%s: a persistent definition is accepted", what);
    if (!d)
        return;
    int rc = virDomainCreate(d);
    CHECK(rc == -1 && strstr(qt_err_msg(), needle), "%s: persistent start fails naming '%s' (%s)",
          what, needle, qt_err_msg());
    int s, r;
    qt_state(d, &s, &r);
    CHECK(s == VIR_DOMAIN_SHUTOFF && virDomainIsActive(d) == 0,
          "%s: the persistent domain stays shut off (%d/%d)", what, s, r);
    CHECK(virDomainGetID(d) == (unsigned int)-1, "%s: id -1", what);
    nothing_left(what);
    /* A second attempt fails the same way (nothing half-started in between). */
    rc = virDomainCreate(d);
    CHECK(rc == -1 && strstr(qt_err_msg(), needle), "%s: again: fails the same (%s)", what,
          qt_err_msg());
    nothing_left(what);
    virDomainUndefine(d);
    virDomainFree(d);
}

static void bad_root(const char *what, const char *path, const char *needle)
{
    char *u = qt_uri(path);
    virConnectPtr c = virConnectOpen(u);
    CHECK(!c, "%s: virConnectOpen(%s) fails", what, u);
    CHECK(qt_err_code() != 0 && (!needle || strstr(qt_err_msg(), needle)),
          "%s: a clean error%s%s (code %d, domain %d: %s)", what, needle ? " naming " : "",
          needle ? needle : "", qt_err_code(), qt_err_domain(), qt_err_msg());
    if (c)
        virConnectClose(c);
    free(u);
}

/* A read-only root, by a read-only bind mount in a private mount namespace (so nothing outlives
 * this process). Returns 0 when mounts are not possible here. */
static int make_readonly(const char *dir)
{
    static int private_ns;
    if (!private_ns) {
        if (unshare(CLONE_NEWNS) < 0 || mount("none", "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0)
            return 0;
        private_ns = 1;
    }
    if (mount(dir, dir, NULL, MS_BIND, NULL) < 0)
        return 0;
    if (mount(NULL, dir, NULL, MS_REMOUNT | MS_BIND | MS_RDONLY, NULL) < 0)
        return 0;
    return 1;
}

static void readonly_roots(void)
{
    /* An empty read-only root: the open cannot create its directories. */
    char *empty = qt_new_root("ro-empty", 500, 500, 500);
    if (!make_readonly(empty)) {
        printf("NOTE errors: read-only bind mounts are not possible here: read-only roots skipped\n");
        return;
    }
    bad_root("read-only empty root", empty, empty);

    /* A read-only root whose directories exist: the open works, a start fails cleanly. */
    char *full = qt_new_root("ro-full", 500, 500, 500);
    const char *dirs[] = {"run", "run/qemu", "log", "log/qemu", "lib", "lib/qemu", "etc/qemu",
                          "cache", NULL};
    char p[4200];
    for (int i = 0; dirs[i]; i++) {
        snprintf(p, sizeof(p), "%s/%s", full, dirs[i]);
        mkdir(p, 0755);
    }
    if (!make_readonly(full))
        return;
    char *u = qt_uri(full);
    virConnectPtr c = virConnectOpen(u);
    if (!c) {
        CHECK(qt_err_code() != 0, "read-only prepared root: open fails cleanly (%s)", qt_err_msg());
        return;
    }
    CHECK(1, "read-only prepared root: opens");
    virDomainPtr d = virDomainCreateXML(c, qt_xml("ro-guest", NULL, NULL, NULL), 0);
    CHECK(!d && qt_err_code() != 0, "read-only prepared root: start fails cleanly (code %d: %s)",
          qt_err_code(), qt_err_msg());
    if (d) {
        virDomainDestroy(d);
        virDomainFree(d);
    }
    char kids[256];
    CHECK(qt_children(kids, sizeof(kids)) == 0, "read-only prepared root: nothing running (%s)",
          kids);
    CHECK(virConnectNumOfDomains(c) == 0 && virConnectNumOfDefinedDomains(c) == 0,
          "read-only prepared root: no domain left");
    virConnectClose(c);
    free(u);
    umount2(full, MNT_DETACH);
    umount2(empty, MNT_DETACH);
    qt_rm_root(full);
    qt_rm_root(empty);
}

int main(void)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    qt_subreaper();
    root = qt_new_root("errors", 500, 500, 1000);
    conn = qt_open(root);

    /* Not well-formed: VIR_ERR_XML_DETAIL (35), domain 20, with the line. */
    virDomainPtr d = virDomainCreateXML(conn, "<domain type='qemu'><name>x</name", 0);
    CHECK(!d && qt_err_code() == VIR_ERR_XML_DETAIL && qt_err_domain() == VIR_FROM_DOMAIN,
          "malformed XML: create: code 35, domain 20 (got %d, %d)", qt_err_code(), qt_err_domain());
    CHECK(strstr(qt_err_msg(), ":1:") != NULL, "malformed XML: the message has the line (%s)",
          qt_err_msg());
    d = virDomainDefineXML(conn, "<domain type='qemu'>\n<name>x</name>\n<memory>");
    CHECK(!d && qt_err_code() == VIR_ERR_XML_DETAIL && qt_err_domain() == VIR_FROM_DOMAIN,
          "malformed XML: define: code 35, domain 20 (got %d, %d)", qt_err_code(), qt_err_domain());
    nothing_left("malformed XML");

    /* Devices we cannot create: refused by name, never dropped. */
    /* A network interface: defined, but no start without a network daemon (as the reference's
     * embedded driver: code 38 from the RPC layer, naming virtnetworkd's socket). */
    char *xml = qt_xml("dev-net", NULL, NULL, "<interface type='network'><source network='default'/></interface>");
    virDomainPtr nd = virDomainCreateXML(conn, xml, 0);
    CHECK(!nd && qt_err_code() == VIR_ERR_SYSTEM_ERROR && qt_err_domain() == VIR_FROM_RPC &&
              strstr(qt_err_msg(), "virtnetworkd-sock"),
          "interface type='network': create fails as the reference's (%d, %d: %s)", qt_err_code(),
          qt_err_domain(), qt_err_msg());
    if (nd)
        virDomainDestroy(nd);
    nd = virDomainDefineXML(conn, xml);
    CHECK(nd != NULL, "interface type='network': defined");
    if (nd) {
        CHECK(virDomainCreate(nd) < 0 && qt_err_code() == VIR_ERR_SYSTEM_ERROR,
              "interface type='network': the defined domain does not start (%s)", qt_err_msg());
        virDomainUndefine(nd);
        virDomainFree(nd);
    }
    nothing_left("interface type='network'");
    xml = qt_xml("dev-hostdev", NULL, NULL,
                 "<hostdev mode='subsystem' type='pci'><source><address domain='0' bus='0' "
                 "slot='31' function='0'/></source></hostdev>");
    refused("hostdev", xml, VIR_ERR_CONFIG_UNSUPPORTED, "hostdev");
    xml = qt_xml("dev-netdisk", NULL, NULL,
                 "<disk type='network' device='disk'><source protocol='nbd' name='x'><host "
                 "name='localhost'/></source><target dev='vda'/></disk>");
    refused("disk type='network'", xml, VIR_ERR_CONFIG_UNSUPPORTED, "disk");
    xml = qt_xml("dev-rdp", NULL, NULL, "<graphics type='rdp'/>");
    refused("graphics type='rdp'", xml, VIR_ERR_CONFIG_UNSUPPORTED, "graphics");
    xml = qt_xml("dev-serial", NULL, NULL, "<serial type='udp'/>");
    refused("serial type='udp'", xml, VIR_ERR_CONFIG_UNSUPPORTED, "serial");

    /* A missing emulator: an error naming it. */
    start_fails("missing emulator", "no-emu", "/nonexistent/qemu", "/nonexistent/qemu");

    /* An emulator that exits at once, silently. */
    start_fails("emulator /bin/false", "false-emu", "/bin/false", "exited");

    /* An emulator that explains why it exits: the error carries the tail of its output. */
    char script[4200];
    snprintf(script, sizeof(script), "%s/fake-qemu.sh", root);
    FILE *f = fopen(script, "w");
    fprintf(f, "#!/bin/sh\necho 'fake-qemu: first line' >&2\necho 'fake-qemu: cannot "
               "initialise the machine' >&2\nexit 1\n");
    fclose(f);
    chmod(script, 0755);
    start_fails("emulator that exits with a message", "fake-emu", script,
                "fake-qemu: cannot initialise the machine");

    /* Bad roots and URIs. */
    bad_root("root under a regular file", "/etc/hostname/oxvirt-root", "/etc/hostname/oxvirt-root");
    bad_root("root in /proc", "/proc/self/oxvirt-root", NULL);
    virConnectPtr c = virConnectOpen("qemu:///embed");
    CHECK(!c && qt_err_code() == VIR_ERR_INVALID_ARG && strstr(qt_err_msg(), "root"),
          "qemu:///embed without root: refused, code 8 (%s)", qt_err_msg());
    c = virConnectOpen("qemu:///embed?root=relative/path");
    CHECK(!c && qt_err_code() != 0 && strstr(qt_err_msg(), "absolute"),
          "qemu:///embed with a relative root: refused (%s)", qt_err_msg());
    c = virConnectOpen("qemu:///embed?root=");
    CHECK(!c && qt_err_code() != 0, "qemu:///embed with an empty root: refused (%s)", qt_err_msg());

    readonly_roots();

    nothing_left("at the end");
    CHECK(qt_close(conn) == 0, "close returns 0");
    if (!qt_fail)
        qt_rm_root(root);
    return qt_done();
}
