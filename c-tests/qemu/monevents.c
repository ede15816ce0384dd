/* libvirt-qemu's monitor events on a real guest (issue 18), differential: the same program runs
 * on Debian's libvirt 9.0 and on ours, on the embedded qemu driver (tests/qemu.sh mode
 * monevents) and through a daemon's qemu:///session (tests/remote.sh).
 *
 * The public checks (NULL callback, foreign domain, negative and unknown ids), the driver's
 * (unknown flags; a bad pattern's code), then callbacks for every event, one name exactly, one
 * in any case, a pattern and a pattern in any case, each on its own or the guest's domain, the
 * duplicate refusal; then a suspend, a resume and a reset, with what each callback heard: the
 * event, its data as JSON and whether its timestamp is plausible. Deregistered callbacks hear
 * nothing more. Nothing that differs from run to run (times, pids) is printed.
 *
 * usage: monevents URI */
#include "qt.h"
#include <libvirt/libvirt-qemu.h>

static void result(const char *what, int r)
{
    printf("%s: %d", what, r);
    if (r < 0)
        printf(" (code %d domain %d: %s)", qt_err_code(), qt_err_domain(), qt_err_msg());
    printf("\n");
    virResetLastError();
}

static void on_monitor(virConnectPtr c, virDomainPtr d, const char *event, long long seconds,
                       unsigned int micros, const char *details, void *opaque)
{
    (void)c;
    /* SeaBIOS resets a guest with nothing to boot now and then: how many land in a moment is
     * timing, not the library. */
    if (details && strstr(details, "guest-reset"))
        return;
    int plausible = seconds > 1700000000 && micros < 1000000;
    qt_note("%s %s(%s) %s %s%s", (const char *)opaque, event, virDomainGetName(d),
            details ? details : "(no details)", plausible ? "" : "implausible time ",
            virDomainGetID(d) > 0 ? "running" : "no id");
}

/* Distinct functions: a callback function registers once per domain filter. */
static void on_monitor_b(virConnectPtr c, virDomainPtr d, const char *event, long long seconds,
                         unsigned int micros, const char *details, void *opaque)
{
    on_monitor(c, d, event, seconds, micros, details, opaque);
}

static void on_monitor_c(virConnectPtr c, virDomainPtr d, const char *event, long long seconds,
                         unsigned int micros, const char *details, void *opaque)
{
    on_monitor(c, d, event, seconds, micros, details, opaque);
}

static int freed;
static void on_free(void *opaque)
{
    (void)opaque;
    freed++;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: %s URI\n", argv[0]);
        return 2;
    }
    qt_subreaper();
    qt_start_reaper();
    if (qt_start_default_loop() < 0)
        return 1;
    virConnectPtr c = virConnectOpen(argv[1]);
    if (!c) {
        show_error("open");
        return 1;
    }
    virConnectPtr other = virConnectOpen("test:///default");
    virDomainPtr foreign = virDomainLookupByName(other, "test");

    result("register NULL callback",
           virConnectDomainQemuMonitorEventRegister(c, NULL, NULL, NULL, NULL, NULL, 0));
    result("register foreign domain",
           virConnectDomainQemuMonitorEventRegister(c, foreign, NULL, on_monitor, "x", NULL, 0));
    result("register unknown flag",
           virConnectDomainQemuMonitorEventRegister(c, NULL, "STOP", on_monitor, "x", NULL, 4));
    int bad = virConnectDomainQemuMonitorEventRegister(c, NULL, "(", on_monitor, "x", NULL,
                                                       VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX);
    /* The message is GLib's regex compiler's own. */
    printf("register bad pattern: %d (code %d)\n", bad, qt_err_code());
    virResetLastError();
    result("deregister -1", virConnectDomainQemuMonitorEventDeregister(c, -1));
    result("deregister 99", virConnectDomainQemuMonitorEventDeregister(c, 99));
    result("register on test:///default",
           virConnectDomainQemuMonitorEventRegister(other, NULL, NULL, on_monitor, "x", NULL, 0));
    virDomainFree(foreign);
    virConnectClose(other);

    char *xml = qt_xml("monev", "cafe0000-1111-2222-3333-444455556666", NULL, NULL);
    virDomainPtr d = virDomainCreateXML(c, xml, 0);
    free(xml);
    if (!d) {
        show_error("create");
        return 1;
    }
    int all = virConnectDomainQemuMonitorEventRegister(c, NULL, NULL, on_monitor, "all", on_free, 0);
    int stop = virConnectDomainQemuMonitorEventRegister(c, d, "STOP", on_monitor, "stop", on_free, 0);
    int resume = virConnectDomainQemuMonitorEventRegister(c, NULL, "resume", on_monitor_b, "resume-nocase",
                                                          on_free, VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_NOCASE);
    int pattern = virConnectDomainQemuMonitorEventRegister(c, d, "^RES", on_monitor_b, "pattern", on_free,
                                                           VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX);
    int nocase = virConnectDomainQemuMonitorEventRegister(c, NULL, "^st|set$", on_monitor_c, "pattern-nocase", on_free,
                                                          VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_REGEX |
                                                              VIR_CONNECT_DOMAIN_QEMU_MONITOR_EVENT_REGISTER_NOCASE);
    printf("ids: all=%d stop=%d resume=%d pattern=%d nocase=%d\n", all, stop, resume, pattern, nocase);
    result("register the same function and domain again",
           virConnectDomainQemuMonitorEventRegister(c, NULL, "RESET", on_monitor, "dup", NULL, 0));

    result("suspend", virDomainSuspend(d));
    qt_log_until("stop STOP", 5000, 300);
    result("resume", virDomainResume(d));
    qt_log_until("resume-nocase RESUME", 5000, 300);
    result("reset", virDomainReset(d, 0));
    qt_log_until("all RESET", 5000, 300);

    result("deregister all", virConnectDomainQemuMonitorEventDeregister(c, all));
    result("deregister stop", virConnectDomainQemuMonitorEventDeregister(c, stop));
    result("deregister stop again", virConnectDomainQemuMonitorEventDeregister(c, stop));
    printf("freed: %d\n", freed);
    result("suspend", virDomainSuspend(d));
    result("resume", virDomainResume(d));
    qt_log_until("pattern RESUME", 5000, 300);
    result("deregister resume", virConnectDomainQemuMonitorEventDeregister(c, resume));
    result("deregister pattern", virConnectDomainQemuMonitorEventDeregister(c, pattern));
    result("deregister nocase", virConnectDomainQemuMonitorEventDeregister(c, nocase));
    printf("freed: %d\n", freed);
    result("destroy", virDomainDestroy(d));
    virDomainFree(d);
    printf("close: %d\n", virConnectClose(c));
    return 0;
}
