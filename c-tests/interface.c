/* The test driver's host interfaces, compared with libvirt 9.0 (c-tests/run.sh, differential):
 * the default node's eth1, lookups by name and MAC, listings and their filters, definitions read
 * and written back, start and stop with their wrong states, the change transaction, a read-only
 * connection and the interfaces of a custom node file. Listings are printed sorted: the
 * reference lists in the order of a hash table. */
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
    printf("num active=%d defined=%d\n", virConnectNumOfInterfaces(c),
           virConnectNumOfDefinedInterfaces(c));
    show_names("  active", names, virConnectListInterfaces(c, names, 32));
    show_names("  defined", names, virConnectListDefinedInterfaces(c, names, 32));
    for (unsigned int flags = 0; flags <= 3; flags++) {
        virInterfacePtr *ifaces = NULL;
        char what[64];
        int n = virConnectListAllInterfaces(c, &ifaces, flags);
        for (int i = 0; i < n && i < 32; i++) {
            names[i] = strdup(virInterfaceGetName(ifaces[i]));
            virInterfaceFree(ifaces[i]);
        }
        free(ifaces);
        snprintf(what, sizeof(what), "  list all 0x%x", flags);
        show_names(what, names, n);
    }
}

static void show_iface(const char *what, virInterfacePtr i)
{
    printf("%s: name=%s mac=%s active=%d\n", what, virInterfaceGetName(i),
           virInterfaceGetMACString(i), virInterfaceIsActive(i));
    char *x = virInterfaceGetXMLDesc(i, 0);
    printf("%s", x ? x : "(no xml)\n");
    if (!x)
        show_error("  xml");
    free(x);
}

static void define_show(virConnectPtr c, const char *xml)
{
    virInterfacePtr i = virInterfaceDefineXML(c, xml, 0);
    if (!i) {
        if (virGetLastError() && virGetLastError()->code == VIR_ERR_XML_DETAIL)
            show_xml_error("define");
        else
            show_error("define");
        return;
    }
    show_iface("defined", i);
    printf("  undefine=%d\n", virInterfaceUndefine(i));
    virInterfaceFree(i);
}

static const char *DEFINITIONS[] = {
    "<interface type='ethernet' name='eth2'><mac address='AA:bb:cc:dd:ee:01'/>"
    "<link speed='1000' state='up'/><protocol family='ipv6'><autoconf/><dhcp peerdns='no'/>"
    "<ip address='::1' prefix='64'/><route gateway='fe80::1'/></protocol>"
    "<protocol family='ipv4'><dhcp/></protocol></interface>",
    "<interface type='bridge' name='br0'><start mode='hotplug'/><mtu size='9000'/>"
    "<bridge stp='off' delay='0.01'><interface type='ethernet' name='eth3'>"
    "<mac address='aa:bb:cc:dd:ee:03'/></interface><interface type='bond' name='bond1'>"
    "<bond mode='active-backup'><miimon freq='100' updelay='10' carrier='ioctl'/>"
    "<interface type='ethernet' name='eth4'/></bond></interface></bridge></interface>",
    "<interface type='bond' name='bond0'><start mode='none'/><bond mode='802.3ad'>"
    "<arpmon interval='100' target='192.168.1.1' validate='active'/>"
    "<interface type='ethernet' name='eth5'><mac address='aa:bb:cc:dd:ee:05'/></interface>"
    "</bond></interface>",
    "<interface type='vlan' name='eth0.42'><vlan tag='42'><interface name='eth0'/></vlan>"
    "</interface>",
    "<interface type='vlan' name='v'><vlan/></interface>",
    "<interface type='vlan' name='v'><vlan tag='1'/></interface>",
    "<interface type='vlan' name='v'/>",
    "<interface type='bridge' name='b'/>",
    "<interface type='bond' name='b'/>",
    "<interface type='bogus' name='x'/>",
    "<interface name='x'/>",
    "<interface type='ethernet'/>",
    "<interface type='ethernet' name='x'><start mode='bad'/></interface>",
    "<interface type='ethernet' name='x'><mtu size='bad'/></interface>",
    "<interface type='ethernet' name='x'><mtu size='100001'/></interface>",
    "<interface type='ethernet' name='x'><protocol/></interface>",
    "<interface type='ethernet' name='x'><protocol family='ipx'/></interface>",
    "<interface type='ethernet' name='x'><protocol family='ipv4'><ip address='1.2.3.4'"
    " prefix='x'/></protocol></interface>",
    "<interface type='ethernet' name='x'><protocol family='ipv4'><ip prefix='3'/>"
    "<dhcp peerdns='maybe'/></protocol></interface>",
    "<interface type='bridge' name='x'><bridge stp='maybe'/></interface>",
    "<interface type='bridge' name='x'><bridge><interface type='bridge' name='y'><bridge/>"
    "</interface></bridge></interface>",
    "<interface type='bond' name='x'><bond mode='bad'/></interface>",
    "<interface type='bond' name='x'><bond><miimon/></bond></interface>",
    "<interface type='bond' name='x'><bond><arpmon interval='3'/></bond></interface>",
    "<iface/>",
    "<interface type='ethernet' name='x'>",
    "<interface type='ethernet' name='x'><link speed='bad'/></interface>",
    "<interface type='ethernet' name='x'><link state='bad'/></interface>",
    "<interface type='ethernet' name='x&amp;y'/>",
    NULL,
};

