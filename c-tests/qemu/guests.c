/* Real guests you can watch (issue 17), differential: the same program runs on Debian's libvirt 9.0
 * (its embedded qemu driver) and on ours; tests/qemu.sh compares the outputs. Values that move
 * (free memory, CPU times) are printed as whether they lie within a tolerance of what this program
 * reads from /proc itself, or whether they moved the right way; everything else is printed as is.
 *
 * usage: guests host|stats ROOT */
#include "qt.h"

static void show_result(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    if (r < 0)
        show_error(what);
    virResetLastError();
}

/* A /proc/meminfo-style value (KiB), or -1. */
static long long meminfo_kib(const char *path, const char *key)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    char line[256];
    long long v = -1;
    while (fgets(line, sizeof(line), f)) {
        char *k = strstr(line, key);
        if (k && k[strlen(key)] == ':') {
            v = atoll(k + strlen(key) + 1);
            break;
        }
    }
    fclose(f);
    return v;
}

/* A key summed over the host's NUMA nodes (libvirt's view of the host's memory), or /proc/meminfo's
 * without NUMA. */
static long long numa_kib(const char *key)
{
    long long sum = 0;
    int found = 0;
    for (int n = 0; n < 1024; n++) {
        char path[96];
        snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", n);
        long long v = meminfo_kib(path, key);
        if (v >= 0) {
            sum += v;
            found = 1;
        }
    }
    return found ? sum : meminfo_kib("/proc/meminfo", key);
}

static const char *near(long long got, long long want, long long tol)
{
    static char buf[64];
    if (want >= 0 && llabs(got - want) <= tol)
        return "near /proc";
    snprintf(buf, sizeof(buf), "FAR (%lld vs %lld)", got, want);
    return buf;
}

/* The host's CPU ticks of line `cpu` in /proc/stat as nanoseconds: kernel, user, idle, iowait. */
static int proc_cpu_ns(const char *cpu, unsigned long long out[4])
{
    FILE *f = fopen("/proc/stat", "r");
    if (!f)
        return -1;
    char line[512];
    int found = -1;
    unsigned long long t[7] = {0};
    while (fgets(line, sizeof(line), f)) {
        char name[32];
        if (sscanf(line, "%31s %llu %llu %llu %llu %llu %llu %llu", name, &t[0], &t[1], &t[2],
                   &t[3], &t[4], &t[5], &t[6]) == 8 &&
            strcmp(name, cpu) == 0) {
            found = 0;
            break;
        }
    }
    fclose(f);
    unsigned long long ns = 1000000000ULL / (unsigned long long)sysconf(_SC_CLK_TCK);
    out[0] = (t[2] + t[5] + t[6]) * ns;
    out[1] = (t[0] + t[1]) * ns;
    out[2] = t[3] * ns;
    out[3] = t[4] * ns;
    return found;
}

static void cpu_stats(virConnectPtr c, int cpu, int nparams, unsigned int flags)
{
    char what[96];
    snprintf(what, sizeof(what), "node cpu stats cpu=%d nparams=%d flags=0x%x", cpu, nparams, flags);
    virNodeCPUStats p[8];
    memset(p, 0, sizeof(p));
    int n = nparams;
    int r = virNodeGetCPUStats(c, cpu, nparams ? p : NULL, &n, flags);
    printf("%s: %d n=%d\n", what, r, n);
    if (r < 0) {
        show_error(what);
        return;
    }
    char line[16];
    snprintf(line, sizeof(line), cpu < 0 ? "cpu" : "cpu%d", cpu);
    unsigned long long mine[4];
    proc_cpu_ns(line, mine);
    /* Two CPUs' worth of a second: the counters move between the two reads. */
    long long tol = 2000000000LL;
    for (int i = 0; i < n && nparams; i++)
        printf("  %s: %s\n", p[i].field, i < 4 ? near((long long)p[i].value, (long long)mine[i], tol) : "?");
}

static void mem_stats(virConnectPtr c, int cell, int nparams, unsigned int flags)
{
    char what[96];
    snprintf(what, sizeof(what), "node memory stats cell=%d nparams=%d flags=0x%x", cell, nparams, flags);
    virNodeMemoryStats p[8];
    memset(p, 0, sizeof(p));
    int n = nparams;
    int r = virNodeGetMemoryStats(c, cell, nparams ? p : NULL, &n, flags);
    printf("%s: %d n=%d\n", what, r, n);
    if (r < 0) {
        show_error(what);
        return;
    }
    char path[128];
    if (cell < 0)
        snprintf(path, sizeof(path), "/proc/meminfo");
    else
        snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", cell);
    const char *keys[] = {"MemTotal", "MemFree", "Buffers", "Cached"};
    for (int i = 0; i < n && nparams; i++)
        printf("  %s: %s\n", p[i].field,
               i < 4 ? near((long long)p[i].value, meminfo_kib(path, keys[i]), 64 * 1024) : "?");
}

