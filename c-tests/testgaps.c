/* Issue 15's last test-driver functions, on test:///default and on tests/data/devices-node.xml:
 * virDomainInterfaceAddresses, virDomainSaveImageGetXMLDesc / DefineXML, virDomainCreateWithFiles
 * and virDomainCreateXMLWithFiles, and the domain XML with its devices as the test driver completes
 * them. Differential: the output must equal libvirt 9.0's. */
#define _GNU_SOURCE
#include "common.h"
#include <limits.h>
#include <stdint.h>
#include <unistd.h>

#define NODE_FILE "tests/data/devices-node.xml"
#define MISSING_IMAGE "/nonexistent/td15.img"

static void show_rc(const char *what, int rc)
{
    printf("%s: rc=%d\n", what, rc);
    if (rc < 0)
        show_error(what);
}

static void show_xml(const char *what, char *xml)
{
    if (!xml) {
        show_error(what);
        return;
    }
    printf("%s:\n%s", what, xml);
    free(xml);
}

static void addresses(const char *what, virDomainPtr d, unsigned int source, unsigned int flags)
{
    virDomainInterfacePtr *ifaces = (virDomainInterfacePtr *)(uintptr_t)1;
    int n = virDomainInterfaceAddresses(d, &ifaces, source, flags);
    printf("%s source=%u flags=%u: n=%d ifaces_null=%d\n", what, source, flags, n, ifaces == NULL);
    if (n < 0) {
        show_error(what);
        return;
    }
    for (int i = 0; i < n; i++) {
        virDomainInterfacePtr f = ifaces[i];
        printf("  %s hwaddr=%s naddrs=%u\n", f->name, f->hwaddr ? f->hwaddr : "(null)", f->naddrs);
        for (unsigned int j = 0; j < f->naddrs; j++)
            printf("    type=%d %s/%u\n", f->addrs[j].type, f->addrs[j].addr, f->addrs[j].prefix);
        virDomainInterfaceFree(f);
    }
    free(ifaces);
}

static void every_source(const char *what, virDomainPtr d)
{
    for (unsigned int s = 0; s <= 4; s++)
        addresses(what, d, s, 0);
    addresses(what, d, 0, 1);
}

static void domain_xml(virConnectPtr c, const char *name)
{
    virDomainPtr d = virDomainLookupByName(c, name);
    char label[128];
    snprintf(label, sizeof(label), "xml %s live", name);
    show_xml(label, virDomainGetXMLDesc(d, 0));
    snprintf(label, sizeof(label), "xml %s inactive", name);
    show_xml(label, virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE));
    virDomainFree(d);
}

static void interface_addresses(virConnectPtr c, virConnectPtr ro, virConnectPtr node)
{
    virDomainPtr d = virDomainLookupByName(c, "test");
    every_source("default", d);
    printf("null ifaces: %d\n", virDomainInterfaceAddresses(d, NULL, 0, 0));
    show_error("null ifaces");
    virDomainPtr rd = virDomainLookupByName(ro, "test");
    addresses("read-only", rd, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_LEASE, 0);
    addresses("read-only", rd, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_AGENT, 0);
    addresses("read-only", rd, VIR_DOMAIN_INTERFACE_ADDRESSES_SRC_ARP, 0);
    virDomainFree(rd);
    virDomainInterfaceFree(NULL);
    show_rc("destroy", virDomainDestroy(d));
    addresses("inactive", d, 0, 0);
    addresses("inactive bad source", d, 7, 0);
    show_rc("create", virDomainCreate(d));
    addresses("restarted", d, 0, 0);
    virDomainFree(d);

    const char *names[] = {"devs", "plain", "lost"};
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++) {
        virDomainPtr nd = virDomainLookupByName(node, names[i]);
        every_source(names[i], nd);
        virDomainFree(nd);
    }
    /* A domain defined without interface names gets testnetN, the lowest free N. */
    const char *xml = "<domain type='test'><name>named</name>"
                      "<uuid>4e1c5b1a-0d3e-4b8c-9b61-5f0c3d2a7e21</uuid>"
                      "<memory>1024</memory><os><type>hvm</type></os><devices>"
                      "<interface type='network'><source network='lan'/>"
                      "<mac address='52:54:00:15:01:01'/><target dev='testnet0'/></interface>"
                      "<interface type='network'><source network='lan'/>"
                      "<mac address='52:54:00:15:01:02'/></interface>"
                      "<interface type='direct'><source dev='eth0' mode='vepa'/>"
                      "<mac address='52:54:00:15:01:03'/></interface>"
                      "</devices></domain>";
    virDomainPtr nd = virDomainDefineXML(node, xml);
    show_xml("defined", virDomainGetXMLDesc(nd, 0));
    show_rc("start defined", virDomainCreate(nd));
    addresses("defined", nd, 0, 0);
    virDomainFree(nd);
}