static void defaults(virConnectPtr c)
{
    printf("---- the default node\n");
    show_lists(c);
    virInterfacePtr *ifaces = NULL;
    printf("list all 0x4=%d\n", virConnectListAllInterfaces(c, &ifaces, 4));
    show_error("  list all 0x4");
    virInterfacePtr i = virInterfaceLookupByName(c, "eth1");
    show_iface("eth1", i);
    printf("xml flags 1: %p\n", (void *)virInterfaceGetXMLDesc(i, VIR_INTERFACE_XML_INACTIVE));
    show_error("  xml flags 1");
    virInterfacePtr m = virInterfaceLookupByMACString(c, "AA:BB:CC:DD:EE:FF");
    printf("by mac: %s mac=%s\n", m ? virInterfaceGetName(m) : "NULL",
           m ? virInterfaceGetMACString(m) : "-");
    virInterfaceFree(m);
    printf("missing name: %p\n", (void *)virInterfaceLookupByName(c, "nope"));
    show_error("  missing name");
    printf("missing mac: %p\n", (void *)virInterfaceLookupByMACString(c, "00:00:00:00:00:00"));
    show_error("  missing mac");
    virInterfacePtr twin = virInterfaceDefineXML(
        c, "<interface type='ethernet' name='eth9'><mac address='aa:bb:cc:dd:ee:ff'/></interface>",
        0);
    printf("same mac twice: %p\n", (void *)virInterfaceLookupByMACString(c, "aa:bb:cc:dd:ee:ff"));
    show_error("  same mac twice");
    virInterfaceUndefine(twin);
    virInterfaceFree(twin);
    virInterfaceFree(i);
}

static void definitions(virConnectPtr c)
{
    printf("---- definitions\n");
    for (int i = 0; DEFINITIONS[i]; i++)
        define_show(c, DEFINITIONS[i]);
    printf("define flags 2: %p\n",
           (void *)virInterfaceDefineXML(c, "<interface type='ethernet' name='z'/>", 2));
    show_error("  define flags 2");
}

static void lifecycle(virConnectPtr c)
{
    printf("---- lifecycle\n");
    virInterfacePtr e = virInterfaceLookupByName(c, "eth1");
    printf("create running=%d\n", virInterfaceCreate(e, 0));
    show_error("  create running");
    printf("destroy flags 1=%d\n", virInterfaceDestroy(e, 1));
    show_error("  destroy flags 1");
    printf("destroy=%d\n", virInterfaceDestroy(e, 0));
    printf("destroy again=%d\n", virInterfaceDestroy(e, 0));
    show_error("  destroy again");
    show_lists(c);
    printf("create flags 1=%d\n", virInterfaceCreate(e, 1));
    show_error("  create flags 1");
    printf("create=%d\n", virInterfaceCreate(e, 0));

    /* A new definition of a known name replaces it, and the interface keeps its state. */
    virInterfacePtr r = virInterfaceDefineXML(
        c, "<interface type='ethernet' name='eth1'><mac address='00:00:00:00:00:01'/></interface>",
        0);
    show_iface("eth1 redefined", r);
    show_iface("old handle", e);
    virInterfacePtr n = virInterfaceDefineXML(c, "<interface type='ethernet' name='eth7'/>",
                                              VIR_INTERFACE_DEFINE_VALIDATE);
    show_iface("eth7", n);
    printf("create=%d\n", virInterfaceCreate(n, 0));
    printf("undefine active=%d\n", virInterfaceUndefine(n));
    printf("undefine again=%d\n", virInterfaceUndefine(n));
    show_error("  undefine again");
    printf("is active gone=%d\n", virInterfaceIsActive(n));
    show_error("  is active gone");
    show_lists(c);
    virInterfaceFree(n);
    virInterfaceFree(r);
    virInterfaceFree(e);
}

