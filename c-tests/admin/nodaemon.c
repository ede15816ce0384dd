/* libvirt-admin with no daemon to talk to: every function on NULL handles, virAdmGetVersion, and
 * virAdmConnectOpen on URIs whose admin socket does not exist or that name none (tests/admin.sh
 * runs it on Debian's libvirt-admin and on ours, with a private XDG_RUNTIME_DIR and HOME; the
 * outputs, default error printing on stderr included, must be equal). */
#include <stdio.h>
#include <libvirt/libvirt-admin.h>
#include <libvirt/virterror.h>
static void show(const char *what, long long r) {
    virErrorPtr e = virGetLastError();
    printf("%s -> %lld", what, r);
    if (e) printf(" code=%d dom=%d level=%d msg=[%s] s1=[%s] s2=[%s] s3=[%s] i1=%d i2=%d", e->code, e->domain, e->level, e->message, e->str1?e->str1:"(null)", e->str2?e->str2:"(null)", e->str3?e->str3:"(null)", e->int1, e->int2);
    printf("\n");
}
int main(void) {
    unsigned long long v = 0; char *s = NULL; virTypedParameterPtr p = NULL; int n = 0;
    virSetErrorFunc(NULL, NULL);
    show("GetVersion(NULL)", virAdmGetVersion(NULL));
    show("GetVersion", virAdmGetVersion(&v)); printf("v=%llu\n", v);
    show("Close(NULL)", virAdmConnectClose(NULL));
    show("Ref(NULL)", virAdmConnectRef(NULL));
    show("IsAlive(NULL)", virAdmConnectIsAlive(NULL));
    show("GetURI(NULL)", (long long)(virAdmConnectGetURI(NULL) != NULL));
    show("GetLibVersion(NULL)", virAdmConnectGetLibVersion(NULL, &v));
    show("ServerGetName(NULL)", virAdmServerGetName(NULL) != NULL);
    show("ServerFree(NULL)", virAdmServerFree(NULL));
    show("ClientFree(NULL)", virAdmClientFree(NULL));
    show("ClientGetID(NULL)", (long long)virAdmClientGetID(NULL));
    show("ClientGetTimestamp(NULL)", virAdmClientGetTimestamp(NULL));
    show("ClientGetTransport(NULL)", virAdmClientGetTransport(NULL));
    show("ListServers(NULL)", virAdmConnectListServers(NULL, NULL, 0));
    show("LookupServer(NULL)", virAdmConnectLookupServer(NULL, "x", 0) != NULL);
    show("GetTP(NULL)", virAdmServerGetThreadPoolParameters(NULL, &p, &n, 0));
    show("SetTP(NULL)", virAdmServerSetThreadPoolParameters(NULL, p, n, 0));
    show("ListClients(NULL)", virAdmServerListClients(NULL, NULL, 0));
    show("LookupClient(NULL)", virAdmServerLookupClient(NULL, 1, 0) != NULL);
    show("ClientGetInfo(NULL)", virAdmClientGetInfo(NULL, &p, &n, 0));
    show("ClientClose(NULL)", virAdmClientClose(NULL, 0));
    show("GetClientLimits(NULL)", virAdmServerGetClientLimits(NULL, &p, &n, 0));
    show("SetClientLimits(NULL)", virAdmServerSetClientLimits(NULL, p, n, 0));
    show("UpdateTls(NULL)", virAdmServerUpdateTlsFiles(NULL, 0));
    show("GetLogOut(NULL)", virAdmConnectGetLoggingOutputs(NULL, &s, 0));
    show("GetLogFil(NULL)", virAdmConnectGetLoggingFilters(NULL, &s, 0));
    show("SetLogOut(NULL)", virAdmConnectSetLoggingOutputs(NULL, "", 0));
    show("SetLogFil(NULL)", virAdmConnectSetLoggingFilters(NULL, "", 0));
    show("SetTimeout(NULL)", virAdmConnectSetDaemonTimeout(NULL, 1, 0));
    show("RegClose(NULL)", virAdmConnectRegisterCloseCallback(NULL, NULL, NULL, NULL));
    show("UnregClose(NULL)", virAdmConnectUnregisterCloseCallback(NULL, NULL));
    const char *uris[] = {"libvirtd:///system", "libvirtd:///session", "virtqemud:///system", "foo:///system", "libvirtd:///bad", "libvirtd://host/system", "libvirtd:///system?foo=bar", "libvirtd:///system?socket=/nonexistent/sock", "", "::", "libvirtd", "/system", NULL};
    for (int i = 0; i < (int)(sizeof(uris)/sizeof(uris[0])); i++) {
        char buf[200]; snprintf(buf, sizeof buf, "Open(%s)", uris[i] ? uris[i] : "NULL");
        virAdmConnectPtr c = virAdmConnectOpen(uris[i], 0);
        show(buf, c != NULL);
        if (c) virAdmConnectClose(c);
    }
    show("Open flags 1", virAdmConnectOpen("libvirtd:///system?socket=/nonexistent", 1) != NULL);
    show("Open flags 2", virAdmConnectOpen("libvirtd:///system?socket=/nonexistent", 2) != NULL);
    return 0;
}