/* The capabilities, the host CPU's model, signature, TSC and features included, with what cannot
 * be the same printed as a summary: the host's UUID, the machine types (counted) and the memory
 * figures that move. */
static void capabilities(virConnectPtr c)
{
    char *caps = virConnectGetCapabilities(c);
    printf("capabilities: %s\n", caps ? "ok" : "NULL");
    if (!caps) {
        show_error("capabilities");
        return;
    }
    int machines = 0;
    for (char *line = strtok(caps, "\n"); line; line = strtok(NULL, "\n")) {
        if (strstr(line, "<machine")) {
            machines++;
            continue;
        }
        if (machines) {
            printf("  [%d machine types]\n", machines);
            machines = 0;
        }
        if (strstr(line, "<uuid>")) {
            printf("  <uuid>(%zu chars)\n", strlen(strstr(line, "<uuid>")));
            continue;
        }
        if (strstr(line, "<memory unit='KiB'>") || strstr(line, "<pages unit='KiB' size='4'>")) {
            printf("  %.*s...\n", (int)(strchr(line, '>') - line + 1), line);
            continue;
        }
        printf("  %s\n", line);
    }
    free(caps);
}

static void host(const char *root)
{
    virConnectPtr c = qt_open(root);
    if (!c)
        return;
    virNodeInfo ni;
    int r = virNodeGetInfo(c, &ni);
    printf("node info: %d model=%s cpus=%u nodes=%u sockets=%u cores=%u threads=%u\n", r, ni.model,
           ni.cpus, ni.nodes, ni.sockets, ni.cores, ni.threads);
    printf("node info memory: %s\n", near((long long)ni.memory, numa_kib("MemTotal"), 0));
    printf("node info mhz: %s\n", ni.mhz > 0 ? "set" : "0");
    show_result("node info NULL", virNodeGetInfo(c, NULL));

    cpu_stats(c, -1, 0, 0);
    cpu_stats(c, -1, 4, 0);
    cpu_stats(c, 0, 4, 0);
    cpu_stats(c, -1, 16, 0);
    cpu_stats(c, -1, 2, 0);
    cpu_stats(c, 4096, 4, 0);
    cpu_stats(c, 4096, 16, 0);
    cpu_stats(c, -2, 4, 0);
    cpu_stats(c, -1, 4, 1);
    cpu_stats(c, -1, -1, 0);
    show_result("node cpu stats NULL nparams", virNodeGetCPUStats(c, -1, NULL, NULL, 0));

    mem_stats(c, -1, 0, 0);
    mem_stats(c, -1, 4, 0);
    mem_stats(c, 0, 0, 0);
    mem_stats(c, 0, 2, 0);
    mem_stats(c, 0, 4, 0);
    mem_stats(c, -1, 3, 0);
    mem_stats(c, 64, 4, 0);
    mem_stats(c, -2, 4, 0);
    mem_stats(c, -1, 4, 2);
    show_result("node memory stats NULL nparams", virNodeGetMemoryStats(c, -1, NULL, NULL, 0));

    unsigned long long fm = virNodeGetFreeMemory(c);
    printf("free memory: %s\n", near((long long)(fm / 1024), numa_kib("MemFree"), 64 * 1024));
    unsigned long long cells[8];
    r = virNodeGetCellsFreeMemory(c, cells, 0, 8);
    printf("cells free memory: %d\n", r);
    for (int i = 0; i < r; i++) {
        char path[128];
        snprintf(path, sizeof(path), "/sys/devices/system/node/node%d/meminfo", i);
        printf("  cell %d: %s\n", i, near((long long)(cells[i] / 1024), meminfo_kib(path, "MemFree"), 64 * 1024));
    }
    show_result("cells free memory start 64", virNodeGetCellsFreeMemory(c, cells, 64, 8));
    show_result("cells free memory max 0", virNodeGetCellsFreeMemory(c, cells, 0, 0));
    show_result("cells free memory start -1", virNodeGetCellsFreeMemory(c, cells, -1, 1));

    unsigned char *map = NULL;
    unsigned int online = 0;
    r = virNodeGetCPUMap(c, &map, &online, 0);
    printf("cpu map: %d online=%u map[0]=0x%x\n", r, online, map ? map[0] : 0);
    free(map);
    show_result("cpu map counts only", virNodeGetCPUMap(c, NULL, NULL, 0));
    show_result("cpu map flags 1", virNodeGetCPUMap(c, NULL, NULL, 1));

    const char *types[] = {NULL, "qemu", "QEMU", "kvm", "xen", ""};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
        char what[64];
        snprintf(what, sizeof(what), "max vcpus %s", types[i] ? types[i] : "(null)");
        show_result(what, virConnectGetMaxVcpus(c, types[i]));
    }
    char *s = virConnectGetSysinfo(c, 0);
    printf("sysinfo: %s\n", s ? "text" : "NULL");
    if (!s)
        show_error("sysinfo");
    free(s);
    s = virConnectGetSysinfo(c, 1);
    printf("sysinfo flags 1: %s\n", s ? "text" : "NULL");
    if (!s)
        show_error("sysinfo flags 1");
    free(s);
    capabilities(c);
    qt_close(c);
}

