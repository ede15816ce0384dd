/* oxvirt: libvirt-admin.so.0's interface (libvirt 9.0's admin API: a daemon's servers, clients,
 * thread pools and logging, through its admin socket). Declares what libvirt 9.0's
 * <libvirt/libvirt-admin.h> declares, with the same types and values; tests/admin.sh proves it
 * against Debian's copy. The typed parameters and virFreeCallback come from <libvirt/libvirt.h>. */

#ifndef LIBVIRT_ADMIN_H
#define LIBVIRT_ADMIN_H

#include <libvirt/libvirt.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Opaque handles: a connection to a daemon's admin socket, one of its servers, one client. */
typedef struct _virAdmConnect virAdmConnect;
typedef struct _virAdmServer virAdmServer;
typedef struct _virAdmClient virAdmClient;
typedef virAdmConnect *virAdmConnectPtr;
typedef virAdmServer *virAdmServerPtr;
typedef virAdmClient *virAdmClientPtr;

/* Library and connection. */
int virAdmInitialize(void);
int virAdmGetVersion(unsigned long long *libVer);
virAdmConnectPtr virAdmConnectOpen(const char *name, unsigned int flags);
int virAdmConnectClose(virAdmConnectPtr conn);
int virAdmConnectRef(virAdmConnectPtr conn);
int virAdmConnectIsAlive(virAdmConnectPtr conn);
char *virAdmConnectGetURI(virAdmConnectPtr conn);
int virAdmConnectGetLibVersion(virAdmConnectPtr conn, unsigned long long *libVer);

typedef void (*virAdmConnectCloseFunc)(virAdmConnectPtr conn, int reason, void *opaque);
int virAdmConnectRegisterCloseCallback(virAdmConnectPtr conn, virAdmConnectCloseFunc cb,
                                       void *opaque, virFreeCallback freecb);
int virAdmConnectUnregisterCloseCallback(virAdmConnectPtr conn, virAdmConnectCloseFunc cb);

/* Servers. */
int virAdmConnectListServers(virAdmConnectPtr conn, virAdmServerPtr **servers,
                             unsigned int flags);
virAdmServerPtr virAdmConnectLookupServer(virAdmConnectPtr conn, const char *name,
                                          unsigned int flags);
const char *virAdmServerGetName(virAdmServerPtr srv);
int virAdmServerFree(virAdmServerPtr srv);

/* A server's worker pool: the typed parameters' names. */
#define VIR_THREADPOOL_WORKERS_MIN "minWorkers"
#define VIR_THREADPOOL_WORKERS_MAX "maxWorkers"
#define VIR_THREADPOOL_WORKERS_PRIORITY "prioWorkers"
#define VIR_THREADPOOL_WORKERS_FREE "freeWorkers"
#define VIR_THREADPOOL_WORKERS_CURRENT "nWorkers"
#define VIR_THREADPOOL_JOB_QUEUE_DEPTH "jobQueueDepth"

int virAdmServerGetThreadPoolParameters(virAdmServerPtr srv, virTypedParameterPtr *params,
                                        int *nparams, unsigned int flags);
int virAdmServerSetThreadPoolParameters(virAdmServerPtr srv, virTypedParameterPtr params,
                                        int nparams, unsigned int flags);

/* Clients. */
unsigned long long virAdmClientGetID(virAdmClientPtr client);
long long virAdmClientGetTimestamp(virAdmClientPtr client);
int virAdmClientGetTransport(virAdmClientPtr client);
int virAdmClientFree(virAdmClientPtr client);

/* How a client is connected. */
typedef enum {
    VIR_CLIENT_TRANS_UNIX = 0,
    VIR_CLIENT_TRANS_TCP,
    VIR_CLIENT_TRANS_TLS,
#ifdef VIR_ENUM_SENTINELS
    VIR_CLIENT_TRANS_LAST
#endif
} virClientTransport;

int virAdmServerListClients(virAdmServerPtr srv, virAdmClientPtr **clients, unsigned int flags);
virAdmClientPtr virAdmServerLookupClient(virAdmServerPtr srv, unsigned long long id,
                                         unsigned int flags);

/* A client's identity: the typed parameters' names. */
#define VIR_CLIENT_INFO_READONLY "readonly"
#define VIR_CLIENT_INFO_SOCKET_ADDR "sock_addr"
#define VIR_CLIENT_INFO_SASL_USER_NAME "sasl_user_name"
#define VIR_CLIENT_INFO_X509_DISTINGUISHED_NAME "tls_x509_dname"
#define VIR_CLIENT_INFO_UNIX_USER_ID "unix_user_id"
#define VIR_CLIENT_INFO_UNIX_USER_NAME "unix_user_name"
#define VIR_CLIENT_INFO_UNIX_GROUP_ID "unix_group_id"
#define VIR_CLIENT_INFO_UNIX_GROUP_NAME "unix_group_name"
#define VIR_CLIENT_INFO_UNIX_PROCESS_ID "unix_process_id"
#define VIR_CLIENT_INFO_SELINUX_CONTEXT "selinux_context"

int virAdmClientGetInfo(virAdmClientPtr client, virTypedParameterPtr *params, int *nparams,
                        unsigned int flags);
int virAdmClientClose(virAdmClientPtr client, unsigned int flags);

/* A server's client limits: the typed parameters' names. */
#define VIR_SERVER_CLIENTS_MAX "nclients_max"
#define VIR_SERVER_CLIENTS_CURRENT "nclients"
#define VIR_SERVER_CLIENTS_UNAUTH_MAX "nclients_unauth_max"
#define VIR_SERVER_CLIENTS_UNAUTH_CURRENT "nclients_unauth"

int virAdmServerGetClientLimits(virAdmServerPtr srv, virTypedParameterPtr *params, int *nparams,
                                unsigned int flags);
int virAdmServerSetClientLimits(virAdmServerPtr srv, virTypedParameterPtr params, int nparams,
                                unsigned int flags);
int virAdmServerUpdateTlsFiles(virAdmServerPtr srv, unsigned int flags);

/* The daemon's logging and lifetime. */
int virAdmConnectGetLoggingOutputs(virAdmConnectPtr conn, char **outputs, unsigned int flags);
int virAdmConnectGetLoggingFilters(virAdmConnectPtr conn, char **filters, unsigned int flags);
int virAdmConnectSetLoggingOutputs(virAdmConnectPtr conn, const char *outputs,
                                   unsigned int flags);
int virAdmConnectSetLoggingFilters(virAdmConnectPtr conn, const char *filters,
                                   unsigned int flags);
int virAdmConnectSetDaemonTimeout(virAdmConnectPtr conn, unsigned int timeout,
                                  unsigned int flags);

#ifdef __cplusplus
}
#endif

#endif /* LIBVIRT_ADMIN_H */
