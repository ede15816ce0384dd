/* The calls whose code is laid out together at the start of libvirt.so.0's text (link/hot-text.ld,
 * written by link/hot_text.py from a callgrind run of this program): opening test:///default and
 * the per-domain calls that management programs make in loops. Code the kernel maps together is
 * faulted in together: spread over the library, these few hundred functions cost 2 MiB of
 * resident text; laid out together, a fifth of that. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>

static void exercise(virConnectPtr conn)
{
    char xml[256], name[32];
    for (int i = 0; i < 3; i++) {
        snprintf(name, sizeof(name), "hot%d", i);
        snprintf(xml, sizeof(xml),
                 "<domain type='test'><name>%s</name><memory unit='MiB'>64</memory>"
                 "<vcpu>1</vcpu><os><type>hvm</type></os></domain>",
                 name);
        virDomainPtr dom = virDomainCreateXML(conn, xml, 0);
        if (!dom)
            exit(1);
        virDomainFree(dom);
        dom = virDomainLookupByName(conn, name);
        virDomainInfo info;
        int state, reason;
        virDomainGetInfo(dom, &info);
        virDomainGetState(dom, &state, &reason, 0);
        free(virDomainGetXMLDesc(dom, 0));
        virDomainDestroyFlags(dom, VIR_DOMAIN_DESTROY_GRACEFUL);
        virDomainFree(dom);
    }
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(conn, &doms, 0);
    for (int i = 0; i < n; i++) {
        unsigned char uuid[VIR_UUID_BUFLEN];
        virDomainGetUUID(doms[i], uuid);
        virDomainFree(virDomainLookupByUUID(conn, uuid));
        virDomainFree(virDomainLookupByID(conn, virDomainGetID(doms[i])));
        virDomainFree(doms[i]);
    }
    free(doms);
    virConnectNumOfDomains(conn);
    /* A failing lookup: the error path every binding walks. */
    virDomainLookupByName(conn, "no-such-domain");
    virResetLastError();
}

int main(void)
{
    virConnectPtr conn = virConnectOpen("test:///default");
    if (!conn)
        return 1;
    exercise(conn);
    return virConnectClose(conn) < 0;
}