static void save_images(virConnectPtr c, virConnectPtr ro, const char *dir)
{
    /* Relative paths, so that the messages that name them are the same on every run. */
    if (chdir(dir) < 0) {
        perror("chdir");
        return;
    }
    const char *img = "test.img", *junk = "junk.img";
    virDomainPtr d = virDomainLookupByName(c, "test");
    show_rc("save", virDomainSave(d, img));
    for (unsigned int f = 0; f < 4; f++) {
        char label[64];
        snprintf(label, sizeof(label), "image xml flags=%u", f);
        show_xml(label, virDomainSaveImageGetXMLDesc(c, img, f));
    }
    show_xml("image xml missing", virDomainSaveImageGetXMLDesc(c, MISSING_IMAGE, 0));
    show_xml("image xml null", virDomainSaveImageGetXMLDesc(c, NULL, 0));
    show_xml("image xml read-only", virDomainSaveImageGetXMLDesc(ro, img, 0));
    FILE *f = fopen(junk, "w");
    if (f) {
        fputs("not a save image at all", f);
        fclose(f);
    }
    show_xml("image xml junk", virDomainSaveImageGetXMLDesc(c, junk, 0));

    const char *same = "<domain type='test'><name>test</name>"
                       "<uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"
                       "<memory>1048576</memory><vcpu>3</vcpu><os><type>hvm</type></os>"
                       "<devices><interface type='network'><source network='default'/>"
                       "<mac address='52:54:00:15:02:01'/></interface>"
                       "<graphics type='vnc'/></devices></domain>";
    const char *other = "<domain type='test'><name>other</name>"
                        "<uuid>4e1c5b1a-0d3e-4b8c-9b61-5f0c3d2a7e31</uuid>"
                        "<memory>1048576</memory><os><type>hvm</type></os></domain>";
    show_rc("define flags=1", virDomainSaveImageDefineXML(c, img, same, 1));
    show_rc("define flags=8", virDomainSaveImageDefineXML(c, img, same, 8));
    printf("define bad xml: rc=%d\n", virDomainSaveImageDefineXML(c, img, "<domain", 0));
    show_xml_error("define bad xml");
    show_rc("define missing", virDomainSaveImageDefineXML(c, MISSING_IMAGE, same, 0));
    show_rc("define missing bad xml", virDomainSaveImageDefineXML(c, MISSING_IMAGE, "<x", 0));
    show_rc("define junk", virDomainSaveImageDefineXML(c, junk, same, 0));
    show_rc("define null xml", virDomainSaveImageDefineXML(c, img, NULL, 0));
    show_rc("define read-only", virDomainSaveImageDefineXML(ro, img, same, 0));
    show_rc("define same", virDomainSaveImageDefineXML(c, img, same, VIR_DOMAIN_SAVE_RUNNING));
    show_xml("image xml after define", virDomainSaveImageGetXMLDesc(c, img, 0));
    show_rc("restore", virDomainRestore(c, img));
    show_state("restored", d);
    show_xml("restored xml", virDomainGetXMLDesc(d, 0));
    show_rc("define other", virDomainSaveImageDefineXML(c, img, other, VIR_DOMAIN_SAVE_PAUSED));
    show_xml("image xml other", virDomainSaveImageGetXMLDesc(c, img, 0));
    virDomainFree(d);
    unlink(img);
    unlink(junk);
    if (chdir("/") < 0)
        perror("chdir");
}

