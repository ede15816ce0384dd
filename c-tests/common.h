/* Helpers shared by the C tests: print a call's result and the last error, field by field. */
#ifndef OXVIRT_CTEST_COMMON_H
#define OXVIRT_CTEST_COMMON_H
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static inline void show_error(const char *what)
{
    virErrorPtr e = virGetLastError();
    if (!e) {
        printf("%s: no error\n", what);
        return;
    }
    printf("%s: code=%d domain=%d level=%d int1=%d int2=%d str1=%s str2=%s str3=%s msg=%s\n", what,
           e->code, e->domain, e->level, e->int1, e->int2, e->str1 ? e->str1 : "(null)",
           e->str2 ? e->str2 : "(null)", e->str3 ? e->str3 : "(null)", e->message);
}

/* XML that is not well-formed: libvirt quotes libxml2's own wording, which differs between parsers
 * (the contract allows it), so only the code, the domain, the source prefix and the line number are
 * compared. */
static inline void show_xml_error(const char *what)
{
    virErrorPtr e = virGetLastError();
    if (!e) {
        printf("%s: no error\n", what);
        return;
    }
    const char *m = e->message ? e->message : "";
    const char *colon = strchr(m, ':');
    int line = colon ? atoi(colon + 1) : -1;
    printf("%s: code=%d domain=%d level=%d int1=%d int2=%d str1=%s prefix=%.20s line=%d\n", what,
           e->code, e->domain, e->level, e->int1, e->int2, e->str1 ? e->str1 : "(null)", m, line);
}

static inline void quiet_errors(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
}

static inline void show_state(const char *what, virDomainPtr d)
{
    int state = -1, reason = -1;
    int r = virDomainGetState(d, &state, &reason, 0);
    printf("%s: getstate=%d state=%d reason=%d id=%d active=%d persistent=%d\n", what, r, state,
           reason, (int)virDomainGetID(d), virDomainIsActive(d), virDomainIsPersistent(d));
}

static inline void keep_ticking(int timer, void *opaque)
{
    (void)timer;
    (void)opaque;
}

static inline long long now_ms(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Runs the default event loop until the callbacks' count `*heard` has not moved for quiet_ms.
 * Through a daemon, events travel on their own after the replies of the calls that caused them.
 * A 10 ms tick makes each round of the loop end. */
static inline void run_loop_until_quiet(const int *heard, int quiet_ms)
{
    int t = virEventAddTimeout(10, keep_ticking, NULL, NULL);
    long long last = now_ms();
    while (now_ms() - last < quiet_ms) {
        int before = *heard;
        virEventRunDefaultImpl();
        if (*heard != before)
            last = now_ms();
    }
    virEventRemoveTimeout(t);
}

#endif
