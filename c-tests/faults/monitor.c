/* Faults on the monitor (issue 8, "the monitor socket closed by qemu"). The embedded driver's
 * monitor connection is a socket of this very process, so the test can reach it: it is found
 * among our own descriptors by getpeername() naming the guest's monitor.sock.
 *
 *  quit     QMP `quit` written on the driver's own monitor connection: qemu closes the monitor
 *           and exits by itself. The guest is reported shut off (persistent) or removed
 *           (transient) with exactly one STOPPED event; nothing is left (process, zombie, file).
 *           The reference (libvirt 9.0, quit sent with virDomainQemuMonitorCommand) reports
 *           SHUTDOWN/HOST then STOPPED/SHUTDOWN (6/2 5/0) and state 5/1.
 *  poweroff the guest powers itself off (a boot sector doing the ACPI S5 write): qemu says
 *           SHUTDOWN (guest) and exits by itself: SHUTDOWN/GUEST (6/1), one STOPPED/SHUTDOWN
 *           (5/0), shut off with reason shutdown (5/1), as the reference reports a guest
 *           shutdown.
 *  drop     our end of the monitor connection is shut down (both ways) while qemu keeps
 *           running: monitor calls fail at once with an error instead of hanging, the guest
 *           stays running and destroy still kills it through its pidfd: 0, one STOPPED/DESTROYED,
 *           nothing left.
 * A second QMP client cannot be used to close the monitor: qemu serves one client at a time,
 * and a second connection waits in the backlog until the first one ends.
 * usage: monitor (QT_BASE set by tests/faults.sh) */
#include "../qemu/qt.h"
#include "faults.h"
#include <sys/socket.h>
#include <sys/un.h>

static const char *root;
static virConnectPtr conn;


/* Our descriptors connected to the guest's monitor socket (the driver holds a reader and a
 * writer copy of one connection). Returns how many, the first in *fd. */
static int monitor_fds(virDomainPtr d, int *fd)
{
    char want[4200];
    snprintf(want, sizeof(want), "%s/lib/qemu/domain-%d-%s/monitor.sock", root,
             (int)virDomainGetID(d), virDomainGetName(d));
    int n = 0;
    *fd = -1;
    DIR *dir = opendir("/proc/self/fd");
    struct dirent *e;
    while (dir && (e = readdir(dir))) {
        int f = atoi(e->d_name);
        if (e->d_name[0] == '.' || f == dirfd(dir))
            continue;
        struct sockaddr_un a;
        socklen_t len = sizeof(a);
        memset(&a, 0, sizeof(a));
        if (getpeername(f, (struct sockaddr *)&a, &len) == 0 && a.sun_family == AF_UNIX &&
            strcmp(a.sun_path, want) == 0) {
            if (*fd < 0)
                *fd = f;
            n++;
        }
    }
    if (dir)
        closedir(dir);
    return n;
}

/* Start `name` from `xml` (freed here), transient or defined then started. */
static virDomainPtr start_xml(const char *name, int persistent, char *xml)
{
    virDomainPtr d;
    if (persistent) {
        d = virDomainDefineXML(conn, xml);
        if (d && virDomainCreate(d) < 0) {
            virDomainUndefine(d);
            virDomainFree(d);
            d = NULL;
        }
    } else {
        d = virDomainCreateXML(conn, xml, 0);
    }
    free(xml);
    CHECK(d != NULL, "%s: started (%s)", name, d ? "ok" : qt_err_msg());
    return d;
}

static virDomainPtr start(const char *name, int persistent, const char *extra)
{
    return start_xml(name, persistent, qt_xml(name, NULL, NULL, extra));
}

static void nothing_left(const char *what, pid_t pid)
{
    char kids[256];
    CHECK(qt_wait_gone(pid, 5000), "%s: qemu %d gone, not even a zombie", what, pid);
    CHECK(qt_children(kids, sizeof(kids)) == 0, "%s: no child process left (%s)", what, kids);
    const char *left = qt_leftovers(root);
    CHECK(!*left, "%s: no runtime file left (%s)", what, left);
}

static int count_stopped(const char *events)
{
    int n = 0;
    for (const char *p = events; (p = strstr(p, "5/")); p += 2)
        if (p == events || p[-1] == ' ')
            n++;
    return n;
}