static void create_with_files(virConnectPtr c, virConnectPtr ro)
{
    int fds[2] = {0, 1};
    virDomainPtr d = virDomainLookupByName(c, "test");
    show_rc("files running", virDomainCreateWithFiles(d, 0, NULL, 0));
    show_rc("destroy", virDomainDestroy(d));
    show_rc("files flags=1", virDomainCreateWithFiles(d, 0, NULL, 1));
    virDomainPtr rd = virDomainLookupByName(ro, "test");
    show_rc("files read-only", virDomainCreateWithFiles(rd, 2, fds, 0));
    virDomainFree(rd);
    show_rc("files no array", virDomainCreateWithFiles(d, 1, NULL, 0));
    show_state("files started", d);
    virDomainFree(d);

    const char *xml = "<domain type='test'><name>withfiles</name>"
                      "<uuid>4e1c5b1a-0d3e-4b8c-9b61-5f0c3d2a7e41</uuid>"
                      "<memory>1024</memory><os><type>hvm</type></os></domain>";
    virDomainPtr n = virDomainCreateXMLWithFiles(c, NULL, 1, fds, 0);
    if (!n)
        show_error("xml files null xml");
    n = virDomainCreateXMLWithFiles(ro, xml, 1, fds, 0);
    if (!n)
        show_error("xml files read-only");
    n = virDomainCreateXMLWithFiles(c, xml, 1, fds, VIR_DOMAIN_START_PAUSED);
    if (!n)
        show_error("xml files paused");
    n = virDomainCreateXMLWithFiles(c, "<domain", 0, NULL, 0);
    if (!n)
        show_xml_error("xml files bad xml");
    n = virDomainCreateXMLWithFiles(c, xml, 1, NULL, 0);
    if (n) {
        show_state("xml files", n);
        show_xml("xml files xml", virDomainGetXMLDesc(n, 0));
        virDomainFree(n);
    }
    n = virDomainCreateXMLWithFiles(c, xml, 2, fds, 0);
    if (!n)
        show_error("xml files again");
}

#define X86(body) "<cpu><arch>x86_64</arch>" body "</cpu>"

static void baseline(virConnectPtr c, const char *what, const char **cpus, unsigned int n,
                     unsigned int flags)
{
    char *r = virConnectBaselineCPU(c, cpus, n, flags);
    printf("baseline %s flags=%u: %s", what, flags, r ? r : "NULL\n");
    if (!r && strstr(what, "not well-formed"))
        show_xml_error(what);
    else if (!r)
        show_error(what);
    free(r);
}

