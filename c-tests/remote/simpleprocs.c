/* Calls whose procedure the reference's client sends as such (issue 18): the counts, the
 * maximum memory, virDomainCreate, virNetworkCreateXML/DefineXML without flags, the library's
 * version and virDomainQemuAttach, the event registrations of every family and their removal
 * (the daemon is told when the last callback of an event id goes), the listings with and
 * without an array, through a daemon (argv[1]: test+unix:///default?socket=S;
 * argv[2]: secret+unix:///session?socket=S). Each is printed with its error. The calls are
 * framed by virConnectGetHostname, so that tests/remote.sh can compare the procedures the
 * daemon received between the two with those of the reference's client.
 * Differential: Debian's client and ours, each on a fresh daemon. */
#include "../common.h"
#include <libvirt/libvirt-qemu.h>

static void show(const char *what, long long r)
{
    printf("%s: %lld\n", what, r);
    if (r < 0)
        show_error(what);
}

static const char *NET =
    "<network><name>simple-net</name><bridge name='simplebr0'/>"
    "<ip address='192.168.150.1' netmask='255.255.255.0'/></network>";
static const char *DOM =
    "<domain type='test'><name>simple-dom</name><memory>8192</memory>"
    "<currentMemory>4096</currentMemory><os><type>hvm</type></os></domain>";

static void counts(virConnectPtr c)
{
    show("domains", virConnectNumOfDomains(c));
    show("defined domains", virConnectNumOfDefinedDomains(c));
    show("interfaces", virConnectNumOfInterfaces(c));
    show("defined interfaces", virConnectNumOfDefinedInterfaces(c));
    show("networks", virConnectNumOfNetworks(c));
    show("defined networks", virConnectNumOfDefinedNetworks(c));
    show("pools", virConnectNumOfStoragePools(c));
    show("defined pools", virConnectNumOfDefinedStoragePools(c));
    virStoragePoolPtr pool = virStoragePoolLookupByName(c, "default-pool");
    if (pool) {
        show("volumes", virStoragePoolNumOfVolumes(pool));
        virStoragePoolFree(pool);
    } else {
        show_error("pool lookup");
    }
}

static void domains(virConnectPtr c)
{
    virDomainPtr d = virDomainLookupByName(c, "test");
    show("max memory", (long long)virDomainGetMaxMemory(d));
    virDomainFree(d);
    d = virDomainDefineXML(c, DOM);
    show("max memory inactive", (long long)virDomainGetMaxMemory(d));
    show("id before create", virDomainGetID(d));
    show("create", virDomainCreate(d));
    show("id after create", (long long)(virDomainGetID(d) > 0));
    show("create again", virDomainCreate(d));
    show("destroy", virDomainDestroy(d));
    show("undefine", virDomainUndefine(d));
    show("create undefined", virDomainCreate(d));
    virDomainFree(d);
}

static void networks(virConnectPtr c)
{
    virNetworkPtr n = virNetworkCreateXML(c, NET);
    printf("network create: %s\n", n ? virNetworkGetName(n) : "(null)");
    if (!n)
        show_error("network create");
    show("network active", n ? virNetworkIsActive(n) : -1);
    show("network persistent", n ? virNetworkIsPersistent(n) : -1);
    show("network destroy", n ? virNetworkDestroy(n) : -1);
    if (n)
        virNetworkFree(n);
    n = virNetworkDefineXML(c, NET);
    printf("network define: %s\n", n ? virNetworkGetName(n) : "(null)");
    if (!n)
        show_error("network define");
    show("defined networks now", virConnectNumOfDefinedNetworks(c));
    show("network undefine", n ? virNetworkUndefine(n) : -1);
    if (n)
        virNetworkFree(n);
    show("bad network create", virNetworkCreateXML(c, "<network/>") ? 0 : -1);
    show("bad network define", virNetworkDefineXML(c, "<network><name>x") ? 0 : -1);
}

/* Each listing with no array (the count: the daemon is asked with need_results 0) and with one
 * (need_results 1). tests/remote.sh compares, in the daemon's log, which calls got an array. */
#define LISTED(what, call_with, free_one, type)                                                   \
    do {                                                                                           \
        show(what " count", call_with(NULL));                                                      \
        type *all_ = NULL;                                                                         \
        int n_ = call_with(&all_);                                                                 \
        show(what, n_);                                                                            \
        for (int i_ = 0; i_ < n_; i_++)                                                            \
            free_one(all_[i_]);                                                                    \
        free(all_);                                                                                \
    } while (0)

