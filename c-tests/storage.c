/* The test driver's storage pools and volumes, compared with libvirt 9.0 (c-tests/run.sh,
 * differential): test:///default's default-pool, pools of each type defined, created, started,
 * stopped, built, deleted and undefined, volumes created, cloned, looked up and deleted, the XML
 * of both, the errors of bad XML, wrong states, missing objects, bad flags and NULL arguments,
 * the read-only connection's refusals, and a node file's pools with their volumes.
 * Lists come in the reference's hash order: they are printed sorted. */
#define _GNU_SOURCE
#include "common.h"
#include <time.h>
#include <unistd.h>
#include <limits.h>

#define NODE_FILE "tests/data/storage-node.xml"

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
    printf("]\n");
    if (n < 0)
        show_error(what);
}

static void show_int(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    if (r < 0)
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

static void pool_lists(virConnectPtr c)
{
    char *names[16];
    show_int("num active", virConnectNumOfStoragePools(c));
    show_names("active", names, virConnectListStoragePools(c, names, 16));
    show_int("num defined", virConnectNumOfDefinedStoragePools(c));
    show_names("defined", names, virConnectListDefinedStoragePools(c, names, 16));
}

static void list_all(virConnectPtr c, unsigned flags)
{
    virStoragePoolPtr *pools = NULL;
    char what[64], *names[32];
    int n = virConnectListAllStoragePools(c, &pools, flags);
    snprintf(what, sizeof(what), "list all %#x", flags);
    for (int i = 0; i < n && i < 32; i++) {
        names[i] = strdup(virStoragePoolGetName(pools[i]));
        virStoragePoolFree(pools[i]);
    }
    free(pools);
    show_names(what, names, n);
    snprintf(what, sizeof(what), "count all %#x", flags);
    show_int(what, virConnectListAllStoragePools(c, NULL, flags));
}

static void show_pool(const char *what, virStoragePoolPtr p)
{
    virStoragePoolInfo info;
    char uuid[VIR_UUID_STRING_BUFLEN] = "";
    int autostart = -1;
    if (!p) {
        show_error(what);
        return;
    }
    virStoragePoolGetUUIDString(p, uuid);
    int r = virStoragePoolGetInfo(p, &info);
    printf("%s: %s %s info=%d", what, virStoragePoolGetName(p), uuid, r);
    if (r == 0)
        printf(" state=%d capacity=%llu allocation=%llu available=%llu", info.state,
               info.capacity, info.allocation, info.available);
    r = virStoragePoolGetAutostart(p, &autostart);
    printf(" active=%d persistent=%d autostart=%d/%d\n", virStoragePoolIsActive(p),
           virStoragePoolIsPersistent(p), r, autostart);
    show_text("pool xml", virStoragePoolGetXMLDesc(p, 0));
}

static void show_vol(const char *what, virStorageVolPtr v)
{
    virStorageVolInfo info;
    if (!v) {
        show_error(what);
        return;
    }
    int r = virStorageVolGetInfo(v, &info);
    printf("%s: %s key=%s info=%d", what, virStorageVolGetName(v), virStorageVolGetKey(v), r);
    if (r == 0)
        printf(" type=%d capacity=%llu allocation=%llu", info.type, info.capacity,
               info.allocation);
    printf("\n");
    show_text("vol path", virStorageVolGetPath(v));
    show_text("vol xml", virStorageVolGetXMLDesc(v, 0));
}

static void volumes(virStoragePoolPtr p)
{
    char *names[32];
    virStorageVolPtr *vols = NULL;
    show_int("num volumes", virStoragePoolNumOfVolumes(p));
    show_names("volumes", names, virStoragePoolListVolumes(p, names, 32));
    int n = virStoragePoolListAllVolumes(p, &vols, 0);
    for (int i = 0; i < n && i < 32; i++) {
        names[i] = strdup(virStorageVolGetKey(vols[i]));
        virStorageVolFree(vols[i]);
    }
    free(vols);
    show_names("all volume keys", names, n);
    show_int("count all volumes", virStoragePoolListAllVolumes(p, NULL, 0));
}

/* A pool that is created or defined from `xml`, shown, then taken away again. */
static void try_pool(virConnectPtr c, const char *xml, int create)
{
    virStoragePoolPtr p = create ? virStoragePoolCreateXML(c, xml, 0)
                                 : virStoragePoolDefineXML(c, xml, 0);
    if (!p) {
        virErrorPtr e = virGetLastError();
        if (e && e->code == VIR_ERR_XML_DETAIL)
            show_xml_error(create ? "create pool" : "define pool");
        else
            show_error(create ? "create pool" : "define pool");
        return;
    }
    show_pool(create ? "created" : "defined", p);
    if (create)
        show_int("destroy", virStoragePoolDestroy(p));
    else
        show_int("undefine", virStoragePoolUndefine(p));
    virStoragePoolFree(p);
}

static virStorageVolPtr try_vol(virStoragePoolPtr p, const char *xml)
{
    virStorageVolPtr v = virStorageVolCreateXML(p, xml, 0);
    if (!v)
        show_error("create vol");
    else
        show_vol("created vol", v);
    return v;
}

static void default_pool(virConnectPtr c)
{
    pool_lists(c);
    virStoragePoolPtr p = virStoragePoolLookupByName(c, "default-pool");
    show_pool("default-pool", p);
    show_pool("by uuid string",
              virStoragePoolLookupByUUIDString(c, "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566"));
    unsigned char raw[VIR_UUID_BUFLEN];
    virStoragePoolGetUUID(p, raw);
    virStoragePoolPtr q = virStoragePoolLookupByUUID(c, raw);
    printf("by uuid: %s\n", q ? virStoragePoolGetName(q) : "NULL");
    virStoragePoolFree(q);
    show_pool("missing name", virStoragePoolLookupByName(c, "nope"));
    show_pool("missing uuid",
              virStoragePoolLookupByUUIDString(c, "dfe224cb-28fb-8dd0-c4b2-64eb3f0f4567"));
    show_pool("bad uuid", virStoragePoolLookupByUUIDString(c, "zz"));
    show_pool("NULL name", virStoragePoolLookupByName(c, NULL));
    volumes(p);

    virStorageVolPtr v1 = try_vol(p, "<volume><name>v1</name><capacity unit='M'>10</capacity>"
                                     "<allocation>1000</allocation></volume>");
    virStorageVolPtr v2 = try_vol(
        p, "<volume type='block'><name>v2</name><capacity>10</capacity><target><path>/x/y</path>"
           "<format type='qcow2'/><permissions><mode>0644</mode><owner>10</owner><group>20</group>"
           "<label>lab</label></permissions><compat>1.1</compat><features><lazy_refcounts/>"
           "</features></target><backingStore><path>/b</path><format type='qcow2'/>"
           "</backingStore></volume>");
    show_pool("with volumes", p);
    const char *bad[] = {
        "<volume><name>v1</name><capacity>10</capacity></volume>",
        "<volume><name>v3</name></volume>",
        "<volume><capacity>1</capacity></volume>",
        "<volume><name>v3</name><capacity>10T</capacity></volume>",
        "<volume><name>v3</name><capacity unit='T'>1000</capacity></volume>",
        "<volume><name>v3</name><capacity unit='Q'>1000</capacity></volume>",
        "<volume><name>v3</name><capacity unit='E'>1000</capacity></volume>",
        "<volume><name>v3</name><capacity>1</capacity><allocation>x</allocation></volume>",
        "<volume type='bogus'><name>v3</name><capacity>1</capacity></volume>",
        "<volume><name>v3</name><capacity>1</capacity><target><format type='none'/></target>"
        "</volume>",
        "<volume><name>v3</name><capacity>1</capacity><target><format type='zzz'/></target>"
        "</volume>",
        "<volume><name>v3</name><capacity>1</capacity><target><compat>1.x</compat></target>"
        "</volume>",
        "<volume><name>v3</name><capacity>1</capacity><target><features><bogus/></features>"
        "</target></volume>",
        "<volume><name>v3</name><capacity>1</capacity><target><permissions><mode>9</mode>"
        "</permissions></target></volume>",
        "<volum><name>v3</name></volum>",
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        try_vol(p, bad[i]);
    if (!virStorageVolCreateXML(p, "<volume><name>v3</name>", 0))
        show_xml_error("not well-formed vol");
    show_vol("NULL vol xml", virStorageVolCreateXML(p, NULL, 0));
    show_vol("bad flags", virStorageVolCreateXML(p, "<volume/>", 1));
    volumes(p);

    show_vol("by key", virStorageVolLookupByKey(c, "/default-pool/v1"));
    show_vol("by path", virStorageVolLookupByPath(c, "/default-pool/v2"));
    show_vol("by given path", virStorageVolLookupByPath(c, "/x/y"));
    show_vol("missing key", virStorageVolLookupByKey(c, "nope"));
    show_vol("missing path", virStorageVolLookupByPath(c, "nope"));
    show_vol("missing name", virStorageVolLookupByName(p, "nope"));
    show_vol("NULL key", virStorageVolLookupByKey(c, NULL));
    show_pool("by volume", virStoragePoolLookupByVolume(v1));

    virStorageVolPtr v5 = virStorageVolCreateXMLFrom(
        p, "<volume><name>v5</name><capacity>5</capacity></volume>", v1, 0);
    show_vol("cloned", v5);
    show_vol("clone again", virStorageVolCreateXMLFrom(
                                p, "<volume><name>v5</name><capacity>5</capacity></volume>", v1, 0));
    show_int("vol delete bad flags", virStorageVolDelete(v1, 1));
    show_int("vol delete", virStorageVolDelete(v1, 0));
    show_int("vol delete again", virStorageVolDelete(v1, 0));
    show_vol("deleted vol", v1);
    show_vol("clone of deleted", virStorageVolCreateXMLFrom(
                                     p, "<volume><name>v6</name><capacity>5</capacity></volume>",
                                     v1, 0));
    show_text("vol xml bad flags", virStorageVolGetXMLDesc(v2, 1));
    show_int("vol info NULL", virStorageVolGetInfo(v2, NULL));
    show_pool("after delete", p);
    volumes(p);
    show_int("delete v2", virStorageVolDelete(v2, 0));
    show_int("delete v5", virStorageVolDelete(v5, 0));
    show_pool("emptied", p);
    virStorageVolFree(v1);
    virStorageVolFree(v2);
    virStorageVolFree(v5);

    show_text("xml bad flags", virStoragePoolGetXMLDesc(p, 1));
    show_int("info NULL", virStoragePoolGetInfo(p, NULL));
    show_int("autostart NULL", virStoragePoolGetAutostart(p, NULL));
    show_int("refresh", virStoragePoolRefresh(p, 0));
    show_int("refresh bad flags", virStoragePoolRefresh(p, 1));
    show_int("build active", virStoragePoolBuild(p, 0));
    show_int("delete active", virStoragePoolDelete(p, 0));
    show_int("create active", virStoragePoolCreate(p, 0));
    show_int("undefine active", virStoragePoolUndefine(p));
    char *names[4];
    show_int("list maxnames -1", virConnectListStoragePools(c, names, -1));
    show_int("list NULL names", virConnectListStoragePools(c, NULL, 1));
    show_int("list volumes NULL", virStoragePoolListVolumes(p, NULL, 1));
    virStoragePoolFree(p);
}

static void lifecycle(virConnectPtr c)
{
    virStoragePoolPtr x = virStoragePoolDefineXML(
        c,
        "<pool type='netfs'><name>nfs</name><uuid>11111111-2222-3333-4444-555555555555</uuid>"
        "<source><host name='h' port='20'/><dir path='/exp//x/'/><format type='nfs'/>"
        "<protocol ver='3'/></source><target><path>/mnt//n/</path><permissions><mode>755</mode>"
        "</permissions></target></pool>",
        0);
    show_pool("defined nfs", x);
    pool_lists(c);
    unsigned flags[] = {0,
                        VIR_CONNECT_LIST_STORAGE_POOLS_INACTIVE,
                        VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
                        VIR_CONNECT_LIST_STORAGE_POOLS_PERSISTENT,
                        VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT,
                        VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART,
                        VIR_CONNECT_LIST_STORAGE_POOLS_NO_AUTOSTART,
                        VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
                        VIR_CONNECT_LIST_STORAGE_POOLS_NETFS | VIR_CONNECT_LIST_STORAGE_POOLS_ACTIVE,
                        VIR_CONNECT_LIST_STORAGE_POOLS_NETFS | VIR_CONNECT_LIST_STORAGE_POOLS_DIR,
                        1u << 20};
    for (size_t i = 0; i < sizeof(flags) / sizeof(*flags); i++)
        list_all(c, flags[i]);
    show_int("set autostart", virStoragePoolSetAutostart(x, 1));
    list_all(c, VIR_CONNECT_LIST_STORAGE_POOLS_AUTOSTART);
    volumes(x);
    show_vol("vol in inactive", virStorageVolLookupByName(x, "v"));
    show_vol("create vol in inactive",
             virStorageVolCreateXML(x, "<volume><name>v</name><capacity>1</capacity></volume>", 0));
    show_int("refresh inactive", virStoragePoolRefresh(x, 0));
    show_int("destroy inactive", virStoragePoolDestroy(x));
    show_int("build", virStoragePoolBuild(x, 0));
    show_int("build bad flags", virStoragePoolBuild(x, 1));
    show_int("delete", virStoragePoolDelete(x, 0));
    show_int("delete bad flags", virStoragePoolDelete(x, 1));
    show_int("create bad flags", virStoragePoolCreate(x, 1));
    show_int("create", virStoragePoolCreate(x, 0));
    show_pool("started nfs", x);
    show_vol("nfs vol", virStorageVolCreateXML(
                            x, "<volume><name>n1</name><capacity>4096</capacity></volume>", 0));
    volumes(x);
    show_int("destroy", virStoragePoolDestroy(x));
    show_pool("stopped nfs", x);
    show_int("undefine", virStoragePoolUndefine(x));
    show_pool("undefined nfs", x);
    show_int("undefine again", virStoragePoolUndefine(x));
    virStoragePoolFree(x);

    virStoragePoolPtr y = virStoragePoolCreateXML(
        c,
        "<pool type='logical'><name>lv</name><uuid>11111111-2222-3333-4444-555555555556</uuid>"
        "<source><device path='/dev/sda'/></source></pool>",
        0);
    show_pool("created lv", y);
    show_int("autostart transient", virStoragePoolSetAutostart(y, 1));
    list_all(c, VIR_CONNECT_LIST_STORAGE_POOLS_TRANSIENT);
    const char *clash[] = {
        "<pool type='logical'><name>lv2</name><source><device path='/dev/sda'/></source></pool>",
        "<pool type='dir'><name>lv</name><target><path>/q</path></target></pool>",
        "<pool type='logical'><name>lv</name><uuid>11111111-2222-3333-4444-555555555556</uuid>"
        "<source><device path='/dev/sdz'/></source></pool>",
    };
    for (size_t i = 0; i < sizeof(clash) / sizeof(*clash); i++)
        try_pool(c, clash[i], 1);
    show_int("destroy transient", virStoragePoolDestroy(y));
    show_pool("destroyed transient", y);
    virStoragePoolFree(y);

    /* A defined pool started by CreateXML becomes transient. */
    virStoragePoolPtr z = virStoragePoolDefineXML(
        c, "<pool type='dir'><name>z</name><target><path>/z</path></target></pool>", 0);
    virStoragePoolPtr z2 = virStoragePoolCreateXML(
        c, "<pool type='dir'><name>z</name><target><path>/z2</path></target></pool>", 0);
    show_pool("defined z", z);
    show_pool("create z again", z2);
    virStoragePoolFree(z2);
    virStoragePoolFree(z);
}

static void xml_errors(virConnectPtr c)
{
    const char *pools[] = {
        "<poo type='dir'/>",
        "<pool type='xx'><name>dp2</name></pool>",
        "<pool><name>dp2</name></pool>",
        "<pool type='dir'><name>dp2</name></pool>",
        "<pool type='dir'><target><path>/r</path></target></pool>",
        "<pool type='dir'><name>a/b</name><target><path>/r</path></target></pool>",
        "<pool type='dir'><name>ab</name><uuid>zz</uuid><target><path>/r</path></target></pool>",
        "<pool type='netfs'><name>ab</name><target><path>/r</path></target></pool>",
        "<pool type='netfs'><name>ab</name><source><host name='h'/></source><target><path>/r"
        "</path></target></pool>",
        "<pool type='dir'><name>default-pool</name><target><path>/q</path></target></pool>",
        "<pool type='dir'><name>dp2</name><target><path>/default-pool</path></target></pool>",
        "<pool type='dir'><name>dp2</name><uuid>dfe224cb-28fb-8dd0-c4b2-64eb3f0f4566</uuid>"
        "<target><path>/r</path></target></pool>",
        "<pool type='dir'><name>x</name><target><path>/a/</path></target><features><cow "
        "state='no'/></features><refresh><volume allocation='capacity'/></refresh></pool>",
        "<pool type='fs'><name>x</name><target><path>/a</path></target></pool>",
        "<pool type='fs'><name>x</name><source><device path='/dev/x' part_separator='yes'/>"
        "<format type='xfs'/><vendor name='v&amp;'/><product name='p'/></source><target><path>"
        "//a</path><permissions><owner>-1</owner><group>5</group></permissions></target></pool>",
        "<pool type='disk'><name>x</name><source><device path='/dev/x'/></source><target><path>"
        "/dev</path></target></pool>",
        "<pool type='iscsi'><name>x</name><source><host name='h'/><device path='iqn.x'/>"
        "<initiator><iqn name='iqn.i'/></initiator></source><target><path>/dev/disk/by-path"
        "</path></target></pool>",
        "<pool type='scsi'><name>x</name><source><adapter type='scsi_host' name='host0'/>"
        "</source><target><path>/dev/disk/by-path</path></target></pool>",
        "<pool type='scsi'><name>x</name><source/><target><path>/d</path></target></pool>",
        "<pool type='rbd'><name>x</name><source><host name='h'/><name>rb</name></source></pool>",
        "<pool type='rbd'><name>x</name><source><host name='h'/></source></pool>",
        "<pool type='gluster'><name>x</name><source><host name='h'/><name>gv</name></source>"
        "</pool>",
        "<pool type='mpath'><name>x</name><target><path>/dev/mapper</path></target></pool>",
        "<pool type='zfs'><name>x</name><source><name>tank</name></source></pool>",
        "<pool type='sheepdog'><name>x</name><source><host name='h' port='7000'/></source>"
        "</pool>",
        "<pool type='vstorage'><name>x</name><source><name>cl</name></source><target><path>/v"
        "</path></target></pool>",
        "<pool type='iscsi-direct'><name>x</name><source><host name='h'/><device path='iqn.x'/>"
        "<initiator><iqn name='iqn.i'/></initiator></source></pool>",
        "<pool type='iscsi-direct'><name>x</name><source><host name='h'/><device path='iqn.x'/>"
        "</source></pool>",
        "<pool type='logical'><source><name>vg</name><format type='bogus'/></source></pool>",
        "<pool type='logical'><source><name>vg</name></source></pool>",
        "<pool type='dir'><name>x</name><target><path>/a</path><permissions><mode>999</mode>"
        "</permissions></target></pool>",
        "<pool type='dir'><name>x</name><target><path>/a</path><permissions><owner>abc</owner>"
        "</permissions></target></pool>",
        "<pool type='dir'><name>x</name><target><path>/a</path></target><features><cow "
        "state='maybe'/></features></pool>",
        "<pool type='netfs'><name>x</name><target><path>/a</path></target><features><cow "
        "state='yes'/></features><source><host name='h'/><dir path='/e'/></source></pool>",
        "<pool type='netfs'><name>x</name><source><host name='h'/><dir path='/e'/><format "
        "type='cifs'/><protocol ver='3'/></source><target><path>/a</path></target></pool>",
        "<pool type='netfs'><name>x</name><source><host/><dir path='/e'/></source><target><path>"
        "/a</path></target></pool>",
        "<pool type='dir'><name>x&amp;'\"</name><target><path>/a&lt;</path><permissions><label>"
        "l'</label></permissions></target></pool>",
        "<pool type='dir'><name>x</name><target><path>/a</path></target><refresh><volume "
        "allocation='x'/></refresh></pool>",
        "<pool type='dir'><name>x</name>",
        "<pool type='iscsi'><name>x</name><source><host name='h'/><device path='iqn.x'/><auth "
        "type='chap' username='u&amp;'><secret usage='libvirtiscsi'/></auth></source><target>"
        "<path>/d</path></target></pool>",
        "<pool type='rbd'><name>x</name><source><host name='h'/><name>rb</name><auth "
        "username='admin' type='ceph'><secret uuid='2ec115d73a883cebbc120ac909a6fd87'/></auth>"
        "</source></pool>",
        "<pool type='rbd'><name>x</name><source><host name='h'/><name>rb</name><auth "
        "username='admin'><secret usage='u'/></auth></source></pool>",
        "<pool type='rbd'><name>x</name><source><host name='h'/><name>rb</name><auth "
        "type='ceph'><secret usage='u'/></auth></source></pool>",
        "<pool type='rbd'><name>x</name><source><host name='h'/><name>rb</name><auth "
        "type='ceph' username='a'/></source></pool>",
        "<pool type='rbd'><name>x</name><source><host name='h'/><name>rb</name><auth "
        "type='bogus' username='a'><secret usage='u'/></auth></source></pool>",
        "<pool type='rbd'><name>x</name><source><host name='h'/><name>rb</name><auth "
        "type='ceph' username='a'><secret uuid='zz'/></auth></source></pool>",
        "<pool type='rbd'><name>x</name><source><host name='h'/><name>rb</name><auth "
        "type='ceph' username='a'><secret/></auth></source></pool>",
        "<pool type='rbd'><name>x</name><source><host name='h'/><name>rb</name><auth "
        "type='ceph' username='a'><secret uuid='2ec115d7-3a88-3ceb-bc12-0ac909a6fd87' "
        "usage='u'/></auth></source></pool>",
    };
    for (size_t i = 0; i < sizeof(pools) / sizeof(*pools); i++)
        try_pool(c, pools[i], 0);
    try_pool(c, "<pool type='dir'><name>y</name><target><path>/y</path></target></pool>", 1);
    show_pool("define bad flags", virStoragePoolDefineXML(c, "<pool/>", 2));
    show_pool("create bad flags", virStoragePoolCreateXML(c, "<pool/>", 1));
    show_pool("define NULL", virStoragePoolDefineXML(c, NULL, 0));

    virStoragePoolPtr d = virStoragePoolCreateXML(
        c,
        "<pool type='disk'><name>dk</name><source><device path='/dev/zz'/></source><target>"
        "<path>/dev</path></target></pool>",
        0);
    virStorageVolPtr a = try_vol(
        d, "<volume><name>sda1</name><capacity>100</capacity><target><format type='linux'/>"
           "</target></volume>");
    virStorageVolPtr b = try_vol(d, "<volume><name>sda2</name><capacity>100</capacity></volume>");
    virStorageVolFree(a);
    virStorageVolFree(b);
    show_int("destroy disk pool", virStoragePoolDestroy(d));
    show_vol("vol of destroyed pool", virStorageVolLookupByName(d, "sda1"));
    virStoragePoolFree(d);
}

static void sources(virConnectPtr c)
{
    struct {
        const char *type, *spec;
        unsigned flags;
    } cases[] = {
        {"logical", NULL, 0},
        {"netfs", NULL, 0},
        {"netfs", "<source><host name='hh'/></source>", 0},
        {"dir", NULL, 0},
        {"bogus", NULL, 0},
        {"bogus", "<source/>", 0},
        {"fs", "<source/>", 0},
        {"netfs", "<sourc/>", 0},
        {"netfs", "<source><host/></source>", 0},
        {"netfs", "<source><host name='hh'/></source>", 1},
        {NULL, NULL, 0},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        printf("find %s %s:\n", cases[i].type ? cases[i].type : "NULL",
               cases[i].spec ? cases[i].spec : "NULL");
        show_text("sources", virConnectFindStoragePoolSources(c, cases[i].type, cases[i].spec,
                                                              cases[i].flags));
    }
    if (!virConnectFindStoragePoolSources(c, "netfs", "<source><host name='hh'/>", 0))
        show_xml_error("not well-formed source");
}

static void read_only(void)
{
    virConnectPtr r = virConnectOpenReadOnly("test:///default");
    virStoragePoolPtr p = virStoragePoolLookupByName(r, "default-pool");
    show_pool("read-only pool", p);
    show_pool("ro define",
              virStoragePoolDefineXML(
                  r, "<pool type='dir'><name>r</name><target><path>/r</path></target></pool>", 0));
    show_pool("ro create",
              virStoragePoolCreateXML(
                  r, "<pool type='dir'><name>r</name><target><path>/r</path></target></pool>", 0));
    show_int("ro set autostart", virStoragePoolSetAutostart(p, 1));
    show_int("ro refresh", virStoragePoolRefresh(p, 0));
    show_int("ro destroy", virStoragePoolDestroy(p));
    show_int("ro undefine", virStoragePoolUndefine(p));
    show_int("ro build", virStoragePoolBuild(p, 0));
    show_int("ro delete", virStoragePoolDelete(p, 0));
    show_int("ro create", virStoragePoolCreate(p, 0));
    show_vol("ro vol create",
             virStorageVolCreateXML(p, "<volume><name>r</name><capacity>1</capacity></volume>", 0));
    show_text("ro find sources", virConnectFindStoragePoolSources(r, "logical", NULL, 0));
    virConnectPtr w = virConnectOpen("test:///default");
    virStoragePoolPtr wp = virStoragePoolLookupByName(w, "default-pool");
    virStorageVolFree(
        virStorageVolCreateXML(wp, "<volume><name>w</name><capacity>1</capacity></volume>", 0));
    virStorageVolPtr v = virStorageVolLookupByName(p, "w");
    show_vol("ro vol lookup", v);
    show_vol("ro vol clone",
             virStorageVolCreateXMLFrom(p, "<volume><name>r</name><capacity>1</capacity></volume>",
                                        v, 0));
    show_int("ro vol delete", virStorageVolDelete(v, 0));
    virStorageVolFree(v);
    virStoragePoolFree(wp);
    virConnectClose(w);
    volumes(p);
    virStoragePoolFree(p);
    virConnectClose(r);
}

static void node_file(void)
{
    char path[PATH_MAX], uri[PATH_MAX + 16];
    if (!realpath(NODE_FILE, path)) {
        printf("no %s\n", NODE_FILE);
        return;
    }
    snprintf(uri, sizeof(uri), "test://%s", path);
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        show_error("open node file");
        return;
    }
    pool_lists(c);
    const char *names[] = {"files", "vg0", "nfs"};
    for (size_t i = 0; i < 3; i++) {
        virStoragePoolPtr p = virStoragePoolLookupByName(c, names[i]);
        show_pool("node pool", p);
        volumes(p);
        virStoragePoolFree(p);
    }
    show_vol("custom key", virStorageVolLookupByKey(c, "custom-key"));
    show_vol("given path", virStorageVolLookupByPath(c, "/elsewhere/disk2.img"));
    show_vol("default path", virStorageVolLookupByPath(c, "/pools/files/disk1.img"));
    show_vol("logical path", virStorageVolLookupByPath(c, "/dev/vg0/lv1"));
    virConnectClose(c);
}

/* Callbacks run so far: pump() waits until they stop coming. */
static int events_heard;

static void on_pool_lifecycle(virConnectPtr c, virStoragePoolPtr p, int event, int detail,
                              void *opaque)
{
    (void)c;
    events_heard++;
    printf("event %s: lifecycle %s event=%d detail=%d\n", (const char *)opaque,
           virStoragePoolGetName(p), event, detail);
}

static void on_pool_refresh(virConnectPtr c, virStoragePoolPtr p, void *opaque)
{
    (void)c;
    events_heard++;
    printf("event %s: refresh %s\n", (const char *)opaque, virStoragePoolGetName(p));
}

static int on_domain(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    events_heard++;
    printf("event: domain %s event=%d detail=%d\n", virDomainGetName(d), event, detail);
    return 0;
}

static void on_free(void *opaque)
{
    printf("free %s\n", (const char *)opaque);
}

/* Let the events of the calls made so far reach the client, then run the default loop until no
 * callback has run for 200 ms. Through a daemon (tests/remote.sh) an event can come over the
 * socket just after the reply of the call that caused it; a client with no event loop when it
 * connected reads it only during a later call (libvirt's and ours), so the wait ends with a call
 * whose reply comes after every such event. Before, the outcome depended on timing. */
static void pump(virConnectPtr c)
{
    usleep(100000);
    virConnectNumOfDomains(c);
    run_loop_until_quiet(&events_heard, 200);
}

static void events(void)
{
    virConnectPtr c = virConnectOpen("test:///default");
    virStoragePoolPtr dp = virStoragePoolLookupByName(c, "default-pool");
    show_int("register before loop",
             virConnectStoragePoolEventRegisterAny(
                 c, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                 VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool_lifecycle), "early", NULL));
    virEventRegisterDefaultImpl();
    int dom = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               VIR_DOMAIN_EVENT_CALLBACK(on_domain), NULL, NULL);
    show_int("domain callback", dom);
    int all = virConnectStoragePoolEventRegisterAny(c, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                                    VIR_STORAGE_POOL_EVENT_CALLBACK(
                                                        on_pool_lifecycle),
                                                    "all", on_free);
    show_int("lifecycle callback", all);
    int one = virConnectStoragePoolEventRegisterAny(c, dp, VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                                                    VIR_STORAGE_POOL_EVENT_CALLBACK(
                                                        on_pool_refresh),
                                                    "default-pool", on_free);
    show_int("refresh callback", one);
    int any = virConnectStoragePoolEventRegisterAny(c, NULL, VIR_STORAGE_POOL_EVENT_ID_REFRESH,
                                                    VIR_STORAGE_POOL_EVENT_CALLBACK(
                                                        on_pool_refresh),
                                                    "any", NULL);
    show_int("refresh any callback", any);
    show_int("duplicate", virConnectStoragePoolEventRegisterAny(
                              c, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                              VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool_lifecycle), "dup", NULL));
    show_int("bad id", virConnectStoragePoolEventRegisterAny(
                           c, NULL, 2, VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool_refresh), NULL,
                           NULL));
    show_int("negative id", virConnectStoragePoolEventRegisterAny(
                                c, NULL, -1, VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool_refresh),
                                NULL, NULL));
    show_int("NULL cb",
             virConnectStoragePoolEventRegisterAny(c, NULL, 0, NULL, NULL, NULL));
    virConnectPtr other = virConnectOpen("test:///default");
    virStoragePoolPtr op = virStoragePoolLookupByName(other, "default-pool");
    show_int("pool of another connection",
             virConnectStoragePoolEventRegisterAny(
                 c, op, 0, VIR_STORAGE_POOL_EVENT_CALLBACK(on_pool_refresh), NULL, NULL));
    virStoragePoolFree(op);
    virConnectClose(other);

    virStoragePoolPtr e = virStoragePoolDefineXML(
        c, "<pool type='dir'><name>ev</name><target><path>/ev</path></target></pool>", 0);
    virStoragePoolBuild(e, 0);
    virStoragePoolCreate(e, 0);
    virStoragePoolRefresh(e, 0);
    virStoragePoolRefresh(dp, 0);
    virStoragePoolDestroy(e);
    virStoragePoolDelete(e, 0);
    virStoragePoolUndefine(e);
    virStoragePoolFree(e);
    virStoragePoolPtr t = virStoragePoolCreateXML(
        c, "<pool type='dir'><name>tr</name><target><path>/tr</path></target></pool>", 0);
    virStoragePoolDestroy(t);
    virStoragePoolFree(t);
    virDomainPtr d = virDomainLookupByName(c, "test");
    virDomainSuspend(d);
    virDomainResume(d);
    virDomainFree(d);
    pump(c);

    show_int("deregister refresh", virConnectStoragePoolEventDeregisterAny(c, one));
    show_int("deregister again", virConnectStoragePoolEventDeregisterAny(c, one));
    show_int("deregister negative", virConnectStoragePoolEventDeregisterAny(c, -1));
    show_int("deregister domain's id", virConnectStoragePoolEventDeregisterAny(c, dom));
    virStoragePoolRefresh(dp, 0);
    pump(c);
    show_int("deregister lifecycle", virConnectStoragePoolEventDeregisterAny(c, all));
    show_int("deregister any", virConnectStoragePoolEventDeregisterAny(c, any));
    virStoragePoolFree(dp);
    show_int("close", virConnectClose(c));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        return 1;
    default_pool(c);
    lifecycle(c);
    xml_errors(c);
    sources(c);
    read_only();
    node_file();
    virConnectClose(c);
    events();
    return 0;
}
