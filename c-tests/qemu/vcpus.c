/* vCPU counts on real guests (issue 17), differential: the same program runs on Debian's libvirt
 * 9.0 (its embedded qemu driver, qemu 7.2 under TCG) and on ours; tests/qemu-vcpus.sh compares
 * the outputs.
 *
 * A persistent guest with <vcpu current='1'>3</vcpu>: the definition's parse errors, the counts
 * every getter shows (GetInfo, GetVcpusFlags, GetMaxVcpus, GetVcpus, GetVcpuPinInfo, the vcpu
 * stats group), the <vcpu>/<vcpus> lines of the live and the persistent XML and the -smp qemu was
 * given, before and after virDomainSetVcpusFlags: config lower/raise/maximum/hot-pluggable, live
 * raise (hot-plug), live lower (unplug: qemu refuses it without ACPI; with ACPI a guest with no
 * OS never lets the vCPU go: the reference's timeout), with the events each raises. Then a guest whose vCPU 1 is plugged at start
 * (<vcpus> hotpluggable='yes') and one whose vCPUs are all created by qemu (none unpluggable).
 * Nothing that differs from run to run (pids, times, host CPUs) is printed.
 *
 * usage: vcpus ROOT */
#include "qt.h"

static const char *root_dir;
static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static char ev_buf[2048];

static void note(virDomainPtr d, const char *what)
{
    pthread_mutex_lock(&ev_lock);
    snprintf(ev_buf + strlen(ev_buf), sizeof(ev_buf) - strlen(ev_buf), " %s(%s)", what,
             virDomainGetName(d));
    pthread_mutex_unlock(&ev_lock);
}

static int on_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    char what[32];
    snprintf(what, sizeof(what), "lifecycle%d/%d", event, detail);
    note(d, what);
    return 0;
}

static void on_device(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
    (void)c;
    note(d, opaque);
    note(d, alias);
}

static void on_tunable(virConnectPtr c, virDomainPtr d, virTypedParameterPtr params, int n, void *opaque)
{
    (void)c;
    (void)opaque;
    for (int i = 0; i < n; i++)
        note(d, params[i].field);
}

static void watch(virConnectPtr c)
{
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, NULL);
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_ADDED,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_device), "added", NULL);
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_device), "removed", NULL);
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_device), "removal-failed", NULL);
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_TUNABLE,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_tunable), NULL, NULL);
}

/* The events delivered since the last call, after letting the loop run a moment. */
static void events(const char *what)
{
    qt_sleep_ms(300);
    pthread_mutex_lock(&ev_lock);
    printf("%s: events:%s\n", what, ev_buf[0] ? ev_buf : " none");
    ev_buf[0] = 0;
    pthread_mutex_unlock(&ev_lock);
}

static void result(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    if (r < 0)
        show_error(what);
    virResetLastError();
}

/* The lines of the XML that speak of vCPUs. */
static void xml_vcpus(const char *what, virDomainPtr d, unsigned int flags)
{
    char *x = virDomainGetXMLDesc(d, flags);
    printf("%s:\n", what);
    if (!x) {
        show_error(what);
        return;
    }
    for (char *line = strtok(x, "\n"); line; line = strtok(NULL, "\n"))
        if (strstr(line, "vcpu"))
            printf("  %s\n", line);
    free(x);
    virResetLastError();
}

/* The -smp qemu was started with, from the domain's log (both write the command line there). */
static void smp(const char *name)
{
    char path[4096], line[8192], found[256] = "none";
    snprintf(path, sizeof(path), "%s/log/qemu/%s.log", root_dir, name);
    FILE *f = fopen(path, "r");
    while (f && fgets(line, sizeof(line), f)) {
        char *at = strstr(line, "-smp ");
        if (at && sscanf(at + 5, "%255s", found) == 1)
            continue;
    }
    if (f)
        fclose(f);
    printf("%s: -smp %s\n", name, found);
}