static void listings(virConnectPtr c, virConnectPtr s)
{
#define ALL_DOMAINS(a) virConnectListAllDomains(c, a, 0)
#define ALL_NETWORKS(a) virConnectListAllNetworks(c, a, 0)
#define ALL_IFACES(a) virConnectListAllInterfaces(c, a, VIR_CONNECT_LIST_INTERFACES_ACTIVE)
#define ALL_POOLS(a) virConnectListAllStoragePools(c, a, VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE)
#define ALL_NODEDEVS(a) virConnectListAllNodeDevices(c, a, 0)
    LISTED("all domains", ALL_DOMAINS, virDomainFree, virDomainPtr);
    LISTED("all networks", ALL_NETWORKS, virNetworkFree, virNetworkPtr);
    LISTED("all interfaces", ALL_IFACES, virInterfaceFree, virInterfacePtr);
    LISTED("all pools (inactive)", ALL_POOLS, virStoragePoolFree, virStoragePoolPtr);
    LISTED("all node devices", ALL_NODEDEVS, virNodeDeviceFree, virNodeDevicePtr);
    virStoragePoolPtr pool = virStoragePoolLookupByName(c, "default-pool");
    if (pool) {
#define ALL_VOLUMES(a) virStoragePoolListAllVolumes(pool, a, 0)
        LISTED("all volumes", ALL_VOLUMES, virStorageVolFree, virStorageVolPtr);
        virStoragePoolFree(pool);
    }
    virDomainPtr d = virDomainLookupByName(c, "test");
    if (d) {
#define ALL_SNAPSHOTS(a) virDomainListAllSnapshots(d, a, 0)
#define ALL_CHECKPOINTS(a) virDomainListAllCheckpoints(d, a, 0)
        LISTED("all snapshots", ALL_SNAPSHOTS, virDomainSnapshotFree, virDomainSnapshotPtr);
        LISTED("all checkpoints", ALL_CHECKPOINTS, virDomainCheckpointFree, virDomainCheckpointPtr);
        virDomainFree(d);
    }
    if (s) {
#define ALL_SECRETS(a) virConnectListAllSecrets(s, a, 0)
        LISTED("all secrets", ALL_SECRETS, virSecretFree, virSecretPtr);
    }
}

static void network_cb(virConnectPtr c, virNetworkPtr n, int ev, int detail, void *op)
{
    (void)c, (void)n, (void)ev, (void)detail, (void)op;
}
static void pool_cb(virConnectPtr c, virStoragePoolPtr p, int ev, int detail, void *op)
{
    (void)c, (void)p, (void)ev, (void)detail, (void)op;
}
static void nodedev_cb(virConnectPtr c, virNodeDevicePtr d, int ev, int detail, void *op)
{
    (void)c, (void)d, (void)ev, (void)detail, (void)op;
}
static void secret_cb(virConnectPtr c, virSecretPtr s, int ev, int detail, void *op)
{
    (void)c, (void)s, (void)ev, (void)detail, (void)op;
}
static int domain_cb(virConnectPtr c, virDomainPtr d, int ev, int detail, void *op)
{
    (void)c, (void)d, (void)ev, (void)detail, (void)op;
    return 0;
}

/* Two callbacks of one event id in each family: only the second removal tells the daemon. */
static void events(virConnectPtr c, virConnectPtr s)
{
    int id[2];
    for (int i = 0; i < 2; i++)
        id[i] = virConnectNetworkEventRegisterAny(c, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                                  VIR_NETWORK_EVENT_CALLBACK(network_cb), NULL, NULL);
    for (int i = 0; i < 2; i++)
        show("network event deregister", id[i] < 0 ? -1 : virConnectNetworkEventDeregisterAny(c, id[i]));
    for (int i = 0; i < 2; i++)
        id[i] = virConnectStoragePoolEventRegisterAny(c, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                                      VIR_STORAGE_POOL_EVENT_CALLBACK(pool_cb), NULL, NULL);
    for (int i = 0; i < 2; i++)
        show("pool event deregister", id[i] < 0 ? -1 : virConnectStoragePoolEventDeregisterAny(c, id[i]));
    for (int i = 0; i < 2; i++)
        id[i] = virConnectNodeDeviceEventRegisterAny(c, NULL, VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                                                     VIR_NODE_DEVICE_EVENT_CALLBACK(nodedev_cb), NULL, NULL);
    for (int i = 0; i < 2; i++)
        show("node device event deregister", id[i] < 0 ? -1 : virConnectNodeDeviceEventDeregisterAny(c, id[i]));
    for (int i = 0; i < 2; i++)
        id[i] = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                                 VIR_DOMAIN_EVENT_CALLBACK(domain_cb), NULL, NULL);
    for (int i = 0; i < 2; i++)
        show("domain event deregister", id[i] < 0 ? -1 : virConnectDomainEventDeregisterAny(c, id[i]));
    if (!s)
        return;
    for (int i = 0; i < 2; i++)
        id[i] = virConnectSecretEventRegisterAny(s, NULL, VIR_SECRET_EVENT_ID_LIFECYCLE,
                                                 VIR_SECRET_EVENT_CALLBACK(secret_cb), NULL, NULL);
    for (int i = 0; i < 2; i++)
        show("secret event deregister", id[i] < 0 ? -1 : virConnectSecretEventDeregisterAny(s, id[i]));
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    virSetErrorFunc(NULL, quiet_errors);
    /* Event registrations need an event implementation; nothing here waits for an event. */
    virEventRegisterDefaultImpl();
    virConnectPtr c = virConnectOpen(argv[1]);
    if (!c) {
        show_error("open");
        return 1;
    }
    /* Another connection, opened before the first marker (its opening is not compared): the
     * daemon's secret driver. */
    virConnectPtr s = virConnectOpen(argv[2]);
    if (!s)
        show_error("secret open");
    free(virConnectGetHostname(c));
    counts(c);
    domains(c);
    networks(c);
    unsigned long v = 0;
    show("lib version", virConnectGetLibVersion(c, &v));
    printf("version %lu\n", v);
    virDomainPtr att = virDomainQemuAttach(c, 1, 0);
    show("qemu attach", att ? 0 : -1);
    events(c, s);
    listings(c, s);
    free(virConnectGetHostname(c));
    if (s) {
        show("secrets", virConnectNumOfSecrets(s));
        virConnectClose(s);
    }
    show("close", virConnectClose(c));
    return 0;
}
