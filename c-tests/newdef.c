/* A persistent domain's definition while it runs, on test:///default, compared with libvirt 9.0
 * (c-tests/run.sh, differential): started with new XML, the domain runs with that XML and keeps
 * its persistent definition, which comes back when it stops; defined while running, the new
 * definition waits for the stop and the live one is left alone. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define UUID "3f6f2a9e-3c1b-4a55-9d7e-0000000000aa"

static void quiet(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
}

static const char *xml(int kib)
{
    static char buf[512];
    snprintf(buf, sizeof(buf),
             "<domain type='test'><name>nd</name><uuid>" UUID "</uuid><memory>%d</memory>"
             "<os><type>hvm</type></os></domain>",
             kib);
    return buf;
}

/* <memory> of the live (flags 0) or the persistent (VIR_DOMAIN_XML_INACTIVE) definition. */
static long memory(virDomainPtr d, unsigned flags)
{
    char *x = virDomainGetXMLDesc(d, flags);
    const char *at = x ? strstr(x, "<memory unit='KiB'>") : NULL;
    long kib = at ? strtol(at + strlen("<memory unit='KiB'>"), NULL, 10) : -1;
    free(x);
    return kib;
}

static void show(const char *what, virDomainPtr d)
{
    printf("%s: active=%d persistent=%d live=%ld inactive=%ld maxmem=%lu\n", what,
           virDomainIsActive(d), virDomainIsPersistent(d), memory(d, 0),
           memory(d, VIR_DOMAIN_XML_INACTIVE), virDomainGetMaxMemory(d));
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet);
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        return 1;
    virDomainPtr d = virDomainDefineXML(c, xml(1024));
    show("defined", d);
    virDomainPtr t = virDomainCreateXML(c, xml(2048), 0);
    printf("create with new XML: %s\n", t ? "ok" : "NULL");
    show("running with new XML", d);
    printf("destroy=%d\n", virDomainDestroy(d));
    show("stopped", d);
    printf("create=%d\n", virDomainCreate(d));
    virDomainPtr n = virDomainDefineXML(c, xml(4096));
    printf("define while running: %s\n", n ? "ok" : "NULL");
    show("defined while running", d);
    printf("destroy=%d\n", virDomainDestroy(d));
    show("stopped again", d);
    printf("undefine=%d\n", virDomainUndefine(d));
    if (t)
        virDomainFree(t);
    if (n)
        virDomainFree(n);
    virDomainFree(d);
    virConnectClose(c);
    return 0;
}
