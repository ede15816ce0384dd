/* The test driver's domain functions beyond the lifecycle (issue 15): autostart, metadata, vcpus
 * and pinning, memory, scheduler, hostname, time, guest-agent style calls, statistics, managed
 * save, save and restore: answers, outputs, errors for bad input and wrong states, on
 * test:///default (running domain "test", and a defined inactive one) and read-only. */
#include "common.h"
#include <unistd.h>

#define SHOW(what, r)                                                                              \
    do {                                                                                           \
        int r_ = (r);                                                                              \
        printf("%s=%d\n", what, r_);                                                               \
        if (r_ < 0)                                                                                \
            show_error(what);                                                                      \
    } while (0)

static void show_str(const char *what, char *s)
{
    printf("%s=%s\n", what, s ? s : "(null)");
    if (!s)
        show_error(what);
    free(s);
}

/* Lifecycle events, printed as the default event loop dispatches them. */
static int on_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    printf("event %s: %d %d\n", virDomainGetName(d), event, detail);
    return 0;
}

static void tick(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

/* Run the event loop until what is queued has been dispatched (a short timer ends each turn). */
static void drain(void)
{
    for (int i = 0; i < 3; i++) {
        virEventAddTimeout(1, tick, NULL, NULL);
        virEventRunDefaultImpl();
    }
}

/* Whether the calls go through a read-only connection. */
static int read_only;

static const char *inactive_xml = "<domain type='test'><name>idle</name>"
                                  "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
                                  "<memory>1048576</memory><currentMemory>524288</currentMemory>"
                                  "<vcpu>4</vcpu><os><type>hvm</type></os></domain>";

static void autostart(virDomainPtr d)
{
    int a = -1;
    SHOW("getautostart", virDomainGetAutostart(d, &a));
    printf("autostart=%d\n", a);
    SHOW("setautostart(5)", virDomainSetAutostart(d, 5));
    SHOW("getautostart", virDomainGetAutostart(d, &a));
    printf("autostart=%d\n", a);
    SHOW("setautostart(0)", virDomainSetAutostart(d, 0));
    SHOW("getautostart(NULL)", virDomainGetAutostart(d, NULL));
}

static void metadata(virDomainPtr d)
{
    show_str("title", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_TITLE, NULL, 0));
    show_str("description", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, 0));
    show_str("element", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "http://x/", 0));
    show_str("element(no uri)", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, NULL, 0));
    show_str("title(uri)", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "http://x/", 0));
    show_str("type 7", virDomainGetMetadata(d, 7, NULL, 0));
    show_str("title(flags 4)", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_TITLE, NULL, 4));
    show_str("title(live|config)", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_TITLE, NULL, 3));
    SHOW("set title", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "T1", NULL, NULL, 0));
    show_str("title", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_TITLE, NULL, 0));
    show_str("title(live)", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_TITLE, NULL, 1));
    show_str("title(config)", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_TITLE, NULL, 2));
    SHOW("set title nl", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "a\nb", NULL, NULL, 0));
    SHOW("set title key", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "t", "k", NULL, 0));
    SHOW("set desc config",
         virDomainSetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, "D1", NULL, NULL, 2));
    show_str("description", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, 0));
    show_str("description(config)",
             virDomainGetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, 2));
    SHOW("set desc empty", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, "", NULL, NULL, 2));
    show_str("description(config)",
             virDomainGetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, 2));
    SHOW("set element", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<foo a='1'>bar<b/></foo>",
                                             "k", "http://x/", 0));
    show_str("element", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "http://x/", 0));
    SHOW("set element 2", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<other/>", "o",
                                               "http://x/", 0));
    show_str("element", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "http://x/", 0));
    SHOW("set element no key", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<a/>", NULL,
                                                    "http://y/", 0));
    SHOW("set element no uri", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<a/>", "k",
                                                    NULL, 0));
    printf("set element bad=%d\n",
           virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<a>", "k", "http://y/", 0));
    show_xml_error("set element bad");
    SHOW("remove element", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL,
                                                "http://x/", 0));
    show_str("element", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "http://x/", 0));
    SHOW("clear title", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, NULL, NULL, NULL, 0));
    show_str("title", virDomainGetMetadata(d, VIR_DOMAIN_METADATA_TITLE, NULL, 0));
    SHOW("set type 9", virDomainSetMetadata(d, 9, "x", NULL, NULL, 0));
    SHOW("set flags 8", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "x", NULL, NULL, 8));
}

