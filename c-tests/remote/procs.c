/* Procedures the remote driver forwards whose only server among our drivers is the daemon:
 * each called through a daemon (argv[1], its test driver: test+unix:///default?socket=S;
 * argv[2], its secret driver: secret+unix:///session?socket=S), with its result and error.
 * Differential: Debian's client and ours, each on a fresh daemon. */
#include "../common.h"

static void show(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    if (r < 0)
        show_error(what);
}

static void domain_calls(virConnectPtr c)
{
    virDomainPtr d = virDomainLookupByName(c, "test");
    unsigned long long ull = 7;
    unsigned long ul = 7;
    show("abort job", virDomainAbortJob(d));
    show("abort job flags", virDomainAbortJobFlags(d, 0));
    show("set max downtime", virDomainMigrateSetMaxDowntime(d, 100, 0));
    int r = virDomainMigrateGetMaxDowntime(d, &ull, 0);
    printf("max downtime %llu\n", ull);
    show("get max downtime", r);
    show("set max speed", virDomainMigrateSetMaxSpeed(d, 100, 0));
    r = virDomainMigrateGetMaxSpeed(d, &ul, 0);
    printf("max speed %lu\n", ul);
    show("get max speed", r);
    show("set compression cache", virDomainMigrateSetCompressionCache(d, 1 << 20, 0));
    r = virDomainMigrateGetCompressionCache(d, &ull, 0);
    printf("compression cache %llu\n", ull);
    show("get compression cache", r);
    show("start post copy", virDomainMigrateStartPostCopy(d, 0));
    show("add iothread", virDomainAddIOThread(d, 3, VIR_DOMAIN_AFFECT_LIVE));
    show("del iothread", virDomainDelIOThread(d, 3, VIR_DOMAIN_AFFECT_LIVE));
    show("set vcpu", virDomainSetVcpu(d, "1", 0, 0));
    show("set block threshold", virDomainSetBlockThreshold(d, "vda", 1 << 20, 0));
    char *xml = virDomainManagedSaveGetXMLDesc(d, 0);
    show("managed save xml", xml ? 0 : -1);
    free(xml);
    show("managed save define", virDomainManagedSaveDefineXML(d, "<domain/>", 0));
    show("agent timeout", virDomainAgentSetResponseTimeout(d, 5, 0));
    show("dirty rate", virDomainStartDirtyRateCalc(d, 1, 0));
    show("block job abort", virDomainBlockJobAbort(d, "vda", 0));
    show("block job speed", virDomainBlockJobSetSpeed(d, "vda", 10, 0));
    show("block pull", virDomainBlockPull(d, "vda", 0, 0));
    show("block rebase", virDomainBlockRebase(d, "vda", NULL, 0, 0));
    show("block commit", virDomainBlockCommit(d, "vda", NULL, NULL, 0, 0));
    show("block resize", virDomainBlockResize(d, "vda", 1 << 20, 0));
    show("block resize NULL disk", virDomainBlockResize(d, NULL, 1 << 20, 0));
    show("max downtime NULL", virDomainMigrateGetMaxDowntime(d, NULL, 0));
    virDomainFree(d);
    show("node suspend", virNodeSuspendForDuration(c, VIR_NODE_SUSPEND_TARGET_MEM, 60, 0));
    virStoragePoolPtr p = virStoragePoolLookupByTargetPath(c, "/default-pool");
    printf("pool by target path: %s\n", p ? virStoragePoolGetName(p) : "(none)");
    if (!p)
        show_error("pool by target path");
    virStoragePoolPtr dp = virStoragePoolLookupByName(c, "default-pool");
    virStorageVolPtr v = dp ? virStorageVolCreateXML(dp,
        "<volume><name>w.img</name><capacity>1048576</capacity></volume>", 0) : NULL;
    if (v) {
        show("vol wipe", virStorageVolWipe(v, 0));
        show("vol wipe pattern", virStorageVolWipePattern(v, VIR_STORAGE_VOL_WIPE_ALG_ZERO, 0));
        show("vol resize", virStorageVolResize(v, 2097152, 0));
        virStorageVolDelete(v, 0);
        virStorageVolFree(v);
    } else {
        show_error("vol create");
    }
    if (dp)
        virStoragePoolFree(dp);
    if (p)
        virStoragePoolFree(p);
}

static void secret_calls(virConnectPtr c)
{
    const char *uuid = "0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f";
    virSecretPtr s = virSecretDefineXML(
        c,
        "<secret ephemeral='no' private='no'><uuid>0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f</uuid>"
        "<usage type='ceph'><name>client.admin</name></usage></secret>",
        0);
    show("define", s ? 0 : -1);
    printf("usage: %d %s\n", virSecretGetUsageType(s), virSecretGetUsageID(s));
    show("set value", virSecretSetValue(s, (const unsigned char *)"abc", 3, 0));
    size_t n = 0;
    unsigned char *v = virSecretGetValue(s, &n, 0);
    printf("value: %zu %.*s\n", n, (int)n, v ? (const char *)v : "");
    free(v);
    v = virSecretGetValue(s, NULL, 0);
    show("value NULL size", v ? 0 : -1);
    show("set NULL value", virSecretSetValue(s, NULL, 3, 0));
    char *xml = virSecretGetXMLDesc(s, 0);
    printf("xml: %s\n", xml ? xml : "(null)");
    free(xml);
    virSecretPtr byuuid = virSecretLookupByUUIDString(c, uuid);
    printf("by uuid: %s\n", byuuid ? virSecretGetUsageID(byuuid) : "(none)");
    virSecretPtr byusage = virSecretLookupByUsage(c, VIR_SECRET_USAGE_TYPE_CEPH, "client.admin");
    printf("by usage: %s\n", byusage ? virSecretGetUsageID(byusage) : "(none)");
    virSecretPtr missing = virSecretLookupByUsage(c, VIR_SECRET_USAGE_TYPE_CEPH, "nobody");
    show("by usage missing", missing ? 0 : -1);
    printf("num: %d\n", virConnectNumOfSecrets(c));
    char *uuids[4] = {0};
    int k = virConnectListSecrets(c, uuids, 4);
    printf("list: %d %s\n", k, k > 0 ? uuids[0] : "");
    for (int i = 0; i < k; i++)
        free(uuids[i]);
    virSecretPtr *all = NULL;
    k = virConnectListAllSecrets(c, &all, 0);
    printf("list all: %d\n", k);
    for (int i = 0; i < k; i++)
        virSecretFree(all[i]);
    free(all);
    show("undefine", virSecretUndefine(s));
    show("undefine again", virSecretUndefine(s));
    if (byuuid)
        virSecretFree(byuuid);
    if (byusage)
        virSecretFree(byusage);
    virSecretFree(s);
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen(argv[1]);
    if (!c) {
        show_error("open");
        return 1;
    }
    domain_calls(c);
    virConnectClose(c);
    c = virConnectOpen(argv[2]);
    if (!c) {
        show_error("open secrets");
        return 1;
    }
    secret_calls(c);
    virConnectClose(c);
    return 0;
}
