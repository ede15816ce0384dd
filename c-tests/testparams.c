/* The test driver's typed-parameter functions (issue 15): blkio, memory, NUMA, interface and block
 * I/O tune parameters and perf events, get and set: the count query, names, types, order, values,
 * truncation, LIVE/CONFIG/CURRENT and their state errors, bad input, read-only connections; and
 * the domain XML after the calls that change what it shows. Run on test:///default (running
 * domain "test", a defined inactive one, a transient one) and on a read-only connection. */
#include "common.h"

#define SHOW(what, r)                                                                              \
    do {                                                                                           \
        int r_ = (r);                                                                              \
        printf("%s=%d\n", what, r_);                                                               \
        if (r_ < 0)                                                                                \
            show_error(what);                                                                      \
    } while (0)

#define MAXP 32

static void print_params(virTypedParameterPtr p, int n)
{
    for (int i = 0; i < n; i++) {
        printf("  %s type=%d ", p[i].field, p[i].type);
        switch (p[i].type) {
        case VIR_TYPED_PARAM_INT:
            printf("%d\n", p[i].value.i);
            break;
        case VIR_TYPED_PARAM_UINT:
            printf("%u\n", p[i].value.ui);
            break;
        case VIR_TYPED_PARAM_LLONG:
            printf("%lld\n", p[i].value.l);
            break;
        case VIR_TYPED_PARAM_ULLONG:
            printf("%llu\n", p[i].value.ul);
            break;
        case VIR_TYPED_PARAM_DOUBLE:
            printf("%g\n", p[i].value.d);
            break;
        case VIR_TYPED_PARAM_BOOLEAN:
            printf("%d\n", p[i].value.b);
            break;
        case VIR_TYPED_PARAM_STRING:
            printf("'%s'\n", p[i].value.s ? p[i].value.s : "(null)");
            break;
        default:
            printf("?\n");
        }
    }
}

/* One getter of the shape (dom, params, &nparams, flags), or with a device/disk first. */
typedef int (*getter)(virDomainPtr, const char *, virTypedParameterPtr, int *, unsigned int);

static int get_blkio(virDomainPtr d, const char *dev, virTypedParameterPtr p, int *n, unsigned int f)
{
    (void)dev;
    return virDomainGetBlkioParameters(d, p, n, f);
}
static int get_memory(virDomainPtr d, const char *dev, virTypedParameterPtr p, int *n, unsigned int f)
{
    (void)dev;
    return virDomainGetMemoryParameters(d, p, n, f);
}
static int get_numa(virDomainPtr d, const char *dev, virTypedParameterPtr p, int *n, unsigned int f)
{
    (void)dev;
    return virDomainGetNumaParameters(d, p, n, f);
}
static int get_iface(virDomainPtr d, const char *dev, virTypedParameterPtr p, int *n, unsigned int f)
{
    return virDomainGetInterfaceParameters(d, dev, p, n, f);
}
static int get_iotune(virDomainPtr d, const char *dev, virTypedParameterPtr p, int *n, unsigned int f)
{
    return virDomainGetBlockIoTune(d, dev, p, n, f);
}

/* A getter asked with `n` slots and `flags`: its answer, count and parameters. */
static void get(const char *what, getter g, virDomainPtr d, const char *dev, int n, unsigned int flags)
{
    virTypedParameter p[MAXP];
    memset(p, 0, sizeof(p));
    int count = n;
    int r = g(d, dev, n ? p : NULL, &count, flags);
    printf("%s(n=%d flags=%u)=%d count=%d\n", what, n, flags, r, count);
    if (r < 0) {
        show_error(what);
        return;
    }
    if (n > 0) {
        print_params(p, count);
        virTypedParamsClear(p, count);
    }
}