static void vcpus(virDomainPtr d)
{
    SHOW("maxvcpus", virDomainGetMaxVcpus(d));
    SHOW("vcpusflags(0)", virDomainGetVcpusFlags(d, 0));
    SHOW("vcpusflags(max)", virDomainGetVcpusFlags(d, VIR_DOMAIN_VCPU_MAXIMUM));
    SHOW("vcpusflags(live)", virDomainGetVcpusFlags(d, VIR_DOMAIN_AFFECT_LIVE));
    SHOW("vcpusflags(config)", virDomainGetVcpusFlags(d, VIR_DOMAIN_AFFECT_CONFIG));
    /* Ours lets the driver refuse the guest flag on a read-only connection (the reference's
     * public layer refuses it first): asked on writable connections only. */
    if (!read_only)
        SHOW("vcpusflags(guest)", virDomainGetVcpusFlags(d, VIR_DOMAIN_VCPU_GUEST));
    SHOW("setvcpus(1)", virDomainSetVcpus(d, 1));
    SHOW("vcpusflags(0)", virDomainGetVcpusFlags(d, 0));
    SHOW("vcpusflags(config)", virDomainGetVcpusFlags(d, VIR_DOMAIN_AFFECT_CONFIG));
    SHOW("setvcpus(0)", virDomainSetVcpus(d, 0));
    SHOW("setvcpus(33)", virDomainSetVcpus(d, 33));
    SHOW("setvcpus(3)", virDomainSetVcpus(d, 3));
    SHOW("setvcpusflags(3,config|max)",
         virDomainSetVcpusFlags(d, 3, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM));
    SHOW("setvcpusflags(3,live|max)",
         virDomainSetVcpusFlags(d, 3, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_VCPU_MAXIMUM));
    SHOW("setvcpusflags(3,config)", virDomainSetVcpusFlags(d, 3, VIR_DOMAIN_AFFECT_CONFIG));
    SHOW("vcpusflags(config|max)",
         virDomainGetVcpusFlags(d, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM));
    SHOW("vcpusflags(config)", virDomainGetVcpusFlags(d, VIR_DOMAIN_AFFECT_CONFIG));
    SHOW("setvcpusflags(2,guest)", virDomainSetVcpusFlags(d, 2, VIR_DOMAIN_VCPU_GUEST));
    SHOW("setvcpusflags(2,64)", virDomainSetVcpusFlags(d, 2, 64));

    virVcpuInfo info[4];
    unsigned char maps[4 * 3];
    memset(info, 0xff, sizeof info);
    memset(maps, 0xee, sizeof maps);
    int r = virDomainGetVcpus(d, info, 4, maps, 3);
    printf("getvcpus=%d", r);
    for (int i = 0; i < r; i++)
        printf(" [%u %d %d %02x%02x%02x]", info[i].number, info[i].state, info[i].cpu, maps[i * 3],
               maps[i * 3 + 1], maps[i * 3 + 2]);
    putchar('\n');
    if (r < 0)
        show_error("getvcpus");
    SHOW("getvcpus(no maps)", virDomainGetVcpus(d, info, 1, NULL, 0));
    SHOW("getvcpus(maxinfo 0)", virDomainGetVcpus(d, info, 0, NULL, 0));
    /* Ours checks the map length after the driver (an inactive domain's error comes first). */
    if (virDomainIsActive(d) == 1)
        SHOW("getvcpus(maplen 0)", virDomainGetVcpus(d, info, 1, maps, 0));
    SHOW("getvcpus(NULL info)", virDomainGetVcpus(d, NULL, 1, NULL, 0));

    unsigned char m = 0x06;
    SHOW("pinvcpu(0)", virDomainPinVcpu(d, 0, &m, 1));
    SHOW("pinvcpu(7)", virDomainPinVcpu(d, 7, &m, 1));
    SHOW("pinvcpu(NULL)", virDomainPinVcpu(d, 0, NULL, 1));
    SHOW("pinvcpu(maplen 0)", virDomainPinVcpu(d, 0, &m, 0));
    SHOW("pinvcpuflags(flags 1)", virDomainPinVcpuFlags(d, 0, &m, 1, 1));
    memset(maps, 0xee, sizeof maps);
    r = virDomainGetVcpus(d, info, 4, maps, 3);
    printf("getvcpus=%d", r);
    for (int i = 0; i < r; i++)
        printf(" [%u %d %d %02x%02x%02x]", info[i].number, info[i].state, info[i].cpu, maps[i * 3],
               maps[i * 3 + 1], maps[i * 3 + 2]);
    putchar('\n');
    memset(maps, 0xee, sizeof maps);
    r = virDomainGetVcpuPinInfo(d, 4, maps, 3, 0);
    printf("vcpupininfo=%d", r);
    for (int i = 0; i < r; i++)
        printf(" %02x%02x%02x", maps[i * 3], maps[i * 3 + 1], maps[i * 3 + 2]);
    putchar('\n');
    if (r < 0)
        show_error("vcpupininfo");
    r = virDomainGetVcpuPinInfo(d, 4, maps, 3, VIR_DOMAIN_AFFECT_CONFIG);
    printf("vcpupininfo(config)=%d", r);
    for (int i = 0; i < r; i++)
        printf(" %02x%02x%02x", maps[i * 3], maps[i * 3 + 1], maps[i * 3 + 2]);
    putchar('\n');
    if (r < 0)
        show_error("vcpupininfo");
    SHOW("vcpupininfo(NULL)", virDomainGetVcpuPinInfo(d, 4, NULL, 3, 0));
    SHOW("vcpupininfo(0 maps)", virDomainGetVcpuPinInfo(d, 0, maps, 3, 0));

    unsigned char em[2] = {0xee, 0xee};
    r = virDomainGetEmulatorPinInfo(d, em, 2, 0);
    printf("emulatorpininfo=%d %02x%02x\n", r, em[0], em[1]);
    if (r < 0)
        show_error("emulatorpininfo");
    unsigned char zero = 0;
    SHOW("pinemulator(empty)", virDomainPinEmulator(d, &zero, 1, 0));
    m = 0x09;
    SHOW("pinemulator", virDomainPinEmulator(d, &m, 1, 0));
    SHOW("pinemulator(flags 4)", virDomainPinEmulator(d, &m, 1, 4));
    em[0] = em[1] = 0xee;
    r = virDomainGetEmulatorPinInfo(d, em, 2, 0);
    printf("emulatorpininfo=%d %02x%02x\n", r, em[0], em[1]);
    if (r < 0)
        show_error("emulatorpininfo");
}

