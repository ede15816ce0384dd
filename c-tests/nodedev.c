/* The test driver's node devices, compared with libvirt 9.0 (c-tests/run.sh, differential):
 * test:///default's computer and SCSI hosts, listings with and without capability filters,
 * lookups, parents, capabilities and XML of each, the vHBA creation the reference mocks (and
 * its errors), destruction (whose refusals leave an error but answer success), the events of
 * both, bad flags, NULL and unknown arguments, the read-only connection's refusals, and a
 * node file's devices. Lists come in the reference's hash order: they are printed sorted.
 * How many times the error function is called is printed too: some refusals are not told. */
#define _GNU_SOURCE
#include "common.h"
#include <limits.h>
#include <stdlib.h>
#include <unistd.h>

#define NODE_FILE "tests/data/nodedev-node.xml"

/* The node file's URI (test:// and its absolute path). */
static char node_uri[4200];

static void set_node_uri(void)
{
    char path[4096];
    if (!realpath(NODE_FILE, path))
        snprintf(path, sizeof(path), "/missing/%s", NODE_FILE);
    snprintf(node_uri, sizeof(node_uri), "test://%s", path);
}

static int told;

static void count_errors(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
    told++;
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show_names(const char *what, char **names, int n)
{
    printf("%s: %d [", what, n);
    if (n > 0)
        qsort(names, n, sizeof(*names), by_name);
    for (int i = 0; i < n; i++) {
        printf("%s%s", i ? " " : "", names[i]);
        free(names[i]);
    }
    printf("] told=%d\n", told);
    if (n < 0)
        show_error(what);
}

static void show_int(const char *what, int r)
{
    printf("%s: %d told=%d\n", what, r, told);
    show_error(what);
}

static void show_text(const char *what, char *text)
{
    if (text)
        printf("%s:\n%s", what, text);
    else
        show_error(what);
    free(text);
}

static void list_all(virConnectPtr c, unsigned flags)
{
    virNodeDevicePtr *devs = NULL;
    char what[64], *names[32];
    int n = virConnectListAllNodeDevices(c, &devs, flags);
    snprintf(what, sizeof(what), "list all %#x", flags);
    for (int i = 0; i < n && i < 32; i++) {
        const char *parent = virNodeDeviceGetParent(devs[i]);
        if (asprintf(&names[i], "%s<%s", virNodeDeviceGetName(devs[i]),
                     parent ? parent : "-") < 0)
            names[i] = NULL;
        virNodeDeviceFree(devs[i]);
    }
    free(devs);
    show_names(what, names, n);
    snprintf(what, sizeof(what), "count all %#x", flags);
    show_int(what, virConnectListAllNodeDevices(c, NULL, flags));
}

static void lists(virConnectPtr c, const char *cap)
{
    char *names[32], what[64];
    snprintf(what, sizeof(what), "num %s", cap ? cap : "(all)");
    show_int(what, virNodeNumOfDevices(c, cap, 0));
    snprintf(what, sizeof(what), "list %s", cap ? cap : "(all)");
    show_names(what, names, virNodeListDevices(c, cap, names, 32, 0));
}

static void show_device(virConnectPtr c, const char *name)
{
    char what[96], *caps[8];
    virNodeDevicePtr d = virNodeDeviceLookupByName(c, name);
    snprintf(what, sizeof(what), "lookup %s", name);
    if (!d) {
        show_error(what);
        return;
    }
    const char *parent = virNodeDeviceGetParent(d);
    printf("%s: name=%s parent=%s told=%d\n", what, virNodeDeviceGetName(d),
           parent ? parent : "(null)", told);
    if (!parent)
        show_error("parent");
    show_int("num caps", virNodeDeviceNumOfCaps(d));
    int n = virNodeDeviceListCaps(d, caps, 8);
    printf("caps: %d [", n);
    for (int i = 0; i < n; i++) {
        printf("%s%s", i ? " " : "", caps[i]);
        free(caps[i]);
    }
    printf("]\n");
    show_int("one cap", (n = virNodeDeviceListCaps(d, caps, 1)));
    for (int i = 0; i < n; i++)
        free(caps[i]);
    show_text("xml", virNodeDeviceGetXMLDesc(d, 0));
    show_text("xml bad flags", virNodeDeviceGetXMLDesc(d, 1));
    virNodeDeviceFree(d);
}

static void defaults(virConnectPtr c)
{
    const char *filters[] = {NULL, "system", "scsi_host", "fc_host", "vports", "pci", "bogus", ""};
    for (size_t i = 0; i < sizeof(filters) / sizeof(*filters); i++)
        lists(c, filters[i]);
    char *names[32];
    /* Which two the reference gives depends on its hash order: only how many. */
    int two = virNodeListDevices(c, NULL, names, 2, 0);
    for (int i = 0; i < two; i++)
        free(names[i]);
    show_int("list max 2", two);
    show_names("list max 0", names, virNodeListDevices(c, NULL, names, 0, 0));
    show_int("list negative max", virNodeListDevices(c, NULL, names, -1, 0));
    show_int("list NULL names", virNodeListDevices(c, NULL, NULL, 4, 0));
    show_int("num bad flags", virNodeNumOfDevices(c, NULL, 1));
    show_int("list bad flags", virNodeListDevices(c, NULL, names, 32, 2));
    unsigned flags[] = {0,
                        VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM,
                        VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI_HOST,
                        VIR_CONNECT_LIST_NODE_DEVICES_CAP_FC_HOST,
                        VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS,
                        VIR_CONNECT_LIST_NODE_DEVICES_CAP_SYSTEM |
                            VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPORTS,
                        VIR_CONNECT_LIST_NODE_DEVICES_CAP_PCI_DEV,
                        VIR_CONNECT_LIST_NODE_DEVICES_CAP_VPD,
                        VIR_CONNECT_LIST_NODE_DEVICES_ACTIVE,
                        VIR_CONNECT_LIST_NODE_DEVICES_INACTIVE,
                        1u << 22};
    for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++)
        list_all(c, flags[i]);
    const char *devs[] = {"computer", "scsi_host1", "scsi_host2", "scsi_host11", "nope", ""};
    for (size_t i = 0; i < sizeof(devs) / sizeof(*devs); i++)
        show_device(c, devs[i]);
    virNodeDevicePtr none = virNodeDeviceLookupByName(c, NULL);
    printf("lookup NULL: %p told=%d\n", (void *)none, told);
    show_error("lookup NULL");
    const char *no_parent = virNodeDeviceGetParent(NULL);
    printf("parent of NULL: %s told=%d\n", no_parent ? "set" : "(null)", told);
    show_error("parent of NULL");
    show_int("num caps of NULL", virNodeDeviceNumOfCaps(NULL));
    show_text("xml of NULL", virNodeDeviceGetXMLDesc(NULL, 0));
    show_int("list all NULL conn", virConnectListAllNodeDevices(NULL, NULL, 0));
    virNodeDevicePtr d = virNodeDeviceLookupByName(c, "computer");
    char *caps[2];
    show_int("caps NULL names", virNodeDeviceListCaps(d, NULL, 2));
    show_int("caps negative max", virNodeDeviceListCaps(d, caps, -1));
    show_int("lookup by WWN", virNodeDeviceLookupSCSIHostByWWN(c, "a", "b", 0) ? 1 : -1);
    show_int("is active", virNodeDeviceIsActive(d));
    show_int("is persistent", virNodeDeviceIsPersistent(d));
    int autostart = -1;
    show_int("get autostart", virNodeDeviceGetAutostart(d, &autostart));
    show_int("set autostart", virNodeDeviceSetAutostart(d, 1));
    show_int("create", virNodeDeviceCreate(d, 0));
    show_int("undefine", virNodeDeviceUndefine(d, 0));
    show_int("dettach", virNodeDeviceDettach(d));
    show_int("detach flags", virNodeDeviceDetachFlags(d, NULL, 0));
    show_int("reattach", virNodeDeviceReAttach(d));
    show_int("reset", virNodeDeviceReset(d));
    virNodeDevicePtr def = virNodeDeviceDefineXML(c, "<device/>", 0);
    printf("define: %p\n", (void *)def);
    show_error("define");
    show_int("ref", virNodeDeviceRef(d));
    show_int("free", virNodeDeviceFree(d));
    show_int("free", virNodeDeviceFree(d));
}

