/* Every domain event id and the secret events through a daemon (argv[1], e.g.
 * test+unix:///default?socket=S; argv[2], optional, a connection whose daemon serves secrets,
 * e.g. secret+unix:///session?socket=S): one callback of its own type registered for each id,
 * then the calls after which the daemon's driver raises events (metadata, setters, devices,
 * power management, reboot, ...), each followed by a barrier (a marker domain suspended and
 * resumed: the daemon sends events in order, so all of a call's precede the marker's). Every
 * callback prints its arguments. Differential: Debian's client and ours, each on a fresh daemon. */
#include "../common.h"
#include <pthread.h>
#include <stdarg.h>
#include <time.h>
#include <unistd.h>

#ifndef EVENT_ID_LAST /* legacyev.c includes this file with fewer ids */
#define EVENT_ID_LAST 27
#endif

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static char evlog[512][256];
static int nev, shown, marks;

static void logf_(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void logf_(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pthread_mutex_lock(&mu);
    if (nev < 512)
        vsnprintf(evlog[nev++], sizeof(evlog[0]), fmt, ap);
    pthread_mutex_unlock(&mu);
    va_end(ap);
}

static const char *s(const char *p) { return p ? p : "(null)"; }

static int lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    if (strcmp(virDomainGetName(d), "mark") == 0) {
        if (event == VIR_DOMAIN_EVENT_RESUMED) {
            pthread_mutex_lock(&mu);
            marks++;
            pthread_mutex_unlock(&mu);
        }
        return 0;
    }
    logf_("lifecycle %s %d %d", virDomainGetName(d), event, detail);
    return 0;
}

static void generic(virConnectPtr c, virDomainPtr d, void *opaque)
{
    (void)c;
    logf_("id %d %s", (int)(long)opaque, virDomainGetName(d));
}

static void rtc(virConnectPtr c, virDomainPtr d, long long offset, void *opaque)
{
    (void)c;
    logf_("id %d %s offset=%lld", (int)(long)opaque, virDomainGetName(d), offset);
}

static void one_int(virConnectPtr c, virDomainPtr d, int v, void *opaque)
{
    (void)c;
    logf_("id %d %s %d", (int)(long)opaque, virDomainGetName(d), v);
}

static void io_error(virConnectPtr c, virDomainPtr d, const char *src, const char *alias,
                     int action, void *opaque)
{
    (void)c;
    logf_("id %d %s %s %s %d", (int)(long)opaque, virDomainGetName(d), s(src), s(alias), action);
}

static void io_error_reason(virConnectPtr c, virDomainPtr d, const char *src, const char *alias,
                            int action, const char *reason, void *opaque)
{
    (void)c;
    logf_("id %d %s %s %s %d %s", (int)(long)opaque, virDomainGetName(d), s(src), s(alias), action,
          s(reason));
}

static void graphics(virConnectPtr c, virDomainPtr d, int phase, const virDomainEventGraphicsAddress *local,
                     const virDomainEventGraphicsAddress *remote, const char *scheme,
                     const virDomainEventGraphicsSubject *subject, void *opaque)
{
    (void)c;
    logf_("id %d %s phase=%d local=%d/%s/%s remote=%d/%s/%s scheme=%s subjects=%d",
          (int)(long)opaque, virDomainGetName(d), phase, local->family, s(local->node),
          s(local->service), remote->family, s(remote->node), s(remote->service), s(scheme),
          subject->nidentity);
}

static void block_job(virConnectPtr c, virDomainPtr d, const char *disk, int type, int status,
                      void *opaque)
{
    (void)c;
    logf_("id %d %s %s type=%d status=%d", (int)(long)opaque, virDomainGetName(d), s(disk), type,
          status);
}

static void disk_change(virConnectPtr c, virDomainPtr d, const char *old, const char *new_,
                        const char *alias, int reason, void *opaque)
{
    (void)c;
    logf_("id %d %s %s %s %s %d", (int)(long)opaque, virDomainGetName(d), s(old), s(new_), s(alias),
          reason);
}

static void tray_change(virConnectPtr c, virDomainPtr d, const char *alias, int reason, void *opaque)
{
    (void)c;
    logf_("id %d %s %s %d", (int)(long)opaque, virDomainGetName(d), s(alias), reason);
}