static void info(virDomainPtr d, const char *what)
{
    virDomainInfo i;
    if (virDomainGetInfo(d, &i) == 0)
        printf("%s: state=%d max=%lu mem=%lu vcpus=%d\n", what, i.state, i.maxMem, i.memory,
               i.nrVirtCpu);
    else
        show_error(what);
}

static void memory(virDomainPtr d)
{
    info(d, "info");
    SHOW("setmemory(1G)", virDomainSetMemory(d, 1048576));
    info(d, "info");
    SHOW("setmemory(too much)", virDomainSetMemory(d, 99999999));
    SHOW("setmemory(0)", virDomainSetMemory(d, 0));
    SHOW("setmaxmemory", virDomainSetMaxMemory(d, 4194304));
    SHOW("setmaxmemory(0)", virDomainSetMaxMemory(d, 0));
    SHOW("setmemoryflags(config)", virDomainSetMemoryFlags(d, 524288, VIR_DOMAIN_AFFECT_CONFIG));
    SHOW("setmemoryflags(config|max)",
         virDomainSetMemoryFlags(d, 4194304, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_MEM_MAXIMUM));
    SHOW("setmemoryflags(flags 8)", virDomainSetMemoryFlags(d, 1, 8));
    info(d, "info");
    printf("maxmemory=%lu\n", virDomainGetMaxMemory(d));
}

static void scheduler(virDomainPtr d)
{
    int n = -1;
    char *s = virDomainGetSchedulerType(d, &n);
    printf("schedtype=%s n=%d\n", s ? s : "(null)", n);
    free(s);
    virTypedParameter p[2];
    memset(p, 0, sizeof p);
    n = 2;
    int r = virDomainGetSchedulerParameters(d, p, &n);
    printf("schedparams=%d n=%d %s type=%d ui=%u\n", r, n, p[0].field, p[0].type, p[0].value.ui);
    n = 1;
    r = virDomainGetSchedulerParametersFlags(d, p, &n, 0);
    printf("schedparamsflags=%d n=%d %s\n", r, n, p[0].field);
    SHOW("schedparamsflags(flags 1)", virDomainGetSchedulerParametersFlags(d, p, &n, 1));
    n = 0;
    SHOW("schedparams(n 0)", virDomainGetSchedulerParameters(d, p, &n));
    SHOW("schedparams(NULL)", virDomainGetSchedulerParameters(d, NULL, &n));
    virTypedParameter w;
    memset(&w, 0, sizeof w);
    strcpy(w.field, VIR_DOMAIN_SCHEDULER_WEIGHT);
    w.type = VIR_TYPED_PARAM_UINT;
    w.value.ui = 7;
    SHOW("setschedparams", virDomainSetSchedulerParameters(d, &w, 1));
    SHOW("setschedparamsflags", virDomainSetSchedulerParametersFlags(d, &w, 1, 0));
    SHOW("setschedparamsflags(flags 1)", virDomainSetSchedulerParametersFlags(d, &w, 1, 1));
    w.type = VIR_TYPED_PARAM_INT;
    SHOW("setschedparams(int)", virDomainSetSchedulerParameters(d, &w, 1));
    strcpy(w.field, "cap");
    SHOW("setschedparams(cap)", virDomainSetSchedulerParameters(d, &w, 1));
    SHOW("setschedparams(none)", virDomainSetSchedulerParameters(d, &w, 0));
}

