/* Open each URI given (a remote daemon through a transport's settings: certificates, host names,
 * credentials) and print what came of it: the error (code, domain, int1, message) when it
 * failed, a lookup of the test driver's domain "test" when it opened. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>

static void quiet(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
}

int main(int argc, char **argv)
{
    virSetErrorFunc(NULL, quiet);
    for (int i = 1; i < argc; i++) {
        virConnectPtr c = virConnectOpen(argv[i]);
        if (!c) {
            virErrorPtr e = virGetLastError();
            printf("%s: failed code=%d domain=%d int1=%d msg=%s\n", argv[i], e ? e->code : 0,
                   e ? e->domain : 0, e ? e->int1 : 0, e ? e->message : "");
            continue;
        }
        virDomainPtr d = virDomainLookupByName(c, "test");
        printf("%s: opened, lookup test=%s\n", argv[i], d ? virDomainGetName(d) : "(none)");
        if (d)
            virDomainFree(d);
        virConnectClose(c);
    }
    return 0;
}
