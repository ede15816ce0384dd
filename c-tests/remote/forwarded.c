/* Public functions forwarded to a daemon since issue 18's session 7 (the test driver through
 * test+unix:///default?socket=S, argv[1]; read-only as well): each called with good and bad
 * arguments, its value or its error printed. Differential: Debian's client and ours, each on a
 * fresh daemon. */
#include "../common.h"

static void show(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    if (r < 0)
        show_error(what);
}

static void show_str(const char *what, char *s)
{
    printf("%s: %s\n", what, s ? s : "(null)");
    if (!s)
        show_error(what);
    free(s);
}

static void show_params(const char *what, int r, virTypedParameterPtr params, int n)
{
    show(what, r);
    if (r < 0)
        return;
    printf("%s: %d parameters\n", what, n);
    for (int i = 0; i < n; i++) {
        virTypedParameterPtr p = &params[i];
        switch (p->type) {
        case VIR_TYPED_PARAM_INT: printf("  %s=%d\n", p->field, p->value.i); break;
        case VIR_TYPED_PARAM_UINT: printf("  %s=%u\n", p->field, p->value.ui); break;
        case VIR_TYPED_PARAM_LLONG: printf("  %s=%lld\n", p->field, p->value.l); break;
        case VIR_TYPED_PARAM_ULLONG: printf("  %s=%llu\n", p->field, p->value.ul); break;
        case VIR_TYPED_PARAM_DOUBLE: printf("  %s=%g\n", p->field, p->value.d); break;
        case VIR_TYPED_PARAM_BOOLEAN: printf("  %s=%d\n", p->field, p->value.b); break;
        case VIR_TYPED_PARAM_STRING: printf("  %s=%s\n", p->field, p->value.s); break;
        default: printf("  %s: type %d\n", p->field, p->type);
        }
    }
    virTypedParamsFree(params, n);
}

static void show_iothreads(virDomainPtr d, const char *what)
{
    virDomainIOThreadInfoPtr *info = (virDomainIOThreadInfoPtr *)&info;
    int n = virDomainGetIOThreadInfo(d, &info, 0);
    show(what, n);
    printf("  array %s\n", n < 0 ? "untouched" : info ? "set" : "NULL");
    for (int i = 0; i < n; i++) {
        printf("  iothread %u maplen %d map0 %u\n", info[i]->iothread_id, info[i]->cpumaplen,
               info[i]->cpumaplen > 0 ? info[i]->cpumap[0] : 0);
        virDomainIOThreadInfoFree(info[i]);
    }
    if (n >= 0)
        free(info);
}

