/* The root on a full or read-only filesystem (issue 8, "Faults"). Run inside a private mount
 * namespace (tests/faults.sh starts it under `unshare -m --propagation private`), so that every
 * mount made here disappears with the process.
 *
 *  full      the root is a small tmpfs, filled up after the open: a start fails cleanly with an
 *            error naming the file it could not write, nothing is left running, no domain and
 *            no runtime file remains; a definition cannot be saved either (an error, nothing
 *            defined). Once space is freed, guests start and stop again.
 *  readonly  guests run, then the root is remounted read-only (`mount -o remount,ro`; log/ is a
 *            separate filesystem, as qemu holds its log open for writing and the kernel refuses
 *            to remount a filesystem read-only while a file on it is open for writing): destroy
 *            (flags 0 and GRACEFUL) still kills the guest and returns, a guest killed from
 *            outside is still noticed, a new start fails cleanly; what is reported and what
 *            files remain is recorded (NOTE lines). After the remount read-write, a new open
 *            cleans up the runtime files that could not be removed, and nothing is left.
 * usage: fs [full] [readonly] */
#include "../qemu/qt.h"
#include "faults.h"
#include <sys/mount.h>

static const char *root;
static virConnectPtr conn;


static char *mount_root(const char *tag, const char *opts)
{
    const char *base = getenv("QT_BASE");
    char tmpl[4096];
    snprintf(tmpl, sizeof(tmpl), "%s/%s.XXXXXX", base && *base ? base : "/tmp", tag);
    char *r = mkdtemp(strdup(tmpl));
    if (!r || mount("tmpfs", r, "tmpfs", 0, opts) < 0) {
        printf("NOTE fs: cannot mount a tmpfs on %s (%s): skipped\n", r ? r : tmpl, strerror(errno));
        return NULL;
    }
    qt_write_conf(r, 1000, 1000, 2000);
    return r;
}

static void nothing_running(const char *what)
{
    char kids[256];
    CHECK(qt_children(kids, sizeof(kids)) == 0, "%s: nothing running (%s)", what, kids);
}

/* Fill the filesystem: returns the filler's path. */
static char *fill(const char *dir)
{
    static char path[4200];
    snprintf(path, sizeof(path), "%s/filler", dir);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    char block[4096];
    memset(block, 'x', sizeof(block));
    long n = 0;
    while (fd >= 0 && write(fd, block, sizeof(block)) > 0)
        n++;
    /* the last partial page too */
    while (fd >= 0 && write(fd, block, 1) > 0)
        n++;
    if (fd >= 0)
        close(fd);
    printf("NOTE full: filler of %ld writes; the filesystem is full\n", n);
    return path;
}