/* Every way of asking one getter. */
static void getter_matrix(const char *what, getter g, virDomainPtr d, const char *dev)
{
    get(what, g, d, dev, 0, 0);
    get(what, g, d, dev, MAXP, 0);
    get(what, g, d, dev, 1, 0);
    get(what, g, d, dev, MAXP, VIR_DOMAIN_AFFECT_LIVE);
    get(what, g, d, dev, MAXP, VIR_DOMAIN_AFFECT_CONFIG);
    get(what, g, d, dev, MAXP, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG);
    get(what, g, d, dev, MAXP, 1u << 7);
    get(what, g, d, dev, -1, 0);
    int n = 2;
    int r = g(d, dev, NULL, &n, 0);
    printf("%s(NULL params, n=2)=%d\n", what, r);
    if (r < 0)
        show_error(what);
    /* The reference's interface and block getters read *nparams before checking it. */
    if (dev)
        return;
    r = g(d, dev, NULL, NULL, 0);
    printf("%s(NULL nparams)=%d\n", what, r);
    if (r < 0)
        show_error(what);
}

static void set_ull(virTypedParameterPtr p, const char *name, unsigned long long v)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->field, VIR_TYPED_PARAM_FIELD_LENGTH, "%s", name);
    p->type = VIR_TYPED_PARAM_ULLONG;
    p->value.ul = v;
}
static void set_uint(virTypedParameterPtr p, const char *name, unsigned int v)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->field, VIR_TYPED_PARAM_FIELD_LENGTH, "%s", name);
    p->type = VIR_TYPED_PARAM_UINT;
    p->value.ui = v;
}
static void set_int(virTypedParameterPtr p, const char *name, int v)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->field, VIR_TYPED_PARAM_FIELD_LENGTH, "%s", name);
    p->type = VIR_TYPED_PARAM_INT;
    p->value.i = v;
}
static void set_str(virTypedParameterPtr p, const char *name, char *v)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->field, VIR_TYPED_PARAM_FIELD_LENGTH, "%s", name);
    p->type = VIR_TYPED_PARAM_STRING;
    p->value.s = v;
}
static void set_bool(virTypedParameterPtr p, const char *name, int v)
{
    memset(p, 0, sizeof(*p));
    snprintf(p->field, VIR_TYPED_PARAM_FIELD_LENGTH, "%s", name);
    p->type = VIR_TYPED_PARAM_BOOLEAN;
    p->value.b = (char)v;
}

static void memory(virDomainPtr d)
{
    virTypedParameter p[4];
    getter_matrix("memparams", get_memory, d, NULL);
    set_ull(&p[0], VIR_DOMAIN_MEMORY_HARD_LIMIT, 1000);
    set_ull(&p[1], VIR_DOMAIN_MEMORY_SOFT_LIMIT, 500);
    SHOW("setmem(hard,soft)", virDomainSetMemoryParameters(d, p, 2, 0));
    get("memparams", get_memory, d, NULL, MAXP, 0);
    set_ull(&p[0], VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT, 800);
    SHOW("setmem(swap<hard)", virDomainSetMemoryParameters(d, p, 1, 0));
    set_ull(&p[0], VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT, 2000);
    SHOW("setmem(swap)", virDomainSetMemoryParameters(d, p, 1, 0));
    SHOW("setmem(config)", virDomainSetMemoryParameters(d, p, 1, VIR_DOMAIN_AFFECT_CONFIG));
    get("memparams", get_memory, d, NULL, MAXP, VIR_DOMAIN_AFFECT_CONFIG);
    get("memparams", get_memory, d, NULL, MAXP, 0);
    set_uint(&p[0], VIR_DOMAIN_MEMORY_HARD_LIMIT, 5);
    SHOW("setmem(uint)", virDomainSetMemoryParameters(d, p, 1, 0));
    set_ull(&p[0], "bogus", 5);
    SHOW("setmem(bogus)", virDomainSetMemoryParameters(d, p, 1, 0));
    set_ull(&p[0], VIR_DOMAIN_MEMORY_SOFT_LIMIT, 5);
    set_ull(&p[1], VIR_DOMAIN_MEMORY_SOFT_LIMIT, 6);
    SHOW("setmem(twice)", virDomainSetMemoryParameters(d, p, 2, 0));
    SHOW("setmem(none)", virDomainSetMemoryParameters(d, p, 0, 0));
    SHOW("setmem(flags)", virDomainSetMemoryParameters(d, p, 1, 4));
    SHOW("setmem(live|config)", virDomainSetMemoryParameters(d, p, 1, 3));
    SHOW("setmem(NULL)", virDomainSetMemoryParameters(d, NULL, 1, 0));
    SHOW("setmem(-1)", virDomainSetMemoryParameters(d, p, -1, 0));
}

