/* auth.conf: opens each test:/// node-file URI given on the command line with virConnectOpen (no
 * callback: auth.conf must answer everything) and with virConnectOpenAuth (a callback that prints
 * what it is asked and answers "alice" and "wrong"), printing the outcome. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void ignore(void *data, virErrorPtr err) { (void)data; (void)err; }

static int callback(virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
    (void)cbdata;
    for (unsigned int i = 0; i < ncred; i++) {
        printf("  asked type=%d prompt=%s\n", cred[i].type, cred[i].prompt ? cred[i].prompt : "(null)");
        const char *answer = cred[i].type == VIR_CRED_AUTHNAME ? "alice" : "wrong";
        cred[i].result = strdup(answer);
        cred[i].resultlen = strlen(answer);
    }
    return 0;
}

static void report(const char *how, virConnectPtr c)
{
    if (c) {
        printf("%s: opened\n", how);
        virConnectClose(c);
    } else {
        virErrorPtr e = virGetLastError();
        if (e)
            printf("%s: error code=%d domain=%d message=%s\n", how, e->code, e->domain, e->message);
        else
            printf("%s: error (none set)\n", how);
    }
}

int main(int argc, char **argv)
{
    int types[] = { VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE };
    virConnectAuth auth = { types, 2, callback, NULL };
    virSetErrorFunc(NULL, ignore);
    for (int i = 1; i < argc; i++) {
        report("open", virConnectOpen(argv[i]));
        report("openauth", virConnectOpenAuth(argv[i], &auth, 0));
    }
    return 0;
}
