/* The test driver's networks, compared with libvirt 9.0 (c-tests/run.sh, differential): the
 * default node's network, lookups, listings and their filters, definitions read and written back,
 * the lifecycle with its wrong states, virNetworkUpdate, a read-only connection, lifecycle events
 * through the default event loop, and the networks of a custom node file.
 * Listings are printed sorted: the reference lists in the order of a hash table. */
#include "common.h"
#include <limits.h>
#include <unistd.h>

static int cmp(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

static void show_names(const char *what, char **names, int n)
{
    printf("%s: %d [", what, n);
    if (n > 0)
        qsort(names, n, sizeof(char *), cmp);
    for (int i = 0; i < n; i++) {
        printf("%s%s", i ? " " : "", names[i]);
        free(names[i]);
    }
    printf("]\n");
    if (n < 0)
        show_error(what);
}

static void show_lists(virConnectPtr c)
{
    char *names[32];
    printf("num active=%d defined=%d\n", virConnectNumOfNetworks(c),
           virConnectNumOfDefinedNetworks(c));
    show_names("  active", names, virConnectListNetworks(c, names, 32));
    show_names("  defined", names, virConnectListDefinedNetworks(c, names, 32));
    show_names("  active max 0", names, virConnectListNetworks(c, names, 0));
}

static void list_all(virConnectPtr c, unsigned int flags)
{
    virNetworkPtr *nets = NULL;
    char *names[32];
    char what[64];
    int n = virConnectListAllNetworks(c, &nets, flags);
    for (int i = 0; i < n && i < 32; i++) {
        names[i] = strdup(virNetworkGetName(nets[i]));
        virNetworkFree(nets[i]);
    }
    free(nets);
    snprintf(what, sizeof(what), "  list all 0x%x", flags);
    show_names(what, names, n);
}

static void show_net(const char *what, virNetworkPtr n)
{
    int autostart = -1;
    int ar = virNetworkGetAutostart(n, &autostart);
    char *bridge = virNetworkGetBridgeName(n);
    if (!bridge)
        show_error("  bridge");
    printf("%s: active=%d persistent=%d autostart=%d/%d bridge=%s\n", what, virNetworkIsActive(n),
           virNetworkIsPersistent(n), ar, autostart, bridge ? bridge : "(none)");
    free(bridge);
}

static void show_xml(const char *what, virNetworkPtr n)
{
    char *x = virNetworkGetXMLDesc(n, 0);
    printf("%s:\n%s", what, x ? x : "(null)\n");
    if (!x)
        show_error("  xml");
    free(x);
}

/* Define a network, show it as the driver writes it back, undefine it. */
static void define_show(virConnectPtr c, const char *xml)
{
    virNetworkPtr n = virNetworkDefineXML(c, xml);
    if (!n) {
        show_error("define");
        return;
    }
    show_xml("defined", n);
    show_net("  state", n);
    printf("  undefine=%d\n", virNetworkUndefine(n));
    virNetworkFree(n);
}

static const char *DEFINITIONS[] = {
    "<network><name>a</name></network>",
    "<network><name>b</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
    "<forward mode='route' dev='eth0'/><bridge name='br1' stp='off' delay='5'/>"
    "<mac address='52:54:00:AA:bb:cc'/><domain name='example.com' localOnly='yes'/>"
    "<ip address='10.0.0.1' prefix='24'><dhcp><range start='10.0.0.2' end='10.0.0.9'/>"
    "<host mac='00:16:3e:77:e2:ed' name='foo' ip='10.0.0.5'/></dhcp></ip></network>",
    "<network><name>c</name><forward mode='bridge'/><bridge name='br0'/></network>",
    "<network><name>d</name><forward mode='bridge'><interface dev='eth1'/>"
    "<interface dev='eth2'/></forward></network>",
    "<network><name>e</name><dns><host ip='192.168.122.2'><hostname>myhost</hostname></host>"
    "<forwarder addr='8.8.8.8'/><txt name='example' value='x'/><srv service='name' protocol='tcp'"
    " domain='test-domain-name' target='.' port='1024' priority='10' weight='10'/></dns>"
    "<ip family='ipv6' address='2001:db8::1' prefix='64'/></network>",
    "<network><name>f</name><forward mode='bogus'/></network>",
    "<network><uuid>11111111-2222-3333-4444-555555555555</uuid></network>",
    "<network><name>g</name><ip address='10.0.0.1' netmask='255.255.0.0'><dhcp>"
    "<range start='10.1.0.2' end='10.0.0.9'/></dhcp></ip></network>",
    "<network><name>h/x</name></network>",
    "<net/>",
    "<network><name>i</name><forward mode='open'/><mtu size='9000'/></network>",
    "<network><name>j</name><forward mode='hostdev' managed='yes'><pf dev='eth3'/></forward>"
    "</network>",
    "<network ipv6='yes'><name>k</name><forward mode='nat'><nat><address start='1.2.3.4'"
    " end='1.2.3.10'/><port start='500' end='1000'/></nat></forward><bridge name='virbr9'/>"
    "<ip address='1.2.3.1' prefix='24'/></network>",
    "<network><name>default</name></network>",
    "<network><name>l</name><uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid></network>",
    "<network><name>n</name><uuid>bad</uuid></network>",
    "<network><name>o</name><forward mode='nat' dev='eth0'/><bridge name='x' delay='bad'/>"
    "</network>",
    "<network><name>o</name><bridge name='x' stp='bogus'/><forward mode='route'/></network>",
    "<network><name>p</name><forward mode='bridge'/><bridge name='x'/>"
    "<ip address='1.2.3.4' prefix='24'/></network>",
    "<network><name>q</name><ip address='1.2.3.4'/></network>",
    "<network><name>r</name><ip address='1.2.3.4' prefix='24'><dhcp>"
    "<host mac='00:16:3e:77:e2:ed' ip='1.2.3.9'/><range start='1.2.3.5' end='1.2.3.6'/></dhcp>"
    "</ip><ip address='1.2.4.4' prefix='24'/></network>",
    "<network><name>s</name><forward mode='private' dev='eth0'/></network>",
    "<network><name>u</name><forward mode='nat'/><ip address='1.2.3.4' prefix='24'>"
    "<tftp root='/srv/tftp'/><dhcp><range start='1.2.3.5' end='1.2.3.6'/>"
    "<bootp file='pxe.0' server='1.2.3.1'/></dhcp></ip></network>",
    "<network><name>v</name><forward mode='bridge'/><bridge name='x' stp='off'/></network>",
    "<network><name>w</name><forward mode='nat'/><bridge name='br' delay='3'/>"
    "<ip address='1.2.3.4' netmask='255.255.255.0'/></network>",
    "<network><name>x</name><domain name='d'/><ip address='1.2.3.4' prefix='33'/></network>",
    "<network><name>z</name><foo/><portgroup name='pg' default='yes'/></network>",
    "<network><name>z2</name><dns enable='no'/><forward mode='nat'><nat ipv6='yes'/></forward>"
    "<ip address='1.2.3.4' prefix='24'/></network>",
    "<network><name>z3</name><ip address='1.2.3.4' prefix='24'><dhcp>"
    "<range start='1.2.3.9' end='1.2.3.5'/></dhcp></ip></network>",
    "<network><name>z4</name><mac address='01:00:00:00:00:01'/></network>",
    "<network><name>z5</name><mac address='zz'/></network>",
    "<network><name>z6</name><ip address='bogus'/></network>",
    NULL,
};

static void defaults(virConnectPtr c)
{
    printf("---- the default node\n");
    show_lists(c);
    static const unsigned int filters[] = {0, 1, 2, 3, 4, 8, 12, 16, 32, 48, 0x3f};
    for (size_t i = 0; i < sizeof(filters) / sizeof(filters[0]); i++)
        list_all(c, filters[i]);
    virNetworkPtr *nets = NULL;
    printf("list all 0x40=%d\n", virConnectListAllNetworks(c, &nets, 0x40));
    show_error("  list all 0x40");
    virNetworkPtr n = virNetworkLookupByName(c, "default");
    show_xml("default", n);
    show_net("default", n);
    printf("xml flags 1: %s\n", virNetworkGetXMLDesc(n, 1) ? "ok" : "NULL");
    show_error("  xml flags 1");
    unsigned char uuid[VIR_UUID_BUFLEN];
    virNetworkGetUUID(n, uuid);
    virNetworkPtr byuuid = virNetworkLookupByUUID(c, uuid);
    virNetworkPtr bystr = virNetworkLookupByUUIDString(c, "dd8fe884-6c02-601e-7551-cca97df1c5df");
    printf("by uuid=%s by string=%s\n", byuuid ? virNetworkGetName(byuuid) : "NULL",
           bystr ? virNetworkGetName(bystr) : "NULL");
    virNetworkFree(byuuid);
    virNetworkFree(bystr);
    printf("missing name: %p\n", (void *)virNetworkLookupByName(c, "nope"));
    show_error("  missing name");
    printf("missing uuid: %p\n",
           (void *)virNetworkLookupByUUIDString(c, "11111111-2222-3333-4444-555555555555"));
    show_error("  missing uuid");
    printf("bad uuid string: %p\n", (void *)virNetworkLookupByUUIDString(c, "bad"));
    show_error("  bad uuid string");
    printf("set autostart=%d\n", virNetworkSetAutostart(n, 1));
    show_net("autostart on", n);
    list_all(c, 16);
    list_all(c, 32);
    printf("set autostart=%d\n", virNetworkSetAutostart(n, 0));
    virNetworkFree(n);
}

static void definitions(virConnectPtr c)
{
    printf("---- definitions\n");
    for (int i = 0; DEFINITIONS[i]; i++)
        define_show(c, DEFINITIONS[i]);
    printf("not well-formed: %p\n", (void *)virNetworkDefineXML(c, "<network><name>x</name>"));
    show_xml_error("  not well-formed");
    printf("define flags 2: %p\n",
           (void *)virNetworkDefineXMLFlags(c, "<network><name>x</name></network>", 2));
    show_error("  define flags 2");
    printf("create flags 2: %p\n",
           (void *)virNetworkCreateXMLFlags(c, "<network><name>x</name></network>", 2));
    show_error("  create flags 2");
}

static void lifecycle(virConnectPtr c)
{
    printf("---- lifecycle\n");
    virNetworkPtr d = virNetworkLookupByName(c, "default");
    printf("create running=%d\n", virNetworkCreate(d));
    show_error("  create running");
    printf("undefine running=%d\n", virNetworkUndefine(d));
    show_error("  undefine running");
    printf("destroy=%d\n", virNetworkDestroy(d));
    printf("destroy again=%d\n", virNetworkDestroy(d));
    show_net("default stopped", d);
    show_lists(c);
    printf("create=%d\n", virNetworkCreate(d));
    virNetworkFree(d);

    virNetworkPtr t = virNetworkCreateXML(c, "<network><name>tr</name><bridge name='brt'/></network>");
    show_net("transient", t);
    show_lists(c);
    list_all(c, 8);
    printf("create same name: %p\n",
           (void *)virNetworkCreateXML(c, "<network><name>tr</name></network>"));
    show_error("  create same name");
    printf("destroy transient=%d\n", virNetworkDestroy(t));
    printf("after destroy: active=%d\n", virNetworkIsActive(t));
    show_error("  after destroy");
    printf("xml after destroy: %p\n", (void *)virNetworkGetXMLDesc(t, 0));
    show_error("  xml after destroy");
    printf("create after destroy=%d\n", virNetworkCreate(t));
    show_error("  create after destroy");
    virNetworkFree(t);

    /* A persistent network started with a live definition: it keeps the persistent one. */
    const char *p1 = "<network><name>pn</name><uuid>3f6f2a9e-3c1b-4a55-9d7e-0000000000bb</uuid>"
                     "<bridge name='br1'/></network>";
    const char *p2 = "<network><name>pn</name><uuid>3f6f2a9e-3c1b-4a55-9d7e-0000000000bb</uuid>"
                     "<bridge name='br2'/></network>";
    virNetworkPtr p = virNetworkDefineXMLFlags(c, p1, VIR_NETWORK_DEFINE_VALIDATE);
    show_net("pn defined", p);
    virNetworkPtr live = virNetworkCreateXMLFlags(c, p2, 0);
    show_net("pn created with new XML", p);
    printf("create again: %p\n", (void *)virNetworkCreateXML(c, p2));
    show_error("  create again");
    virNetworkPtr redefined = virNetworkDefineXML(c, p1);
    show_net("pn redefined while running", p);
    printf("destroy=%d\n", virNetworkDestroy(p));
    show_net("pn stopped", p);
    printf("undefine=%d undefine again=%d\n", virNetworkUndefine(p), virNetworkUndefine(p));
    show_error("  undefine again");
    printf("other name same uuid: %p\n",
           (void *)virNetworkDefineXML(
               c, "<network><name>other</name><uuid>dd8fe884-6c02-601e-7551-cca97df1c5df</uuid>"
                  "</network>"));
    show_error("  other name same uuid");
    virNetworkFree(live);
    virNetworkFree(redefined);
    virNetworkFree(p);
}

static void update(virConnectPtr c, virNetworkPtr n, unsigned cmd, unsigned section, int parent,
                   const char *xml, unsigned flags)
{
    int r = virNetworkUpdate(n, cmd, section, parent, xml, flags);
    printf("update cmd=%u section=%u parent=%d flags=%u: %d\n", cmd, section, parent, flags, r);
    if (r < 0) {
        if (virGetLastError() && virGetLastError()->code == VIR_ERR_XML_DETAIL)
            show_xml_error("  update");
        else
            show_error("  update");
    }
    (void)c;
}

static void updates(virConnectPtr c)
{
    printf("---- update\n");
    virNetworkPtr n = virNetworkLookupByName(c, "default");
    const char *h = "<host mac='00:16:3e:77:e2:ed' name='foo' ip='192.168.122.10'/>";
    update(c, n, 3, 4, -1, h, 0);
    update(c, n, 3, 4, -1, h, 0);
    update(c, n, 4, 4, -1, "<host mac='00:16:3e:77:e2:ee' name='bar' ip='192.168.122.11'/>", 0);
    update(c, n, 1, 4, -1, "<host mac='00:16:3e:77:e2:ed' name='foo2' ip='192.168.122.12'/>", 0);
    update(c, n, 3, 4, -1, h, 2);
    show_xml("after host updates", n);
    update(c, n, 2, 4, -1, "<host mac='00:16:3e:77:e2:ee'/>", 0);
    update(c, n, 2, 4, -1, "<host mac='00:16:3e:77:e2:aa'/>", 0);
    const char *r = "<range start='192.168.122.100' end='192.168.122.110'/>";
    update(c, n, 3, 5, -1, r, 1);
    update(c, n, 3, 5, -1, r, 1);
    update(c, n, 2, 5, -1, r, 1);
    update(c, n, 2, 5, -1, r, 1);
    update(c, n, 1, 5, -1, r, 1);
    update(c, n, 3, 1, -1, "<bridge name='x'/>", 0);
    update(c, n, 3, 2, -1, "<domain name='x'/>", 0);
    update(c, n, 3, 3, -1, "<ip/>", 0);
    update(c, n, 3, 6, -1, "<forward/>", 0);
    update(c, n, 3, 10, -1, "<host ip='1.2.3.4'><hostname>a</hostname></host>", 0);
    update(c, n, 3, 11, -1, "<txt name='a' value='b'/>", 0);
    update(c, n, 3, 9, -1, "<portgroup name='pg'/>", 0);
    update(c, n, 0, 4, -1, h, 0);
    update(c, n, 9, 4, -1, h, 0);
    update(c, n, 3, 99, -1, h, 0);
    update(c, n, 3, 4, 5, h, 0);
    update(c, n, 3, 4, -1, "<hostx/>", 0);
    update(c, n, 3, 4, -1, "<host", 0);
    update(c, n, 3, 4, -1, h, 4);
    update(c, n, 3, 4, -1, h, 3);
    show_xml("after updates", n);
    printf("destroy=%d\n", virNetworkDestroy(n));
    update(c, n, 3, 4, -1, h, 1);
    update(c, n, 3, 4, -1, "<host mac='00:16:3e:77:e2:ef' name='baz' ip='192.168.122.13'/>", 0);
    show_xml("stopped after update", n);
    printf("create=%d\n", virNetworkCreate(n));
    show_xml("started again", n);
    virNetworkFree(n);
    virNetworkPtr t = virNetworkCreateXML(
        c, "<network><name>tr2</name><ip address='10.0.0.1' prefix='24'/></network>");
    update(c, t, 3, 4, -1, "<host mac='00:16:3e:77:e2:ef' ip='10.0.0.5'/>", 2);
    update(c, t, 3, 4, -1, "<host mac='00:16:3e:77:e2:ef' ip='10.0.0.5'/>", 0);
    show_xml("transient after update", t);
    printf("destroy=%d\n", virNetworkDestroy(t));
    virNetworkFree(t);
}

/* The other sections: forward interfaces, DNS SRV, host and TXT records, portgroups, and what a
 * DHCP host or range must say. */
static void more_updates(virConnectPtr c)
{
    printf("---- more updates\n");
    virNetworkPtr n = virNetworkDefineXML(c, "<network><name>u</name><forward mode='bridge' dev='eth0'/>"
                                             "<portgroup name='pg0'/></network>");
    virNetworkPtr m = virNetworkDefineXML(
        c, "<network><name>u2</name><forward mode='hostdev'><pf dev='eth5'/></forward>"
           "<ip address='1.2.3.4' prefix='24'/><dns><txt name='t' value='v'/>"
           "<host ip='1.2.3.5'><hostname>h1</hostname></host></dns></network>");
    update(c, n, 3, 7, -1, "<interface dev='eth1'/>", 0);
    update(c, n, 3, 7, -1, "<interface dev='eth1'/>", 0);
    update(c, n, 2, 7, -1, "<interface dev='eth9'/>", 0);
    update(c, n, 2, 7, -1, "<interface dev='eth1'/>", 0);
    update(c, n, 1, 7, -1, "<interface dev='eth1'/>", 0);
    update(c, m, 3, 8, -1, "<pf dev='eth6'/>", 0);
    update(c, n, 3, 12, -1, "<srv service='s' protocol='tcp'/>", 0);
    update(c, n, 3, 12, -1, "<srv service='s' protocol='tcp'/>", 0);
    update(c, n, 2, 12, -1, "<srv service='s' protocol='tcp'/>", 0);
    update(c, n, 2, 12, -1, "<srv service='x' protocol='tcp'/>", 0);
    update(c, n, 1, 12, -1, "<srv service='x' protocol='tcp'/>", 0);
    update(c, m, 3, 10, -1, "<host ip='1.2.3.5'><hostname>h2</hostname></host>", 0);
    update(c, m, 3, 10, -1, "<host ip='1.2.3.6'><hostname>h1</hostname></host>", 0);
    update(c, m, 2, 10, -1, "<host ip='1.2.3.7'><hostname>h9</hostname></host>", 0);
    update(c, m, 1, 10, -1, "<host ip='1.2.3.7'><hostname>h9</hostname></host>", 0);
    update(c, m, 4, 10, -1, "<host ip='1.2.3.8'><hostname>h8</hostname></host>", 0);
    update(c, m, 2, 10, -1, "<host ip='1.2.3.5'/>", 0);
    update(c, m, 3, 11, -1, "<txt name='t' value='w'/>", 0);
    update(c, m, 2, 11, -1, "<txt name='q' value='w'/>", 0);
    update(c, m, 1, 11, -1, "<txt name='t' value='w'/>", 0);
    update(c, m, 2, 11, -1, "<txt name='t' value='zz'/>", 0);
    update(c, n, 3, 9, -1, "<portgroup name='pg0'/>", 0);
    update(c, n, 1, 9, -1, "<portgroup name='pg0' default='yes'/>", 0);
    update(c, n, 1, 9, -1, "<portgroup name='pgx'/>", 0);
    update(c, n, 2, 9, -1, "<portgroup name='pgx'/>", 0);
    update(c, n, 4, 9, -1, "<portgroup name='pga'/>", 0);
    update(c, n, 3, 4, -1, "<host mac='00:16:3e:77:e2:ed' ip='1.2.3.9'/>", 0);
    update(c, m, 3, 4, -1, "<host ip='1.2.3.9'/>", 0);
    update(c, m, 3, 4, -1, "<host mac='00:16:3e:77:e2:ed' ip='9.2.3.9'/>", 0);
    update(c, m, 3, 4, -1, "<host mac='00:16:3e:77:e2:ed'/>", 0);
    update(c, m, 1, 4, -1, "<host mac='00:16:3e:77:e2:ee' ip='1.2.3.10'/>", 0);
    update(c, m, 3, 5, -1, "<range start='1.2.3.100' end='1.2.4.110'/>", 0);
    update(c, m, 3, 5, -1, "<range start='1.2.3.100'/>", 0);
    show_xml("u", n);
    show_xml("u2", m);
    virNetworkUndefine(n);
    virNetworkUndefine(m);
    virNetworkFree(n);
    virNetworkFree(m);
}

static void read_only(void)
{
    printf("---- read-only\n");
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    show_lists(ro);
    virNetworkPtr n = virNetworkLookupByName(ro, "default");
    show_net("read-only default", n);
    printf("define: %p\n", (void *)virNetworkDefineXML(ro, "<network><name>ro</name></network>"));
    show_error("  define");
    printf("create xml: %p\n", (void *)virNetworkCreateXML(ro, "<network><name>ro</name></network>"));
    show_error("  create xml");
    printf("destroy=%d\n", virNetworkDestroy(n));
    show_error("  destroy");
    printf("create=%d\n", virNetworkCreate(n));
    show_error("  create");
    printf("undefine=%d\n", virNetworkUndefine(n));
    show_error("  undefine");
    printf("set autostart=%d\n", virNetworkSetAutostart(n, 1));
    show_error("  set autostart");
    printf("update=%d\n", virNetworkUpdate(n, 3, 4, -1, "<host mac='00:16:3e:77:e2:ed'/>", 0));
    show_error("  update");
    virNetworkFree(n);
    virConnectClose(ro);
}

/* ---- events ------------------------------------------------------------------------------- */

static const char *EVNAME[] = {"DEFINED", "UNDEFINED", "STARTED", "STOPPED"};

static void lifecycle_cb(virConnectPtr c, virNetworkPtr n, int event, int detail, void *opaque)
{
    (void)c;
    printf("  event[%s] %s %s/%d\n", (const char *)opaque, virNetworkGetName(n),
           event >= 0 && event <= 3 ? EVNAME[event] : "?", detail);
}

static int freed;
static void free_cb(void *opaque)
{
    printf("  freed %s\n", (const char *)opaque);
    freed++;
}

static int ticked;
static void tick(int timer, void *opaque)
{
    (void)opaque;
    ticked = 1;
    virEventRemoveTimeout(timer);
}

/* Let the loop deliver what is queued: run it until a timer of ours (later than the library's
 * 0 ms one) has fired. */
static void pump(void)
{
    ticked = 0;
    virEventAddTimeout(20, tick, NULL, NULL);
    for (int i = 0; i < 100 && !ticked; i++)
        virEventRunDefaultImpl();
}

static void events(virConnectPtr c)
{
    printf("---- events\n");
    virConnectPtr other = virConnectOpen("test:///default");
    virNetworkPtr def = virNetworkLookupByName(c, "default");
    virNetworkPtr foreign = virNetworkLookupByName(other, "default");
    int all = virConnectNetworkEventRegisterAny(c, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                                VIR_NETWORK_EVENT_CALLBACK(lifecycle_cb), "all",
                                                free_cb);
    int only = virConnectNetworkEventRegisterAny(c, def, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                                 VIR_NETWORK_EVENT_CALLBACK(lifecycle_cb),
                                                 "default", free_cb);
    printf("registered all=%d default=%d\n", all, only);
    printf("duplicate=%d\n",
           virConnectNetworkEventRegisterAny(c, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                             VIR_NETWORK_EVENT_CALLBACK(lifecycle_cb), "all",
                                             NULL));
    show_error("  duplicate");
    printf("id 1=%d\n", virConnectNetworkEventRegisterAny(
                            c, NULL, 1, VIR_NETWORK_EVENT_CALLBACK(lifecycle_cb), "x", NULL));
    show_error("  id 1");
    printf("id -1=%d\n", virConnectNetworkEventRegisterAny(
                             c, NULL, -1, VIR_NETWORK_EVENT_CALLBACK(lifecycle_cb), "x", NULL));
    show_error("  id -1");
    printf("no callback=%d\n", virConnectNetworkEventRegisterAny(c, NULL, 0, NULL, "x", NULL));
    show_error("  no callback");
    printf("foreign network=%d\n",
           virConnectNetworkEventRegisterAny(c, foreign, 0,
                                             VIR_NETWORK_EVENT_CALLBACK(lifecycle_cb), "x", NULL));
    show_error("  foreign network");

    virNetworkPtr n = virNetworkDefineXML(c, "<network><name>ev</name></network>");
    virNetworkCreate(n);
    virNetworkDestroy(n);
    virNetworkUndefine(n);
    virNetworkFree(n);
    pump();
    printf("after define/create/destroy/undefine\n");
    virNetworkDestroy(def);
    virNetworkCreate(def);
    virNetworkPtr t = virNetworkCreateXML(c, "<network><name>evt</name></network>");
    virNetworkDestroy(t);
    virNetworkFree(t);
    pump();
    printf("after default destroy/create and a transient network\n");
    printf("deregister default=%d\n", virConnectNetworkEventDeregisterAny(c, only));
    printf("deregister again=%d\n", virConnectNetworkEventDeregisterAny(c, only));
    show_error("  deregister again");
    printf("deregister -1=%d\n", virConnectNetworkEventDeregisterAny(c, -1));
    show_error("  deregister -1");
    virNetworkDestroy(def);
    virNetworkCreate(def);
    pump();
    printf("deregister all=%d freed=%d\n", virConnectNetworkEventDeregisterAny(c, all), freed);
    virNetworkFree(def);
    virNetworkFree(foreign);
    virConnectClose(other);
}

/* ---- a custom node file ------------------------------------------------------------------- */

static void write_file(const char *path, const char *text)
{
    FILE *f = fopen(path, "w");
    if (!f)
        exit(2);
    fputs(text, f);
    fclose(f);
}

static void node_file(void)
{
    printf("---- node file\n");
    char dir[] = "/tmp/oxvirt-network-XXXXXX";
    if (!mkdtemp(dir))
        exit(2);
    char node[PATH_MAX], beside[PATH_MAX], uri[PATH_MAX + 16];
    snprintf(node, sizeof(node), "%s/node.xml", dir);
    snprintf(beside, sizeof(beside), "%s/net2.xml", dir);
    write_file(beside, "<network><name>fromfile</name>"
                       "<uuid>3f6f2a9e-3c1b-4a55-9d7e-0000000000cc</uuid>"
                       "<forward mode='bridge'/><bridge name='br5'/></network>\n");
    write_file(node, "<node>\n"
                     "  <network><name>inline</name>"
                     "<uuid>3f6f2a9e-3c1b-4a55-9d7e-0000000000dd</uuid>"
                     "<forward mode='route'/><ip address='10.1.0.1' prefix='16'/></network>\n"
                     "  <network file='net2.xml'/>\n"
                     "</node>\n");
    snprintf(uri, sizeof(uri), "test://%s", node);
    virConnectPtr c = virConnectOpen(uri);
    if (c) {
        show_lists(c);
        list_all(c, 4);
        const char *names[] = {"inline", "fromfile", "default"};
        for (int i = 0; i < 3; i++) {
            virNetworkPtr n = virNetworkLookupByName(c, names[i]);
            if (!n) {
                show_error(names[i]);
                continue;
            }
            show_xml(names[i], n);
            show_net(names[i], n);
            virNetworkFree(n);
        }
        virConnectClose(c);
    } else {
        show_error("open");
    }
    write_file(node, "<node><network><name>bad</name><forward mode='bogus'/></network></node>\n");
    c = virConnectOpen(uri);
    printf("bad network in node file: %s\n", c ? "opened" : "refused");
    show_error("  bad network");
    if (c)
        virConnectClose(c);
    write_file(node, "<node><network><name>x</name></network><network><name>x</name></network>"
                     "</node>\n");
    c = virConnectOpen(uri);
    printf("same network twice: %s\n", c ? "opened" : "refused");
    if (!c)
        show_error("  same network twice");
    else
        virConnectClose(c);
    unlink(node);
    unlink(beside);
    rmdir(dir);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    virEventRegisterDefaultImpl();
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        return 1;
    defaults(c);
    definitions(c);
    lifecycle(c);
    updates(c);
    more_updates(c);
    read_only();
    events(c);
    virConnectClose(c);
    node_file();
    return 0;
}