/* ------------------------------------------------------------------ guest statistics */

static void show_params(const char *what, virTypedParameterPtr p, int n)
{
    /* A stopped domain's CPU times are the calling process's own (the reference's quirk), which
     * a quick process may not have used yet: only their sum is checked. */
    int state = -1;
    virTypedParamsGetInt(p, n, "state.state", &state);
    int stopped = state == VIR_DOMAIN_SHUTOFF;
    for (int i = 0; i < n; i++) {
        const char *f = p[i].field;
        printf("  %s %s type=%d", what, f, p[i].type);
        /* Counters that move are shown as whether they are set; the rest as they are. */
        int moving = strstr(f, ".time") || strstr(f, ".delay") || strstr(f, ".wait") ||
                     strcmp(f, "balloon.rss") == 0;
        if (strcmp(f, "cpu.user") == 0 || strcmp(f, "cpu.system") == 0 ||
            (stopped && strcmp(f, "cpu.time") == 0)) {
            printf(" ~\n");
            continue;
        }
        switch (p[i].type) {
        case VIR_TYPED_PARAM_INT:
            printf(" %d", p[i].value.i);
            break;
        case VIR_TYPED_PARAM_UINT:
            printf(" %u", p[i].value.ui);
            break;
        case VIR_TYPED_PARAM_LLONG:
            printf(" %lld", p[i].value.l);
            break;
        case VIR_TYPED_PARAM_ULLONG:
            if (moving)
                printf(" %s", p[i].value.ul ? "set" : "0");
            else
                printf(" %llu", p[i].value.ul);
            break;
        case VIR_TYPED_PARAM_STRING:
            printf(" %s", p[i].value.s);
            break;
        default:
            printf(" ?");
        }
        printf("\n");
    }
}

static int by_domain_name(const void *a, const void *b)
{
    const virDomainStatsRecordPtr *x = a, *y = b;
    return strcmp(virDomainGetName((*x)->dom), virDomainGetName((*y)->dom));
}

/* `list` is read after the call that filled it (an argument's order of evaluation is not). The
 * reference's order is its domain hash table's, which changes from process to process: records
 * are printed by domain name. */
static void records(const char *what, int r, virDomainStatsRecordPtr **list)
{
    virDomainStatsRecordPtr *recs = *list;
    printf("%s: %d\n", what, r);
    if (r < 0) {
        show_error(what);
        return;
    }
    qsort(recs, (size_t)r, sizeof(*recs), by_domain_name);
    for (int i = 0; i < r; i++) {
        printf(" record %s nparams=%d\n", virDomainGetName(recs[i]->dom), recs[i]->nparams);
        unsigned long long t = 0, u = 0, s = 0;
        virTypedParamsGetULLong(recs[i]->params, recs[i]->nparams, "cpu.time", &t);
        virTypedParamsGetULLong(recs[i]->params, recs[i]->nparams, "cpu.user", &u);
        virTypedParamsGetULLong(recs[i]->params, recs[i]->nparams, "cpu.system", &s);
        printf("  cpu.time is user + system: %d\n", t == u + s);
        show_params("", recs[i]->params, recs[i]->nparams);
    }
    virDomainStatsRecordListFree(recs);
}

