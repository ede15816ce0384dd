/* virConnSetErrorFunc: errors raised on a connection, or on one of its domains, go to that
 * connection's error function instead of the global one; errors with no (valid) connection go
 * to the global one. Each handler prints what it saw. */
#include "common.h"

static void handler(void *u, virErrorPtr e)
{
    printf("  %s handler: code=%d domain=%d msg=%s\n", (const char *)u, e->code, e->domain,
           e->message);
}

static void step(const char *what)
{
    printf("%s\n", what);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc("global", handler);
    virConnectPtr c1 = virConnectOpen("test:///default");
    virConnectPtr c2 = virConnectOpen("test:///default");
    if (!c1 || !c2)
        return 1;
    virConnSetErrorFunc(c1, "c1", handler);
    virConnSetErrorFunc(NULL, "nobody", handler);

    step("lookup on c1");
    virDomainLookupByName(c1, "nosuch");
    step("lookup with NULL name on c1");
    virDomainLookupByName(c1, NULL);
    step("lookup on c2");
    virDomainLookupByName(c2, "nosuch");

    virDomainPtr d1 = virDomainLookupByName(c1, "test");
    virDomainPtr d2 = virDomainLookupByName(c2, "test");
    step("bad flags on a domain of c1");
    virDomainDestroyFlags(d1, 6);
    step("destroy twice on a domain of c1");
    virDomainDestroy(d1);
    virDomainDestroy(d1);
    step("on a domain of c2");
    virDomainDestroy(d2);
    step("NULL domain");
    virDomainDestroy(NULL);
    step("NULL connection");
    virDomainLookupByName(NULL, "test");
    step("open fails");
    virConnectOpen("foo:///bar");
    step("event with NULL callback on c1");
    virConnectDomainEventRegisterAny(c1, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE, NULL, NULL, NULL);
    step("NULL XML on c1");
    virDomainCreateXML(c1, NULL, 0);
    step("success on c1 calls nobody");
    virDomainCreate(d1);

    step("c1's handler unset: back to the global one");
    virConnSetErrorFunc(c1, NULL, NULL);
    virDomainLookupByName(c1, "nosuch");
    virDomainDestroyFlags(d1, 6);

    step("c2 gets one, the global one is unset");
    virSetErrorFunc(NULL, NULL);
    virConnSetErrorFunc(c2, "c2", handler);
    virDomainLookupByName(c2, "nosuch");
    virDomainDestroyFlags(d2, 6);
    virSetErrorFunc("global", handler);
    virDomainDestroy(NULL);

    virDomainFree(d1);
    virDomainFree(d2);
    printf("close c1=%d\n", virConnectClose(c1));
    printf("close c2=%d\n", virConnectClose(c2));
    return 0;
}