static void full(void)
{
    root = mount_root("full", "size=256k");
    if (!root) {
        CHECK(0, "full: tmpfs root mounted");
        return;
    }
    conn = qt_open(root);
    char *filler = fill(root);

    virDomainPtr d = virDomainCreateXML(conn, qt_xml("full-t", NULL, NULL, NULL), 0);
    printf("NOTE full: create on a full root: %s, code %d: %s\n", d ? "succeeded" : "failed",
           qt_err_code(), qt_err_msg());
    XCHECK(!d && qt_err_code() != 0, "full: virDomainCreateXML fails on a full root (%s)",
           d ? "it succeeded" : qt_err_msg());
    XCHECK(!d && strstr(qt_err_msg(), root) != NULL, "full: the error names the file (%s)",
           d ? "no error" : qt_err_msg());
    if (d) {
        pid_t pid = qt_read_pidfile(root, "full-t");
        int status = qt_file_exists(root, "run/qemu/%s.xml", "full-t");
        printf("NOTE full: the guest runs: pid file %s, status file %s\n",
               pid > 0 ? "written" : "missing", status ? "written" : "missing");
        XCHECK(status, "full: a guest that runs has its status file (else a restarted "
                       "application cannot find it: it would be orphaned)");
        CHECK(virDomainDestroy(d) == 0, "full: the guest that started anyway is destroyed");
        virDomainFree(d);
    }
    nothing_running("full: after the failed start");
    CHECK(virConnectNumOfDomains(conn) == 0, "full: no active domain");
    virDomainPtr gone = virDomainLookupByName(conn, "full-t");
    CHECK(!gone, "full: no domain full-t left");
    if (gone)
        virDomainFree(gone);
    char left[8192];
    snprintf(left, sizeof(left), "%s", qt_leftovers(root));
    char *tmp = strstr(left, ".tmp.");
    XCHECK(!tmp, "full: no temporary file of an atomic write left (%s)", left);
    if (tmp) { /* judge the rest without it */
        char *start = tmp;
        while (start > left && start[-1] != ' ')
            start--;
        char *end = strchr(tmp, ' ');
        memmove(start, end ? end + 1 : tmp + strlen(tmp), strlen(end ? end + 1 : "") + 1);
    }
    CHECK(!*left || strspn(left, " ") == strlen(left), "full: no runtime file left (%s)", left);

    d = virDomainDefineXML(conn, qt_xml("full-p", NULL, NULL, NULL));
    printf("NOTE full: define on a full root: %s, code %d: %s\n", d ? "succeeded" : "failed",
           qt_err_code(), qt_err_msg());
    CHECK(!d && qt_err_code() != 0 && strstr(qt_err_msg(), "full-p"),
          "full: virDomainDefineXML fails, naming the domain or its file (%s)", qt_err_msg());
    if (d) {
        virDomainUndefine(d);
        virDomainFree(d);
    }
    CHECK(virConnectNumOfDefinedDomains(conn) == 0, "full: nothing defined");

    /* Space again: everything works. */
    unlink(filler);
    d = virDomainCreateXML(conn, qt_xml("full-t", NULL, NULL, NULL), 0);
    CHECK(d != NULL, "full: with space again, a guest starts (%s)", d ? "ok" : qt_err_msg());
    if (d) {
        pid_t pid = qt_read_pidfile(root, "full-t");
        CHECK(pid > 0 && qt_file_exists(root, "run/qemu/%s.xml", "full-t"),
              "full: its pid and status files are written");
        CHECK(virDomainDestroy(d) == 0 && qt_wait_gone(pid, 5000), "full: and is destroyed");
        virDomainFree(d);
    }
    nothing_running("full: at the end");
    snprintf(left, sizeof(left), "%s", qt_leftovers(root));
    tmp = strstr(left, ".tmp.");
    CHECK(!*left || tmp, "full: nothing left under the root but that temporary file (%s)", left);
    CHECK(qt_close(conn) == 0, "full: close returns 0");
    umount2(root, MNT_DETACH);
    rmdir(root);
}

static virDomainPtr start(const char *name, int persistent)
{
    char *xml = qt_xml(name, NULL, NULL, NULL);
    virDomainPtr d = persistent ? virDomainDefineXML(conn, xml) : virDomainCreateXML(conn, xml, 0);
    if (d && persistent && virDomainCreate(d) < 0) {
        virDomainFree(d);
        d = NULL;
    }
    free(xml);
    CHECK(d != NULL, "%s: started", name);
    return d;
}