static void guest(virDomainPtr d)
{
    show_str("hostname", virDomainGetHostname(d, 0));
    show_str("hostname(flags 1)", virDomainGetHostname(d, 1));
    long long sec = -1;
    unsigned int nsec = 7;
    SHOW("gettime", virDomainGetTime(d, &sec, &nsec, 0));
    printf("time=%lld.%u\n", sec, nsec);
    SHOW("gettime(flags 1)", virDomainGetTime(d, &sec, &nsec, 1));
    SHOW("settime", virDomainSetTime(d, 20000, 5, 0));
    SHOW("settime(sync)", virDomainSetTime(d, 20000, 5, VIR_DOMAIN_TIME_SYNC));
    SHOW("settime(flags 2)", virDomainSetTime(d, 20000, 5, 2));
    SHOW("settime(nsec)", virDomainSetTime(d, 1, 1000000000, 0));
    SHOW("gettime", virDomainGetTime(d, &sec, &nsec, 0));
    printf("time=%lld.%u\n", sec, nsec);
    virDomainControlInfo ci;
    memset(&ci, 0x55, sizeof ci);
    SHOW("controlinfo", virDomainGetControlInfo(d, &ci, 0));
    printf("control=%u %u %llu\n", ci.state, ci.details, ci.stateTime);
    SHOW("settime(30001)", virDomainSetTime(d, 30001, 0, 0));
    SHOW("controlinfo", virDomainGetControlInfo(d, &ci, 0));
    printf("control=%u %u %llu\n", ci.state, ci.details, ci.stateTime);
    SHOW("settime(500)", virDomainSetTime(d, 500, 0, 0));
    SHOW("controlinfo", virDomainGetControlInfo(d, &ci, 0));
    printf("control=%u %u %llu\n", ci.state, ci.details, ci.stateTime);
    SHOW("settime(back)", virDomainSetTime(d, 627319920, 0, 0));
    SHOW("controlinfo(flags 1)", virDomainGetControlInfo(d, &ci, 1));
    SHOW("controlinfo(NULL)", virDomainGetControlInfo(d, NULL, 0));
    SHOW("reset", virDomainReset(d, 0));
    SHOW("reset(flags 1)", virDomainReset(d, 1));
    SHOW("nmi", virDomainInjectNMI(d, 0));
    SHOW("nmi(flags 1)", virDomainInjectNMI(d, 1));
    unsigned int keys[2] = {28, 99999};
    SHOW("sendkey", virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 10, keys, 1, 0));
    SHOW("sendkey(bad)", virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 10, keys, 2, 0));
    SHOW("sendkey(none)", virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 10, keys, 0, 0));
    SHOW("sendkey(NULL)", virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 10, NULL, 1, 0));
    SHOW("sendkey(flags 1)", virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 10, keys, 1, 1));
    SHOW("signal", virDomainSendProcessSignal(d, 1, VIR_DOMAIN_PROCESS_SIGNAL_TERM, 0));
    SHOW("signal(pid 2)", virDomainSendProcessSignal(d, 2, VIR_DOMAIN_PROCESS_SIGNAL_TERM, 0));
    SHOW("signal(pid 0)", virDomainSendProcessSignal(d, 0, VIR_DOMAIN_PROCESS_SIGNAL_TERM, 0));
    SHOW("signal(99)", virDomainSendProcessSignal(d, 1, 99, 0));
    SHOW("signal(flags 1)", virDomainSendProcessSignal(d, 1, 1, 1));
    SHOW("password", virDomainSetUserPassword(d, "root", "pw", 0));
    SHOW("password(encrypted)", virDomainSetUserPassword(d, "root", "pw", 1));
    SHOW("password(flags 2)", virDomainSetUserPassword(d, "root", "pw", 2));
    SHOW("password(NULL user)", virDomainSetUserPassword(d, NULL, "pw", 0));
    SHOW("password(NULL pw)", virDomainSetUserPassword(d, "root", NULL, 0));
    const char *mp[3] = {"/", "/boot", "/nope"};
    SHOW("freeze(all)", virDomainFSFreeze(d, NULL, 0, 0));
    SHOW("freeze(all again)", virDomainFSFreeze(d, NULL, 0, 0));
    SHOW("thaw(/)", virDomainFSThaw(d, mp, 1, 0));
    SHOW("freeze(/,/boot)", virDomainFSFreeze(d, mp, 2, 0));
    SHOW("freeze(/nope)", virDomainFSFreeze(d, mp, 3, 0));
    SHOW("thaw(all)", virDomainFSThaw(d, NULL, 0, 0));
    SHOW("thaw(all again)", virDomainFSThaw(d, NULL, 0, 0));
    SHOW("freeze(flags 1)", virDomainFSFreeze(d, NULL, 0, 1));
    SHOW("trim", virDomainFSTrim(d, NULL, 0, 0));
    SHOW("trim(/boot)", virDomainFSTrim(d, "/boot", 10, 0));
    SHOW("trim(/x)", virDomainFSTrim(d, "/x", 0, 0));
    SHOW("trim(flags 1)", virDomainFSTrim(d, NULL, 0, 1));

    virSecurityLabel sl;
    memset(&sl, 'x', sizeof sl);
    SHOW("seclabel", virDomainGetSecurityLabel(d, &sl));
    printf("label='%s' enforcing=%d\n", sl.label, sl.enforcing);
    SHOW("seclabel(NULL)", virDomainGetSecurityLabel(d, NULL));
    virSecurityLabelPtr sls = NULL;
    SHOW("seclabellist", virDomainGetSecurityLabelList(d, &sls));
    free(sls);

    char **msgs = NULL;
    int n = virDomainGetMessages(d, &msgs, 0);
    printf("messages=%d\n", n);
    for (int i = 0; i < n; i++) {
        printf("  %s\n", msgs[i]);
        free(msgs[i]);
    }
    free(msgs);
    SHOW("messages(flags 4)", virDomainGetMessages(d, &msgs, 4));
    SHOW("messages(NULL)", virDomainGetMessages(d, NULL, 0));

    virDomainMemoryStatStruct ms[16];
    n = virDomainMemoryStats(d, ms, 16, 0);
    printf("memorystats=%d", n);
    for (int i = 0; i < n; i++)
        printf(" %d:%llu", ms[i].tag, ms[i].val);
    putchar('\n');
    if (n < 0)
        show_error("memorystats");
    n = virDomainMemoryStats(d, ms, 3, 0);
    printf("memorystats(3)=%d\n", n);
    SHOW("memorystats(flags 1)", virDomainMemoryStats(d, ms, 3, 1));
    SHOW("memorystats(NULL)", virDomainMemoryStats(d, NULL, 3, 0));

    SHOW("lifecycle(crash,preserve)",
         virDomainSetLifecycleAction(d, VIR_DOMAIN_LIFECYCLE_CRASH, VIR_DOMAIN_LIFECYCLE_ACTION_PRESERVE, 0));
    SHOW("lifecycle(poweroff,coredump)",
         virDomainSetLifecycleAction(d, VIR_DOMAIN_LIFECYCLE_POWEROFF,
                                     VIR_DOMAIN_LIFECYCLE_ACTION_COREDUMP_DESTROY, 0));
    SHOW("lifecycle(type 9)", virDomainSetLifecycleAction(d, 9, 0, 0));
    SHOW("lifecycle(action 9)", virDomainSetLifecycleAction(d, 0, 9, 0));
    SHOW("lifecycle(flags 4)", virDomainSetLifecycleAction(d, 0, 0, 4));
    SHOW("lifecycle(config)", virDomainSetLifecycleAction(d, VIR_DOMAIN_LIFECYCLE_REBOOT,
                                                          VIR_DOMAIN_LIFECYCLE_ACTION_RESTART,
                                                          VIR_DOMAIN_AFFECT_CONFIG));
    char *xml = virDomainGetXMLDesc(d, 0);
    const char *crash = xml ? strstr(xml, "<on_crash>") : NULL;
    printf("on_crash=%.30s\n", crash ? crash : "(none)");
    free(xml);
}

