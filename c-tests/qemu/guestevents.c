/* qemu's guest events as libvirt's (issue 17), differential: the same program runs on Debian's
 * libvirt 9.0 (its embedded qemu driver) and on ours; tests/qemu-guest-events.sh compares the
 * outputs. A guest with no OS raises nothing, so each guest boots a tiny multiboot kernel
 * (c-tests/qemu/eventkernel.S, given as <os><kernel>) whose command line picks what it does:
 * set the RTC (r), arm an ib700 watchdog and starve it (w), enter ACPI S3 (s), write a sector to
 * a disk on a full filesystem (d), take the size the host asks of its balloon (b), or idle
 * (anything else). Every event is printed with its callback's arguments, in the
 * order delivered; the RTC offset, which depends on the time of day, as its distance from the
 * guest's 2000-01-01 (within a tolerance).
 *
 * usage: guestevents rtc|watchdog|pm|ioerror|save|balloon ROOT KERNEL [DISK] */
#include "qt.h"

/* The guest's clock after the kernel sets it: 2000-01-01 00:00:00 UTC. */
#define GUEST_RTC_EPOCH 946684800LL
/* How far the offset may be from it: the seconds between the write and our reading of the time. */
#define RTC_TOLERANCE_S 30
/* Every wait for an event ends by then. */
#define EVENT_DEADLINE_MS 60000
/* After the awaited event: what the same qemu event raised right after it is delivered too. */
#define SETTLE_MS 500

static int on_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *o)
{
    (void)c, (void)o;
    qt_note("%s lifecycle %d/%d", virDomainGetName(d), event, detail);
    return 0;
}

static void on_reboot(virConnectPtr c, virDomainPtr d, void *o)
{
    (void)c, (void)o;
    qt_note("%s reboot", virDomainGetName(d));
}

static void on_rtc(virConnectPtr c, virDomainPtr d, long long offset, void *o)
{
    (void)c, (void)o;
    long long off_by = offset + (long long)time(NULL) - GUEST_RTC_EPOCH;
    qt_note("%s rtc-change offset is the guest's 2000-01-01: %s", virDomainGetName(d),
         llabs(off_by) <= RTC_TOLERANCE_S ? "yes" : "NO");
}

static void on_watchdog(virConnectPtr c, virDomainPtr d, int action, void *o)
{
    (void)c, (void)o;
    qt_note("%s watchdog action=%d", virDomainGetName(d), action);
}

static void on_io_error(virConnectPtr c, virDomainPtr d, const char *src, const char *alias,
                        int action, void *o)
{
    (void)c, (void)o;
    qt_note("%s io-error src=%s alias=%s action=%d", virDomainGetName(d), src, alias, action);
}

static void on_io_error_reason(virConnectPtr c, virDomainPtr d, const char *src,
                               const char *alias, int action, const char *reason, void *o)
{
    (void)c, (void)o;
    qt_note("%s io-error-reason src=%s alias=%s action=%d reason=%s", virDomainGetName(d), src,
         alias, action, reason);
}

static void on_pm(virConnectPtr c, virDomainPtr d, int reason, void *o)
{
    (void)c;
    qt_note("%s %s reason=%d", virDomainGetName(d), (const char *)o, reason);
}

static void on_balloon(virConnectPtr c, virDomainPtr d, unsigned long long actual, void *o)
{
    (void)c, (void)o;
    qt_note("%s balloon-change actual=%llu", virDomainGetName(d), actual);
}

static void on_block_job(virConnectPtr c, virDomainPtr d, const char *disk, int type, int status,
                         void *o)
{
    (void)c;
    qt_note("%s %s disk=%s type=%d status=%d", virDomainGetName(d), (const char *)o, disk, type,
         status);
}