static void numa(virDomainPtr d)
{
    virTypedParameter p[4];
    getter_matrix("numaparams", get_numa, d, NULL);
    set_int(&p[0], VIR_DOMAIN_NUMA_MODE, 1);
    SHOW("setnuma(mode 1)", virDomainSetNumaParameters(d, p, 1, 0));
    set_int(&p[0], VIR_DOMAIN_NUMA_MODE, 9);
    SHOW("setnuma(mode 9)", virDomainSetNumaParameters(d, p, 1, 0));
    set_str(&p[0], VIR_DOMAIN_NUMA_NODESET, "0");
    SHOW("setnuma(nodeset)", virDomainSetNumaParameters(d, p, 1, 0));
    get("numaparams", get_numa, d, NULL, MAXP, 0);
    set_str(&p[0], VIR_DOMAIN_NUMA_NODESET, "x");
    SHOW("setnuma(bad nodeset)", virDomainSetNumaParameters(d, p, 1, 0));
    set_int(&p[0], VIR_DOMAIN_NUMA_MODE, 2);
    set_str(&p[1], VIR_DOMAIN_NUMA_NODESET, "0-1");
    SHOW("setnuma(config)", virDomainSetNumaParameters(d, p, 2, VIR_DOMAIN_AFFECT_CONFIG));
    get("numaparams", get_numa, d, NULL, MAXP, VIR_DOMAIN_AFFECT_CONFIG);
    set_ull(&p[0], VIR_DOMAIN_NUMA_MODE, 1);
    SHOW("setnuma(ullong)", virDomainSetNumaParameters(d, p, 1, 0));
}

static void iface(virDomainPtr d, const char *dev)
{
    virTypedParameter p[8];
    getter_matrix("ifaceparams", get_iface, d, dev);
    get("ifaceparams(nosuch)", get_iface, d, "nosuch", MAXP, 0);
    get("ifaceparams(mac)", get_iface, d, "aa:bb:cc:dd:ee:ff", MAXP, 0);
    set_uint(&p[0], VIR_DOMAIN_BANDWIDTH_IN_AVERAGE, 100);
    set_uint(&p[1], VIR_DOMAIN_BANDWIDTH_IN_PEAK, 200);
    set_uint(&p[2], VIR_DOMAIN_BANDWIDTH_OUT_AVERAGE, 300);
    set_uint(&p[3], VIR_DOMAIN_BANDWIDTH_OUT_BURST, 400);
    SHOW("setiface", virDomainSetInterfaceParameters(d, dev, p, 4, 0));
    get("ifaceparams", get_iface, d, dev, MAXP, 0);
    set_uint(&p[0], VIR_DOMAIN_BANDWIDTH_IN_AVERAGE, 0);
    SHOW("setiface(clear in)", virDomainSetInterfaceParameters(d, dev, p, 1, 0));
    get("ifaceparams", get_iface, d, dev, MAXP, 0);
    SHOW("setiface(nosuch)", virDomainSetInterfaceParameters(d, "nosuch", p, 1, 0));
    set_ull(&p[0], VIR_DOMAIN_BANDWIDTH_IN_AVERAGE, 1);
    SHOW("setiface(ullong)", virDomainSetInterfaceParameters(d, dev, p, 1, 0));
}