static void transaction(virConnectPtr c)
{
    printf("---- transaction\n");
    printf("commit without=%d\n", virInterfaceChangeCommit(c, 0));
    show_error("  commit without");
    printf("rollback without=%d\n", virInterfaceChangeRollback(c, 0));
    show_error("  rollback without");
    printf("begin flags 1=%d\n", virInterfaceChangeBegin(c, 1));
    show_error("  begin flags 1");
    printf("begin=%d\n", virInterfaceChangeBegin(c, 0));
    printf("begin again=%d\n", virInterfaceChangeBegin(c, 0));
    show_error("  begin again");
    virInterfacePtr n = virInterfaceDefineXML(c, "<interface type='ethernet' name='tx1'/>", 0);
    virInterfacePtr e = virInterfaceLookupByName(c, "eth1");
    virInterfaceDestroy(e, 0);
    show_lists(c);
    printf("rollback=%d\n", virInterfaceChangeRollback(c, 0));
    show_lists(c);
    show_iface("eth1 after rollback", e);
    printf("tx1 after rollback: active=%d\n", virInterfaceIsActive(n));
    show_error("  tx1 after rollback");
    printf("begin=%d\n", virInterfaceChangeBegin(c, 0));
    virInterfacePtr k = virInterfaceDefineXML(c, "<interface type='ethernet' name='tx2'/>", 0);
    printf("commit flags 1=%d\n", virInterfaceChangeCommit(c, 1));
    show_error("  commit flags 1");
    printf("rollback flags 1=%d\n", virInterfaceChangeRollback(c, 1));
    show_error("  rollback flags 1");
    printf("commit=%d\n", virInterfaceChangeCommit(c, 0));
    show_lists(c);
    virInterfaceUndefine(k);
    virInterfaceFree(k);
    virInterfaceFree(n);
    virInterfaceFree(e);
}

static void read_only(void)
{
    printf("---- read-only\n");
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    show_lists(ro);
    virInterfacePtr i = virInterfaceLookupByName(ro, "eth1");
    show_iface("read-only eth1", i);
    printf("define: %p\n",
           (void *)virInterfaceDefineXML(ro, "<interface type='ethernet' name='r'/>", 0));
    show_error("  define");
    printf("undefine=%d\n", virInterfaceUndefine(i));
    show_error("  undefine");
    printf("destroy=%d\n", virInterfaceDestroy(i, 0));
    show_error("  destroy");
    printf("create=%d\n", virInterfaceCreate(i, 0));
    show_error("  create");
    printf("begin=%d\n", virInterfaceChangeBegin(ro, 0));
    show_error("  begin");
    printf("commit=%d\n", virInterfaceChangeCommit(ro, 0));
    show_error("  commit");
    printf("rollback=%d\n", virInterfaceChangeRollback(ro, 0));
    show_error("  rollback");
    virInterfaceFree(i);
    virConnectClose(ro);
}

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
    char dir[] = "/tmp/oxvirt-interface-XXXXXX";
    if (!mkdtemp(dir))
        exit(2);
    char node[PATH_MAX], beside[PATH_MAX], uri[PATH_MAX + 16];
    snprintf(node, sizeof(node), "%s/node.xml", dir);
    snprintf(beside, sizeof(beside), "%s/if2.xml", dir);
    write_file(beside, "<interface type='vlan' name='eth0.7'><vlan tag='7'>"
                       "<interface name='eth0'/></vlan></interface>\n");
    write_file(node, "<node>\n"
                     "  <interface type='ethernet' name='lan0'><mac address='52:54:00:00:00:01'/>"
                     "</interface>\n"
                     "  <interface file='if2.xml'/>\n"
                     "</node>\n");
    snprintf(uri, sizeof(uri), "test://%s", node);
    virConnectPtr c = virConnectOpen(uri);
    if (c) {
        show_lists(c);
        const char *names[] = {"lan0", "eth0.7", "eth1"};
        for (int i = 0; i < 3; i++) {
            virInterfacePtr n = virInterfaceLookupByName(c, names[i]);
            if (!n) {
                show_error(names[i]);
                continue;
            }
            show_iface(names[i], n);
            virInterfaceFree(n);
        }
        virConnectClose(c);
    } else {
        show_error("open");
    }
    write_file(node, "<node><interface type='bogus' name='x'/></node>\n");
    c = virConnectOpen(uri);
    printf("bad interface in node file: %s\n", c ? "opened" : "refused");
    show_error("  bad interface");
    if (c)
        virConnectClose(c);
    unlink(node);
    unlink(beside);
    rmdir(dir);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        return 1;
    defaults(c);
    definitions(c);
    lifecycle(c);
    transaction(c);
    read_only();
    virConnectClose(c);
    node_file();
    return 0;
}
