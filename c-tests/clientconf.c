/* Opens each name given on the command line ("NULL" for NULL) with virConnectOpen,
 * virConnectOpenReadOnly and virConnectOpenAuth (with and without VIR_CONNECT_NO_ALIASES),
 * printing the connection's URI or the error. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ignore(void *data, virErrorPtr err) { (void)data; (void)err; }

static void report(const char *how, const char *name, virConnectPtr c) {
    printf("%s(%s): ", how, name ? name : "NULL");
    if (c) {
        char *uri = virConnectGetURI(c);
        printf("uri=%s\n", uri ? uri : "(null)");
        free(uri);
        virConnectClose(c);
    } else {
        virErrorPtr e = virGetLastError();
        if (e)
            printf("error code=%d domain=%d message=%s\n", e->code, e->domain, e->message);
        else
            printf("error (none set)\n");
    }
}

int main(int argc, char **argv) {
    virSetErrorFunc(NULL, ignore);
    for (int i = 1; i < argc; i++) {
        const char *name = strcmp(argv[i], "NULL") == 0 ? NULL : argv[i];
        report("open", name, virConnectOpen(name));
        report("readonly", name, virConnectOpenReadOnly(name));
        report("auth", name, virConnectOpenAuth(name, virConnectAuthPtrDefault, 0));
        report("noaliases", name, virConnectOpenAuth(name, virConnectAuthPtrDefault, VIR_CONNECT_NO_ALIASES));
    }
    return 0;
}