static void blkio(virDomainPtr d)
{
    virTypedParameter p[4];
    getter_matrix("blkioparams", get_blkio, d, NULL);
    set_uint(&p[0], VIR_DOMAIN_BLKIO_WEIGHT, 500);
    SHOW("setblkio(weight)", virDomainSetBlkioParameters(d, p, 1, 0));
    get("blkioparams", get_blkio, d, NULL, MAXP, 0);
    set_uint(&p[0], VIR_DOMAIN_BLKIO_WEIGHT, 5);
    SHOW("setblkio(weight 5)", virDomainSetBlkioParameters(d, p, 1, 0));
    set_str(&p[0], VIR_DOMAIN_BLKIO_DEVICE_WEIGHT, "/dev/sda,100");
    SHOW("setblkio(device weight)", virDomainSetBlkioParameters(d, p, 1, 0));
    get("blkioparams", get_blkio, d, NULL, MAXP, 0);
    set_str(&p[0], VIR_DOMAIN_BLKIO_DEVICE_READ_IOPS, "/dev/sda,10,/dev/sdb,20");
    SHOW("setblkio(read iops)", virDomainSetBlkioParameters(d, p, 1, VIR_DOMAIN_AFFECT_CONFIG));
    get("blkioparams", get_blkio, d, NULL, MAXP, VIR_DOMAIN_AFFECT_CONFIG);
    set_str(&p[0], VIR_DOMAIN_BLKIO_DEVICE_WRITE_BPS, "bad");
    SHOW("setblkio(bad)", virDomainSetBlkioParameters(d, p, 1, 0));
    set_int(&p[0], VIR_DOMAIN_BLKIO_WEIGHT, 5);
    SHOW("setblkio(int)", virDomainSetBlkioParameters(d, p, 1, 0));
}

static void iotune(virDomainPtr d, const char *disk)
{
    virTypedParameter p[4];
    getter_matrix("iotune", get_iotune, d, disk);
    get("iotune(nosuch)", get_iotune, d, "nosuch", MAXP, 0);
    get("iotune(path)", get_iotune, d, "/guest/diskimage1", MAXP, 0);
    set_ull(&p[0], VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC, 1000);
    set_ull(&p[1], VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC_MAX, 2000);
    set_str(&p[2], VIR_DOMAIN_BLOCK_IOTUNE_GROUP_NAME, "grp");
    SHOW("setiotune", virDomainSetBlockIoTune(d, disk, p, 3, 0));
    get("iotune", get_iotune, d, disk, MAXP, 0);
    set_ull(&p[0], VIR_DOMAIN_BLOCK_IOTUNE_READ_BYTES_SEC, 10);
    SHOW("setiotune(total+read)", virDomainSetBlockIoTune(d, disk, p, 1, 0));
    set_ull(&p[0], VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC, 5000);
    SHOW("setiotune(over max)", virDomainSetBlockIoTune(d, disk, p, 1, 0));
    set_ull(&p[0], VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_IOPS_SEC, 2000000000000000ULL);
    SHOW("setiotune(huge)", virDomainSetBlockIoTune(d, disk, p, 1, 0));
    SHOW("setiotune(nosuch)", virDomainSetBlockIoTune(d, "nosuch", p, 1, 0));
    set_uint(&p[0], VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_IOPS_SEC, 1);
    SHOW("setiotune(uint)", virDomainSetBlockIoTune(d, disk, p, 1, 0));
}

static void perf(virDomainPtr d)
{
    virTypedParameterPtr p = NULL;
    int n = 0;
    int r = virDomainGetPerfEvents(d, &p, &n, 0);
    printf("perf=%d n=%d\n", r, n);
    if (r < 0)
        show_error("perf");
    else
        print_params(p, n);
    virTypedParamsFree(p, n);
    p = NULL;
    r = virDomainGetPerfEvents(d, &p, &n, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG);
    printf("perf(live|config)=%d\n", r);
    if (r < 0)
        show_error("perf");
    r = virDomainGetPerfEvents(d, &p, &n, 1u << 6);
    printf("perf(flags)=%d\n", r);
    if (r < 0)
        show_error("perf");
    virTypedParameter s[3];
    set_bool(&s[0], VIR_PERF_PARAM_CMT, 1);
    set_bool(&s[1], VIR_PERF_PARAM_CPU_CYCLES, 1);
    SHOW("setperf", virDomainSetPerfEvents(d, s, 2, 0));
    set_bool(&s[0], VIR_PERF_PARAM_CMT, 0);
    SHOW("setperf(off)", virDomainSetPerfEvents(d, s, 1, 0));
    p = NULL;
    r = virDomainGetPerfEvents(d, &p, &n, 0);
    printf("perf=%d n=%d\n", r, n);
    if (r >= 0)
        print_params(p, n);
    virTypedParamsFree(p, n);
    set_int(&s[0], VIR_PERF_PARAM_CMT, 1);
    SHOW("setperf(int)", virDomainSetPerfEvents(d, s, 1, 0));
    set_bool(&s[0], "bogus", 1);
    SHOW("setperf(bogus)", virDomainSetPerfEvents(d, s, 1, 0));
    SHOW("setperf(config)", virDomainSetPerfEvents(d, s + 1, 1, VIR_DOMAIN_AFFECT_CONFIG));
    SHOW("setperf(NULL)", virDomainSetPerfEvents(d, NULL, 1, 0));
    SHOW("getperf(NULL)", virDomainGetPerfEvents(d, NULL, &n, 0));
}