static void domain_calls(virConnectPtr c)
{
    virDomainPtr d = virDomainLookupByName(c, "test");
    show("backup begin", virDomainBackupBegin(d, "<domainbackup/>", NULL, 0));
    show("backup begin NULL xml", virDomainBackupBegin(d, NULL, NULL, 0));
    show_str("backup xml", virDomainBackupGetXMLDesc(d, 0));
    show("detach alias", virDomainDetachDeviceAlias(d, "ua-disk", 0));
    show("detach alias NULL", virDomainDetachDeviceAlias(d, NULL, 0));
    show("pm suspend", virDomainPMSuspendForDuration(d, VIR_NODE_SUSPEND_TARGET_MEM, 0, 0));
    show("set guest vcpus", virDomainSetGuestVcpus(d, "1", 0, 0));
    show("set guest vcpus NULL", virDomainSetGuestVcpus(d, NULL, 0, 0));
    show_iothreads(d, "iothreads before");
    show("add iothread", virDomainAddIOThread(d, 1, VIR_DOMAIN_AFFECT_LIVE));
    show("add iothread 2", virDomainAddIOThread(d, 2, VIR_DOMAIN_AFFECT_LIVE));
    show_iothreads(d, "iothreads after add");
    virDomainIOThreadInfoPtr *info = NULL;
    show("iothreads live and config",
         virDomainGetIOThreadInfo(d, &info, VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG));
    show("iothreads NULL", virDomainGetIOThreadInfo(d, NULL, 0));
    unsigned char map[1] = {1};
    show("pin iothread", virDomainPinIOThread(d, 1, map, 1, VIR_DOMAIN_AFFECT_LIVE));
    show("pin iothread NULL map", virDomainPinIOThread(d, 1, NULL, 1, 0));
    show("pin iothread zero maplen", virDomainPinIOThread(d, 1, map, 0, 0));
    virTypedParameterPtr params = NULL;
    int n = 0, room = 0;
    virTypedParamsAddULLong(&params, &n, &room, VIR_DOMAIN_IOTHREAD_POLL_MAX_NS, 1000);
    show("iothread params", virDomainSetIOThreadParams(d, 1, params, n, VIR_DOMAIN_AFFECT_LIVE));
    show("iothread params none", virDomainSetIOThreadParams(d, 1, NULL, 0, 0));
    virTypedParamsFree(params, n);
    show_iothreads(d, "iothreads after pin");
    params = NULL, n = 0, room = 0;
    virTypedParamsAddString(&params, &n, &room, VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET, "abc");
    show("launch security state", virDomainSetLaunchSecurityState(d, params, n, 0));
    show("launch security state none", virDomainSetLaunchSecurityState(d, NULL, 0, 0));
    virTypedParamsFree(params, n);
    char **keys = NULL;
    int k = virDomainAuthorizedSSHKeysGet(d, "root", &keys, 0);
    show("ssh keys get", k);
    for (int i = 0; i < k; i++) {
        printf("  key %s\n", keys[i]);
        free(keys[i]);
    }
    free(keys);
    show("ssh keys get NULL user", virDomainAuthorizedSSHKeysGet(d, NULL, &keys, 0));
    show("ssh keys get NULL keys", virDomainAuthorizedSSHKeysGet(d, "root", NULL, 0));
    const char *set[] = {"ssh-ed25519 AAAA one", "ssh-ed25519 BBBB two"};
    show("ssh keys set", virDomainAuthorizedSSHKeysSet(d, "root", set, 2, 0));
    show("ssh keys set NULL user", virDomainAuthorizedSSHKeysSet(d, NULL, set, 2, 0));
    params = NULL, n = 0;
    int r = virDomainGetGuestInfo(d, VIR_DOMAIN_GUEST_INFO_OS | VIR_DOMAIN_GUEST_INFO_HOSTNAME,
                                  &params, &n, 0);
    show_params("guest info", r, params, n);
    params = NULL, n = 0;
    r = virDomainGetGuestInfo(d, 0, &params, &n, 0);
    show_params("guest info all", r, params, n);
    show("guest info NULL params", virDomainGetGuestInfo(d, 0, NULL, &n, 0));
    params = NULL;
    unsigned int un = 0;
    r = virDomainGetGuestVcpus(d, &params, &un, 0);
    show_params("guest vcpus", r, params, (int)un);
    show("guest vcpus NULL n", virDomainGetGuestVcpus(d, &params, NULL, 0));
    show_str("xml from native",
             virConnectDomainXMLFromNative(c, "qemu-argv", "/usr/bin/qemu -m 64", 0));
    show_str("xml from native NULL", virConnectDomainXMLFromNative(c, NULL, "x", 0));
    show_str("xml to native", virConnectDomainXMLToNative(c, "qemu-argv", "<domain/>", 0));
    virDomainFree(d);
}

#define CPU_XML "<cpu><arch>x86_64</arch><model>core2duo</model><vendor>Intel</vendor></cpu>"

static void host_calls(virConnectPtr c)
{
    show("compare cpu", virConnectCompareCPU(c, CPU_XML, 0));
    show("compare cpu NULL", virConnectCompareCPU(c, NULL, 0));
    show("compare hypervisor cpu",
         virConnectCompareHypervisorCPU(c, NULL, "x86_64", NULL, NULL, CPU_XML, 0));
    show("compare hypervisor cpu NULL",
         virConnectCompareHypervisorCPU(c, NULL, NULL, NULL, NULL, NULL, 0));
    const char *cpus[] = {CPU_XML, CPU_XML};
    show_str("baseline hypervisor cpu",
             virConnectBaselineHypervisorCPU(c, NULL, "x86_64", NULL, NULL, cpus, 2, 0));
    show_str("baseline hypervisor cpu none",
             virConnectBaselineHypervisorCPU(c, NULL, NULL, NULL, NULL, NULL, 0, 0));
    virTypedParameterPtr params = NULL;
    int n = 0;
    int r = virNodeGetSEVInfo(c, &params, &n, 0);
    show_params("sev info", r, params, n);
    show("sev info NULL", virNodeGetSEVInfo(c, NULL, &n, 0));
    n = 0;
    r = virNodeGetMemoryParameters(c, NULL, &n, 0);
    show("memory parameters count", r);
    printf("memory parameters count: %d\n", n);
    virTypedParameter room[8];
    n = 8;
    r = virNodeGetMemoryParameters(c, room, &n, 0);
    show("memory parameters", r);
    if (r == 0)
        virTypedParamsClear(room, n);
    show("memory parameters NULL n", virNodeGetMemoryParameters(c, NULL, NULL, 0));
    params = NULL, n = 0;
    int max = 0;
    virTypedParamsAddUInt(&params, &n, &max, VIR_NODE_MEMORY_SHARED_PAGES_TO_SCAN, 10);
    show("set memory parameters", virNodeSetMemoryParameters(c, params, n, 0));
    show("set memory parameters none", virNodeSetMemoryParameters(c, NULL, 0, 0));
    virTypedParamsFree(params, n);
}

