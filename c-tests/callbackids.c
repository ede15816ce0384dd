/* Callback ids of every event family on one connection come from one counter, as the reference's
 * one event state per driver numbers them; a deregistration finds an id whatever family made it. */
#include "common.h"

static void dom_cb(virConnectPtr c, virDomainPtr d, int e, int det, void *o)
{
    (void)c, (void)d, (void)e, (void)det, (void)o;
}
static void net_cb(virConnectPtr c, virNetworkPtr n, int e, int det, void *o)
{
    (void)c, (void)n, (void)e, (void)det, (void)o;
}
static void pool_cb(virConnectPtr c, virStoragePoolPtr p, int e, int det, void *o)
{
    (void)c, (void)p, (void)e, (void)det, (void)o;
}

int main(void)
{
    virEventRegisterDefaultImpl();
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        return 1;
    int d1 = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(dom_cb), NULL, NULL);
    int n1 = virConnectNetworkEventRegisterAny(c, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                               VIR_NETWORK_EVENT_CALLBACK(net_cb), NULL, NULL);
    int p1 = virConnectStoragePoolEventRegisterAny(c, NULL, VIR_STORAGE_POOL_EVENT_ID_LIFECYCLE,
                                                   VIR_STORAGE_POOL_EVENT_CALLBACK(pool_cb), NULL,
                                                   NULL);
    int d2 = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                                              VIR_DOMAIN_EVENT_CALLBACK(dom_cb), NULL, NULL);
    printf("ids domain=%d network=%d pool=%d domain=%d\n", d1, n1, p1, d2);

    /* Freed ids are not reused. */
    printf("deregister network=%d\n", virConnectNetworkEventDeregisterAny(c, n1));
    int n2 = virConnectNetworkEventRegisterAny(c, NULL, VIR_NETWORK_EVENT_ID_LIFECYCLE,
                                               VIR_NETWORK_EVENT_CALLBACK(net_cb), NULL, NULL);
    printf("next network id=%d\n", n2);

    /* An id made by another family. */
    int r = virConnectNetworkEventDeregisterAny(c, p1);
    printf("network deregisters pool id=%d\n", r);
    if (r < 0)
        show_error("network deregisters pool id");
    r = virConnectStoragePoolEventDeregisterAny(c, p1);
    printf("pool deregisters it again=%d\n", r);
    if (r < 0)
        show_error("pool deregisters it again");
    r = virConnectDomainEventDeregisterAny(c, n2);
    printf("domain deregisters network id=%d\n", r);
    if (r < 0)
        show_error("domain deregisters network id");

    printf("deregister domain=%d %d\n", virConnectDomainEventDeregisterAny(c, d1),
           virConnectDomainEventDeregisterAny(c, d2));
    printf("close=%d\n", virConnectClose(c));
    return 0;
}
