/* Live migration of a qemu guest between two private daemons (tests/remote.sh, issue 18): the
 * client orchestrates (virDomainMigrate3, virDomainMigrate) and the source daemon does
 * (peer-to-peer: virDomainMigrateToURI3, virDomainMigrateToURI2). After each migration the guest
 * runs on one side only, under the same name and UUID.
 * usage: migrate URI_A URI_B P2P_URI_A P2P_URI_B EMULATOR */
#include "../common.h"

#define MIG_URI "tcp:127.0.0.1"

/* One more than REMOTE_DOMAIN_MIGRATE_PARAM_LIST_MAX. */
#define REMOTE_PARAMS_OVER 65

static virDomainPtr find(virConnectPtr c, const char *side)
{
    virDomainPtr d = virDomainLookupByName(c, "oxmig");
    char what[64];
    snprintf(what, sizeof(what), "on %s", side);
    if (!d) {
        printf("%s: not found\n", what);
        virErrorPtr e = virGetLastError();
        printf("%s: code=%d domain=%d\n", what, e ? e->code : 0, e ? e->domain : 0);
        return NULL;
    }
    char uuid[VIR_UUID_STRING_BUFLEN];
    virDomainGetUUIDString(d, uuid);
    int state = -1, reason = -1;
    virDomainGetState(d, &state, &reason, 0);
    printf("%s: name=%s uuid=%s state=%d reason=%d persistent=%d\n", what, virDomainGetName(d), uuid,
           state, reason, virDomainIsPersistent(d));
    return d;
}

static void both_sides(const char *step, virConnectPtr a, virConnectPtr b)
{
    printf("-- after %s\n", step);
    virDomainPtr d = find(a, "A");
    if (d)
        virDomainFree(d);
    d = find(b, "B");
    if (d)
        virDomainFree(d);
}

static void show_new(const char *what, virDomainPtr r)
{
    printf("%s: %s%s\n", what, r ? "domain " : "NULL", r ? virDomainGetName(r) : "");
    if (!r)
        show_error(what);
    else
        virDomainFree(r);
}

int main(int argc, char **argv)
{
    if (argc < 6)
        return 2;
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr a = virConnectOpen(argv[1]), b = virConnectOpen(argv[2]);
    if (!a || !b) {
        show_error("open");
        return 1;
    }
    char xml[2048];
    snprintf(xml, sizeof(xml),
             "<domain type='qemu'><name>oxmig</name><uuid>8f4a43a6-5b0a-4d0e-9d49-0a4f3c1b2e7d</uuid>"
             "<memory unit='MiB'>64</memory><vcpu>1</vcpu><os><type arch='x86_64'>hvm</type></os>"
             "<devices><emulator>%s</emulator></devices></domain>",
             argv[5]);
    virDomainPtr d = virDomainCreateXML(a, xml, 0);
    if (!d) {
        show_error("create");
        return 1;
    }
    both_sides("create", a, b);

    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    virTypedParamsAddString(&params, &n, &max, VIR_MIGRATE_PARAM_URI, MIG_URI);

    /* A -> B, the client orchestrating with typed parameters. */
    show_new("Migrate3 A->B", virDomainMigrate3(d, b, params, n, VIR_MIGRATE_LIVE));
    virDomainFree(d);
    both_sides("Migrate3", a, b);

    /* B -> A, peer to peer: B's daemon talks to A's. */
    d = virDomainLookupByName(b, "oxmig");
    int r = virDomainMigrateToURI3(d, argv[3], params, n, VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER);
    printf("ToURI3 p2p B->A: %d\n", r);
    if (r < 0)
        show_error("ToURI3 p2p B->A");
    virDomainFree(d);
    both_sides("ToURI3", a, b);

    /* A -> B, the client orchestrating with the fixed arguments (protocol 3 without parameters). */
    d = virDomainLookupByName(a, "oxmig");
    show_new("Migrate A->B", virDomainMigrate(d, b, VIR_MIGRATE_LIVE, NULL, MIG_URI, 0));
    virDomainFree(d);
    both_sides("Migrate", a, b);

    /* B -> A, peer to peer with the fixed arguments. */
    d = virDomainLookupByName(b, "oxmig");
    r = virDomainMigrateToURI2(d, argv[3], MIG_URI, NULL, VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER, NULL, 0);
    printf("ToURI2 p2p B->A: %d\n", r);
    if (r < 0)
        show_error("ToURI2 p2p B->A");
    virDomainFree(d);
    both_sides("ToURI2", a, b);

    /* What the daemons refuse: the same host, an unknown destination. */
    d = virDomainLookupByName(a, "oxmig");
    show_new("Migrate3 A->A", virDomainMigrate3(d, a, params, n, VIR_MIGRATE_LIVE));
    r = virDomainMigrateToURI3(d, "qemu+unix:///session", params, n, VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER);
    printf("ToURI3 local: %d\n", r);
    show_error("ToURI3 local");
    /* More parameters than the protocol carries: the client refuses them before sending. (Not
     * tested with a setter such as virDomainSetSchedulerParametersFlags: there libvirt 9.0's
     * client crashes on its own error path, freeing the array it never made.) */
    virTypedParameter many[REMOTE_PARAMS_OVER];
    memset(many, 0, sizeof(many));
    for (int i = 0; i < REMOTE_PARAMS_OVER; i++) {
        strcpy(many[i].field, VIR_MIGRATE_PARAM_BANDWIDTH);
        many[i].type = VIR_TYPED_PARAM_ULLONG;
        many[i].value.ul = 1;
    }
    show_new("Migrate3 65 parameters", virDomainMigrate3(d, b, many, REMOTE_PARAMS_OVER, VIR_MIGRATE_LIVE));
    r = virDomainMigrateToURI3(d, argv[4], many, REMOTE_PARAMS_OVER, VIR_MIGRATE_LIVE | VIR_MIGRATE_PEER2PEER);
    printf("ToURI3 p2p 65 parameters: %d\n", r);
    show_error("ToURI3 p2p 65 parameters");
    both_sides("refusals", a, b);

    virTypedParamsFree(params, n);
    if (d) {
        printf("destroy: %d\n", virDomainDestroy(d));
        virDomainFree(d);
    }
    virConnectClose(a);
    virConnectClose(b);
    return 0;
}
