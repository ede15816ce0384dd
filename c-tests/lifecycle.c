/* The test driver's lifecycle, printed step by step. Built against Debian's headers and run
 * against the reference and against oxvirt: the outputs must be equal. */
#include "common.h"
#include <string.h>

static const char *XML =
    "<domain type='test'><name>tr</name><uuid>da500183-7ebd-4626-8eb3-1efb52add7f7</uuid>"
    "<memory unit='KiB'>1024</memory><vcpu>1</vcpu><os><type>hvm</type></os></domain>";
static const char *XML2 =
    "<domain type='test'><name>pers</name><memory>2048</memory><currentMemory>1024</currentMemory>"
    "<vcpu>3</vcpu><os><type arch='x86_64'>hvm</type></os></domain>";

static void info(const char *what, virDomainPtr d)
{
    virDomainInfo i;
    memset(&i, 0, sizeof(i));
    int r = virDomainGetInfo(d, &i);
    printf("%s: getinfo=%d state=%d maxMem=%lu memory=%lu nrVirtCpu=%d\n", what, r, i.state,
           i.maxMem, i.memory, i.nrVirtCpu);
}

static int by_name(const void *a, const void *b)
{
    return strcmp(virDomainGetName(*(virDomainPtr const *)a), virDomainGetName(*(virDomainPtr const *)b));
}

