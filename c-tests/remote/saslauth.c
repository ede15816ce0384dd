/* SASL through virConnectOpenAuth: argv[1] and argv[2] are the name and password the callback
 * answers, argv[3] what the application offers ("ap": VIR_CRED_AUTHNAME and VIR_CRED_PASSPHRASE,
 * "uap": VIR_CRED_USERNAME too, "fail": a callback that fails, "none": virConnectOpen, "conf":
 * VIR_CRED_AUTHNAME and VIR_CRED_PASSPHRASE offered but a callback that answers nothing, for
 * credentials that come from auth.conf), the rest URIs. Prints each credential asked for and what came of each open. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *user, *password;
static int fail_callback, answer_nothing;

static void quiet(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
}

static int answer(virConnectCredentialPtr cred, unsigned int n, void *data)
{
    (void)data;
    for (unsigned int i = 0; i < n; i++) {
        printf("  asked type=%d prompt=%s challenge=%s default=%s\n", cred[i].type,
               cred[i].prompt ? cred[i].prompt : "(null)",
               cred[i].challenge ? cred[i].challenge : "(null)",
               cred[i].defresult ? cred[i].defresult : "(null)");
        const char *v = NULL;
        if (answer_nothing)
            continue;
        if (cred[i].type == VIR_CRED_AUTHNAME || cred[i].type == VIR_CRED_USERNAME)
            v = user;
        else if (cred[i].type == VIR_CRED_PASSPHRASE)
            v = password;
        if (v) {
            cred[i].result = strdup(v);
            cred[i].resultlen = strlen(v);
        }
    }
    return fail_callback ? -1 : 0;
}

int main(int argc, char **argv)
{
    if (argc < 4)
        return 2;
    virSetErrorFunc(NULL, quiet);
    user = argv[1];
    password = argv[2];
    const char *mode = argv[3];
    int ap[] = {VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE};
    int uap[] = {VIR_CRED_USERNAME, VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE};
    virConnectAuth auth = {ap, 2, answer, NULL};
    if (strcmp(mode, "uap") == 0) {
        auth.credtype = uap;
        auth.ncredtype = 3;
    }
    fail_callback = strcmp(mode, "fail") == 0;
    answer_nothing = strcmp(mode, "conf") == 0;
    for (int i = 4; i < argc; i++) {
        virConnectPtr c = strcmp(mode, "none") == 0 ? virConnectOpen(argv[i])
                                                    : virConnectOpenAuth(argv[i], &auth, 0);
        if (!c) {
            virErrorPtr e = virGetLastError();
            printf("%s %s: failed code=%d domain=%d int1=%d msg=%s\n", mode, argv[i],
                   e ? e->code : 0, e ? e->domain : 0, e ? e->int1 : 0, e ? e->message : "");
            continue;
        }
        virDomainPtr d = virDomainLookupByName(c, "test");
        printf("%s %s: opened, lookup test=%s\n", mode, argv[i], d ? virDomainGetName(d) : "(none)");
        if (d)
            virDomainFree(d);
        virConnectClose(c);
    }
    return 0;
}