static void storage_calls(virConnectPtr c)
{
    show_str("pool capabilities", virConnectGetStoragePoolCapabilities(c, 0));
    show_str("pool capabilities bad flags", virConnectGetStoragePoolCapabilities(c, 1));
    virStoragePoolPtr p = virStoragePoolLookupByName(c, "default-pool");
    virStorageVolPtr v = p ? virStorageVolCreateXML(p,
        "<volume><name>f.img</name><capacity>1048576</capacity></volume>", 0) : NULL;
    if (!v) {
        show_error("vol create");
    } else {
        virStorageVolInfo info;
        int r = virStorageVolGetInfoFlags(v, &info, 0);
        show("vol info flags", r);
        if (r == 0)
            printf("  type=%d capacity=%llu allocation=%llu\n", info.type, info.capacity,
                   info.allocation);
        show("vol info flags NULL", virStorageVolGetInfoFlags(v, NULL, 0));
        show("vol info flags physical",
             virStorageVolGetInfoFlags(v, &info, VIR_STORAGE_VOL_GET_PHYSICAL));
        virStorageVolDelete(v, 0);
        virStorageVolFree(v);
    }
    if (p)
        virStoragePoolFree(p);
}

#define NODEDEV_XML                                                                               \
    "<device><name>scsi_host9</name><parent>scsi_host1</parent><capability type='scsi_host'>"     \
    "<capability type='fc_host'><wwnn>2000000012341299</wwnn><wwpn>1000000012341299</wwpn>"       \
    "</capability></capability></device>"

static void nodedev_one(virNodeDevicePtr d, const char *name)
{
    char what[128];
    snprintf(what, sizeof what, "%s is active", name);
    show(what, virNodeDeviceIsActive(d));
    snprintf(what, sizeof what, "%s is persistent", name);
    show(what, virNodeDeviceIsPersistent(d));
    int autostart = -7;
    snprintf(what, sizeof what, "%s get autostart", name);
    show(what, virNodeDeviceGetAutostart(d, &autostart));
    printf("  autostart %d\n", autostart);
    snprintf(what, sizeof what, "%s get autostart NULL", name);
    show(what, virNodeDeviceGetAutostart(d, NULL));
    snprintf(what, sizeof what, "%s set autostart", name);
    show(what, virNodeDeviceSetAutostart(d, 1));
    snprintf(what, sizeof what, "%s create", name);
    show(what, virNodeDeviceCreate(d, 0));
    snprintf(what, sizeof what, "%s dettach", name);
    show(what, virNodeDeviceDettach(d));
    snprintf(what, sizeof what, "%s detach flags", name);
    show(what, virNodeDeviceDetachFlags(d, "vfio", 0));
    snprintf(what, sizeof what, "%s reattach", name);
    show(what, virNodeDeviceReAttach(d));
    snprintf(what, sizeof what, "%s reset", name);
    show(what, virNodeDeviceReset(d));
    snprintf(what, sizeof what, "%s undefine", name);
    show(what, virNodeDeviceUndefine(d, 0));
}

static void nodedev_calls(virConnectPtr c)
{
    virNodeDevicePtr d = virNodeDeviceLookupByName(c, "computer");
    if (d) {
        nodedev_one(d, "computer");
        virNodeDeviceFree(d);
    } else {
        show_error("lookup computer");
    }
    d = virNodeDeviceDefineXML(c, NODEDEV_XML, 0);
    printf("define: %s\n", d ? virNodeDeviceGetName(d) : "(none)");
    if (d) {
        nodedev_one(d, "defined");
        virNodeDeviceFree(d);
    } else {
        show_error("define");
    }
    d = virNodeDeviceDefineXML(c, NULL, 0);
    show("define NULL", d ? 0 : -1);
    d = virNodeDeviceLookupSCSIHostByWWN(c, "2000000012341234", "1000000012341234", 0);
    printf("scsi host by wwn: %s\n", d ? virNodeDeviceGetName(d) : "(none)");
    if (d)
        virNodeDeviceFree(d);
    else
        show_error("scsi host by wwn");
    d = virNodeDeviceLookupSCSIHostByWWN(c, "1", "2", 0);
    show("scsi host by unknown wwn", d ? 0 : -1);
    d = virNodeDeviceLookupSCSIHostByWWN(c, NULL, "2", 0);
    show("scsi host by NULL wwnn", d ? 0 : -1);
}