#define FC(parent, wwnn)                                                                          \
    "<device>" parent "<capability type='scsi_host'><capability type='fc_host'>"                 \
    "<wwnn>" wwnn "</wwnn><wwpn>2101001b32a9da4e</wwpn></capability></capability></device>"

static void create_one(virConnectPtr c, const char *what, const char *xml, unsigned flags)
{
    virNodeDevicePtr d = virNodeDeviceCreateXML(c, xml, flags);
    if (!d) {
        printf("%s: NULL told=%d\n", what, told);
        show_error(what);
        return;
    }
    const char *parent = virNodeDeviceGetParent(d);
    printf("%s: %s parent=%s told=%d\n", what, virNodeDeviceGetName(d),
           parent ? parent : "(null)", told);
    show_text("created xml", virNodeDeviceGetXMLDesc(d, 0));
    virNodeDeviceFree(d);
}

static void destroy_one(virConnectPtr c, const char *name)
{
    char what[64];
    virNodeDevicePtr d = virNodeDeviceLookupByName(c, name);
    snprintf(what, sizeof(what), "destroy %s", name);
    if (!d) {
        show_error(what);
        return;
    }
    show_int(what, virNodeDeviceDestroy(d));
    show_int("destroy again", virNodeDeviceDestroy(d));
    const char *parent = virNodeDeviceGetParent(d);
    printf("parent after: %s\n", parent ? parent : "(null)");
    virNodeDeviceFree(d);
}

