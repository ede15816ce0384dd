/* The listings' size checks, as libvirt's public layer words them: a negative max, and a NULL
 * array with a positive max, for domains (active ids, defined names) and networks. Differential. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

static void quiet(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
}

static void show(const char *what, int r)
{
    virErrorPtr e = virGetLastError();
    printf("%s: %d code=%d domain=%d %s\n", what, r, e ? e->code : 0, e ? e->domain : 0,
           e && e->message ? e->message : "");
}

int main(void)
{
    virSetErrorFunc(NULL, quiet);
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        return 1;
    int ids[4];
    char *names[4];
    show("domains max -1", virConnectListDomains(c, ids, -1));
    show("domains NULL max 2", virConnectListDomains(c, NULL, 2));
    show("defined max -1", virConnectListDefinedDomains(c, names, -1));
    show("defined NULL max 2", virConnectListDefinedDomains(c, NULL, 2));
    show("networks max -1", virConnectListNetworks(c, names, -1));
    show("networks NULL max 2", virConnectListNetworks(c, NULL, 2));
    show("defined networks max -1", virConnectListDefinedNetworks(c, names, -1));
    virConnectClose(c);
    return 0;
}