#define FILTER_XML                                                                                \
    "<filter name='fwd-test' chain='ipv4'><uuid>5e8f0c2a-1b2c-4d3e-8f90-a1b2c3d4e5f6</uuid>"       \
    "<rule action='accept' direction='out' priority='500'><ip srcipaddr='10.0.0.1'/></rule>"     \
    "</filter>"

static void show_filter(const char *what, virNWFilterPtr f)
{
    printf("%s: %s\n", what, f ? virNWFilterGetName(f) : "(none)");
    if (!f)
        show_error(what);
}

static void nwfilter_calls(virConnectPtr c)
{
    int n = virConnectNumOfNWFilters(c);
    show("nwfilter count", n);
    char *names[64] = {0};
    int k = virConnectListNWFilters(c, names, 64);
    show("nwfilter names", k);
    for (int i = 0; i < k; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }
    show("nwfilter names NULL", virConnectListNWFilters(c, NULL, 4));
    virNWFilterPtr *all = NULL;
    k = virConnectListAllNWFilters(c, &all, 0);
    show("nwfilter list all", k);
    for (int i = 0; i < k; i++)
        virNWFilterFree(all[i]);
    free(all);
    virNWFilterPtr f = virNWFilterDefineXML(c, FILTER_XML);
    show_filter("nwfilter define", f);
    virNWFilterPtr g = virNWFilterDefineXMLFlags(c, FILTER_XML, VIR_NWFILTER_DEFINE_VALIDATE);
    show_filter("nwfilter define flags", g);
    show_filter("nwfilter define NULL", virNWFilterDefineXML(c, NULL));
    show_filter("nwfilter define bad", virNWFilterDefineXML(c, "<filter/>"));
    virNWFilterPtr byname = virNWFilterLookupByName(c, "fwd-test");
    show_filter("nwfilter by name", byname);
    show_filter("nwfilter by missing name", virNWFilterLookupByName(c, "nope"));
    virNWFilterPtr byuuid = virNWFilterLookupByUUIDString(c, "5e8f0c2a-1b2c-4d3e-8f90-a1b2c3d4e5f6");
    show_filter("nwfilter by uuid string", byuuid);
    show_filter("nwfilter by bad uuid string", virNWFilterLookupByUUIDString(c, "xyz"));
    unsigned char uuid[VIR_UUID_BUFLEN] = {1, 2, 3};
    show_filter("nwfilter by missing uuid", virNWFilterLookupByUUID(c, uuid));
    if (f) {
        show_str("nwfilter xml", virNWFilterGetXMLDesc(f, 0));
        show("nwfilter undefine", virNWFilterUndefine(f));
        show("nwfilter undefine again", virNWFilterUndefine(f));
        virNWFilterFree(f);
    }
    if (g)
        virNWFilterFree(g);
    if (byname)
        virNWFilterFree(byname);
    if (byuuid)
        virNWFilterFree(byuuid);
}

#define BINDING_XML                                                                               \
    "<filterbinding><owner><name>test</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid>"    \
    "</owner><portdev name='vnet0'/><mac address='52:54:00:7b:35:93'/>"                           \
    "<filterref filter='fwd-test'/></filterbinding>"

