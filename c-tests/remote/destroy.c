/* The destroy story on a remote connection (argv[1], e.g. test+unix:///default?socket=S or
 * test+tcp://127.0.0.1:PORT/default) to a fresh libvirtd: lookups, states, destroy with and
 * without flags, the errors the daemon raises, and the lifecycle events it sends. Differential:
 * run against Debian's libvirt and ours, on a fresh daemon each time; the outputs must be equal. */
#include "../common.h"
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char evlog[256][160];
static int nev, shown;

static int lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    pthread_mutex_lock(&mu);
    if (nev < 256)
        snprintf(evlog[nev++], sizeof(evlog[0]), "%s event=%d detail=%d", virDomainGetName(d), event,
                 detail);
    pthread_mutex_unlock(&mu);
    return 0;
}

static void *loop(void *arg)
{
    (void)arg;
    for (;;)
        virEventRunDefaultImpl();
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* Wait for at least `n` new events (5 s at most), then a little longer for stragglers. */
static void events(const char *what, int n)
{
    double end = now() + 5;
    for (;;) {
        pthread_mutex_lock(&mu);
        int have = nev - shown;
        pthread_mutex_unlock(&mu);
        if (have >= n || now() > end)
            break;
        usleep(5000);
    }
    usleep(100000);
    pthread_mutex_lock(&mu);
    if (nev - shown < n)
        printf("%s: only %d of %d events\n", what, nev - shown, n);
    for (; shown < nev; shown++)
        printf("%s: %s\n", what, evlog[shown]);
    pthread_mutex_unlock(&mu);
}

static void rc(const char *what, int r)
{
    if (r < 0)
        show_error(what);
    else
        printf("%s: ok %d\n", what, r);
}

/* State as the daemon sees it. The id is the daemon's (a fresh lookup): what a handle remembers
 * after a destroy differs between libvirt's remote calls (virDomainDestroy forgets it,
 * virDomainDestroyFlags and virDomainShutdown keep it), which is not what this test is about. */
static void state(const char *what, virDomainPtr d)
{
    int st = -1, reason = -1;
    int r = virDomainGetState(d, &st, &reason, 0);
    unsigned char u[VIR_UUID_BUFLEN];
    int id = -2;
    if (virDomainGetUUID(d, u) == 0) {
        virDomainPtr fresh = virDomainLookupByUUID(virDomainGetConnect(d), u);
        if (fresh) {
            id = (int)virDomainGetID(fresh);
            virDomainFree(fresh);
        }
    }
    printf("%s: getstate=%d state=%d reason=%d id=%d active=%d persistent=%d\n", what, r, st,
           reason, id, virDomainIsActive(d), virDomainIsPersistent(d));
}

static const char *xml_t1 = "<domain type='test'><name>t1</name><memory>65536</memory>"
                            "<os><type>hvm</type></os></domain>";
static const char *xml_p1 = "<domain type='test'><name>p1</name><memory>131072</memory>"
                            "<vcpu>2</vcpu><os><type>hvm</type></os></domain>";

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    virSetErrorFunc(NULL, quiet_errors);
    virEventRegisterDefaultImpl();
    pthread_t t;
    pthread_create(&t, NULL, loop, NULL);

    virConnectPtr c = virConnectOpen(argv[1]);
    if (!c) {
        show_error("open");
        return 1;
    }
    unsigned long v = 0;
    printf("type=%s version=%d\n", virConnectGetType(c), virConnectGetVersion(c, &v));
    printf("hv version=%lu\n", v);
    printf("domains=%d defined=%d\n", virConnectNumOfDomains(c), virConnectNumOfDefinedDomains(c));
    int cb = virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(lifecycle), NULL, NULL);
    printf("register: %d\n", cb < 0 ? -1 : 0);

    virDomainPtr d = virDomainLookupByName(c, "test");
    if (!d) {
        show_error("lookup test");
        return 1;
    }
    state("test", d);
    virDomainInfo info;
    if (virDomainGetInfo(d, &info) == 0)
        printf("info: state=%d max=%lu mem=%lu vcpus=%d\n", info.state, info.maxMem, info.memory,
               info.nrVirtCpu);
    else
        show_error("info");
    char *os = virDomainGetOSType(d);
    printf("os type: %s\n", os ? os : "(null)");
    free(os);
    char *xml = virDomainGetXMLDesc(d, 0);
    printf("xml: %s\n", xml ? xml : "(null)");
    free(xml);
    char uuid[VIR_UUID_STRING_BUFLEN];
    virDomainGetUUIDString(d, uuid);
    printf("uuid: %s\n", uuid);

    if (!virDomainLookupByName(c, "nope"))
        show_error("lookup nope");
    if (!virDomainLookupByID(c, 99))
        show_error("lookup id 99");
    if (!virDomainLookupByUUIDString(c, "11111111-2222-3333-4444-555555555555"))
        show_error("lookup uuid");
    virDomainPtr byid = virDomainLookupByID(c, 1);
    printf("lookup id 1: %s\n", byid ? virDomainGetName(byid) : "(none)");
    if (byid)
        virDomainFree(byid);

    rc("destroy flags 8", virDomainDestroyFlags(d, 8));
    rc("destroy graceful", virDomainDestroyFlags(d, VIR_DOMAIN_DESTROY_GRACEFUL));
    events("destroy graceful", 1);
    state("after destroy", d);
    rc("destroy again", virDomainDestroy(d));
    rc("suspend shut off", virDomainSuspend(d));
    rc("create", virDomainCreate(d));
    events("create", 1);
    state("after create", d);
    rc("suspend", virDomainSuspend(d));
    events("suspend", 1);
    state("paused", d);
    rc("suspend again", virDomainSuspend(d));
    rc("destroy paused", virDomainDestroy(d));
    events("destroy paused", 1);
    state("after destroy paused", d);
    rc("create with flags", virDomainCreateWithFlags(d, 0));
    events("create with flags", 1);
    rc("shutdown", virDomainShutdown(d));
    events("shutdown", 1);
    state("after shutdown", d);
    rc("create again", virDomainCreate(d));
    events("create again", 1);

    virDomainPtr t1 = virDomainCreateXML(c, xml_t1, 0);
    if (!t1)
        show_error("createXML t1");
    else {
        events("createXML", 1);
        state("t1", t1);
        rc("destroy t1", virDomainDestroy(t1));
        events("destroy t1", 1);
        state("t1 after destroy", t1);
        rc("destroy t1 again", virDomainDestroy(t1));
        virDomainFree(t1);
    }
    if (!virDomainLookupByName(c, "t1"))
        show_error("lookup t1");
    if (!virDomainCreateXML(c, "<domain", 0))
        show_error("createXML broken");

    virDomainPtr p1 = virDomainDefineXML(c, xml_p1);
    if (!p1)
        show_error("define p1");
    else {
        events("define", 1);
        state("p1", p1);
        rc("create p1", virDomainCreate(p1));
        events("create p1", 1);
        rc("reboot p1", virDomainReboot(p1, 0));
        events("reboot p1", 0);
        rc("destroy p1", virDomainDestroyFlags(p1, 0));
        events("destroy p1", 1);
        rc("undefine p1", virDomainUndefine(p1));
        events("undefine p1", 1);
        state("p1 undefined", p1);
        virDomainFree(p1);
    }

    virDomainPtr *all = NULL;
    int n = virConnectListAllDomains(c, &all, 0);
    printf("list all: %d\n", n);
    for (int i = 0; i < n; i++) {
        printf("  %s id=%d\n", virDomainGetName(all[i]), (int)virDomainGetID(all[i]));
        virDomainFree(all[i]);
    }
    free(all);
    int ids[16];
    n = virConnectListDomains(c, ids, 16);
    printf("active ids: %d\n", n);
    char *names[16];
    n = virConnectListDefinedDomains(c, names, 16);
    printf("defined: %d\n", n);
    for (int i = 0; i < n; i++) {
        printf("  %s\n", names[i]);
        free(names[i]);
    }

    virConnectPtr ro = virConnectOpenReadOnly(argv[1]);
    if (!ro)
        show_error("open read-only");
    else {
        virDomainPtr rd = virDomainLookupByName(ro, "test");
        state("read-only", rd);
        rc("destroy read-only", virDomainDestroy(rd));
        virDomainFree(rd);
        printf("close read-only: %d\n", virConnectClose(ro));
    }

    rc("deregister", virConnectDomainEventDeregisterAny(c, cb));
    virDomainFree(d);
    printf("close: %d\n", virConnectClose(c));
    return 0;
}
