/* libvirt-admin.so.0: libvirt 9.0's admin functions (libvirt-admin.h), each handed to its
 * implementation in libvirt.so.0 (src/ffi/admin.rs, private node OXVIRT_LIBS_0.1.0), where the
 * handles, the daemon connections and the last error live. Built by the Makefile with
 * link/libvirt-admin.map. */
#include <libvirt/libvirt-admin.h>

int oxvirtAdmInitialize(void);
int oxvirtAdmGetVersion(unsigned long long *);
virAdmConnectPtr oxvirtAdmConnectOpen(const char *, unsigned int);
int oxvirtAdmConnectClose(virAdmConnectPtr);
int oxvirtAdmConnectRef(virAdmConnectPtr);
int oxvirtAdmConnectIsAlive(virAdmConnectPtr);
char *oxvirtAdmConnectGetURI(virAdmConnectPtr);
int oxvirtAdmConnectGetLibVersion(virAdmConnectPtr, unsigned long long *);
int oxvirtAdmConnectRegisterCloseCallback(virAdmConnectPtr, virAdmConnectCloseFunc, void *, virFreeCallback);
int oxvirtAdmConnectUnregisterCloseCallback(virAdmConnectPtr, virAdmConnectCloseFunc);
int oxvirtAdmConnectListServers(virAdmConnectPtr, virAdmServerPtr **, unsigned int);
virAdmServerPtr oxvirtAdmConnectLookupServer(virAdmConnectPtr, const char *, unsigned int);
const char *oxvirtAdmServerGetName(virAdmServerPtr);
int oxvirtAdmServerFree(virAdmServerPtr);
int oxvirtAdmServerGetThreadPoolParameters(virAdmServerPtr, virTypedParameterPtr *, int *, unsigned int);
int oxvirtAdmServerSetThreadPoolParameters(virAdmServerPtr, virTypedParameterPtr, int, unsigned int);
int oxvirtAdmServerListClients(virAdmServerPtr, virAdmClientPtr **, unsigned int);
virAdmClientPtr oxvirtAdmServerLookupClient(virAdmServerPtr, unsigned long long, unsigned int);
unsigned long long oxvirtAdmClientGetID(virAdmClientPtr);
long long oxvirtAdmClientGetTimestamp(virAdmClientPtr);
int oxvirtAdmClientGetTransport(virAdmClientPtr);
int oxvirtAdmClientFree(virAdmClientPtr);
int oxvirtAdmClientGetInfo(virAdmClientPtr, virTypedParameterPtr *, int *, unsigned int);
int oxvirtAdmClientClose(virAdmClientPtr, unsigned int);
int oxvirtAdmServerGetClientLimits(virAdmServerPtr, virTypedParameterPtr *, int *, unsigned int);
int oxvirtAdmServerSetClientLimits(virAdmServerPtr, virTypedParameterPtr, int, unsigned int);
int oxvirtAdmServerUpdateTlsFiles(virAdmServerPtr, unsigned int);
int oxvirtAdmConnectGetLoggingOutputs(virAdmConnectPtr, char **, unsigned int);
int oxvirtAdmConnectGetLoggingFilters(virAdmConnectPtr, char **, unsigned int);
int oxvirtAdmConnectSetLoggingOutputs(virAdmConnectPtr, const char *, unsigned int);
int oxvirtAdmConnectSetLoggingFilters(virAdmConnectPtr, const char *, unsigned int);
int oxvirtAdmConnectSetDaemonTimeout(virAdmConnectPtr, unsigned int, unsigned int);

int virAdmInitialize(void)
{
    return oxvirtAdmInitialize();
}

int virAdmGetVersion(unsigned long long *libVer)
{
    return oxvirtAdmGetVersion(libVer);
}

virAdmConnectPtr virAdmConnectOpen(const char *name, unsigned int flags)
{
    return oxvirtAdmConnectOpen(name, flags);
}

int virAdmConnectClose(virAdmConnectPtr conn)
{
    return oxvirtAdmConnectClose(conn);
}

int virAdmConnectRef(virAdmConnectPtr conn)
{
    return oxvirtAdmConnectRef(conn);
}

int virAdmConnectIsAlive(virAdmConnectPtr conn)
{
    return oxvirtAdmConnectIsAlive(conn);
}

char *virAdmConnectGetURI(virAdmConnectPtr conn)
{
    return oxvirtAdmConnectGetURI(conn);
}

int virAdmConnectGetLibVersion(virAdmConnectPtr conn, unsigned long long *libVer)
{
    return oxvirtAdmConnectGetLibVersion(conn, libVer);
}

