/* Domain events through a daemon asked the legacy way (tests/remote.sh runs ours with
 * OXVIRT_REMOTE_LEGACY_EVENTS=1; the reference's client, which ignores it, uses callback ids):
 * domevents.c's run restricted to the 16 event ids a daemon without callback ids sends
 * (LIFECYCLE .. DEVICE_REMOVED), then the legacy virConnectDomainEventRegister beside
 * virConnectDomainEventRegisterAny for the lifecycle, registered and deregistered in both
 * orders. argv as domevents.c's. Differential: Debian's client and ours on fresh daemons. */
#define EVENT_ID_LAST 16
#define main domevents_main
#include "domevents.c"
#undef main

static int legacy_cb(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    if (strcmp(virDomainGetName(d), "mark") != 0)
        logf_("legacy %s %d %d", virDomainGetName(d), event, detail);
    return 0;
}

static void legacy_api(const char *uri)
{
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        show_error("open");
        return;
    }
    printf("register: %d\n", virConnectDomainEventRegister(c, legacy_cb, NULL, NULL));
    printf("register again: %d\n", virConnectDomainEventRegister(c, legacy_cb, NULL, NULL));
    int any = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                               VIR_DOMAIN_EVENT_CALLBACK(lifecycle), NULL, NULL);
    printf("register any: %d\n", any >= 0);
    mark = virDomainCreateXML(c, MARK, 0);
    virDomainPtr d = virDomainLookupByName(c, "test");
    step("suspend", virDomainSuspend(d));
    step("resume", virDomainResume(d));
    printf("deregister: %d\n", virConnectDomainEventDeregister(c, legacy_cb));
    printf("deregister again: %d\n", virConnectDomainEventDeregister(c, legacy_cb));
    step("suspend alone", virDomainSuspend(d));
    printf("register back: %d\n", virConnectDomainEventRegister(c, legacy_cb, NULL, NULL));
    step("resume both", virDomainResume(d));
    printf("deregister any: %d\n", virConnectDomainEventDeregisterAny(c, any));
    printf("deregister last: %d\n", virConnectDomainEventDeregister(c, legacy_cb));
    virDomainFree(d);
    virDomainDestroy(mark);
    virDomainFree(mark);
    printf("close: %d\n", virConnectClose(c));
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    virSetErrorFunc(NULL, quiet_errors);
    virEventRegisterDefaultImpl();
    pthread_t t;
    pthread_create(&t, NULL, loop, NULL);
    domain_events(argv[1]);
    legacy_api(argv[1]);
    return 0;
}