static void counts(const char *what, virDomainPtr d)
{
    virDomainInfo info;
    int ir = virDomainGetInfo(d, &info);
    printf("%s: info=%d nrVirtCpu=%u\n", what, ir, ir == 0 ? info.nrVirtCpu : 0);
    virResetLastError();
    static const struct {
        const char *name;
        unsigned int flags;
    } asks[] = {
        {"current", 0},
        {"live", VIR_DOMAIN_AFFECT_LIVE},
        {"config", VIR_DOMAIN_AFFECT_CONFIG},
        {"max", VIR_DOMAIN_VCPU_MAXIMUM},
        {"max live", VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_AFFECT_LIVE},
        {"max config", VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_AFFECT_CONFIG},
    };
    for (size_t i = 0; i < sizeof(asks) / sizeof(asks[0]); i++) {
        int n = virDomainGetVcpusFlags(d, asks[i].flags);
        printf("  vcpus %s: %d", asks[i].name, n);
        if (n < 0)
            printf(" (code %d: %s)", qt_err_code(), qt_err_msg());
        printf("\n");
        virResetLastError();
    }
    int max = virDomainGetMaxVcpus(d);
    printf("  max vcpus: %d", max);
    if (max < 0)
        printf(" (code %d: %s)", qt_err_code(), qt_err_msg());
    printf("\n");
    virResetLastError();
    virVcpuInfo vi[8];
    unsigned char maps[8 * 8];
    int nv = virDomainGetVcpus(d, vi, 8, maps, 8);
    printf("  get vcpus: %d", nv);
    if (nv < 0)
        printf(" (code %d: %s)", qt_err_code(), qt_err_msg());
    for (int i = 0; i < nv; i++)
        printf(" [number=%u state=%d]", vi[i].number, vi[i].state);
    printf("\n");
    virResetLastError();
    int np = virDomainGetVcpuPinInfo(d, 8, maps, 8, 0);
    printf("  pin info: %d", np);
    if (np < 0)
        printf(" (code %d: %s)", qt_err_code(), qt_err_msg());
    printf("\n");
    virResetLastError();
    np = virDomainGetVcpuPinInfo(d, 8, maps, 8, VIR_DOMAIN_AFFECT_CONFIG);
    printf("  pin info config: %d\n", np);
    virResetLastError();
    virDomainPtr doms[] = {d, NULL};
    virDomainStatsRecordPtr *recs = NULL;
    int nr = virDomainListGetStats(doms, VIR_DOMAIN_STATS_VCPU, &recs, 0);
    printf("  stats: %d", nr);
    for (int r = 0; r < nr; r++)
        for (int p = 0; p < recs[r]->nparams; p++) {
            virTypedParameterPtr t = &recs[r]->params[p];
            if (t->type == VIR_TYPED_PARAM_UINT)
                printf(" %s=%u", t->field, t->value.ui);
            else if (t->type == VIR_TYPED_PARAM_INT)
                printf(" %s=%d", t->field, t->value.i);
            else
                printf(" %s", t->field);
        }
    printf("\n");
    if (recs)
        virDomainStatsRecordListFree(recs);
    virResetLastError();
}

static void set(const char *what, virDomainPtr d, unsigned int n, unsigned int flags)
{
    double t0 = qt_now_ms();
    int r = virDomainSetVcpusFlags(d, n, flags);
    double took = qt_now_ms() - t0;
    printf("%s: %d%s\n", what, r, took > 4000 ? " (after waiting)" : "");
    if (r < 0)
        show_error(what);
    virResetLastError();
    events(what);
}

static char *with_vcpus(const char *name, const char *uuid, const char *vcpus)
{
    char *x = qt_xml(name, uuid, NULL, NULL);
    char *at = strstr(x, "<vcpu>1</vcpu>");
    char *out = malloc(strlen(x) + strlen(vcpus) + 1);
    sprintf(out, "%.*s%s%s", (int)(at - x), x, vcpus, at + strlen("<vcpu>1</vcpu>"));
    free(x);
    return out;
}

static void define_bad(virConnectPtr c, const char *vcpus)
{
    char *x = with_vcpus("vc-bad", NULL, vcpus);
    virDomainPtr d = virDomainDefineXML(c, x);
    printf("define %s: %s\n", vcpus, d ? "ok" : "NULL");
    if (d) {
        xml_vcpus("  its xml", d, 0);
        virDomainUndefine(d);
        virDomainFree(d);
    } else {
        show_error("  define");
    }
    virResetLastError();
    free(x);
}