static void readonly(void)
{
    root = mount_root("ro", "size=64m");
    if (!root) {
        CHECK(0, "readonly: tmpfs root mounted");
        return;
    }
    /* log/ on its own filesystem (qemu keeps its log open for writing). */
    char logdir[4200];
    snprintf(logdir, sizeof(logdir), "%s/log", root);
    mkdir(logdir, 0755);
    if (mount("tmpfs", logdir, "tmpfs", 0, "size=16m") < 0) {
        CHECK(0, "readonly: log tmpfs mounted (%s)", strerror(errno));
        return;
    }
    conn = qt_open(root);
    virDomainPtr t = start("ro-t", 0), p = start("ro-p", 1), g = start("ro-g", 0),
                 k = start("ro-k", 0);
    if (!t || !p || !g || !k)
        return;
    pid_t pt = qt_read_pidfile(root, "ro-t"), pp = qt_read_pidfile(root, "ro-p");
    pid_t pg = qt_read_pidfile(root, "ro-g"), pk = qt_read_pidfile(root, "ro-k");

    int rc = mount(NULL, root, NULL, MS_REMOUNT | MS_RDONLY, NULL);
    CHECK(rc == 0, "readonly: the root remounted read-only (%s)", rc ? strerror(errno) : "ok");
    if (rc)
        return;

    double t0 = qt_now_ms();
    rc = virDomainDestroy(t);
    double ms = qt_now_ms() - t0;
    printf("NOTE readonly: destroy: %d (code %d: %s) in %.0f ms\n", rc, rc ? qt_err_code() : 0,
           rc ? qt_err_msg() : "", ms);
    CHECK(qt_wait_gone(pt, 5000), "readonly: destroy kills the guest (qemu %d gone, reaped)", pt);
    CHECK(rc == 0 || qt_err_code() != 0, "readonly: destroy returns 0 or a clean error");
    CHECK(qt_is_gone(t), "readonly: the transient domain is removed");

    rc = virDomainDestroyFlags(g, VIR_DOMAIN_DESTROY_GRACEFUL);
    printf("NOTE readonly: GRACEFUL destroy: %d (code %d: %s)\n", rc, rc ? qt_err_code() : 0,
           rc ? qt_err_msg() : "");
    CHECK(qt_wait_gone(pg, 5000), "readonly: GRACEFUL destroy ends the healthy guest (qemu %d)",
          pg);

    rc = virDomainDestroy(p);
    printf("NOTE readonly: destroy of the persistent one: %d (code %d: %s)\n", rc,
           rc ? qt_err_code() : 0, rc ? qt_err_msg() : "");
    CHECK(qt_wait_gone(pp, 5000), "readonly: persistent guest killed (qemu %d gone)", pp);
    int s = -1, r = -1;
    qt_state(p, &s, &r);
    CHECK(s == VIR_DOMAIN_SHUTOFF, "readonly: the persistent domain is shut off (%d/%d)", s, r);

    kill(pk, SIGKILL);
    CHECK(qt_wait_removed(k, 10000), "readonly: a guest killed from outside is noticed (removed)");
    CHECK(qt_wait_gone(pk, 5000), "readonly: and reaped (qemu %d)", pk);

    virDomainPtr n = virDomainCreateXML(conn, qt_xml("ro-new", NULL, NULL, NULL), 0);
    printf("NOTE readonly: create on the read-only root: %s (code %d: %s)\n",
           n ? "succeeded" : "failed", qt_err_code(), qt_err_msg());
    CHECK(!n && qt_err_code() != 0, "readonly: a new start fails cleanly (%s)", qt_err_msg());
    if (n) {
        virDomainDestroy(n);
        virDomainFree(n);
    }
    nothing_running("readonly: after the read-only period");
    const char *left = qt_leftovers(root);
    printf("NOTE readonly: runtime files the read-only root kept: %s\n", *left ? left : "(none)");

    /* Back to read-write: a fresh open cleans what could not be removed. */
    virDomainFree(t);
    virDomainFree(g);
    virDomainFree(k);
    virDomainFree(p);
    CHECK(qt_close(conn) == 0, "readonly: close returns 0");
    rc = mount(NULL, root, NULL, MS_REMOUNT, NULL);
    CHECK(rc == 0, "readonly: remounted read-write (%s)", rc ? strerror(errno) : "ok");
    conn = qt_open(root);
    CHECK(virConnectNumOfDomains(conn) == 0, "readonly: reopened: no active domain");
    p = virDomainLookupByName(conn, "ro-p");
    s = r = -1;
    if (p)
        qt_state(p, &s, &r);
    CHECK(p && s == VIR_DOMAIN_SHUTOFF, "readonly: reopened: ro-p defined, shut off (%d/%d)", s, r);
    if (p) {
        virDomainUndefine(p);
        virDomainFree(p);
    }
    virDomainPtr stale = virDomainLookupByName(conn, "ro-t");
    CHECK(!stale, "readonly: reopened: no stale ro-t");
    if (stale)
        virDomainFree(stale);
    left = qt_leftovers(root);
    CHECK(!*left, "readonly: reopened: no runtime file left (%s)", left);
    nothing_running("readonly: at the end");
    CHECK(qt_close(conn) == 0, "readonly: close returns 0");
    umount2(logdir, MNT_DETACH);
    umount2(root, MNT_DETACH);
    rmdir(root);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    qt_subreaper();
    int all = argc < 2;
    for (int i = 1; i < argc || (all && i == 1); i++) {
        const char *t = i < argc ? argv[i] : "";
        if (all || !strcmp(t, "full"))
            full();
        if (all || !strcmp(t, "readonly"))
            readonly();
    }
    return qt_done();
}