int virAdmConnectRegisterCloseCallback(virAdmConnectPtr conn, virAdmConnectCloseFunc cb, void *opaque, virFreeCallback freecb)
{
    return oxvirtAdmConnectRegisterCloseCallback(conn, cb, opaque, freecb);
}

int virAdmConnectUnregisterCloseCallback(virAdmConnectPtr conn, virAdmConnectCloseFunc cb)
{
    return oxvirtAdmConnectUnregisterCloseCallback(conn, cb);
}

int virAdmConnectListServers(virAdmConnectPtr conn, virAdmServerPtr **servers, unsigned int flags)
{
    return oxvirtAdmConnectListServers(conn, servers, flags);
}

virAdmServerPtr virAdmConnectLookupServer(virAdmConnectPtr conn, const char *name, unsigned int flags)
{
    return oxvirtAdmConnectLookupServer(conn, name, flags);
}

const char *virAdmServerGetName(virAdmServerPtr srv)
{
    return oxvirtAdmServerGetName(srv);
}

int virAdmServerFree(virAdmServerPtr srv)
{
    return oxvirtAdmServerFree(srv);
}

int virAdmServerGetThreadPoolParameters(virAdmServerPtr srv, virTypedParameterPtr *params, int *nparams, unsigned int flags)
{
    return oxvirtAdmServerGetThreadPoolParameters(srv, params, nparams, flags);
}

int virAdmServerSetThreadPoolParameters(virAdmServerPtr srv, virTypedParameterPtr params, int nparams, unsigned int flags)
{
    return oxvirtAdmServerSetThreadPoolParameters(srv, params, nparams, flags);
}

int virAdmServerListClients(virAdmServerPtr srv, virAdmClientPtr **clients, unsigned int flags)
{
    return oxvirtAdmServerListClients(srv, clients, flags);
}

virAdmClientPtr virAdmServerLookupClient(virAdmServerPtr srv, unsigned long long id, unsigned int flags)
{
    return oxvirtAdmServerLookupClient(srv, id, flags);
}

unsigned long long virAdmClientGetID(virAdmClientPtr client)
{
    return oxvirtAdmClientGetID(client);
}

long long virAdmClientGetTimestamp(virAdmClientPtr client)
{
    return oxvirtAdmClientGetTimestamp(client);
}

int virAdmClientGetTransport(virAdmClientPtr client)
{
    return oxvirtAdmClientGetTransport(client);
}

int virAdmClientFree(virAdmClientPtr client)
{
    return oxvirtAdmClientFree(client);
}

int virAdmClientGetInfo(virAdmClientPtr client, virTypedParameterPtr *params, int *nparams, unsigned int flags)
{
    return oxvirtAdmClientGetInfo(client, params, nparams, flags);
}

int virAdmClientClose(virAdmClientPtr client, unsigned int flags)
{
    return oxvirtAdmClientClose(client, flags);
}

int virAdmServerGetClientLimits(virAdmServerPtr srv, virTypedParameterPtr *params, int *nparams, unsigned int flags)
{
    return oxvirtAdmServerGetClientLimits(srv, params, nparams, flags);
}

int virAdmServerSetClientLimits(virAdmServerPtr srv, virTypedParameterPtr params, int nparams, unsigned int flags)
{
    return oxvirtAdmServerSetClientLimits(srv, params, nparams, flags);
}

int virAdmServerUpdateTlsFiles(virAdmServerPtr srv, unsigned int flags)
{
    return oxvirtAdmServerUpdateTlsFiles(srv, flags);
}

int virAdmConnectGetLoggingOutputs(virAdmConnectPtr conn, char **outputs, unsigned int flags)
{
    return oxvirtAdmConnectGetLoggingOutputs(conn, outputs, flags);
}

int virAdmConnectGetLoggingFilters(virAdmConnectPtr conn, char **filters, unsigned int flags)
{
    return oxvirtAdmConnectGetLoggingFilters(conn, filters, flags);
}

int virAdmConnectSetLoggingOutputs(virAdmConnectPtr conn, const char *outputs, unsigned int flags)
{
    return oxvirtAdmConnectSetLoggingOutputs(conn, outputs, flags);
}

int virAdmConnectSetLoggingFilters(virAdmConnectPtr conn, const char *filters, unsigned int flags)
{
    return oxvirtAdmConnectSetLoggingFilters(conn, filters, flags);
}

int virAdmConnectSetDaemonTimeout(virAdmConnectPtr conn, unsigned int timeout, unsigned int flags)
{
    return oxvirtAdmConnectSetDaemonTimeout(conn, timeout, flags);
}
