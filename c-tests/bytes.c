/* Text that is not UTF-8 and domain types, on test:///default, compared with libvirt 9.0
 * (c-tests/run.sh, differential): two different invalid names stay two names (a lookup of either
 * finds nothing, and the error quotes the very bytes), XML with an invalid byte is refused by the
 * XML parser naming that byte, a URI with one is not a URI; an unknown <domain type> is refused by
 * the parser, a missing or empty one too, a known type the test driver takes. Bytes outside
 * printable ASCII are printed as \xNN. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

static void quiet(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
}

static void print_bytes(const char *s)
{
    for (; s && *s; s++) {
        unsigned char c = (unsigned char)*s;
        if (c < 0x20 || c >= 0x7f)
            printf("\\x%02x", c);
        else
            putchar(c);
    }
}

static void show(const char *what, const void *p)
{
    virErrorPtr e = virGetLastError();
    printf("%s: %s", what, p ? "ok" : "NULL");
    if (e) {
        printf(" code=%d domain=%d msg=", e->code, e->domain);
        print_bytes(e->message);
    }
    printf("\n");
    virResetLastError();
}

static void define_named(virConnectPtr c, const char *what, const char *name)
{
    char xml[512];
    snprintf(xml, sizeof(xml),
             "<domain type='test'><name>%s</name><memory>1024</memory><os><type>hvm</type></os>"
             "</domain>",
             name);
    virDomainPtr d = virDomainDefineXML(c, xml);
    show(what, d);
    if (d) {
        printf("%s: name=", what);
        print_bytes(virDomainGetName(d));
        printf("\n");
        virDomainUndefine(d);
        virDomainFree(d);
    }
}

static void typed(virConnectPtr c, const char *type_attr)
{
    char xml[512], what[128];
    snprintf(xml, sizeof(xml),
             "<domain%s><name>typed</name><memory>1024</memory><os><type>hvm</type></os></domain>",
             type_attr);
    snprintf(what, sizeof(what), "define domain%s", type_attr);
    virDomainPtr d = virDomainDefineXML(c, xml);
    show(what, d);
    if (d) {
        virDomainUndefine(d);
        virDomainFree(d);
    }
    snprintf(what, sizeof(what), "create domain%s", type_attr);
    d = virDomainCreateXML(c, xml, 0);
    show(what, d);
    if (d) {
        virDomainDestroy(d);
        virDomainFree(d);
    }
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet);
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        return 1;

    show("lookup \\xff", virDomainLookupByName(c, "\xff"));
    show("lookup \\xfe", virDomainLookupByName(c, "\xfe"));
    show("lookup test\\xff", virDomainLookupByName(c, "test\xff"));
    define_named(c, "define a\\xff", "a\xff");
    define_named(c, "define a\\xfe", "a\xfe");
    define_named(c, "define a\\xc3", "a\xc3");
    define_named(c, "define a-eacute", "a\xc3\xa9");
    show("define \\xfe on line 2",
         virDomainDefineXML(c, "<domain type='test'>\n<name>ab\xfe</name><memory>1024</memory>"
                               "<os><type>hvm</type></os></domain>"));
    show("define \\xfe in type",
         virDomainDefineXML(c, "<domain type='te\xfest'><name>ab</name></domain>"));
    show("open \\xff", virConnectOpen("test:///def\xff"));
    show("open \\xfe", virConnectOpen("test:///def\xfe"));
    show("open eacute", virConnectOpen("test:///def\xc3\xa9"));
    show("open space", virConnectOpen("test:///def ault"));

    const char *types[] = {" type='nosuchtype'", "", " type=''", " type='KVM'", " type=' kvm'",
                           " type='xen'", " type='kvm'", " type='none'", " type='hvf'"};
    for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
        typed(c, types[i]);
    virConnectClose(c);
    return 0;
}