static void create_destroy(virConnectPtr c)
{
    create_one(c, "create no parent", FC("", "2001001b32a9da4e"), 0);
    create_one(c, "create under scsi_host1", FC("<parent>scsi_host1</parent>", "2001001b32a9da4f"), 0);
    create_one(c, "create under scsi_host11", FC("<parent>scsi_host11</parent>", "1"), 0);
    create_one(c, "create under nope", FC("<parent>nope</parent>", "1"), 0);
    create_one(c, "create under computer", FC("<parent>computer</parent>", "1"), 0);
    create_one(c, "create by wwns",
               FC("<parent wwnn='2000000012341234' wwpn='1000000012341234'/>", "2"), 0);
    create_one(c, "create by bad wwns", FC("<parent wwnn='1' wwpn='2'/>", "3"), 0);
    create_one(c, "create by wwnn alone", FC("<parent wwnn='1'/>", "3"), 0);
    create_one(c, "create by wwpn alone", FC("<parent wwpn='1'/>", "3"), 0);
    create_one(c, "create by fabric", FC("<parent fabric_wwn='2000000087658765'/>", "4"), 0);
    create_one(c, "create by bad fabric", FC("<parent fabric_wwn='5'/>", "5"), 0);
    create_one(c, "create bad flags", FC("", "6"), 2);
    create_one(c, "create validated",
               "<device><name>n</name><parent>scsi_host1</parent><capability type='scsi_host'>"
               "<host>3</host><capability type='fc_host'><wwnn>2001001b32a9da51</wwnn>"
               "<wwpn>2101001b32a9da51</wwpn></capability></capability></device>",
               VIR_NODE_DEVICE_CREATE_XML_VALIDATE);
    create_one(c, "create not fc",
               "<device><parent>scsi_host1</parent><capability type='scsi_host'/></device>", 0);
    create_one(c, "create no wwnn",
               "<device><capability type='scsi_host'><capability type='fc_host'/>"
               "</capability></device>",
               0);
    create_one(c, "create system",
               "<device><capability type='system'><hardware><uuid>11111111-2222-3333-4444-"
               "555555555555</uuid></hardware></capability></device>",
               0);
    create_one(c, "create wrong root", "<devic/>", 0);
    create_one(c, "create no caps", "<device><name>x</name></device>", 0);
    create_one(c, "create bad cap", "<device><capability type='bogus'/></device>", 0);
    create_one(c, "create cap without type", "<device><capability/></device>", 0);
    create_one(c, "create NULL", NULL, 0);
    lists(c, NULL);
    destroy_one(c, "computer");
    destroy_one(c, "scsi_host12");
    destroy_one(c, "scsi_host2");
    destroy_one(c, "nope");
    show_int("destroy NULL", virNodeDeviceDestroy(NULL));
    lists(c, NULL);
}

