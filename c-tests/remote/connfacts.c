/* The connection's own facts through a daemon (each URI given, read-write and read-only):
 * virConnectGetHostname (the daemon's host name, not ours: tests/remote.sh starts the daemon
 * under another host name), virConnectIsSecure and virConnectIsEncrypted (the transport's and
 * the daemon's answers together). URIs are printed by position: their ports differ per run. */
#include "../common.h"

static void facts(const char *what, virConnectPtr c)
{
    if (!c) {
        show_error(what);
        return;
    }
    char *host = virConnectGetHostname(c);
    printf("%s: hostname %s\n", what, host ? host : "(null)");
    if (!host)
        show_error(what);
    free(host);
    int secure = virConnectIsSecure(c);
    int encrypted = virConnectIsEncrypted(c);
    printf("%s: secure %d encrypted %d alive %d\n", what, secure, encrypted, virConnectIsAlive(c));
    virConnectClose(c);
}

int main(int argc, char **argv)
{
    virSetErrorFunc(NULL, quiet_errors);
    for (int i = 1; i < argc; i++) {
        char what[64];
        snprintf(what, sizeof what, "uri %d read-write", i);
        facts(what, virConnectOpen(argv[i]));
        snprintf(what, sizeof what, "uri %d read-only", i);
        facts(what, virConnectOpenReadOnly(argv[i]));
    }
    return 0;
}
