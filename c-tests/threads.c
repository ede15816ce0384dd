/* 16 threads destroy one domain at once: exactly one succeeds, the others fail with "domain is
 * not running" (persistent) or "Domain not found" (transient, once it is gone). */
#include "common.h"
#include <pthread.h>

#define NTHREADS 16
static virDomainPtr target;
static pthread_barrier_t go;
static int results[NTHREADS];
static int codes[NTHREADS];

static void *worker(void *arg)
{
    int i = (int)(long)arg;
    virSetErrorFunc(NULL, quiet_errors);
    pthread_barrier_wait(&go);
    results[i] = virDomainDestroy(target);
    virErrorPtr e = virGetLastError();
    codes[i] = e ? e->code : 0;
    return NULL;
}

static void round_on(virConnectPtr c, const char *what, virDomainPtr d)
{
    pthread_t t[NTHREADS];
    target = d;
    pthread_barrier_init(&go, NULL, NTHREADS);
    for (long i = 0; i < NTHREADS; i++)
        pthread_create(&t[i], NULL, worker, (void *)i);
    for (int i = 0; i < NTHREADS; i++)
        pthread_join(t[i], NULL);
    pthread_barrier_destroy(&go);
    int ok = 0, not_running = 0, not_found = 0, other = 0;
    for (int i = 0; i < NTHREADS; i++) {
        if (results[i] == 0)
            ok++;
        else if (codes[i] == VIR_ERR_OPERATION_INVALID)
            not_running++;
        else if (codes[i] == VIR_ERR_NO_DOMAIN)
            not_found++;
        else
            other++;
    }
    printf("%s: succeeded=%d failed-not-running-or-gone=%d other=%d\n", what, ok,
           not_running + not_found, other);
    (void)c;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen("test:///default");
    virDomainPtr t = virDomainLookupByName(c, "test");
    round_on(c, "persistent", t);
    show_state("persistent-after", t);
    virDomainPtr tr = virDomainCreateXML(c,
        "<domain type='test'><name>race</name><memory>1024</memory><os><type>hvm</type></os></domain>", 0);
    round_on(c, "transient", tr);
    printf("transient-gone=%s\n", virDomainLookupByName(c, "race") ? "no" : "yes");
    virDomainFree(tr);
    virDomainFree(t);
    printf("close=%d\n", virConnectClose(c));
    return 0;
}