static void vcpus(const char *what, virDomainPtr d, int maxinfo, int maplen)
{
    virVcpuInfo info[4];
    unsigned char maps[32];
    memset(maps, 0, sizeof(maps));
    int r = virDomainGetVcpus(d, info, maxinfo, maplen ? maps : NULL, maplen);
    printf("%s: %d\n", what, r);
    if (r < 0)
        show_error(what);
    long ncpus = sysconf(_SC_NPROCESSORS_ONLN);
    for (int i = 0; i < r; i++)
        printf("  vcpu %u state=%d time=%s cpu in range=%d map[0]=0x%x\n", info[i].number,
               info[i].state, info[i].cpuTime ? "set" : "0", info[i].cpu >= 0 && info[i].cpu < ncpus,
               maplen ? maps[i * maplen] : 0);
}

static void vcpus_flags(const char *tag, virDomainPtr d)
{
    unsigned int flags[] = {0, VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CONFIG, VIR_DOMAIN_VCPU_MAXIMUM,
                            VIR_DOMAIN_VCPU_GUEST, 0x10, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_VCPU_GUEST,
                            VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_VCPU_MAXIMUM,
                            VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        char what[96];
        snprintf(what, sizeof(what), "%s vcpus flags 0x%x", tag, flags[i]);
        show_result(what, virDomainGetVcpusFlags(d, flags[i]));
    }
    char what[96];
    snprintf(what, sizeof(what), "%s max vcpus", tag);
    show_result(what, virDomainGetMaxVcpus(d));
    unsigned char maps[8];
    unsigned int pin_flags[] = {0, VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CONFIG, 0x4};
    for (size_t i = 0; i < sizeof(pin_flags) / sizeof(pin_flags[0]); i++) {
        memset(maps, 0, sizeof(maps));
        snprintf(what, sizeof(what), "%s vcpu pin info flags 0x%x", tag, pin_flags[i]);
        int r = virDomainGetVcpuPinInfo(d, 4, maps, 1, pin_flags[i]);
        printf("%s: %d map[0]=0x%x\n", what, r, maps[0]);
        if (r < 0)
            show_error(what);
    }
    snprintf(what, sizeof(what), "%s vcpu pin info ncpumaps 0", tag);
    show_result(what, virDomainGetVcpuPinInfo(d, 0, maps, 1, 0));
}

static void memory_stats(const char *tag, virDomainPtr d, unsigned int nr, unsigned int flags, pid_t pid)
{
    virDomainMemoryStatStruct ms[VIR_DOMAIN_MEMORY_STAT_NR];
    char what[96];
    snprintf(what, sizeof(what), "%s memory stats nr=%u flags=0x%x", tag, nr, flags);
    int r = virDomainMemoryStats(d, ms, nr, flags);
    printf("%s: %d\n", what, r);
    if (r < 0)
        show_error(what);
    for (int i = 0; i < r; i++) {
        if (ms[i].tag == VIR_DOMAIN_MEMORY_STAT_RSS) {
            char path[64];
            snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
            printf("  tag %d: %s\n", ms[i].tag,
                   near((long long)ms[i].val, meminfo_kib(path, "VmRSS"), 8 * 1024));
        } else
            printf("  tag %d: %llu\n", ms[i].tag, ms[i].val);
    }
}

static void sched(const char *tag, virDomainPtr d)
{
    char what[96];
    int n = -1;
    char *type = virDomainGetSchedulerType(d, &n);
    printf("%s scheduler type: %s nparams=%d\n", tag, type ? type : "NULL", n);
    if (!type)
        show_error("scheduler type");
    free(type);
    unsigned int flags[] = {0, VIR_DOMAIN_AFFECT_LIVE, VIR_DOMAIN_AFFECT_CONFIG, 0x8};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        virTypedParameter p[16];
        n = 16;
        snprintf(what, sizeof(what), "%s scheduler parameters flags 0x%x", tag, flags[i]);
        int r = virDomainGetSchedulerParametersFlags(d, p, &n, flags[i]);
        printf("%s: %d n=%d\n", what, r, r == 0 ? n : -1);
        if (r < 0)
            show_error(what);
        else
            show_params("", p, n);
    }
}