static void quit(int persistent)
{
    const char *name = persistent ? "quit-p" : "quit-t";
    virDomainPtr d = start(name, persistent, NULL);
    if (!d)
        return;
    pid_t pid = qt_read_pidfile(root, name);
    qt_events_settle(name, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    int fd;
    int n = monitor_fds(d, &fd);
    CHECK(n >= 1, "%s: the driver's monitor connection found among our descriptors (%d)", name, n);
    if (n < 1) {
        virDomainDestroy(d);
        virDomainFree(d);
        return;
    }
    const char *cmd = "{\"execute\": \"quit\"}\n";
    CHECK(write(fd, cmd, strlen(cmd)) == (ssize_t)strlen(cmd), "%s: QMP quit written", name);
    CHECK(qt_wait_gone(pid, 10000), "%s: qemu %d exited by itself", name, pid);
    int s = -1, r = -1;
    if (persistent) {
        CHECK(qt_wait_shutoff(d, 10000), "%s: shut off", name);
        qt_state(d, &s, &r);
        printf("NOTE %s: state after qemu quit: %d/%d\n", name, s, r);
        /* The reference (measured with virDomainQemuMonitorCommand(quit)): qemu said SHUTDOWN
         * before it closed the monitor, so the guest is shut off with reason shutdown (5/1). */
        XCHECK(s == VIR_DOMAIN_SHUTOFF && r == VIR_DOMAIN_SHUTOFF_SHUTDOWN,
               "%s: shut off with reason shutdown (5/1) as the reference, got %d/%d", name, s, r);
        CHECK(virDomainIsActive(d) == 0, "%s: inactive", name);
        CHECK(virDomainCreate(d) == 0, "%s: starts again", name);
        pid_t again = qt_read_pidfile(root, name);
        CHECK(virDomainDestroy(d) == 0 && qt_wait_gone(again, 5000), "%s: destroyed again", name);
        virDomainUndefine(d);
    } else {
        CHECK(qt_wait_removed(d, 10000), "%s: transient domain removed", name);
    }
    const char *ev = qt_events_of(name, 300);
    printf("NOTE %s: events after qemu quit: '%s'\n", name, ev);
    if (qt_events_on) {
        /* persistent: the second run adds 2/0 ... 5/1; count the first run's STOPPED only */
        char first[256];
        snprintf(first, sizeof(first), "%s", ev);
        char *again = strstr(first, " 4/0");
        if (again)
            *again = 0;
        CHECK(count_stopped(first) == 1, "%s: exactly one STOPPED event for the quit ('%s')", name,
              first);
        /* The reference: SHUTDOWN/HOST then STOPPED/SHUTDOWN (6/2 5/0). */
        XCHECK(strstr(first, "6/2 5/0") != NULL,
               "%s: SHUTDOWN/HOST then STOPPED/SHUTDOWN (6/2 5/0) as the reference, got '%s'",
               name, first);
    }
    qt_events_clear();
    nothing_left(name, pid);
    virDomainFree(d);
}

/* A boot sector that powers the machine off: ACPI PM1a control (S5, SLP_EN) at 0x604 and 0xb004
 * (where SeaBIOS puts the PIIX4 PM block on qemu's pc machine), then halts. */
static char *poweroff_disk(void)
{
    static char path[4200];
    snprintf(path, sizeof(path), "%s/poweroff.img", root);
    unsigned char sec[512] = {0xFA, 0xBA, 0x04, 0x06, 0xB8, 0x00, 0x20, 0xEF,
                              0xBA, 0x04, 0xB0, 0xEF, 0xF4, 0xEB, 0xFD};
    sec[510] = 0x55;
    sec[511] = 0xAA;
    FILE *f = fopen(path, "w");
    if (!f)
        return NULL;
    fwrite(sec, 1, sizeof(sec), f);
    fclose(f);
    if (truncate(path, 1 << 20) < 0)
        return NULL;
    return path;
}

static void poweroff(int persistent)
{
    const char *name = persistent ? "off-p" : "off-t";
    char *img = poweroff_disk();
    char disk[4400];
    snprintf(disk, sizeof(disk),
             "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
             "<target dev='vda' bus='virtio'/></disk>",
             img ? img : "/nonexistent");
    qt_events_clear();
    /* ACPI on, as libvirt gives it only with <features><acpi/>: without it qemu runs -no-acpi and
     * the firmware sets up no PM block for the boot sector to power off through. */
    char *xml = qt_xml(name, NULL, NULL, disk);
    char *devices = strstr(xml, "<devices>");
    char with_acpi[4600];
    snprintf(with_acpi, sizeof(with_acpi), "%.*s<features><acpi/></features>%s",
             (int)(devices - xml), xml, devices);
    free(xml);
    virDomainPtr d = start_xml(name, persistent, strdup(with_acpi));
    if (!d)
        return;
    pid_t pid = qt_read_pidfile(root, name);
    CHECK(qt_wait_gone(pid, 20000), "%s: the guest powered off, qemu %d exited by itself", name,
          pid);
    int s = -1, r = -1;
    if (persistent) {
        CHECK(qt_wait_shutoff(d, 10000), "%s: shut off", name);
        qt_state(d, &s, &r);
        CHECK(s == VIR_DOMAIN_SHUTOFF && r == VIR_DOMAIN_SHUTOFF_SHUTDOWN,
              "%s: shut off with reason shutdown (5/1), got %d/%d", name, s, r);
        virDomainUndefine(d);
    } else {
        CHECK(qt_wait_removed(d, 10000), "%s: transient domain removed", name);
    }
    if (qt_events_on) {
        const char *ev = qt_events_of(name, 300);
        /* (a persistent one also has DEFINED 0/0 before and UNDEFINED 1/0 after) */
        CHECK(strstr(ev, "4/0 2/0 6/1 5/0") && count_stopped(ev) == 1,
              "%s: events RESUMED, STARTED, SHUTDOWN/GUEST, one STOPPED/SHUTDOWN "
              "(4/0 2/0 6/1 5/0), got '%s'",
              name, ev);
    }
    qt_events_clear();
    nothing_left(name, pid);
    virDomainFree(d);
}

static void drop(void)
{
    const char *name = "drop-t";
    virDomainPtr d = start(name, 0, NULL);
    if (!d)
        return;
    pid_t pid = qt_read_pidfile(root, name);
    qt_events_settle(name, VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);
    int fd;
    int n = monitor_fds(d, &fd);
    CHECK(n >= 1, "%s: the driver's monitor connection found (%d)", name, n);
    if (n >= 1)
        CHECK(shutdown(fd, SHUT_RDWR) == 0, "%s: our end of the monitor shut down", name);
    qt_sleep_ms(300);
    CHECK(qt_proc_state(pid) && qt_proc_state(pid) != 'Z', "%s: qemu %d keeps running", name, pid);
    int s = -1, r = -1;
    qt_state(d, &s, &r);
    printf("NOTE %s: state with the monitor gone: %d/%d\n", name, s, r);
    double t0 = qt_now_ms();
    int rc = virDomainSuspend(d);
    double ms = qt_now_ms() - t0;
    printf("NOTE %s: suspend without a monitor: %d, code %d: %s (%.0f ms)\n", name, rc,
           qt_err_code(), qt_err_msg(), ms);
    CHECK(rc == -1 && qt_err_code() != 0 && ms < 5000,
          "%s: a monitor call fails at once with an error (%d in %.0f ms)", name, qt_err_code(), ms);
    rc = virDomainResume(d);
    CHECK(rc == -1 && qt_err_code() != 0, "%s: resume fails too (code %d)", name, qt_err_code());
    CHECK(virDomainIsActive(d) == 1, "%s: still active (its qemu runs)", name);
    qt_events_clear();
    t0 = qt_now_ms();
    rc = virDomainDestroy(d);
    ms = qt_now_ms() - t0;
    CHECK(rc == 0, "%s: destroy returns 0 (%.0f ms)", name, ms);
    CHECK(qt_is_gone(d), "%s: transient domain removed", name);
    if (qt_events_on) {
        const char *ev = qt_events_of(name, 300);
        CHECK(count_stopped(ev) == 1 && strstr(ev, "5/1"),
              "%s: one STOPPED/DESTROYED event (got '%s')", name, ev);
    }
    nothing_left(name, pid);
    virDomainFree(d);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    qt_subreaper();
    qt_events_init();
    root = qt_new_root("monitor", 1000, 1000, 2000);
    conn = qt_open(root);
    int all = argc < 2;
    for (int i = 1; i <= argc; i++) {
        const char *t = i < argc ? argv[i] : "";
        if (all || !strcmp(t, "quit")) {
            quit(0);
            quit(1);
        }
        if (all || !strcmp(t, "poweroff")) {
            poweroff(0);
            poweroff(1);
        }
        if (all || !strcmp(t, "drop"))
            drop();
        if (all)
            break;
    }
    CHECK(virConnectNumOfDomains(conn) == 0, "no active domain left");
    CHECK(qt_close(conn) == 0, "close returns 0");
    if (!qt_fail)
        qt_rm_root(root);
    return qt_done();
}