/* Restore from a file in a temporary directory: a failure's message names the file, so only its
 * code and domain are compared. */
static void restore(virConnectPtr c, const char *path, const char *what)
{
    int r = virDomainRestore(c, path);
    virErrorPtr e = virGetLastError();
    printf("%s=%d", what, r);
    if (r < 0)
        printf(" code=%d domain=%d", e ? e->code : 0, e ? e->domain : 0);
    putchar('\n');
}

static void saves(virConnectPtr c, virDomainPtr d)
{
    SHOW("hasmanagedsave", virDomainHasManagedSaveImage(d, 0));
    SHOW("hasmanagedsave(flags 1)", virDomainHasManagedSaveImage(d, 1));
    SHOW("managedsave(flags 8)", virDomainManagedSave(d, 8));
    SHOW("managedsave", virDomainManagedSave(d, 0));
    show_state("after managedsave", d);
    SHOW("hasmanagedsave", virDomainHasManagedSaveImage(d, 0));
    SHOW("undefine", virDomainUndefine(d));
    SHOW("managedsaveremove(flags 1)", virDomainManagedSaveRemove(d, 1));
    SHOW("managedsaveremove", virDomainManagedSaveRemove(d, 0));
    SHOW("hasmanagedsave", virDomainHasManagedSaveImage(d, 0));
    SHOW("managedsave(inactive)", virDomainManagedSave(d, 0));
    SHOW("create", virDomainCreate(d));
    SHOW("managedsave(running)", virDomainManagedSave(d, VIR_DOMAIN_SAVE_RUNNING));
    SHOW("create", virDomainCreate(d));
    SHOW("hasmanagedsave(after start)", virDomainHasManagedSaveImage(d, 0));

    char dir[] = "/tmp/oxvirt-testdomain-XXXXXX";
    if (!mkdtemp(dir))
        exit(2);
    char path[256], bad[256];
    snprintf(path, sizeof path, "%s/saved", dir);
    snprintf(bad, sizeof bad, "%s/bad", dir);
    SHOW("save(xml)", virDomainSaveFlags(d, path, "<domain/>", 0));
    SHOW("save(flags 1)", virDomainSaveFlags(d, path, NULL, 1));
    SHOW("save", virDomainSave(d, path));
    show_state("after save", d);
    SHOW("save(inactive)", virDomainSave(d, path));
    restore(c, path, "restore");
    show_state("after restore", d);
    restore(c, path, "restore(running)");
    SHOW("restoreflags(xml)", virDomainRestoreFlags(c, path, "<domain/>", 0));
    SHOW("restoreflags(flags 1)", virDomainRestoreFlags(c, path, NULL, 1));
    FILE *f = fopen(bad, "w");
    fputs("NotTheMagic...................", f);
    fclose(f);
    SHOW("restore(bad magic)", virDomainRestore(c, bad));
    f = fopen(bad, "w");
    fputs("Test", f);
    fclose(f);
    /* The message names the temporary file: only the code and the domain are compared. */
    int r = virDomainRestore(c, bad);
    virErrorPtr e = virGetLastError();
    printf("restore(short)=%d code=%d domain=%d\n", r, e ? e->code : 0, e ? e->domain : 0);
    unlink(bad);
    unlink(path);
    rmdir(dir);
}