/* The parameters' names and types; the values of those that do not move between runs. */
static void on_job_completed(virConnectPtr c, virDomainPtr d, virTypedParameterPtr p, int n,
                             void *o)
{
    (void)c, (void)o;
    char out[2048] = "";
    for (int i = 0; i < n; i++) {
        /* Given only when qemu measured a rate, which a short copy may not have. */
        if (strcmp(p[i].field, VIR_DOMAIN_JOB_MEMORY_BPS) == 0)
            continue;
        int steady = strcmp(p[i].field, VIR_DOMAIN_JOB_OPERATION) == 0 ||
                     strcmp(p[i].field, VIR_DOMAIN_JOB_MEMORY_PAGE_SIZE) == 0 ||
                     strcmp(p[i].field, VIR_DOMAIN_JOB_MEMORY_TOTAL) == 0 ||
                     strcmp(p[i].field, VIR_DOMAIN_JOB_DATA_REMAINING) == 0;
        char v[64] = "";
        if (steady && p[i].type == VIR_TYPED_PARAM_INT)
            snprintf(v, sizeof(v), "=%d", p[i].value.i);
        else if (steady && p[i].type == VIR_TYPED_PARAM_ULLONG)
            snprintf(v, sizeof(v), "=%llu", p[i].value.ul);
        if (strlen(out) + strlen(p[i].field) + 80 < sizeof(out))
            sprintf(out + strlen(out), " %s:%d%s", p[i].field, p[i].type, v);
    }
    qt_note("%s job-completed%s", virDomainGetName(d), out);
}

/* The number of iterations depends on how fast the copy went: only that there were some. */
static void on_migration_iteration(virConnectPtr c, virDomainPtr d, int iteration, void *o)
{
    (void)c, (void)o;
    if (iteration == 1)
        qt_note("%s migration-iteration", virDomainGetName(d));
}

static void watch(virConnectPtr c)
{
    struct {
        int id;
        virConnectDomainEventGenericCallback cb;
        const char *tag;
    } all[] = {
        {VIR_DOMAIN_EVENT_ID_LIFECYCLE, VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL},
        {VIR_DOMAIN_EVENT_ID_REBOOT, VIR_DOMAIN_EVENT_CALLBACK(on_reboot), NULL},
        {VIR_DOMAIN_EVENT_ID_RTC_CHANGE, VIR_DOMAIN_EVENT_CALLBACK(on_rtc), NULL},
        {VIR_DOMAIN_EVENT_ID_WATCHDOG, VIR_DOMAIN_EVENT_CALLBACK(on_watchdog), NULL},
        {VIR_DOMAIN_EVENT_ID_IO_ERROR, VIR_DOMAIN_EVENT_CALLBACK(on_io_error), NULL},
        {VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON, VIR_DOMAIN_EVENT_CALLBACK(on_io_error_reason), NULL},
        {VIR_DOMAIN_EVENT_ID_PMSUSPEND, VIR_DOMAIN_EVENT_CALLBACK(on_pm), "pmsuspend"},
        {VIR_DOMAIN_EVENT_ID_PMWAKEUP, VIR_DOMAIN_EVENT_CALLBACK(on_pm), "pmwakeup"},
        {VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK, VIR_DOMAIN_EVENT_CALLBACK(on_pm), "pmsuspend-disk"},
        {VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE, VIR_DOMAIN_EVENT_CALLBACK(on_balloon), NULL},
        {VIR_DOMAIN_EVENT_ID_BLOCK_JOB, VIR_DOMAIN_EVENT_CALLBACK(on_block_job), "block-job"},
        {VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2, VIR_DOMAIN_EVENT_CALLBACK(on_block_job), "block-job-2"},
        {VIR_DOMAIN_EVENT_ID_JOB_COMPLETED, VIR_DOMAIN_EVENT_CALLBACK(on_job_completed), NULL},
        {VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION, VIR_DOMAIN_EVENT_CALLBACK(on_migration_iteration), NULL},
    };
    for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
        if (virConnectDomainEventRegisterAny(c, NULL, all[i].id, all[i].cb, (void *)all[i].tag, NULL) < 0)
            printf("register event %d: failed (code %d)\n", all[i].id, qt_err_code());
}