static void read_only(void)
{
    virConnectPtr c = virConnectOpenReadOnly("test:///default");
    lists(c, NULL);
    list_all(c, 0);
    show_device(c, "scsi_host1");
    create_one(c, "read-only create", FC("", "7"), 0);
    virNodeDevicePtr d = virNodeDeviceLookupByName(c, "scsi_host1");
    show_int("read-only destroy", virNodeDeviceDestroy(d));
    virNodeDeviceFree(d);
    virConnectClose(c);
}

static void node_file(void)
{
    virConnectPtr c = virConnectOpen(node_uri);
    if (!c) {
        show_error("open node file");
        return;
    }
    lists(c, NULL);
    lists(c, "scsi_host");
    lists(c, "scsi");
    lists(c, "scsi_target");
    lists(c, "fc_host");
    list_all(c, VIR_CONNECT_LIST_NODE_DEVICES_CAP_SCSI);
    const char *devs[] = {"zeta", "alpha", "hba", "target0", "lun", "orphan"};
    for (size_t i = 0; i < sizeof(devs) / sizeof(*devs); i++)
        show_device(c, devs[i]);
    create_one(c, "create without scsi_host11", FC("", "8"), 0);
    destroy_one(c, "orphan");
    destroy_one(c, "hba");
    virConnectClose(c);
}