/* virDomainMemoryPeek: the test driver's fake memory, the flags and the buffer rules. */
static void peek(virDomainPtr d, unsigned long long start, size_t size, int with_buffer,
                 unsigned int flags)
{
    unsigned char b[32];
    memset(b, 0xee, sizeof(b));
    int r = virDomainMemoryPeek(d, start, size, with_buffer ? b : NULL, flags);
    printf("peek(start=%llu size=%zu buffer=%d flags=%u)=%d", start, size, with_buffer, flags, r);
    for (size_t i = 0; i < 20; i++)
        printf(" %02x", b[i]);
    printf("\n");
    if (r < 0)
        show_error("peek");
}

static void memory_peek(virDomainPtr d)
{
    peek(d, 0, 16, 1, VIR_MEMORY_VIRTUAL);
    peek(d, 100, 16, 1, VIR_MEMORY_PHYSICAL);
    peek(d, ~0ULL, 16, 1, VIR_MEMORY_VIRTUAL);
    peek(d, 0, 16, 1, 0);
    peek(d, 0, 16, 1, VIR_MEMORY_VIRTUAL | VIR_MEMORY_PHYSICAL);
    peek(d, 0, 16, 1, 4);
    peek(d, 0, 0, 1, VIR_MEMORY_VIRTUAL);
    peek(d, 0, 16, 0, VIR_MEMORY_VIRTUAL);
}

static void xml(const char *what, virDomainPtr d, unsigned int flags)
{
    char *x = virDomainGetXMLDesc(d, flags);
    printf("%s xml(flags %u):\n%s\n", what, flags, x ? x : "(null)");
    if (!x)
        show_error(what);
    free(x);
}

static void all(const char *what, virDomainPtr d, const char *dev, const char *disk)
{
    printf("==== %s\n", what);
    memory(d);
    numa(d);
    iface(d, dev);
    blkio(d);
    iotune(d, disk);
    perf(d);
    memory_peek(d);
}

static const char *idle_xml = "<domain type='test'><name>idle</name>"
                              "<uuid>11111111-2222-3333-4444-555555555555</uuid>"
                              "<memory>1048576</memory><currentMemory>524288</currentMemory>"
                              "<vcpu>4</vcpu><os><type>hvm</type></os>"
                              "<devices><disk type='file' device='disk'><source file='/idle.img'/>"
                              "<target dev='vdb'/></disk>"
                              "<interface type='network'><mac address='52:54:00:00:00:01'/>"
                              "<source network='default'/><target dev='idle0'/></interface>"
                              "</devices></domain>";

static const char *transient_xml = "<domain type='test'><name>tr</name>"
                                   "<memory>1048576</memory><vcpu>2</vcpu>"
                                   "<os><type>hvm</type></os></domain>";