static const char *rename_xml = "<domain type='test'><name>ren</name>"
                                "<uuid>11111111-2222-3333-4444-666666666666</uuid>"
                                "<memory>1048576</memory><vcpu>1</vcpu>"
                                "<os><type>hvm</type></os></domain>";

static void rename_domain(virConnectPtr c)
{
    virDomainPtr d = virDomainDefineXML(c, rename_xml);
    if (!d) {
        show_error("define ren");
        d = virDomainLookupByName(c, "ren");
    }
    SHOW("rename(flags 1)", virDomainRename(d, "ren2", 1));
    SHOW("rename(slash)", virDomainRename(d, "a/b", 0));
    SHOW("rename(taken)", virDomainRename(d, "test", 0));
    SHOW("rename(NULL)", virDomainRename(d, NULL, 0));
    SHOW("rename", virDomainRename(d, "ren2", 0));
    virDomainPtr r = virDomainLookupByName(c, "ren2");
    virDomainPtr old = virDomainLookupByName(c, "ren");
    printf("renamed found=%d old found=%d\n", r != NULL, old != NULL);
    if (r) {
        SHOW("rename back", virDomainRename(r, "ren", 0));
        SHOW("undefine", virDomainUndefine(r));
        virDomainFree(r);
    }
    if (old)
        virDomainFree(old);
    virDomainFree(d);
    virDomainPtr t = virDomainLookupByName(c, "test");
    SHOW("rename(active)", virDomainRename(t, "x", 0));
    virDomainFree(t);
}