static void jobs(const char *tag, virDomainPtr d)
{
    char what[96];
    virDomainJobInfo ji;
    memset(&ji, 0xff, sizeof(ji));
    int r = virDomainGetJobInfo(d, &ji);
    printf("%s job info: %d type=%d elapsed=%llu\n", tag, r, r == 0 ? ji.type : -1,
           r == 0 ? ji.timeElapsed : 0);
    if (r < 0)
        show_error("job info");
    unsigned int flags[] = {0, VIR_DOMAIN_JOB_STATS_COMPLETED, VIR_DOMAIN_JOB_STATS_KEEP_COMPLETED, 0x4};
    for (size_t i = 0; i < sizeof(flags) / sizeof(flags[0]); i++) {
        int type = -1, n = -1;
        virTypedParameterPtr p = NULL;
        snprintf(what, sizeof(what), "%s job stats flags 0x%x", tag, flags[i]);
        r = virDomainGetJobStats(d, &type, &p, &n, flags[i]);
        printf("%s: %d type=%d n=%d params=%s\n", what, r, type, n, p ? "set" : "NULL");
        if (r < 0)
            show_error(what);
        virTypedParamsFree(p, n > 0 ? n : 0);
    }
    virDomainControlInfo ci;
    r = virDomainGetControlInfo(d, &ci, 0);
    printf("%s control info: %d state=%u details=%u\n", tag, r, r == 0 ? ci.state : 99,
           r == 0 ? ci.details : 99);
    if (r < 0)
        show_error("control info");
    snprintf(what, sizeof(what), "%s control info flags 1", tag);
    show_result(what, virDomainGetControlInfo(d, &ci, 1));
}

static void devices(const char *tag, virDomainPtr d)
{
    char what[96];
    virDomainBlockStatsStruct bs;
    const char *disks[] = {"vda", ""};
    for (size_t i = 0; i < 2; i++) {
        memset(&bs, 0xff, sizeof(bs));
        snprintf(what, sizeof(what), "%s block stats '%s'", tag, disks[i]);
        int r = virDomainBlockStats(d, disks[i], &bs, sizeof(bs));
        printf("%s: %d rd_req=%lld wr_bytes=%lld errs=%lld\n", what, r, r == 0 ? bs.rd_req : -9,
               r == 0 ? bs.wr_bytes : -9, r == 0 ? bs.errs : -9);
        if (r < 0)
            show_error(what);
    }
    struct {
        const char *disk;
        int n;
        int with_params;
        unsigned int flags;
    } bsf[] = {{"", 0, 0, 0}, {"", 4, 1, 0}, {"vda", 0, 0, 0}, {"", -1, 0, 0}, {"", 2, 0, 0},
               {"", 0, 0, 1}, {"", 0, 0, VIR_TYPED_PARAM_STRING_OKAY}};
    for (size_t i = 0; i < sizeof(bsf) / sizeof(bsf[0]); i++) {
        virTypedParameter bp[4];
        int n = bsf[i].n;
        snprintf(what, sizeof(what), "%s block stats flags '%s' nparams=%d params=%d flags=0x%x", tag,
                 bsf[i].disk, bsf[i].n, bsf[i].with_params, bsf[i].flags);
        int r = virDomainBlockStatsFlags(d, bsf[i].disk, bsf[i].with_params ? bp : NULL, &n,
                                         bsf[i].flags);
        printf("%s: %d n=%d\n", what, r, n);
        if (r < 0)
            show_error(what);
        else if (bsf[i].with_params)
            show_params("", bp, n);
    }
    virDomainBlockInfo bi;
    snprintf(what, sizeof(what), "%s block info vda", tag);
    show_result(what, virDomainGetBlockInfo(d, "vda", &bi, 0));
    snprintf(what, sizeof(what), "%s block info vda flags 1", tag);
    show_result(what, virDomainGetBlockInfo(d, "vda", &bi, 1));
    virDomainInterfaceStatsStruct is;
    snprintf(what, sizeof(what), "%s interface stats vnet0", tag);
    show_result(what, virDomainInterfaceStats(d, "vnet0", &is, sizeof(is)));
    virTypedParameter p[4];
    int n = 4;
    snprintf(what, sizeof(what), "%s cpu stats total", tag);
    show_result(what, virDomainGetCPUStats(d, NULL, 0, -1, 1, 0));
    snprintf(what, sizeof(what), "%s cpu stats per cpu count", tag);
    show_result(what, virDomainGetCPUStats(d, NULL, 0, 0, 0, 0));
    snprintf(what, sizeof(what), "%s cpu stats flags 1", tag);
    show_result(what, virDomainGetCPUStats(d, p, n, -1, 1, 1));
}