/* What the domain XML shows after the calls that change the definition. */
static void xml_after_changes(virConnectPtr c)
{
    printf("==== xml after changes\n");
    virDomainPtr d = virDomainDefineXML(c, "<domain type='test'><name>x1</name>"
                                           "<uuid>22222222-2222-3333-4444-555555555555</uuid>"
                                           "<memory>1048576</memory><vcpu>4</vcpu>"
                                           "<os><type>hvm</type></os></domain>");
    if (!d) {
        show_error("define x1");
        return;
    }
    SHOW("title", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "A title", NULL, NULL, 0));
    SHOW("desc", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, "A <b> & desc", NULL,
                                      NULL, 0));
    SHOW("element", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT,
                                         "<foo a='1'><bar>x</bar></foo>", "ex", "http://ex/", 0));
    SHOW("element2", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<z/>", "zz",
                                          "http://zz/", 0));
    xml("x1 metadata", d, 0);
    SHOW("vcpus 2", virDomainSetVcpusFlags(d, 2, VIR_DOMAIN_AFFECT_CONFIG));
    SHOW("mem", virDomainSetMemoryFlags(d, 524288, VIR_DOMAIN_AFFECT_CONFIG));
    xml("x1 vcpus", d, 0);
    SHOW("create", virDomainCreate(d));
    unsigned char map[1] = {0x5};
    SHOW("pin", virDomainPinVcpu(d, 1, map, 1));
    SHOW("pin emulator", virDomainPinEmulator(d, map, 1, 0));
    SHOW("title live", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "Live", NULL, NULL,
                                            VIR_DOMAIN_AFFECT_LIVE));
    SHOW("vcpus live 1", virDomainSetVcpusFlags(d, 1, VIR_DOMAIN_AFFECT_LIVE));
    xml("x1 live", d, 0);
    xml("x1 inactive", d, VIR_DOMAIN_XML_INACTIVE);
    virDomainDestroy(d);
    xml("x1 stopped", d, 0);
    /* The old handle keeps the name it was made with, as the reference's does. */
    SHOW("rename", virDomainRename(d, "x2", 0));
    printf("old handle name=%s\n", virDomainGetName(d));
    virDomainPtr renamed = virDomainLookupByName(c, "x2");
    printf("new handle name=%s\n", renamed ? virDomainGetName(renamed) : "(none)");
    if (renamed)
        virDomainFree(renamed);
    virDomainUndefine(d);
    virDomainFree(d);
}

/* virConnectGetCPUModelNames: the models of the CPU map in its order (x86, ppc64), none for the
 * CPU drivers without a list (arm, s390), the refusals of unknown and unsupported architectures,
 * the count-only call, flags, and the NULL the public layer leaves in the output on failure. */
static void cpu_models(virConnectPtr c)
{
    static const char *arches[] = {"x86_64", "i686", "ppc64", "ppc64le", "aarch64", "armv7l",
                                   "s390x", "mips", "riscv64", "x86", "X86_64", "bogus", "", NULL};
    for (int i = 0; arches[i]; i++) {
        char **models = (char **)&models;
        int n = virConnectGetCPUModelNames(c, arches[i], &models, 0);
        printf("cpu models %s=%d array=%s\n", arches[i], n,
               !models ? "NULL" : models == (char **)&models ? "untouched" : "set");
        if (n < 0)
            show_error("cpu models");
        for (int j = 0; models && n >= 0 && j <= n; j++) {
            printf("  %s\n", models[j] ? models[j] : "(end)");
            free(models[j]);
        }
        free(n >= 0 ? models : NULL);
        SHOW("cpu models count", virConnectGetCPUModelNames(c, arches[i], NULL, 0));
    }
    char **models = (char **)&models;
    SHOW("cpu models NULL arch", virConnectGetCPUModelNames(c, NULL, &models, 0));
    printf("array=%s\n", models ? "set" : "NULL");
    models = (char **)&models;
    SHOW("cpu models bad conn", virConnectGetCPUModelNames(NULL, "x86_64", &models, 0));
    printf("array=%s\n", models ? "set" : "NULL");
    SHOW("cpu models flags", virConnectGetCPUModelNames(c, "x86_64", NULL, 1));
    SHOW("cpu models flags bogus", virConnectGetCPUModelNames(c, "bogus", NULL, 4));
}

/* virStorageVolCreateXMLFrom's public checks in the reference's order: the volume to clone, then
 * xmlDesc, then the read-only refusal. */
static const char *clone_source_xml =
    "<volume><name>clone-source</name><capacity>1</capacity></volume>";