static void devices(virDomainPtr d)
{
    virDomainDiskError errs[4];
    int r = virDomainGetDiskErrors(d, errs, 4, 0);
    printf("diskerrors=%d", r);
    for (int i = 0; i < r; i++) {
        printf(" %s:%d", errs[i].disk, errs[i].error);
        free(errs[i].disk);
    }
    putchar('\n');
    if (r < 0)
        show_error("diskerrors");
    SHOW("diskerrors(count)", virDomainGetDiskErrors(d, NULL, 0, 0));
    SHOW("diskerrors(NULL, 4)", virDomainGetDiskErrors(d, NULL, 4, 0));
    SHOW("diskerrors(0)", virDomainGetDiskErrors(d, errs, 0, 0));
    SHOW("diskerrors(flags 1)", virDomainGetDiskErrors(d, errs, 4, 1));

    virDomainBlockInfo bi;
    memset(&bi, 0, sizeof bi);
    r = virDomainGetBlockInfo(d, "vda", &bi, 0);
    printf("blockinfo=%d %llu %llu %llu\n", r, bi.capacity, bi.allocation, bi.physical);
    if (r < 0)
        show_error("blockinfo");
    SHOW("blockinfo(path)", virDomainGetBlockInfo(d, "/guest/diskimage1", &bi, 0));
    SHOW("blockinfo(vdz)", virDomainGetBlockInfo(d, "vdz", &bi, 0));
    SHOW("blockinfo(flags 1)", virDomainGetBlockInfo(d, "vda", &bi, 1));
    SHOW("blockinfo(NULL)", virDomainGetBlockInfo(d, "vda", NULL, 0));

    virDomainBlockStatsStruct bs;
    SHOW("blockstats", virDomainBlockStats(d, "vda", &bs, sizeof bs));
    SHOW("blockstats(path)", virDomainBlockStats(d, "/guest/diskimage1", &bs, sizeof bs));
    SHOW("blockstats(vdz)", virDomainBlockStats(d, "vdz", &bs, sizeof bs));
    SHOW("blockstats(empty)", virDomainBlockStats(d, "", &bs, sizeof bs));
    SHOW("blockstats(big)", virDomainBlockStats(d, "vda", &bs, sizeof bs + 8));
    SHOW("blockstats(small)", virDomainBlockStats(d, "vda", &bs, 8));
    SHOW("blockstats(NULL)", virDomainBlockStats(d, "vda", NULL, sizeof bs));

    virDomainInterfaceStatsStruct is;
    SHOW("ifstats", virDomainInterfaceStats(d, "testnet0", &is, sizeof is));
    SHOW("ifstats(mac)", virDomainInterfaceStats(d, "aa:bb:cc:dd:ee:ff", &is, sizeof is));
    SHOW("ifstats(other mac)", virDomainInterfaceStats(d, "aa:bb:cc:dd:ee:00", &is, sizeof is));
    SHOW("ifstats(eth9)", virDomainInterfaceStats(d, "eth9", &is, sizeof is));
    SHOW("ifstats(big)", virDomainInterfaceStats(d, "testnet0", &is, sizeof is + 8));

    virDomainFSInfoPtr *fs = NULL;
    r = virDomainGetFSInfo(d, &fs, 0);
    printf("fsinfo=%d\n", r);
    if (r < 0)
        show_error("fsinfo");
    for (int i = 0; i < r; i++) {
        printf("  %s %s %s %zu", fs[i]->mountpoint, fs[i]->name, fs[i]->fstype, fs[i]->ndevAlias);
        for (size_t k = 0; k < fs[i]->ndevAlias; k++)
            printf(" %s", fs[i]->devAlias[k]);
        putchar('\n');
        virDomainFSInfoFree(fs[i]);
    }
    free(fs);
    SHOW("fsinfo(flags 1)", virDomainGetFSInfo(d, &fs, 1));
}

static void cpu_stats(virDomainPtr d, int start, unsigned int ncpus, unsigned int nparams, int with_params)
{
    virTypedParameter p[16];
    memset(p, 0, sizeof p);
    int r = virDomainGetCPUStats(d, with_params ? p : NULL, nparams, start, ncpus, 0);
    printf("cpustats(start=%d ncpus=%u nparams=%u)=%d", start, ncpus, nparams, r);
    for (unsigned int i = 0; r > 0 && with_params && i < nparams * ncpus && i < 16; i++)
        if (p[i].field[0])
            printf(" [%u]%s=%llu", i, p[i].field, p[i].value.ul);
    putchar('\n');
    if (r < 0)
        show_error("cpustats");
}

static void cpu(virDomainPtr d)
{
    cpu_stats(d, -1, 1, 0, 0);
    cpu_stats(d, -1, 1, 3, 1);
    cpu_stats(d, -1, 1, 2, 1);
    cpu_stats(d, -1, 1, 5, 1);
    cpu_stats(d, 0, 0, 0, 0);
    cpu_stats(d, 0, 1, 0, 0);
    cpu_stats(d, 0, 2, 2, 1);
    cpu_stats(d, 1, 2, 1, 1);
    cpu_stats(d, 1, 8, 2, 1);
    cpu_stats(d, 9, 1, 2, 1);
    if (virDomainIsActive(d) == 1) {
        cpu_stats(d, -1, 2, 3, 1);
        cpu_stats(d, -2, 1, 3, 1);
        cpu_stats(d, 0, 1, 3, 0);
        cpu_stats(d, 0, 1, 0, 1);
        cpu_stats(d, 0, 0, 2, 1);
    }
    virTypedParameter p[4];
    SHOW("cpustats(flags 1)", virDomainGetCPUStats(d, p, 2, 0, 1, 1));
}