static void main_guest(virConnectPtr c)
{
    char *x = with_vcpus("vc-main", "eeeeeeee-0000-4000-8000-000000000017",
                         "<vcpu current='1'>3</vcpu>");
    virDomainPtr d = virDomainDefineXML(c, x);
    free(x);
    printf("define vc-main: %s\n", d ? "ok" : "NULL");
    if (!d) {
        show_error("define");
        return;
    }
    events("define");
    counts("off", d);
    xml_vcpus("off xml", d, 0);
    set("off config 2", d, 2, VIR_DOMAIN_AFFECT_CONFIG);
    xml_vcpus("off xml", d, 0);
    set("off current 1", d, 1, 0);
    set("off config 4 (over max)", d, 4, VIR_DOMAIN_AFFECT_CONFIG);
    set("off live 2", d, 2, VIR_DOMAIN_AFFECT_LIVE);
    set("off max config 4", d, 4, VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_AFFECT_CONFIG);
    xml_vcpus("off xml", d, 0);
    counts("off max 4", d);
    set("off max config 3", d, 3, VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_AFFECT_CONFIG);
    set("off config 2 hotpluggable", d, 2, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_HOTPLUGGABLE);
    xml_vcpus("off xml", d, 0);
    set("off config 1", d, 1, VIR_DOMAIN_AFFECT_CONFIG);
    xml_vcpus("off xml", d, 0);
    set("off config 0", d, 0, VIR_DOMAIN_AFFECT_CONFIG);
    set("off guest", d, 1, VIR_DOMAIN_VCPU_GUEST);

    result("start vc-main", virDomainCreate(d));
    events("start");
    smp("vc-main");
    counts("on", d);
    xml_vcpus("on xml", d, 0);
    set("on live 3", d, 3, VIR_DOMAIN_AFFECT_LIVE);
    counts("on 3", d);
    xml_vcpus("on xml", d, 0);
    xml_vcpus("on inactive xml", d, VIR_DOMAIN_XML_INACTIVE);
    set("on live 4 (over max)", d, 4, VIR_DOMAIN_AFFECT_LIVE);
    set("on live 2 (unplug)", d, 2, VIR_DOMAIN_AFFECT_LIVE);
    counts("on after unplug", d);
    xml_vcpus("on xml", d, 0);
    set("on max live", d, 3, VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_AFFECT_LIVE);
    set("on live+config 3", d, 3, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG);
    set("on config 2", d, 2, VIR_DOMAIN_AFFECT_CONFIG);
    set("on max config 2", d, 2, VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_AFFECT_CONFIG);
    xml_vcpus("on inactive xml", d, VIR_DOMAIN_XML_INACTIVE);
    counts("on config changed", d);
    result("destroy vc-main", virDomainDestroy(d));
    events("destroy");
    counts("after stop", d);
    xml_vcpus("after stop xml", d, 0);
    result("undefine vc-main", virDomainUndefine(d));
    events("undefine");
    virDomainFree(d);
}

/* vCPU 1 is online and hot-pluggable: qemu creates vCPU 0, vCPU 1 is plugged at start; it is
 * the one an unplug asks for, which ACPI passes to a guest that never answers. (The main guest
 * has no ACPI: there qemu itself refuses the unplug.) */
static void plugged_at_start(virConnectPtr c)
{
    char *x = with_vcpus("vc-boot", "eeeeeeee-0000-4000-8000-000000000018",
                         "<vcpu>2</vcpu><vcpus><vcpu id='0' enabled='yes' hotpluggable='no'/>"
                         "<vcpu id='1' enabled='yes' hotpluggable='yes'/></vcpus>"
                         "<features><acpi/></features>");
    virDomainPtr d = virDomainCreateXML(c, x, 0);
    free(x);
    printf("create vc-boot: %s\n", d ? "ok" : "NULL");
    if (!d) {
        show_error("create");
        return;
    }
    events("create");
    smp("vc-boot");
    counts("boot", d);
    xml_vcpus("boot xml", d, 0);
    set("boot live 1 (unplug)", d, 1, VIR_DOMAIN_AFFECT_LIVE);
    set("boot config", d, 1, VIR_DOMAIN_AFFECT_CONFIG);
    result("destroy vc-boot", virDomainDestroy(d));
    events("destroy");
    virDomainFree(d);
}

/* All vCPUs created by qemu: none can be unplugged. */
static void all_at_boot(virConnectPtr c)
{
    char *x = with_vcpus("vc-all", "eeeeeeee-0000-4000-8000-000000000019", "<vcpu>2</vcpu>");
    virDomainPtr d = virDomainCreateXML(c, x, 0);
    free(x);
    printf("create vc-all: %s\n", d ? "ok" : "NULL");
    if (!d) {
        show_error("create");
        return;
    }
    events("create");
    smp("vc-all");
    set("all live 1", d, 1, 0);
    set("all live 2", d, 2, 0);
    counts("all", d);
    xml_vcpus("all xml", d, 0);
    result("destroy vc-all", virDomainDestroy(d));
    events("destroy");
    virDomainFree(d);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    if (argc < 2) {
        fprintf(stderr, "usage: %s ROOT\n", argv[0]);
        return 2;
    }
    root_dir = argv[1];
    qt_subreaper();
    qt_start_reaper();
    qt_events_init();
    virConnectPtr c = qt_open(root_dir);
    watch(c);
    define_bad(c, "<vcpu current='4'>3</vcpu>");
    define_bad(c, "<vcpu current='0'>3</vcpu>");
    define_bad(c, "<vcpu current='x'>3</vcpu>");
    define_bad(c, "<vcpu>2</vcpu><vcpus><vcpu id='2' enabled='yes'/></vcpus>");
    define_bad(c, "<vcpu>2</vcpu><vcpus><vcpu id='1' enabled='no' hotpluggable='no'/></vcpus>");
    define_bad(c, "<vcpu>2</vcpu><vcpus><vcpu id='0' enabled='no'/><vcpu id='1' enabled='yes'/></vcpus>");
    define_bad(c, "<vcpu>2</vcpu><vcpus><vcpu id='1' enabled='maybe'/></vcpus>");
    define_bad(c, "<vcpu current='1'>2</vcpu><vcpus><vcpu id='1' enabled='yes'/></vcpus>");
    main_guest(c);
    plugged_at_start(c);
    all_at_boot(c);
    qt_close(c);
    return 0;
}
