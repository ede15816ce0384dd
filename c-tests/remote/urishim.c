/* Preloaded into a differential program of the other suites (tests/remote.sh, "through a
 * daemon"): its test driver URIs (test:///default, test:///PATH) become the same URI through a
 * daemon's unix socket (test+unix:///...?socket=$OXVIRT_REMOTE_SOCKET), so the program runs
 * unchanged against the daemon's test driver, on the reference's client and on ours. */
#define _GNU_SOURCE
#include <dlfcn.h>
#include <libvirt/libvirt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *rewrite(const char *name, char *buf, size_t len)
{
    const char *sock = getenv("OXVIRT_REMOTE_SOCKET");
    if (!name || !sock || strncmp(name, "test:///", 8) != 0 || strchr(name, '?'))
        return name;
    snprintf(buf, len, "test+unix://%s?socket=%s", name + 7, sock);
    return buf;
}

virConnectPtr virConnectOpen(const char *name)
{
    static virConnectPtr (*real)(const char *);
    char buf[4096];
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "virConnectOpen");
    return real(rewrite(name, buf, sizeof buf));
}

virConnectPtr virConnectOpenReadOnly(const char *name)
{
    static virConnectPtr (*real)(const char *);
    char buf[4096];
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "virConnectOpenReadOnly");
    return real(rewrite(name, buf, sizeof buf));
}

virConnectPtr virConnectOpenAuth(const char *name, virConnectAuthPtr auth, unsigned int flags)
{
    static virConnectPtr (*real)(const char *, virConnectAuthPtr, unsigned int);
    char buf[4096];
    if (!real)
        *(void **)&real = dlsym(RTLD_NEXT, "virConnectOpenAuth");
    return real(rewrite(name, buf, sizeof buf), auth, flags);
}