static void vol_clone_checks(virConnectPtr c)
{
    static const char *xml = "<volume><name>clone-check</name><capacity>1</capacity></volume>";
    virStoragePoolPtr pool = virStoragePoolLookupByName(c, "default-pool");
    if (!pool) {
        show_error("pool");
        return;
    }
    virStorageVolPtr vol = NULL;
    char *names[1];
    if (virStoragePoolListVolumes(pool, names, 1) == 1) {
        vol = virStorageVolLookupByName(pool, names[0]);
        free(names[0]);
    }
    printf("clone source=%s\n", vol ? "found" : "none");
    virStorageVolPtr v = virStorageVolCreateXMLFrom(pool, NULL, NULL, 0);
    printf("clone NULL NULL=%s\n", v ? "vol" : "NULL");
    if (!v)
        show_error("clone NULL NULL");
    v = virStorageVolCreateXMLFrom(pool, xml, NULL, 0);
    printf("clone xml NULL=%s\n", v ? "vol" : "NULL");
    if (!v)
        show_error("clone xml NULL");
    if (vol) {
        v = virStorageVolCreateXMLFrom(pool, NULL, vol, 0);
        printf("clone NULL vol=%s\n", v ? "vol" : "NULL");
        if (!v)
            show_error("clone NULL vol");
        v = virStorageVolCreateXMLFrom(pool, xml, vol, 0);
        printf("clone xml vol=%s\n", v ? virStorageVolGetName(v) : "NULL");
        if (!v)
            show_error("clone xml vol");
        else
            virStorageVolFree(v);
        virStorageVolFree(vol);
    }
    virStoragePoolFree(pool);
}

/* virNodeGetFreePages: the reference's fake counts (the same whatever the sizes and cells, wrapping
 * as a C int after the 26th), its return value, and the public checks in order. */
static void free_pages_call(virConnectPtr c, unsigned int npages, int start, unsigned int cells,
                            int with_pages, int with_counts, unsigned int flags)
{
    unsigned int pages[8] = {4, 2048, 1048576, 8, 16, 32, 64, 128};
    unsigned long long counts[80] = {0};
    int r = virNodeGetFreePages(c, npages, with_pages ? pages : NULL, start, cells,
                                with_counts ? counts : NULL, flags);
    printf("free pages(npages=%u start=%d cells=%u pages=%d counts=%d flags=%u)=%d\n", npages,
           start, cells, with_pages, with_counts, flags, r);
    if (r < 0)
        show_error("free pages");
    for (unsigned int i = 0; r >= 0 && i < npages * cells && i < 80; i++)
        printf(" %llu", counts[i]);
    printf("\n");
}

static void free_pages(virConnectPtr c)
{
    free_pages_call(c, 1, 0, 1, 1, 1, 0);
    free_pages_call(c, 3, 1, 2, 1, 1, 0);
    free_pages_call(c, 8, -5, 10, 1, 1, 0);
    free_pages_call(c, 0, 0, 0, 0, 0, 0);
    free_pages_call(c, 2, 0, 0, 0, 0, 0);
    free_pages_call(c, 2, 0, 0, 1, 0, 0);
    free_pages_call(c, 2, 0, 1, 1, 0, 0);
    free_pages_call(c, 2, 0, 1, 1, 1, 1);
}

int main(void)
{
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        return 1;
    virDomainPtr t = virDomainLookupByName(c, "test");
    all("running", t, "testnet0", "vda");

    virDomainPtr idle = virDomainDefineXML(c, idle_xml);
    if (!idle)
        show_error("define idle");
    else {
        all("inactive", idle, "idle0", "vdb");
        virDomainUndefine(idle);
        virDomainFree(idle);
    }

    virDomainPtr tr = virDomainCreateXML(c, transient_xml, 0);
    if (!tr)
        show_error("create tr");
    else {
        all("transient", tr, "none", "none");
        virDomainDestroy(tr);
        virDomainFree(tr);
    }

    xml_after_changes(c);
    cpu_models(c);
    virStoragePoolPtr pool = virStoragePoolLookupByName(c, "default-pool");
    virStorageVolPtr src = pool ? virStorageVolCreateXML(pool, clone_source_xml, 0) : NULL;
    if (!src)
        show_error("clone source");
    else
        virStorageVolFree(src);
    if (pool)
        virStoragePoolFree(pool);
    vol_clone_checks(c);
    free_pages(c);

    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    virDomainPtr rt = virDomainLookupByName(ro, "test");
    all("read-only", rt, "testnet0", "vda");
    cpu_models(ro);
    vol_clone_checks(ro);
    free_pages(ro);
    virDomainFree(rt);
    virConnectClose(ro);

    virDomainFree(t);
    virConnectClose(c);
    return 0;
}