/* A domain of a custom node file: its disk, the node's CPU topology for pinning and statistics. */
static void node_file(void)
{
    char dir[] = "/tmp/oxvirt-testdomain-node-XXXXXX";
    if (!mkdtemp(dir))
        exit(2);
    char path[256], uri[300];
    snprintf(path, sizeof path, "%s/node.xml", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        exit(2);
    fputs("<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>4</cores><threads>1</threads></cpu>"
          "<domain type='test'><name>nd</name><uuid>22222222-2222-3333-4444-555555555555</uuid>"
          "<memory>524288</memory><vcpu>3</vcpu><os><type>hvm</type></os><devices>"
          "<disk type='file' device='disk'><source file='/img/a.img'/><target dev='vdb'/></disk>"
          "</devices></domain></node>\n",
          f);
    fclose(f);
    snprintf(uri, sizeof uri, "test://%s", path);
    virConnectPtr c = virConnectOpen(uri);
    virDomainPtr d = virDomainLookupByName(c, "nd");
    printf("==== node file\n");
    SHOW("maxvcpus", virDomainGetMaxVcpus(d));
    virVcpuInfo info[4];
    unsigned char maps[4];
    int r = virDomainGetVcpus(d, info, 4, maps, 1);
    printf("getvcpus=%d", r);
    for (int i = 0; i < r; i++)
        printf(" [%u %d %02x]", info[i].number, info[i].cpu, maps[i]);
    putchar('\n');
    unsigned char em = 0;
    SHOW("emulatorpininfo", virDomainGetEmulatorPinInfo(d, &em, 1, 0));
    printf("emulatorpin=%02x\n", em);
    devices(d);
    cpu(d);
    virDomainMemoryStatStruct ms[16];
    SHOW("memorystats", virDomainMemoryStats(d, ms, 16, 0));
    show_str("hostname", virDomainGetHostname(d, 0));
    virDomainFree(d);
    virConnectClose(c);
    unlink(path);
    rmdir(dir);
}

/* Core dumps, the memory statistics period and launch security, on the default domain. */
static void dumps(virConnectPtr c)
{
    virDomainPtr d = virDomainLookupByName(c, "test");
    char dir[] = "/tmp/oxvirt-testdomain-dump-XXXXXX";
    if (!mkdtemp(dir))
        exit(2);
    char core[256];
    snprintf(core, sizeof core, "%s/core", dir);
    printf("==== dumps\n");
    SHOW("period", virDomainSetMemoryStatsPeriod(d, 5, 0));
    SHOW("period(-1)", virDomainSetMemoryStatsPeriod(d, -1, 0));
    SHOW("period(flags 4)", virDomainSetMemoryStatsPeriod(d, 5, 4));
    SHOW("period(config)", virDomainSetMemoryStatsPeriod(d, 5, VIR_DOMAIN_AFFECT_CONFIG));
    virTypedParameterPtr p = NULL;
    int n = -1;
    SHOW("launchsec", virDomainGetLaunchSecurityInfo(d, &p, &n, 0));
    SHOW("launchsec(NULL)", virDomainGetLaunchSecurityInfo(d, NULL, &n, 0));
    SHOW("coredump(flags 4)", virDomainCoreDump(d, core, 4));
    SHOW("coredumpfmt(2)", virDomainCoreDumpWithFormat(d, core, 2, 0));
    SHOW("coredumpfmt(9)", virDomainCoreDumpWithFormat(d, core, 9, 0));
    SHOW("coredumpfmt(crash|live)",
         virDomainCoreDumpWithFormat(d, core, 0, VIR_DUMP_CRASH | VIR_DUMP_LIVE));
    SHOW("coredump", virDomainCoreDump(d, core, 0));
    FILE *f = fopen(core, "r");
    char magic[32] = {0};
    size_t got = f ? fread(magic, 1, sizeof magic, f) : 0;
    if (f)
        fclose(f);
    printf("core: %zu bytes, %s\n", got, magic);
    SHOW("coredump(no dir)", virDomainCoreDump(d, "/nonexistent/x", 0));
    show_state("after", d);
    SHOW("coredump(crash)", virDomainCoreDump(d, core, VIR_DUMP_CRASH));
    show_state("after crash", d);
    SHOW("coredump(inactive)", virDomainCoreDump(d, core, 0));
    SHOW("create", virDomainCreate(d));
    unlink(core);
    rmdir(dir);
    virDomainFree(d);
}

static void on(virConnectPtr c, virDomainPtr d, const char *what)
{
    printf("==== %s\n", what);
    autostart(d);
    metadata(d);
    vcpus(d);
    memory(d);
    scheduler(d);
    guest(d);
    devices(d);
    cpu(d);
    if (!read_only)
        saves(c, d);
    else
        rename_domain(c);
    drain();
}

int main(void)
{
    virSetErrorFunc(NULL, quiet_errors);
    virEventRegisterDefaultImpl();
    virConnectPtr c = virConnectOpen("test:///default");
    int cb = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, NULL);
    virDomainPtr d = virDomainLookupByName(c, "test");
    on(c, d, "running");
    virDomainPtr idle = virDomainDefineXML(c, inactive_xml);
    on(c, idle, "inactive");
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    virDomainPtr rd = virDomainLookupByName(ro, "test");
    read_only = 1;
    on(ro, rd, "read-only");
    read_only = 0;
    printf("==== rename\n");
    rename_domain(c);
    dumps(c);
    drain();
    virConnectDomainEventDeregisterAny(c, cb);
    virDomainFree(rd);
    virConnectClose(ro);
    virDomainUndefine(idle);
    virDomainFree(idle);
    virDomainFree(d);
    virConnectClose(c);
    node_file();
    return 0;
}