/* The reference lists in hash-table order: compare sorted. */
static void list(const char *what, virConnectPtr c, unsigned int flags)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(c, &doms, flags);
    printf("%s: listall(0x%x)=%d", what, flags, n);
    if (n > 0)
        qsort(doms, n, sizeof(*doms), by_name);
    for (int i = 0; i < n; i++) {
        printf(" %s", virDomainGetName(doms[i]));
        virDomainFree(doms[i]);
    }
    free(doms);
    printf("\n");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    unsigned long ver = 0, typever = 0;
    printf("getversion=%d\n", virGetVersion(&ver, "Test", &typever));
    printf("libver=%lu typever=%lu\n", ver, typever);

    virConnectPtr c = virConnectOpen("test:///default");
    printf("open=%s\n", c ? "ok" : "NULL");
    printf("type=%s\n", virConnectGetType(c));
    char *uri = virConnectGetURI(c);
    printf("uri=%s\n", uri);
    free(uri);
    printf("alive=%d secure=%d encrypted=%d\n", virConnectIsAlive(c), virConnectIsSecure(c),
           virConnectIsEncrypted(c));
    unsigned long hv = 0, lib = 0;
    int hvr = virConnectGetVersion(c, &hv);
    printf("hvver=%d %lu\n", hvr, hv);
    int libr = virConnectGetLibVersion(c, &lib);
    printf("libver=%d %lu\n", libr, lib);
    printf("numdomains=%d numdefined=%d\n", virConnectNumOfDomains(c),
           virConnectNumOfDefinedDomains(c));

    virDomainPtr t = virDomainLookupByName(c, "test");
    char uuid[VIR_UUID_STRING_BUFLEN];
    virDomainGetUUIDString(t, uuid);
    printf("test: name=%s uuid=%s ostype=", virDomainGetName(t), uuid);
    char *os = virDomainGetOSType(t);
    printf("%s\n", os);
    free(os);
    show_state("test", t);
    info("test", t);
    printf("maxmem=%lu\n", virDomainGetMaxMemory(t));
    printf("updated=%d\n", virDomainIsUpdated(t));
    virDomainPtr byid = virDomainLookupByID(c, 1);
    printf("byid=%s\n", byid ? virDomainGetName(byid) : "NULL");
    virDomainPtr byuuid = virDomainLookupByUUIDString(c, uuid);
    printf("byuuid=%s\n", byuuid ? virDomainGetName(byuuid) : "NULL");
    unsigned char raw[VIR_UUID_BUFLEN];
    virDomainGetUUID(t, raw);
    virDomainPtr byraw = virDomainLookupByUUID(c, raw);
    printf("byraw=%s\n", byraw ? virDomainGetName(byraw) : "NULL");
    virDomainFree(byid);
    virDomainFree(byuuid);
    virDomainFree(byraw);
    list("start", c, 0);

    printf("suspend=%d\n", virDomainSuspend(t));
    show_state("suspended", t);
    printf("suspend-again=%d\n", virDomainSuspend(t));
    show_error("suspend-again");
    printf("resume=%d\n", virDomainResume(t));
    show_state("resumed", t);
    printf("resume-again=%d\n", virDomainResume(t));
    show_error("resume-again");
    printf("reboot=%d\n", virDomainReboot(t, 0));
    show_state("rebooted", t);
    printf("shutdown=%d\n", virDomainShutdown(t));
    show_state("shutdown", t);
    printf("shutdown-again=%d\n", virDomainShutdown(t));
    show_error("shutdown-again");
    printf("create=%d\n", virDomainCreate(t));
    show_state("created", t);
    printf("create-again=%d\n", virDomainCreate(t));
    show_error("create-again");
    printf("destroy=%d\n", virDomainDestroyFlags(t, VIR_DOMAIN_DESTROY_GRACEFUL));
    show_state("destroyed", t);
    printf("destroy-again=%d\n", virDomainDestroy(t));
    show_error("destroy-again");
    printf("destroy-badflags=%d\n", virDomainDestroyFlags(t, 0x80));
    show_error("destroy-badflags");
    list("inactive", c, VIR_CONNECT_LIST_DOMAINS_INACTIVE);
    printf("createwithflags=%d\n", virDomainCreateWithFlags(t, VIR_DOMAIN_START_PAUSED));
    show_error("createwithflags");
    show_state("started-paused", t);

    virDomainPtr tr = virDomainCreateXML(c, XML, 0);
    printf("createxml=%s\n", tr ? virDomainGetName(tr) : "NULL");
    show_error("createxml");
    show_state("tr", tr);
    info("tr", tr);
    virDomainPtr dup = virDomainCreateXML(c, XML, 0);
    printf("createxml-dup=%s\n", dup ? "ok" : "NULL");
    show_error("createxml-dup");
    list("all", c, 0);
    list("transient", c, VIR_CONNECT_LIST_DOMAINS_TRANSIENT);
    list("persistent", c, VIR_CONNECT_LIST_DOMAINS_PERSISTENT);
    list("paused", c, VIR_CONNECT_LIST_DOMAINS_PAUSED);
    list("running", c, VIR_CONNECT_LIST_DOMAINS_RUNNING);
    printf("undefine-transient=%d\n", virDomainUndefine(tr));
    show_error("undefine-transient");
    printf("destroy-tr=%d\n", virDomainDestroy(tr));
    printf("id-after=%u\n", virDomainGetID(tr));
    printf("destroy-tr-again=%d\n", virDomainDestroy(tr));
    show_error("destroy-tr-again");
    show_state("tr-gone", tr);
    show_error("tr-gone");
    virDomainFree(tr);

    virDomainPtr p = virDomainDefineXML(c, XML2);
    printf("define=%s\n", p ? virDomainGetName(p) : "NULL");
    show_error("define");
    show_state("pers", p);
    info("pers", p);
    printf("create-pers=%d\n", virDomainCreate(p));
    show_state("pers-running", p);
    printf("undefine-running=%d\n", virDomainUndefine(p));
    show_state("pers-undefined-running", p);
    printf("destroy-pers=%d\n", virDomainDestroy(p));
    show_state("pers-gone", p);
    show_error("pers-gone");
    virDomainFree(p);

    virDomainPtr d2 = virDomainDefineXML(c, XML2);
    printf("redefine=%s\n", d2 ? "ok" : "NULL");
    printf("undefineflags=%d\n", virDomainUndefineFlags(d2, 0));
    show_error("undefineflags");
    virDomainFree(d2);

    int ids[8];
    int n = virConnectListDomains(c, ids, 8);
    printf("listdomains=%d", n);
    for (int i = 0; i < n; i++)
        printf(" %d", ids[i]);
    printf("\n");
    char *names[8];
    n = virConnectListDefinedDomains(c, names, 8);
    printf("listdefined=%d", n);
    for (int i = 0; i < n; i++) {
        printf(" %s", names[i]);
        free(names[i]);
    }
    printf("\n");

    /* Bad input. */
    virDomainPtr bad = virDomainCreateXML(c, "<domain type='test'><name>bad", 0);
    printf("badxml=%s\n", bad ? "ok" : "NULL");
    show_xml_error("badxml");
    bad = virDomainCreateXML(c, "<domain type='test'>\n<name>x</name>\n<memory>1</mem></domain>", 0);
    show_xml_error("badxml-mismatch");
    bad = virDomainCreateXML(c, "<domain type='test'><memory>1024</memory></domain>", 0);
    show_error("noname");
    bad = virDomainCreateXML(c, "<domain type='test'><name>a/b</name><memory>1024</memory><os><type>hvm</type></os></domain>", 0);
    show_error("slashname");
    bad = virDomainCreateXML(c, "<notdomain/>", 0);
    show_error("notdomain");
    bad = virDomainCreateXML(c, "<domain type='test'><name>nomem</name><os><type>hvm</type></os></domain>", 0);
    printf("nomem=%s\n", bad ? "ok" : "NULL");
    show_error("nomem");
    if (bad) {
        virDomainDestroy(bad);
        virDomainFree(bad);
    }
    bad = virDomainCreateXML(c, NULL, 0);
    show_error("nullxml");
    bad = virDomainCreateXML(c, XML, 0x1000);
    show_error("createxml-badflags");
    bad = virDomainLookupByName(c, "nosuch");
    show_error("lookup-missing");
    bad = virDomainLookupByID(c, 99);
    show_error("lookupid-missing");
    bad = virDomainLookupByID(c, -1);
    show_error("lookupid-negative");
    bad = virDomainLookupByUUIDString(c, "not-a-uuid");
    show_error("lookupuuid-bad");
    bad = virDomainLookupByUUIDString(c, "11111111-2222-3333-4444-555555555555");
    show_error("lookupuuid-missing");
    bad = virDomainLookupByName(NULL, "test");
    show_error("lookup-nullconn");
    printf("getname-null=%s\n", virDomainGetName(NULL) ? "ok" : "NULL");
    show_error("getname-null");
    printf("getstate-nullargs=%d\n", virDomainGetState(t, NULL, NULL, 0));
    show_error("getstate-nullargs");
    printf("getinfo-null=%d\n", virDomainGetInfo(t, NULL));
    show_error("getinfo-null");
    printf("listall-badflags=%d\n", virConnectListAllDomains(c, NULL, 1u << 30));
    show_error("listall-badflags");
    printf("suspend-null=%d\n", virDomainSuspend(NULL));
    show_error("suspend-null");
    printf("numdomains-null=%d\n", virConnectNumOfDomains(NULL));
    show_error("numdomains-null");

    /* Read-only connections refuse changes. */
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    virDomainPtr rt = virDomainLookupByName(ro, "test");
    show_state("ro-test", rt);
    printf("ro-destroy=%d\n", virDomainDestroy(rt));
    show_error("ro-destroy");
    printf("ro-suspend=%d\n", virDomainSuspend(rt));
    show_error("ro-suspend");
    printf("ro-shutdown=%d\n", virDomainShutdown(rt));
    show_error("ro-shutdown");
    printf("ro-create=%s\n", virDomainCreateXML(ro, XML, 0) ? "ok" : "NULL");
    show_error("ro-createxml");
    printf("ro-define=%s\n", virDomainDefineXML(ro, XML2) ? "ok" : "NULL");
    show_error("ro-define");
    virDomainFree(rt);
    printf("ro-close=%d\n", virConnectClose(ro));

    /* URIs. */
    virConnectPtr x = virConnectOpen("test:///nonexist");
    printf("open-nonexist=%s\n", x ? "ok" : "NULL");
    show_error("open-nonexist");
    x = virConnectOpen("foo:///bar");
    show_error("open-unknown-scheme");
    x = virConnectOpen("::");
    show_error("open-garbage");
    x = virConnectOpen("qemu:///embed");
    show_error("open-embed-noroot");
    x = virConnectOpen("qemu:///embed?root=relative");
    show_error("open-embed-relroot");

    virConnectRef(c);
    printf("close-ref=%d\n", virConnectClose(c));
    virDomainFree(t);
    printf("close=%d\n", virConnectClose(c));
    printf("close-again=%d\n", virConnectClose(c) < 0 ? -1 : 0);
    return 0;
}