static void binding_calls(virConnectPtr c)
{
    virNWFilterBindingPtr *all = NULL;
    int k = virConnectListAllNWFilterBindings(c, &all, 0);
    show("bindings list all", k);
    for (int i = 0; i < k; i++) {
        printf("  %s %s\n", virNWFilterBindingGetPortDev(all[i]),
               virNWFilterBindingGetFilterName(all[i]));
        virNWFilterBindingFree(all[i]);
    }
    free(all);
    show("bindings list all NULL", virConnectListAllNWFilterBindings(c, NULL, 0));
    virNWFilterBindingPtr b = virNWFilterBindingCreateXML(c, BINDING_XML, 0);
    printf("binding create: %s\n", b ? virNWFilterBindingGetPortDev(b) : "(none)");
    if (b) {
        show_str("binding xml", virNWFilterBindingGetXMLDesc(b, 0));
        show("binding delete", virNWFilterBindingDelete(b));
        virNWFilterBindingFree(b);
    } else {
        show_error("binding create");
    }
    b = virNWFilterBindingCreateXML(c, NULL, 0);
    show("binding create NULL", b ? 0 : -1);
    b = virNWFilterBindingLookupByPortDev(c, "vnet0");
    show("binding by port dev", b ? 0 : -1);
    if (b)
        virNWFilterBindingFree(b);
    b = virNWFilterBindingLookupByPortDev(c, NULL);
    show("binding by NULL port dev", b ? 0 : -1);
}

static void params_calls(virConnectPtr c)
{
    virDomainPtr d = virDomainLookupByName(c, "test");
    virTypedParameterPtr params = NULL;
    int n = 0, room = 0;
    virTypedParamsAddString(&params, &n, &room, VIR_DOMAIN_SAVE_PARAM_FILE, "/nonexistent/save");
    show("save params", virDomainSaveParams(d, params, n, 0));
    show("save params none", virDomainSaveParams(d, NULL, 0, 0));
    show("restore params", virDomainRestoreParams(c, params, n, 0));
    show("restore params none", virDomainRestoreParams(c, NULL, 0, 0));
    virTypedParamsFree(params, n);
    params = NULL, n = 0, room = 0;
    virTypedParamsAddString(&params, &n, &room, VIR_CONNECT_IDENTITY_USER_NAME, "nobody");
    show("set identity", virConnectSetIdentity(c, params, n, 0));
    show("set identity none", virConnectSetIdentity(c, NULL, 0, 0));
    virTypedParamsFree(params, n);
    virDomainFree(d);
}

/* A read-only connection: the calls that change something are refused by the public layer. */
static void read_only_calls(virConnectPtr c)
{
    virDomainPtr d = virDomainLookupByName(c, "test");
    show("ro backup begin", virDomainBackupBegin(d, "<domainbackup/>", NULL, 0));
    show_str("ro backup xml", virDomainBackupGetXMLDesc(d, 0));
    virTypedParameterPtr params = NULL;
    int np = 0, room = 0;
    virTypedParamsAddString(&params, &np, &room, VIR_DOMAIN_LAUNCH_SECURITY_SEV_SECRET, "abc");
    show("ro launch security state", virDomainSetLaunchSecurityState(d, params, np, 0));
    show("ro save params", virDomainSaveParams(d, params, np, 0));
    show("ro nwfilter define", virNWFilterDefineXML(c, FILTER_XML) ? 0 : -1);
    show("ro nwfilter count", virConnectNumOfNWFilters(c));
    show("ro binding create", virNWFilterBindingCreateXML(c, BINDING_XML, 0) ? 0 : -1);
    virTypedParamsFree(params, np);
    show("ro set guest vcpus", virDomainSetGuestVcpus(d, "1", 0, 0));
    char **keys = NULL;
    show("ro ssh keys get", virDomainAuthorizedSSHKeysGet(d, "root", &keys, 0));
    virDomainFree(d);
    show("ro compare cpu", virConnectCompareCPU(c, CPU_XML, 0));
    show_str("ro pool capabilities", virConnectGetStoragePoolCapabilities(c, 0));
    virNodeDevicePtr n = virNodeDeviceLookupByName(c, "computer");
    show("ro nodedev is active", virNodeDeviceIsActive(n));
    show("ro nodedev create", virNodeDeviceCreate(n, 0));
    show("ro nodedev dettach", virNodeDeviceDettach(n));
    virNodeDeviceFree(n);
    virNodeDevicePtr def = virNodeDeviceDefineXML(c, NODEDEV_XML, 0);
    show("ro nodedev define", def ? 0 : -1);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen(argv[1]);
    if (!c) {
        show_error("open");
        return 1;
    }
    domain_calls(c);
    host_calls(c);
    storage_calls(c);
    nodedev_calls(c);
    nwfilter_calls(c);
    binding_calls(c);
    params_calls(c);
    virConnectClose(c);
    c = virConnectOpenReadOnly(argv[1]);
    if (!c) {
        show_error("open read-only");
        return 1;
    }
    read_only_calls(c);
    virConnectClose(c);
    return 0;
}