static void events_until(const char *want)
{
    qt_log_until(want, EVENT_DEADLINE_MS, SETTLE_MS);
}

static void events_now(const char *what)
{
    qt_log_now(what, SETTLE_MS);
}

static void result(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    if (r < 0)
        show_error(what);
    virResetLastError();
}

static void state(const char *what, virDomainPtr d)
{
    int s = -1, r = -1;
    qt_state(d, &s, &r);
    printf("%s: state=%d reason=%d\n", what, s, r);
    virResetLastError();
}

/* A guest booting `kernel` with command line `mode`; `features` and `devices` go in as given. */
static char *kernel_guest(const char *name, const char *kernel, const char *mode,
                          const char *features, const char *devices)
{
    char *x = malloc(8192);
    snprintf(x, 8192,
             "<domain type='qemu'><name>%s</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
             "<os><type arch='x86_64'>hvm</type><kernel>%s</kernel><cmdline>%s</cmdline></os>%s"
             "<devices><emulator>%s</emulator>%s</devices></domain>",
             name, kernel, mode, features, qt_emulator(), devices);
    return x;
}

static virDomainPtr start(virConnectPtr c, const char *name, char *xml)
{
    virDomainPtr d = virDomainCreateXML(c, xml, 0);
    free(xml);
    printf("create %s: %s\n", name, d ? "ok" : "NULL");
    if (!d)
        show_error("create");
    return d;
}

static void stop(virDomainPtr d)
{
    result("destroy", virDomainDestroy(d));
    events_until("lifecycle 5/1");
}

static void rtc(virConnectPtr c, const char *kernel)
{
    virDomainPtr d = start(c, "ge-rtc", kernel_guest("ge-rtc", kernel, "r", "", ""));
    if (!d)
        return;
    events_until("rtc-change");
    state("after the RTC write", d);
    stop(d);
    virDomainFree(d);
}

static void watchdog(virConnectPtr c, const char *kernel)
{
    virDomainPtr d = start(c, "ge-wd", kernel_guest("ge-wd", kernel, "w", "",
                                                    "<watchdog model='ib700' action='pause'/>"));
    if (!d)
        return;
    events_until("lifecycle 3/3");
    state("after the watchdog fired", d);
    result("resume", virDomainResume(d));
    events_until("lifecycle 4/0");
    state("resumed", d);
    stop(d);
    virDomainFree(d);
}

static void pm(virConnectPtr c, const char *kernel)
{
    virDomainPtr d = start(c, "ge-pm", kernel_guest("ge-pm", kernel, "s",
                                                    "<features><acpi/></features>"
                                                    "<pm><suspend-to-mem enabled='yes'/></pm>",
                                                    ""));
    if (!d)
        return;
    events_until("lifecycle 7/0");
    state("suspended by the guest", d);
    result("suspend while pm-suspended", virDomainSuspend(d));
    result("resume while pm-suspended", virDomainResume(d));
    result("wake up, bad flags", virDomainPMWakeup(d, 1));
    result("wake up", virDomainPMWakeup(d, 0));
    /* The BIOS finds no resume vector and resets; the kernel then only idles. */
    events_until("reboot");
    state("woken up", d);
    result("wake up a running guest", virDomainPMWakeup(d, 0));
    stop(d);
    result("wake up a stopped guest", virDomainPMWakeup(d, 0));
    virDomainFree(d);
}

static void ioerror(virConnectPtr c, const char *kernel, const char *disk)
{
    char dev[1024];
    snprintf(dev, sizeof(dev),
             "<disk type='file' device='disk'><driver name='qemu' type='raw' error_policy='stop'/>"
             "<source file='%s'/><target dev='hda' bus='ide'/></disk>",
             disk);
    virDomainPtr d = start(c, "ge-io", kernel_guest("ge-io", kernel, "d", "", dev));
    if (!d)
        return;
    events_until("lifecycle 3/2");
    state("after the write error", d);
    virDomainDiskError errs[2];
    int n = virDomainGetDiskErrors(d, errs, 2, 0);
    result("disk errors", n);
    for (int i = 0; i < n; i++) {
        printf("  %s error=%d\n", errs[i].disk, errs[i].error);
        free(errs[i].disk);
    }
    result("disk count", virDomainGetDiskErrors(d, NULL, 0, 0));
    stop(d);
    virDomainFree(d);
}