static void baseline_cpus(virConnectPtr c, virConnectPtr ro)
{
    static const struct {
        const char *what;
        const char *cpus[3];
    } cases[] = {
        {"one", {X86("<model>Haswell</model><vendor>Intel</vendor>"
                     "<topology sockets='1' cores='2' threads='1'/><feature name='vmx'/>")}},
        {"sandybridge", {X86("<model>SandyBridge</model><vendor>Intel</vendor><feature name='vmx'/>"
                             "<feature name='abm'/><feature name='pdpe1gb'/>"
                             "<feature name='3dnowprefetch'/>")}},
        {"two", {X86("<model>Haswell</model><vendor>Intel</vendor>"),
                 X86("<model>SandyBridge</model><vendor>Intel</vendor><feature name='ssse3'/>")}},
        {"no vendor", {X86("<model>Haswell</model>")}},
        {"tsx", {X86("<model>Haswell</model><vendor>Intel</vendor>"),
                 X86("<model>Haswell-noTSX</model><vendor>Intel</vendor>")}},
        {"westmere", {X86("<model>Haswell</model><vendor>Intel</vendor>"),
                      X86("<model>Westmere</model><vendor>Intel</vendor><feature name='avx'/>"
                          "<feature name='xsave'/>")}},
        {"three", {X86("<model>Skylake-Client</model><vendor>Intel</vendor>"),
                   X86("<model>Broadwell</model><vendor>Intel</vendor>"),
                   X86("<model>IvyBridge</model><vendor>Intel</vendor><feature name='vmx'/>")}},
        {"amd", {X86("<model>EPYC</model><vendor>AMD</vendor>"),
                 X86("<model>Opteron_G4</model><vendor>AMD</vendor>")}},
        {"intel and amd", {X86("<model>Haswell</model><vendor>Intel</vendor>"),
                           X86("<model>Opteron_G3</model><vendor>AMD</vendor>")}},
        {"model of another vendor", {X86("<model>EPYC</model><vendor>Intel</vendor>")}},
        {"second of another vendor", {X86("<model>486</model><vendor>Intel</vendor>"),
                                      X86("<model>EPYC</model><vendor>Intel</vendor>")}},
        {"some vendors", {X86("<model>Haswell</model>"),
                          X86("<model>Haswell</model><vendor>Intel</vendor>")}},
        {"old", {X86("<model>486</model>"), X86("<model>pentium</model>")}},
        {"i686", {"<cpu><arch>i686</arch><model>qemu32</model></cpu>"}},
        {"host policy", {X86("<model>Haswell</model><feature policy='disable' name='vmx'/>")}},
        {"unknown feature", {X86("<model>Haswell</model><feature name='bogus'/>")}},
        {"unknown vendor", {X86("<model>Haswell</model><vendor>Acme</vendor>")}},
        {"unknown model", {X86("<model>Pentium9</model>")}},
        {"feature twice", {X86("<model>Haswell</model><feature name='vmx'/><feature name='vmx'/>")}},
        {"feature without name", {X86("<model>Haswell</model><feature/>")}},
        {"no model", {X86("<vendor>Intel</vendor>")}},
        {"no arch", {"<cpu><model>Haswell</model></cpu>"}},
        {"nothing", {"<cpu/>"}},
        {"unknown arch", {"<cpu><arch>pdp11</arch><model>x</model></cpu>"}},
        {"mips", {"<cpu><arch>mips</arch><model>x</model></cpu>"}},
        {"s390x", {"<cpu><arch>s390x</arch><model>z13</model></cpu>"}},
        {"arm", {"<cpu><arch>aarch64</arch><model>cortex-a57</model><vendor>ARM</vendor>"
                 "<feature name='pmu'/></cpu>",
                 "<cpu><arch>aarch64</arch><model>cortex-a53</model></cpu>"}},
        {"arm then x86", {"<cpu><arch>aarch64</arch><model>cortex-a57</model></cpu>",
                          X86("<model>Haswell</model>")}},
        {"x86 then arm", {X86("<model>Haswell</model>"),
                          "<cpu><arch>aarch64</arch><model>cortex-a57</model></cpu>"}},
        {"ppc64", {"<cpu><arch>ppc64</arch><model>POWER8</model><vendor>IBM</vendor></cpu>"}},
        {"ppc64 two", {"<cpu><arch>ppc64</arch><model>POWER8</model></cpu>",
                       "<cpu><arch>ppc64</arch><model>POWER9</model></cpu>"}},
        {"ppc64 unknown", {"<cpu><arch>ppc64</arch><model>POWER99</model></cpu>"}},
        {"guest cpu", {"<cpu mode='custom' match='exact'><model>Haswell</model></cpu>"}},
        {"not a cpu", {"<foo/>"}},
        {"not well-formed", {"<cpu><arch>x86_64"}},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
        unsigned int n = cases[i].cpus[2] ? 3 : cases[i].cpus[1] ? 2 : 1;
        baseline(c, cases[i].what, (const char **)cases[i].cpus, n, 0);
        baseline(c, cases[i].what, (const char **)cases[i].cpus, n,
                 VIR_CONNECT_BASELINE_CPU_EXPAND_FEATURES);
    }
    const char *one[] = {cases[0].cpus[0]};
    baseline(c, "migratable", one, 1, VIR_CONNECT_BASELINE_CPU_MIGRATABLE);
    baseline(c, "flag 4", one, 1, 4);
    baseline(c, "none", one, 0, 0);
    baseline(c, "null list", NULL, 1, 0);
    const char *null_cpu[] = {NULL};
    baseline(c, "null document", null_cpu, 1, 0);
    baseline(ro, "read-only", one, 1, 0);
}

