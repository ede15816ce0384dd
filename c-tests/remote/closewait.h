/* What close.c and closereg.c share: the default event loop on a thread of its own, and waiting
 * (10 s at most) for a close callback to have run, then a little longer for a second, wrong, call. */
#ifndef OXVIRT_CLOSEWAIT_H
#define OXVIRT_CLOSEWAIT_H
#include <libvirt/libvirt.h>
#include <pthread.h>
#include <time.h>
#include <unistd.h>

static pthread_mutex_t mu = PTHREAD_MUTEX_INITIALIZER;

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

/* `calls` is the callback's counter, guarded by `mu`. */
static void wait_called(const int *calls)
{
    double end = now() + 10;
    for (;;) {
        pthread_mutex_lock(&mu);
        int n = *calls;
        pthread_mutex_unlock(&mu);
        if (n > 0 || now() > end)
            break;
        usleep(5000);
    }
    usleep(200000);
}
#endif