static void ull(virConnectPtr c, virDomainPtr d, unsigned long long v, void *opaque)
{
    (void)c;
    logf_("id %d %s %llu", (int)(long)opaque, virDomainGetName(d), v);
}

static void text(virConnectPtr c, virDomainPtr d, const char *t, void *opaque)
{
    (void)c;
    logf_("id %d %s %s", (int)(long)opaque, virDomainGetName(d), s(t));
}

static void params(virConnectPtr c, virDomainPtr d, virTypedParameterPtr p, int n, void *opaque)
{
    (void)c;
    char buf[200] = "";
    size_t len = 0;
    for (int i = 0; i < n && len < sizeof(buf) - 1; i++) {
        char *v = p[i].type == VIR_TYPED_PARAM_STRING ? strdup(p[i].value.s) : NULL;
        int w = snprintf(buf + len, sizeof(buf) - len, " %s:%d=%s", p[i].field, p[i].type,
                         v ? v : "");
        free(v);
        if (w > 0)
            len += (size_t)w;
    }
    if (len >= sizeof(buf))
        len = sizeof(buf) - 1;
    buf[len] = 0;
    logf_("id %d %s n=%d%s", (int)(long)opaque, virDomainGetName(d), n, buf);
}

static void two_ints(virConnectPtr c, virDomainPtr d, int a, int b, void *opaque)
{
    (void)c;
    logf_("id %d %s %d %d", (int)(long)opaque, virDomainGetName(d), a, b);
}

static void metadata(virConnectPtr c, virDomainPtr d, int type, const char *nsuri, void *opaque)
{
    (void)c;
    logf_("id %d %s type=%d ns=%s", (int)(long)opaque, virDomainGetName(d), type, s(nsuri));
}

static void threshold(virConnectPtr c, virDomainPtr d, const char *dev, const char *path,
                      unsigned long long t, unsigned long long excess, void *opaque)
{
    (void)c;
    logf_("id %d %s %s %s %llu %llu", (int)(long)opaque, virDomainGetName(d), s(dev), s(path), t,
          excess);
}

static void memory_failure(virConnectPtr c, virDomainPtr d, int recipient, int action,
                           unsigned int flags, void *opaque)
{
    (void)c;
    logf_("id %d %s %d %d %u", (int)(long)opaque, virDomainGetName(d), recipient, action, flags);
}

static void mem_size(virConnectPtr c, virDomainPtr d, const char *alias, unsigned long long size,
                     void *opaque)
{
    (void)c;
    logf_("id %d %s %s %llu", (int)(long)opaque, virDomainGetName(d), s(alias), size);
}