/* Node files the reference refuses, and how. */
static void bad_node_files(void)
{
    const char *bodies[] = {
        "<device><capability type='system'/></device>",
        "<device><name>a</name></device>",
        "<device><name></name><capability type='scsi_host'><host>1</host></capability></device>",
        "<device><name>a</name><capability type='bogus'/></device>",
        "<device><name>a</name><capability/></device>",
        "<device><name>a</name><capability type='fc_host'/></device>",
        "<device><name>a</name><capability type='vports'/></device>",
        "<device><name>a</name><capability type='scsi_generic'/></device>",
        "<device><name>a</name><capability type='vpd'/></device>",
        "<device><name>a</name><capability type='system'/></device>",
        "<device><name>a</name><capability type='system'><hardware><uuid>zz</uuid></hardware>"
        "</capability></device>",
        "<device><name>a</name><capability type='scsi_host'/></device>",
        "<device><name>a</name><capability type='scsi_host'><host>x</host></capability></device>",
        "<device><name>a</name><capability type='scsi_host'><host>-1</host></capability></device>",
        "<device><name>a</name><capability type='scsi_host'><host> 5 </host></capability></device>",
        "<device><name>a</name><capability type='scsi_host'><host>4294967296</host></capability>"
        "</device>",
        "<device><name>a</name><capability type='scsi_host'><host>1</host><unique_id>q</unique_id>"
        "</capability></device>",
        "<device><name>a</name><capability type='scsi_host'><host>1</host>"
        "<capability type='fc_host'><wwnn>1</wwnn></capability></capability></device>",
        "<device><name>a</name><capability type='scsi_host'><host>1</host><capability/>"
        "</capability></device>",
        "<device><name>a</name><capability type='scsi_host'><host>1</host>"
        "<capability type='x'/></capability></device>",
        "<device><name>a</name><devnode>/dev/a</devnode><capability type='scsi_host'><host>1</host>"
        "</capability></device>",
        "<device><name>a</name><devnode type='x'>/dev/a</devnode><capability type='scsi_host'>"
        "<host>1</host></capability></device>",
        "<device><name>a</name><parent wwpn='1'/><capability type='scsi_host'><host>1</host>"
        "</capability></device>",
        "<device><name>a</name><capability type='scsi_target'/></device>",
        "<device><name>a</name><capability type='scsi_target'><target>t</target><capability/>"
        "</capability></device>",
        "<device><name>a</name><capability type='scsi_target'><target>t</target>"
        "<capability type='fc_remote_port'/></capability></device>",
        "<device><name>a</name><capability type='scsi_target'><target>t</target>"
        "<capability type='fc_remote_port'><rport>r</rport></capability></capability></device>",
        "<device><name>a</name><capability type='scsi_target'><target>t</target>"
        "<capability type='y'/></capability></device>",
        "<device><name>a</name><capability type='scsi'><host>1</host></capability></device>",
        "<device><name>a</name><capability type='scsi'><host>1</host><bus>1</bus><target>1"
        "</target><lun>z</lun></capability></device>",
    };
    char path[] = "/tmp/nodedev-bad-XXXXXX";
    int fd = mkstemp(path);
    if (fd < 0)
        return;
    close(fd);
    for (size_t i = 0; i < sizeof(bodies) / sizeof(*bodies); i++) {
        FILE *f = fopen(path, "w");
        fprintf(f, "<node>%s</node>", bodies[i]);
        fclose(f);
        char uri[128];
        snprintf(uri, sizeof(uri), "test://%s", path);
        virConnectPtr c = virConnectOpen(uri);
        printf("bad node %zu: %s\n", i, c ? "opened" : "refused");
        if (c)
            virConnectClose(c);
        else
            show_error("bad node");
    }
    unlink(path);
}

static void on_lifecycle(virConnectPtr c, virNodeDevicePtr d, int event, int detail, void *opaque)
{
    (void)c;
    const char *parent = virNodeDeviceGetParent(d);
    printf("event %s: lifecycle %s event=%d detail=%d parent=%s\n", (const char *)opaque,
           virNodeDeviceGetName(d), event, detail, parent ? parent : "(null)");
}

static void on_update(virConnectPtr c, virNodeDevicePtr d, void *opaque)
{
    (void)c;
    printf("event %s: update %s\n", (const char *)opaque, virNodeDeviceGetName(d));
}

static int on_domain(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    printf("event: domain %s event=%d detail=%d\n", virDomainGetName(d), event, detail);
    return 0;
}

static void on_pool(virConnectPtr c, virStoragePoolPtr p, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    printf("event: pool %s event=%d detail=%d\n", virStoragePoolGetName(p), event, detail);
}

static void on_free(void *opaque)
{
    printf("free %s\n", (const char *)opaque);
}

static void tick(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
}

/* Run the default loop until it has had nothing but the tick timer for a few rounds. */
static void pump(void)
{
    int t = virEventAddTimeout(10, tick, NULL, NULL);
    for (int i = 0; i < 4; i++)
        virEventRunDefaultImpl();
    virEventRemoveTimeout(t);
}

