/* Events under load: 8 threads create and destroy 10,000 transient domains in total on
 * test:///default while a loop thread (virEventRegisterDefaultImpl + virEventRunDefaultImpl)
 * delivers. Every domain's STARTED and STOPPED/DESTROYED must arrive exactly once, STARTED
 * first, on the loop thread; the process's open descriptors are the same at the end.
 * Prints a summary and exits non-zero on any failure. */
#include <dirent.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#define THREADS 8
#define TOTAL 10000

static virConnectPtr conn;
static pthread_t loop_thread;
static volatile int loop_running = 1;
static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;
static int started[TOTAL], stopped[TOTAL];
static long delivered, misordered, foreign, off_loop, bad_detail, api_failures;

static void quiet(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
}

static int count_fds(void)
{
    DIR *d = opendir("/proc/self/fd");
    int n = 0;
    if (!d)
        return -1;
    while (readdir(d))
        n++;
    closedir(d);
    return n - 3; /* ".", ".." and the directory's own descriptor */
}

static int lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *opaque)
{
    (void)c;
    (void)opaque;
    const char *name = virDomainGetName(d);
    pthread_mutex_lock(&mu);
    delivered++;
    if (!pthread_equal(pthread_self(), loop_thread))
        off_loop++;
    int n = -1;
    if (name && sscanf(name, "stress-%d", &n) == 1 && n >= 0 && n < TOTAL) {
        if (event == VIR_DOMAIN_EVENT_STARTED) {
            if (detail != VIR_DOMAIN_EVENT_STARTED_BOOTED)
                bad_detail++;
            started[n]++;
        } else if (event == VIR_DOMAIN_EVENT_STOPPED) {
            if (detail != VIR_DOMAIN_EVENT_STOPPED_DESTROYED)
                bad_detail++;
            if (started[n] != 1)
                misordered++;
            stopped[n]++;
        } else {
            foreign++;
        }
    } else {
        foreign++;
    }
    pthread_mutex_unlock(&mu);
    return 0;
}

static void *loop(void *arg)
{
    (void)arg;
    while (loop_running)
        virEventRunDefaultImpl();
    return NULL;
}

static void wake(int timer, void *opaque)
{
    (void)opaque;
    virEventRemoveTimeout(timer);
}

static void *worker(void *arg)
{
    int t = (int)(long)arg;
    char xml[256];
    for (int n = t; n < TOTAL; n += THREADS) {
        snprintf(xml, sizeof(xml),
                 "<domain type='test'><name>stress-%d</name><memory>1024</memory>"
                 "<os><type>hvm</type></os></domain>",
                 n);
        virDomainPtr d = virDomainCreateXML(conn, xml, 0);
        if (!d) {
            __sync_fetch_and_add(&api_failures, 1);
            continue;
        }
        if (virDomainDestroy(d) < 0)
            __sync_fetch_and_add(&api_failures, 1);
        virDomainFree(d);
    }
    return NULL;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet);
    if (virEventRegisterDefaultImpl() < 0)
        return 2;
    conn = virConnectOpen("test:///default");
    if (!conn)
        return 2;
    pthread_create(&loop_thread, NULL, loop, NULL);
    int id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                              VIR_DOMAIN_EVENT_CALLBACK(lifecycle), NULL, NULL);
    if (id < 0) {
        printf("register failed: %s\n", virGetLastErrorMessage());
        return 2;
    }
    /* Let the loop settle (its descriptors exist from now on). */
    virEventAddTimeout(0, wake, NULL, NULL);
    usleep(100000);
    int fds_before = count_fds();

    double t0 = now();
    pthread_t workers[THREADS];
    for (long t = 0; t < THREADS; t++)
        pthread_create(&workers[t], NULL, worker, (void *)t);
    for (int t = 0; t < THREADS; t++)
        pthread_join(workers[t], NULL);
    double t1 = now();

    /* Wait for the loop to deliver everything (at most 60 s). */
    long want = 2L * TOTAL;
    for (int i = 0; i < 6000; i++) {
        pthread_mutex_lock(&mu);
        long got = delivered;
        pthread_mutex_unlock(&mu);
        if (got >= want)
            break;
        usleep(10000);
    }
    usleep(200000); /* anything extra would show up now */
    double t2 = now();

    int fail = 0;
    int missing = 0, duplicated = 0;
    pthread_mutex_lock(&mu);
    for (int n = 0; n < TOTAL; n++) {
        if (started[n] == 0 || stopped[n] == 0)
            missing++;
        if (started[n] > 1 || stopped[n] > 1)
            duplicated++;
    }
    printf("domains=%d threads=%d create+destroy=%.2fs delivery done after %.2fs\n", TOTAL, THREADS,
           t1 - t0, t2 - t0);
    printf("events delivered=%ld (want %ld) missing=%d duplicated=%d misordered=%ld foreign=%ld "
           "off-loop=%ld bad-detail=%ld api-failures=%ld\n",
           delivered, want, missing, duplicated, misordered, foreign, off_loop, bad_detail,
           api_failures);
    if (delivered != want || missing || duplicated || misordered || foreign || off_loop ||
        bad_detail || api_failures)
        fail = 1;
    pthread_mutex_unlock(&mu);

    if (virConnectDomainEventDeregisterAny(conn, id) < 0) {
        printf("deregister failed: %s\n", virGetLastErrorMessage());
        fail = 1;
    }
    int fds_after = count_fds();
    printf("open descriptors before=%d after=%d\n", fds_before, fds_after);
    if (fds_before != fds_after)
        fail = 1;
    int c = virConnectClose(conn);
    if (c != 0) {
        printf("close=%d\n", c);
        fail = 1;
    }
    loop_running = 0;
    virEventAddTimeout(0, wake, NULL, NULL);
    pthread_join(loop_thread, NULL);
    printf("%s\n", fail ? "FAIL" : "ok");
    return fail;
}