/* Each id's callback, cast to the generic type as VIR_DOMAIN_EVENT_CALLBACK does. */
static virConnectDomainEventGenericCallback callback_of(int id)
{
    switch (id) {
    case VIR_DOMAIN_EVENT_ID_REBOOT:
    case VIR_DOMAIN_EVENT_ID_CONTROL_ERROR:
        return generic;
    case VIR_DOMAIN_EVENT_ID_RTC_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(rtc);
    case VIR_DOMAIN_EVENT_ID_WATCHDOG:
    case VIR_DOMAIN_EVENT_ID_PMWAKEUP:
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND:
    case VIR_DOMAIN_EVENT_ID_PMSUSPEND_DISK:
    case VIR_DOMAIN_EVENT_ID_MIGRATION_ITERATION:
        return VIR_DOMAIN_EVENT_CALLBACK(one_int);
    case VIR_DOMAIN_EVENT_ID_IO_ERROR:
        return VIR_DOMAIN_EVENT_CALLBACK(io_error);
    case VIR_DOMAIN_EVENT_ID_IO_ERROR_REASON:
        return VIR_DOMAIN_EVENT_CALLBACK(io_error_reason);
    case VIR_DOMAIN_EVENT_ID_GRAPHICS:
        return VIR_DOMAIN_EVENT_CALLBACK(graphics);
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB:
    case VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2:
        return VIR_DOMAIN_EVENT_CALLBACK(block_job);
    case VIR_DOMAIN_EVENT_ID_DISK_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(disk_change);
    case VIR_DOMAIN_EVENT_ID_TRAY_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(tray_change);
    case VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(ull);
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED:
    case VIR_DOMAIN_EVENT_ID_DEVICE_ADDED:
    case VIR_DOMAIN_EVENT_ID_DEVICE_REMOVAL_FAILED:
        return VIR_DOMAIN_EVENT_CALLBACK(text);
    case VIR_DOMAIN_EVENT_ID_TUNABLE:
    case VIR_DOMAIN_EVENT_ID_JOB_COMPLETED:
        return VIR_DOMAIN_EVENT_CALLBACK(params);
    case VIR_DOMAIN_EVENT_ID_AGENT_LIFECYCLE:
        return VIR_DOMAIN_EVENT_CALLBACK(two_ints);
    case VIR_DOMAIN_EVENT_ID_METADATA_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(metadata);
    case VIR_DOMAIN_EVENT_ID_BLOCK_THRESHOLD:
        return VIR_DOMAIN_EVENT_CALLBACK(threshold);
    case VIR_DOMAIN_EVENT_ID_MEMORY_FAILURE:
        return VIR_DOMAIN_EVENT_CALLBACK(memory_failure);
    case VIR_DOMAIN_EVENT_ID_MEMORY_DEVICE_SIZE_CHANGE:
        return VIR_DOMAIN_EVENT_CALLBACK(mem_size);
    }
    return generic;
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

static virDomainPtr mark;

/* The call's result, then every event the daemon sent before the marker's (10 s at most). */
static void step(const char *what, int r)
{
    printf("%s: %d", what, r);
    if (r < 0)
        printf(" %s", virGetLastError() ? virGetLastError()->message : "");
    printf("\n");
    pthread_mutex_lock(&mu);
    int want = marks + 1;
    pthread_mutex_unlock(&mu);
    virDomainSuspend(mark);
    virDomainResume(mark);
    double end = now() + 10;
    for (;;) {
        pthread_mutex_lock(&mu);
        int have = marks;
        pthread_mutex_unlock(&mu);
        if (have >= want || now() > end)
            break;
        usleep(2000);
    }
    pthread_mutex_lock(&mu);
    if (marks < want)
        printf("%s: no marker\n", what);
    for (; shown < nev; shown++)
        printf("  %s\n", evlog[shown]);
    pthread_mutex_unlock(&mu);
}

static const char *MARK =
    "<domain type='test'><name>mark</name><memory>1024</memory>"
    "<os><type>hvm</type></os></domain>";
static const char *DISK =
    "<disk type='file' device='disk'><source file='/tmp/oxvirt-extra.img'/>"
    "<target dev='vdb' bus='virtio'/><alias name='ua-extra'/></disk>";

static void domain_events(const char *uri)
{
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        show_error("open");
        return;
    }
    int ids[EVENT_ID_LAST];
    for (int id = 0; id < EVENT_ID_LAST; id++) {
        virConnectDomainEventGenericCallback cb =
            id == 0 ? VIR_DOMAIN_EVENT_CALLBACK(lifecycle) : callback_of(id);
        ids[id] = virConnectDomainEventRegisterAny(c, NULL, id, cb, (void *)(long)id, NULL);
        if (ids[id] < 0)
            printf("register %d: %s\n", id, virGetLastError()->message);
    }
    mark = virDomainCreateXML(c, MARK, 0);
    virDomainPtr d = virDomainLookupByName(c, "test");
    step("start", 0);
    step("metadata description",
         virDomainSetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, "hello", NULL, NULL, 0));
    step("metadata title",
         virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "a title", NULL, NULL, 0));
    step("metadata element",
         virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<x>1</x>", "app",
                              "http://example.org/app", VIR_DOMAIN_AFFECT_LIVE));
    step("metadata element removed",
         virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL,
                              "http://example.org/app", VIR_DOMAIN_AFFECT_LIVE));
    virTypedParameter p[1];
    memset(p, 0, sizeof(p));
    strcpy(p[0].field, VIR_DOMAIN_MEMORY_HARD_LIMIT);
    p[0].type = VIR_TYPED_PARAM_ULLONG;
    p[0].value.ul = 123456;
    step("memory parameters", virDomainSetMemoryParameters(d, p, 1, 0));
    strcpy(p[0].field, VIR_DOMAIN_BLKIO_WEIGHT);
    p[0].type = VIR_TYPED_PARAM_UINT;
    p[0].value.ui = 500;
    step("blkio parameters", virDomainSetBlkioParameters(d, p, 1, 0));
    strcpy(p[0].field, VIR_DOMAIN_SCHEDULER_WEIGHT);
    p[0].type = VIR_TYPED_PARAM_UINT;
    p[0].value.ui = 100;
    step("scheduler parameters", virDomainSetSchedulerParameters(d, p, 1));
    unsigned char map = 1;
    step("pin vcpu", virDomainPinVcpu(d, 0, &map, 1));
    step("set memory", virDomainSetMemory(d, 4096));
    step("attach disk", virDomainAttachDevice(d, DISK));
    step("detach disk", virDomainDetachDevice(d, DISK));
    step("detach alias", virDomainDetachDeviceAlias(d, "ua-extra", VIR_DOMAIN_AFFECT_LIVE));
    step("pm suspend", virDomainPMSuspendForDuration(d, VIR_NODE_SUSPEND_TARGET_MEM, 0, 0));
    step("pm wakeup", virDomainPMWakeup(d, 0));
    step("reboot", virDomainReboot(d, 0));
    step("inject nmi", virDomainInjectNMI(d, 0));
    step("suspend", virDomainSuspend(d));
    step("resume", virDomainResume(d));
    for (int id = 0; id < EVENT_ID_LAST; id++)
        if (ids[id] >= 0 && virConnectDomainEventDeregisterAny(c, ids[id]) < 0)
            printf("deregister %d: %s\n", id, virGetLastError()->message);
    virDomainFree(d);
    virDomainDestroy(mark);
    virDomainFree(mark);
    printf("close: %d\n", virConnectClose(c));
}