static void stats(const char *root)
{
    virConnectPtr c = qt_open(root);
    /* A persistent guest that stays off, and a running transient one with a balloon that asks
     * the guest for statistics every 2 s. */
    /* Fixed UUIDs: the records come in UUID order, and errors name them. */
    virDomainPtr off =
        virDomainDefineXML(c, qt_xml("stats-off", "bbbbbbbb-0000-4000-8000-000000000017", NULL, NULL));
    printf("define stats-off: %s\n", off ? "ok" : "NULL");
    if (off) {
        vcpus_flags("off", off);
        vcpus("off get vcpus", off, 4, 1);
        memory_stats("off", off, VIR_DOMAIN_MEMORY_STAT_NR, 0, 0);
        sched("off", off);
        jobs("off", off);
        devices("off", off);
    }
    virDomainPtr d = virDomainCreateXML(
        c,
        qt_xml("stats-on", "aaaaaaaa-0000-4000-8000-000000000017", NULL,
               "<memballoon model='virtio'><stats period='2'/></memballoon>"),
        0);
    printf("create stats-on: %s\n", d ? "ok" : "NULL");
    if (!d) {
        show_error("create stats-on");
        qt_close(c);
        return;
    }
    char *x = virDomainGetXMLDesc(d, 0);
    printf("stats-on balloon: %s\n", x && strstr(x, "<stats period='2'/>") ? "period 2" : "no period");
    free(x);
    pid_t pid = qt_read_pidfile(root, "stats-on");
    qt_sleep_ms(500);
    vcpus("on get vcpus", d, 4, 1);
    vcpus("on get vcpus no maps", d, 1, 0);
    vcpus("on get vcpus maxinfo 0", d, 0, 1);
    vcpus_flags("on", d);
    memory_stats("on", d, VIR_DOMAIN_MEMORY_STAT_NR, 0, pid);
    memory_stats("on", d, 1, 0, pid);
    memory_stats("on", d, 0, 0, pid);
    memory_stats("on", d, VIR_DOMAIN_MEMORY_STAT_NR, 1, pid);
    sched("on", d);
    jobs("on", d);
    devices("on", d);

    virDomainStatsRecordPtr *recs = NULL;
    records("all stats, all groups", virConnectGetAllDomainStats(c, 0, &recs, 0), &recs);
    unsigned int groups = VIR_DOMAIN_STATS_STATE | VIR_DOMAIN_STATS_CPU_TOTAL | VIR_DOMAIN_STATS_BALLOON |
                          VIR_DOMAIN_STATS_VCPU | VIR_DOMAIN_STATS_INTERFACE | VIR_DOMAIN_STATS_BLOCK;
    recs = NULL;
    records("all stats, six groups, active", virConnectGetAllDomainStats(c, groups, &recs, VIR_CONNECT_GET_ALL_DOMAINS_STATS_ACTIVE), &recs);
    recs = NULL;
    records("all stats, state, persistent", virConnectGetAllDomainStats(c, VIR_DOMAIN_STATS_STATE, &recs, VIR_CONNECT_GET_ALL_DOMAINS_STATS_PERSISTENT), &recs);
    recs = NULL;
    show_result("all stats, bad flags", virConnectGetAllDomainStats(c, groups, &recs, 0x100));
    show_result("all stats, NULL", virConnectGetAllDomainStats(c, groups, NULL, 0));
    virDomainPtr list[] = {d, NULL};
    recs = NULL;
    records("list stats, six groups", virDomainListGetStats(list, groups, &recs, 0), &recs);
    virDomainPtr none[] = {NULL};
    recs = NULL;
    show_result("list stats, empty", virDomainListGetStats(none, groups, &recs, 0));

    show_result("destroy stats-on", virDomainDestroy(d));
    show_result("stale memory stats", virDomainMemoryStats(d, NULL, 0, 0));
    virDomainJobInfo ji;
    show_result("stale job info", virDomainGetJobInfo(d, &ji));
    virDomainFree(d);
    if (off) {
        show_result("undefine stats-off", virDomainUndefine(off));
        virDomainFree(off);
    }
    qt_close(c);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    (void)qt_start_default_loop();
    virResetLastError();
    if (argc != 3) {
        fprintf(stderr, "usage: %s host|stats ROOT\n", argv[0]);
        return 2;
    }
    qt_subreaper();
    qt_start_reaper();
    if (strcmp(argv[1], "host") == 0)
        host(argv[2]);
    else if (strcmp(argv[1], "stats") == 0)
        stats(argv[2]);
    else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    return 0;
}
