/* One slow stop does not hold up the exits of other guests (issue 13, item 10). Guest A's monitor
 * never reaches end of file: this program keeps duplicates of qemu's sockets (pidfd_getfd), so
 * when A's qemu dies its end of the monitor connection stays open. Guest B then dies too. B's exit
 * is seen regardless (shut off, removed, one STOPPED/FAILED event), and so is A's: a stop ends the
 * monitor's reader itself instead of waiting for qemu's end of file.
 *
 * Waits have generous deadlines; only completion and order are checked, never speed. */
#include "qt.h"
#include <sys/syscall.h>

#define DEADLINE_MS 15000

/* Duplicates of every socket qemu holds (its monitor connection among them). */
static int held[16];
static int nheld;

static void hold_sockets(pid_t pid)
{
    int pidfd = (int)syscall(SYS_pidfd_open, pid, 0);
    char dir[64];
    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    struct dirent *e;
    while (pidfd >= 0 && d && (e = readdir(d)) && nheld < 16) {
        char path[512], target[256];
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        ssize_t n = readlink(path, target, sizeof(target) - 1);
        if (n <= 0)
            continue;
        target[n] = 0;
        if (strncmp(target, "socket:", 7) != 0)
            continue;
        int fd = (int)syscall(SYS_pidfd_getfd, pidfd, atoi(e->d_name), 0);
        if (fd >= 0)
            held[nheld++] = fd;
    }
    if (d)
        closedir(d);
    if (pidfd >= 0)
        close(pidfd);
}

static int saw_event(const char *name, int event, int detail)
{
    int seen = 0;
    pthread_mutex_lock(&qt_ev_lock);
    for (int i = 0; i < qt_nevents; i++)
        if (strcmp(qt_events[i].name, name) == 0 && qt_events[i].event == event &&
            qt_events[i].detail == detail)
            seen++;
    pthread_mutex_unlock(&qt_ev_lock);
    return seen;
}

static int wait_event(const char *name, int event, int detail, int ms)
{
    double end = qt_now_ms() + ms;
    while (!saw_event(name, event, detail) && qt_now_ms() < end)
        qt_sleep_ms(10);
    return saw_event(name, event, detail);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    qt_events_init();
    char *root = qt_new_root("exitwatch", 1000, 1000, 1000);
    virConnectPtr c = qt_open(root);
    virDomainPtr a = virDomainCreateXML(c, qt_xml("exitwatch-a", NULL, NULL, NULL), 0);
    virDomainPtr b = virDomainCreateXML(c, qt_xml("exitwatch-b", NULL, NULL, NULL), 0);
    CHECK(a && b, "two guests started");
    if (!a || !b)
        return qt_done();
    pid_t pa = qt_read_pidfile(root, "exitwatch-a"), pb = qt_read_pidfile(root, "exitwatch-b");
    hold_sockets(pa);
    CHECK(nheld >= 2, "holding %d of guest A's qemu sockets (its monitor connection among them)",
          nheld);
    qt_events_settle("exitwatch-b", VIR_DOMAIN_EVENT_STARTED, VIR_DOMAIN_EVENT_STARTED_BOOTED);

    /* A dies first; its monitor gets no end of file. Then B dies. */
    CHECK(kill(pa, SIGKILL) == 0 && qt_wait_gone(pa, DEADLINE_MS), "guest A's qemu killed");
    qt_sleep_ms(300);
    CHECK(kill(pb, SIGKILL) == 0, "guest B's qemu killed");
    CHECK(qt_wait_removed(b, DEADLINE_MS), "guest B's exit seen: transient domain removed");
    if (qt_events_on)
        CHECK(wait_event("exitwatch-b", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FAILED,
                         DEADLINE_MS) == 1,
              "guest B: one STOPPED/FAILED event (%s)", qt_events_of("exitwatch-b", 0));

    /* A's stop finishes too, although its monitor never closed from qemu's side. */
    CHECK(qt_wait_removed(a, DEADLINE_MS), "guest A's exit seen too: transient domain removed");
    if (qt_events_on)
        CHECK(wait_event("exitwatch-a", VIR_DOMAIN_EVENT_STOPPED, VIR_DOMAIN_EVENT_STOPPED_FAILED,
                         DEADLINE_MS) == 1,
              "guest A: one STOPPED/FAILED event (%s)", qt_events_of("exitwatch-a", 0));
    for (int i = 0; i < nheld; i++)
        close(held[i]);
    CHECK(!qt_proc_exists(pb) && !qt_proc_exists(pa), "no qemu left, not even a zombie");
    CHECK(!*qt_leftovers(root), "no runtime files left:%s", qt_leftovers(root));
    virDomainFree(a);
    virDomainFree(b);
    qt_close(c);
    qt_rm_root(root);
    return qt_done();
}