/* Secret events: define, set a value, undefine; each waits for its events (5 s at most). */
static int nsecret;

static void secret_lifecycle(virConnectPtr c, virSecretPtr sec, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    logf_("secret lifecycle %s %d %d", s(virSecretGetUsageID(sec)), event, detail);
    pthread_mutex_lock(&mu);
    nsecret++;
    pthread_mutex_unlock(&mu);
}

static void secret_value(virConnectPtr c, virSecretPtr sec, void *opaque)
{
    (void)c;
    (void)opaque;
    logf_("secret value changed %s", s(virSecretGetUsageID(sec)));
    pthread_mutex_lock(&mu);
    nsecret++;
    pthread_mutex_unlock(&mu);
}

static void secret_step(const char *what, int r, int want)
{
    printf("%s: %d\n", what, r);
    double end = now() + 5;
    for (;;) {
        pthread_mutex_lock(&mu);
        int have = nsecret;
        pthread_mutex_unlock(&mu);
        if (have >= want || now() > end)
            break;
        usleep(2000);
    }
    pthread_mutex_lock(&mu);
    for (; shown < nev; shown++)
        printf("  %s\n", evlog[shown]);
    pthread_mutex_unlock(&mu);
}

static void secret_events(const char *uri)
{
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        show_error("open secrets");
        return;
    }
    int lc = virConnectSecretEventRegisterAny(c, NULL, VIR_SECRET_EVENT_ID_LIFECYCLE,
                                              VIR_SECRET_EVENT_CALLBACK(secret_lifecycle), NULL, NULL);
    int vc = virConnectSecretEventRegisterAny(c, NULL, VIR_SECRET_EVENT_ID_VALUE_CHANGED,
                                              VIR_SECRET_EVENT_CALLBACK(secret_value), NULL, NULL);
    printf("secret registrations: %d %d\n", lc >= 0, vc >= 0);
    virSecretPtr sec = virSecretDefineXML(
        c,
        "<secret ephemeral='no' private='no'><uuid>0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f</uuid>"
        "<usage type='volume'><volume>/var/lib/oxvirt/v.img</volume></usage></secret>",
        0);
    secret_step("secret define", sec ? 0 : -1, 1);
    if (sec) {
        const unsigned char value[] = "s3cret";
        secret_step("secret set value", virSecretSetValue(sec, value, 6, 0), 2);
        secret_step("secret undefine", virSecretUndefine(sec), 3);
        virSecretFree(sec);
    }
    if (lc >= 0)
        printf("deregister lifecycle: %d\n", virConnectSecretEventDeregisterAny(c, lc));
    if (vc >= 0)
        printf("deregister value: %d\n", virConnectSecretEventDeregisterAny(c, vc));
    printf("close secrets: %d\n", virConnectClose(c));
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
    if (argc > 2)
        secret_events(argv[2]);
    return 0;
}