static void events(void)
{
    virConnectPtr c = virConnectOpen(node_uri);
    virEventRegisterDefaultImpl();
    virConnectPtr dc = virConnectOpen("test:///default");
    int dom = virConnectDomainEventRegisterAny(dc, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               VIR_DOMAIN_EVENT_CALLBACK(on_domain), NULL, NULL);
    show_int("domain callback", dom);
    int pool = virConnectStoragePoolEventRegisterAny(dc, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                                     VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool),
                                                     NULL, NULL);
    show_int("pool callback", pool);
    int all = virConnectNodeDeviceEventRegisterAny(dc, NULL, VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                                                   VIR_NODE_DEVICE_EVENT_CALLBACK(on_lifecycle),
                                                   "all", on_free);
    show_int("lifecycle callback", all);
    virNodeDevicePtr host1 = virNodeDeviceLookupByName(dc, "scsi_host1");
    int one = virConnectNodeDeviceEventRegisterAny(dc, host1, VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                                                   VIR_NODE_DEVICE_EVENT_CALLBACK(on_lifecycle),
                                                   "scsi_host1", on_free);
    show_int("one device callback", one);
    int upd = virConnectNodeDeviceEventRegisterAny(dc, NULL, VIR_NODE_DEVICE_EVENT_ID_UPDATE,
                                                   VIR_NODE_DEVICE_EVENT_CALLBACK(on_update),
                                                   "update", NULL);
    show_int("update callback", upd);
    show_int("duplicate", virConnectNodeDeviceEventRegisterAny(
                              dc, NULL, VIR_NODE_DEVICE_EVENT_ID_LIFECYCLE,
                              VIR_NODE_DEVICE_EVENT_CALLBACK(on_lifecycle), "dup", NULL));
    show_int("bad id", virConnectNodeDeviceEventRegisterAny(
                           dc, NULL, 2, VIR_NODE_DEVICE_EVENT_CALLBACK(on_update), NULL, NULL));
    show_int("negative id", virConnectNodeDeviceEventRegisterAny(
                                dc, NULL, -1, VIR_NODE_DEVICE_EVENT_CALLBACK(on_update), NULL,
                                NULL));
    show_int("NULL cb", virConnectNodeDeviceEventRegisterAny(dc, NULL, 0, NULL, NULL, NULL));
    show_int("NULL conn", virConnectNodeDeviceEventRegisterAny(
                              NULL, NULL, 0, VIR_NODE_DEVICE_EVENT_CALLBACK(on_update), NULL,
                              NULL));
    virNodeDevicePtr other = virNodeDeviceLookupByName(c, "hba");
    show_int("device of another connection",
             virConnectNodeDeviceEventRegisterAny(
                 dc, other, 0, VIR_NODE_DEVICE_EVENT_CALLBACK(on_update), NULL, NULL));
    virNodeDeviceFree(other);

    create_one(dc, "event create", FC("<parent>scsi_host2</parent>", "2001001b32a9da50"), 0);
    destroy_one(dc, "scsi_host12");
    destroy_one(dc, "scsi_host1");
    pump();

    show_int("deregister one", virConnectNodeDeviceEventDeregisterAny(dc, one));
    show_int("deregister again", virConnectNodeDeviceEventDeregisterAny(dc, one));
    show_int("deregister negative", virConnectNodeDeviceEventDeregisterAny(dc, -1));
    show_int("deregister on the other connection",
             virConnectNodeDeviceEventDeregisterAny(c, all));
    show_int("deregister domain's id", virConnectNodeDeviceEventDeregisterAny(dc, dom));
    show_int("deregister pool's id", virConnectNodeDeviceEventDeregisterAny(dc, pool));
    show_int("deregister lifecycle", virConnectNodeDeviceEventDeregisterAny(dc, all));
    show_int("deregister update", virConnectNodeDeviceEventDeregisterAny(dc, upd));
    show_int("deregister NULL conn", virConnectNodeDeviceEventDeregisterAny(NULL, 0));
    virNodeDeviceFree(host1);
    virConnectClose(c);
    show_int("close", virConnectClose(dc));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, count_errors);
    set_node_uri();
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        return 1;
    defaults(c);
    create_destroy(c);
    virConnectClose(c);
    read_only();
    node_file();
    bad_node_files();
    events();
    return 0;
}
