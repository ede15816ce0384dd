/* Two daemons stand for two hosts (argv[1], argv[2]). On each, 16 transient guests are started;
 * then four threads destroy them all at once: two per host, sharing that host's connection, so
 * calls on one connection are in flight from several threads. Every destroy must succeed exactly
 * once, and each host must be left with its default guest only. */
#include "../common.h"
#include <pthread.h>

#define N 16

struct job {
    virConnectPtr c;
    int host, part, ok, failed;
};

static pthread_barrier_t start;

static void *destroyer(void *arg)
{
    struct job *j = arg;
    pthread_barrier_wait(&start);
    for (int i = j->part; i < N; i += 2) {
        char name[32];
        snprintf(name, sizeof(name), "h%d-g%d", j->host, i);
        virDomainPtr d = virDomainLookupByName(j->c, name);
        if (d && virDomainDestroyFlags(d, VIR_DOMAIN_DESTROY_GRACEFUL) == 0)
            j->ok++;
        else
            j->failed++;
        if (d)
            virDomainFree(d);
    }
    return NULL;
}

int main(int argc, char **argv)
{
    if (argc < 3)
        return 2;
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c[2];
    for (int h = 0; h < 2; h++) {
        c[h] = virConnectOpen(argv[1 + h]);
        if (!c[h]) {
            show_error("open");
            return 1;
        }
        for (int i = 0; i < N; i++) {
            char xml[256];
            snprintf(xml, sizeof(xml),
                     "<domain type='test'><name>h%d-g%d</name><memory>65536</memory>"
                     "<os><type>hvm</type></os></domain>",
                     h, i);
            virDomainPtr d = virDomainCreateXML(c[h], xml, 0);
            if (!d)
                show_error("createXML");
            else
                virDomainFree(d);
        }
        printf("host %d: %d active before\n", h, virConnectNumOfDomains(c[h]));
    }
    pthread_barrier_init(&start, NULL, 4);
    struct job jobs[4];
    pthread_t t[4];
    for (int k = 0; k < 4; k++) {
        jobs[k] = (struct job){ .c = c[k / 2], .host = k / 2, .part = k % 2 };
        pthread_create(&t[k], NULL, destroyer, &jobs[k]);
    }
    for (int k = 0; k < 4; k++) {
        pthread_join(t[k], NULL);
        printf("host %d thread %d: destroyed %d, failed %d\n", jobs[k].host, jobs[k].part,
               jobs[k].ok, jobs[k].failed);
    }
    for (int h = 0; h < 2; h++) {
        virDomainPtr *all = NULL;
        int n = virConnectListAllDomains(c[h], &all, 0);
        printf("host %d: %d left:", h, n);
        for (int i = 0; i < n; i++) {
            printf(" %s", virDomainGetName(all[i]));
            virDomainFree(all[i]);
        }
        printf("\n");
        free(all);
        if (!virDomainLookupByName(c[h], "h0-g0"))
            show_error("lookup destroyed");
        virConnectClose(c[h]);
    }
    return 0;
}