/* The setters' values as the domain XML shows them. */
static void tunables_xml(virConnectPtr node)
{
    virDomainPtr d = virDomainLookupByName(node, "devs");
    virTypedParameterPtr p = NULL;
    int n = 0, max = 0;
    virTypedParamsAddUInt(&p, &n, &max, VIR_DOMAIN_BLKIO_WEIGHT, 500);
    virTypedParamsAddString(&p, &n, &max, VIR_DOMAIN_BLKIO_DEVICE_WEIGHT, "/dev/sda,300");
    virTypedParamsAddString(&p, &n, &max, VIR_DOMAIN_BLKIO_DEVICE_READ_IOPS, "/dev/sdb,20");
    show_rc("blkio", virDomainSetBlkioParameters(d, p, n, VIR_DOMAIN_AFFECT_LIVE));
    virTypedParamsFree(p, n);
    p = NULL, n = max = 0;
    virTypedParamsAddULLong(&p, &n, &max, VIR_DOMAIN_MEMORY_HARD_LIMIT, 1048576);
    virTypedParamsAddULLong(&p, &n, &max, VIR_DOMAIN_MEMORY_SWAP_HARD_LIMIT, 2097152);
    show_rc("memtune", virDomainSetMemoryParameters(d, p, n, VIR_DOMAIN_AFFECT_CONFIG));
    virTypedParamsFree(p, n);
    p = NULL, n = max = 0;
    virTypedParamsAddString(&p, &n, &max, VIR_DOMAIN_NUMA_NODESET, "0-1");
    virTypedParamsAddInt(&p, &n, &max, VIR_DOMAIN_NUMA_MODE, VIR_DOMAIN_NUMATUNE_MEM_INTERLEAVE);
    show_rc("numatune", virDomainSetNumaParameters(d, p, n, VIR_DOMAIN_AFFECT_LIVE));
    virTypedParamsFree(p, n);
    p = NULL, n = max = 0;
    virTypedParamsAddBoolean(&p, &n, &max, VIR_PERF_PARAM_CMT, 1);
    virTypedParamsAddBoolean(&p, &n, &max, VIR_PERF_PARAM_CPU_CLOCK, 0);
    show_rc("perf", virDomainSetPerfEvents(d, p, n, VIR_DOMAIN_AFFECT_LIVE));
    virTypedParamsFree(p, n);
    p = NULL, n = max = 0;
    virTypedParamsAddULLong(&p, &n, &max, VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC, 1000);
    virTypedParamsAddULLong(&p, &n, &max, VIR_DOMAIN_BLOCK_IOTUNE_TOTAL_BYTES_SEC_MAX, 2000);
    virTypedParamsAddULLong(&p, &n, &max, VIR_DOMAIN_BLOCK_IOTUNE_SIZE_IOPS_SEC, 50);
    virTypedParamsAddString(&p, &n, &max, VIR_DOMAIN_BLOCK_IOTUNE_GROUP_NAME, "grp");
    show_rc("iotune", virDomainSetBlockIoTune(d, "vda", p, n, VIR_DOMAIN_AFFECT_LIVE));
    virTypedParamsFree(p, n);
    p = NULL, n = max = 0;
    virTypedParamsAddUInt(&p, &n, &max, VIR_DOMAIN_BANDWIDTH_IN_AVERAGE, 100);
    virTypedParamsAddUInt(&p, &n, &max, VIR_DOMAIN_BANDWIDTH_IN_BURST, 10);
    virTypedParamsAddUInt(&p, &n, &max, VIR_DOMAIN_BANDWIDTH_OUT_AVERAGE, 200);
    show_rc("bandwidth", virDomainSetInterfaceParameters(d, "testnet0", p, n,
                                                          VIR_DOMAIN_AFFECT_LIVE));
    virTypedParamsFree(p, n);
    show_rc("memory", virDomainSetMemoryFlags(d, 262144, VIR_DOMAIN_AFFECT_LIVE));
    show_rc("vcpus", virDomainSetVcpusFlags(d, 1, VIR_DOMAIN_AFFECT_LIVE));
    show_xml("tuned live", virDomainGetXMLDesc(d, 0));
    show_xml("tuned config", virDomainGetXMLDesc(d, VIR_DOMAIN_XML_INACTIVE));
    virDomainFree(d);
}

int main(void)
{
    virSetErrorFunc(NULL, quiet_errors);
    char path[PATH_MAX], node_uri[PATH_MAX + 16];
    if (!realpath(NODE_FILE, path))
        snprintf(path, sizeof(path), "/missing/%s", NODE_FILE);
    snprintf(node_uri, sizeof(node_uri), "test://%s", path);
    char dir[] = "/tmp/oxvirt-testgaps-XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    virConnectPtr c = virConnectOpen("test:///default");
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    virConnectPtr node = virConnectOpen(node_uri);
    if (!c || !ro || !node) {
        show_error("open");
        return 1;
    }
    baseline_cpus(c, ro);
    domain_xml(c, "test");
    domain_xml(node, "devs");
    domain_xml(node, "plain");
    domain_xml(node, "full");
    interface_addresses(c, ro, node);
    tunables_xml(node);
    save_images(c, ro, dir);
    create_with_files(c, ro);
    virConnectClose(node);
    virConnectClose(ro);
    virConnectClose(c);
    rmdir(dir);
    return 0;
}