/* The live memory figures: what the balloon's size changed. */
static void memory(const char *what, virDomainPtr d)
{
    virDomainInfo info;
    int r = virDomainGetInfo(d, &info);
    char *x = virDomainGetXMLDesc(d, 0);
    char *cur = x ? strstr(x, "<currentMemory") : NULL;
    char *end = cur ? strchr(cur, '\n') : NULL;
    if (end)
        *end = 0;
    printf("%s: info %d memory=%lu max=%lu; %s\n", what, r, info.memory, info.maxMem,
           cur ? cur : "no currentMemory");
    free(x);
    virResetLastError();
}

/* The guest takes each size the host asks of its balloon: qemu raises BALLOON_CHANGE. */
static void balloon(virConnectPtr c, const char *kernel)
{
    virDomainPtr d = start(c, "ge-bl", kernel_guest("ge-bl", kernel, "b", "",
                                                    "<memballoon model='virtio'/>"));
    if (!d)
        return;
    events_until("lifecycle 2/0");
    memory("at start", d);
    result("set memory 32 MiB", virDomainSetMemory(d, 32768));
    events_until("balloon-change");
    memory("after the balloon took 32 MiB", d);
    result("set memory 48 MiB", virDomainSetMemoryFlags(d, 49152, VIR_DOMAIN_AFFECT_LIVE));
    events_until("balloon-change");
    memory("after the balloon took 48 MiB", d);
    stop(d);
    virDomainFree(d);
}

/* A save and a managed save: the job's end is raised as for a migration. */
static void save(virConnectPtr c, const char *kernel, const char *root)
{
    char img[4096];
    snprintf(img, sizeof(img), "%s/ge.img", root);
    virDomainPtr d = virDomainDefineXML(c, kernel_guest("ge-sv", kernel, "i", "", ""));
    printf("define: %s\n", d ? "ok" : "NULL");
    if (!d)
        return;
    result("start", virDomainCreate(d));
    events_until("lifecycle 2/0");
    result("save", virDomainSave(d, img));
    events_until("lifecycle 5/4");
    result("restore", virDomainRestore(c, img));
    events_until("lifecycle 4/2");
    result("managed save", virDomainManagedSave(d, 0));
    events_until("lifecycle 5/4");
    result("start from the managed save", virDomainCreate(d));
    events_until("lifecycle 4/2");
    result("set memory without a balloon driver", virDomainSetMemory(d, 32768));
    events_now("set memory");
    stop(d);
    result("undefine", virDomainUndefineFlags(d, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE));
    virDomainFree(d);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (argc < 4) {
        fprintf(stderr, "usage: %s rtc|watchdog|pm|ioerror|save|balloon ROOT KERNEL [DISK]\n",
                argv[0]);
        return 2;
    }
    const char *mode = argv[1], *root = argv[2], *kernel = argv[3];
    qt_log_once = 1; /* a guest that resets through its BIOS may do so more than once */
    virConnectPtr c = qt_open_watching(root);
    if (!c)
        return 1;
    watch(c);
    if (strcmp(mode, "rtc") == 0)
        rtc(c, kernel);
    else if (strcmp(mode, "watchdog") == 0)
        watchdog(c, kernel);
    else if (strcmp(mode, "pm") == 0)
        pm(c, kernel);
    else if (strcmp(mode, "ioerror") == 0 && argc == 5)
        ioerror(c, kernel, argv[4]);
    else if (strcmp(mode, "save") == 0)
        save(c, kernel, root);
    else if (strcmp(mode, "balloon") == 0)
        balloon(c, kernel);
    else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    /* Events still queued hold the connection: close returns 1 then, on either library. */
    virConnectClose(c);
    return 0;
}
