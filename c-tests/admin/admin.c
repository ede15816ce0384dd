/* libvirt-admin against a private libvirtd (tests/admin.sh starts it): the admin socket given
 * as argv[1]. Built against Debian's headers, run on Debian's libvirt-admin and on ours: the
 * outputs must be equal. Values that move between runs (client ids, pids, timestamps, workers
 * busy at the moment) are printed as what they must be, not as themselves. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <libvirt/libvirt-admin.h>
#include <libvirt/virterror.h>

static void err(const char *what)
{
    virErrorPtr e = virGetLastError();
    if (!e) {
        printf("  %s: no error\n", what);
        return;
    }
    printf("  %s: code=%d domain=%d msg=[%s]\n", what, e->code, e->domain, e->message);
    virResetLastError();
}

static void quiet(void *opaque, virErrorPtr e)
{
    (void)opaque;
    (void)e;
}

static const char *moving[] = {"freeWorkers", "nWorkers", "unix_process_id", "timestamp", NULL};

static int is_moving(const char *field)
{
    for (int i = 0; moving[i]; i++)
        if (strcmp(field, moving[i]) == 0)
            return 1;
    return 0;
}

static void show_params(const char *what, virTypedParameterPtr p, int n)
{
    printf("%s: %d params\n", what, n);
    for (int i = 0; i < n; i++) {
        printf("  %s type=%d", p[i].field, p[i].type);
        if (is_moving(p[i].field)) {
            printf(" (moves)\n");
            continue;
        }
        switch (p[i].type) {
        case VIR_TYPED_PARAM_INT: printf(" = %d\n", p[i].value.i); break;
        case VIR_TYPED_PARAM_UINT: printf(" = %u\n", p[i].value.ui); break;
        case VIR_TYPED_PARAM_LLONG: printf(" = %lld\n", p[i].value.l); break;
        case VIR_TYPED_PARAM_ULLONG: printf(" = %llu\n", p[i].value.ul); break;
        case VIR_TYPED_PARAM_BOOLEAN: printf(" = %d\n", p[i].value.b); break;
        case VIR_TYPED_PARAM_STRING: printf(" = %s\n", p[i].value.s); break;
        default: printf(" = ?\n");
        }
    }
    virTypedParamsFree(p, n);
}

static void close_cb(virAdmConnectPtr conn, int reason, void *opaque)
{
    (void)conn; (void)reason; (void)opaque;
}

static void other_cb(virAdmConnectPtr conn, int reason, void *opaque)
{
    (void)conn; (void)reason; (void)opaque;
}

static int freed;
static void free_cb(void *opaque)
{
    (void)opaque;
    freed++;
}

static void threadpool(virAdmServerPtr srv)
{
    virTypedParameterPtr p = NULL;
    int n = 0;
    if (virAdmServerGetThreadPoolParameters(srv, &p, &n, 0) < 0)
        err("GetThreadPoolParameters");
    else
        show_params("threadpool", p, n);
    if (virAdmServerGetThreadPoolParameters(srv, NULL, &n, 0) < 0)
        err("GetThreadPoolParameters(params NULL)");
    if (virAdmServerGetThreadPoolParameters(srv, &p, &n, 1) < 0)
        err("GetThreadPoolParameters(flags 1)");

    virTypedParameter set[1];
    memset(set, 0, sizeof(set));
    snprintf(set[0].field, sizeof(set[0].field), "%s", VIR_THREADPOOL_WORKERS_MAX);
    set[0].type = VIR_TYPED_PARAM_UINT;
    set[0].value.ui = 23;
    printf("set maxWorkers 23: %d\n", virAdmServerSetThreadPoolParameters(srv, set, 1, 0));
    if (virAdmServerGetThreadPoolParameters(srv, &p, &n, 0) == 0)
        show_params("threadpool after", p, n);
    snprintf(set[0].field, sizeof(set[0].field), "%s", VIR_THREADPOOL_WORKERS_CURRENT);
    if (virAdmServerSetThreadPoolParameters(srv, set, 1, 0) < 0)
        err("SetThreadPoolParameters(nWorkers)");
    snprintf(set[0].field, sizeof(set[0].field), "%s", VIR_THREADPOOL_WORKERS_MIN);
    set[0].value.ui = 100;
    if (virAdmServerSetThreadPoolParameters(srv, set, 1, 0) < 0)
        err("SetThreadPoolParameters(minWorkers 100 > max)");
    set[0].type = VIR_TYPED_PARAM_STRING;
    set[0].value.s = (char *)"x";
    if (virAdmServerSetThreadPoolParameters(srv, set, 1, 0) < 0)
        err("SetThreadPoolParameters(string)");
    if (virAdmServerSetThreadPoolParameters(srv, NULL, 1, 0) < 0)
        err("SetThreadPoolParameters(NULL)");
    if (virAdmServerSetThreadPoolParameters(srv, set, -1, 0) < 0)
        err("SetThreadPoolParameters(-1)");
    printf("set nothing: %d\n", virAdmServerSetThreadPoolParameters(srv, set, 0, 0));
}

static void limits(virAdmServerPtr srv)
{
    virTypedParameterPtr p = NULL;
    int n = 0;
    if (virAdmServerGetClientLimits(srv, &p, &n, 0) < 0)
        err("GetClientLimits");
    else
        show_params("client limits", p, n);
    virTypedParameter set[1];
    memset(set, 0, sizeof(set));
    snprintf(set[0].field, sizeof(set[0].field), "%s", VIR_SERVER_CLIENTS_MAX);
    set[0].type = VIR_TYPED_PARAM_UINT;
    set[0].value.ui = 77;
    printf("set nclients_max 77: %d\n", virAdmServerSetClientLimits(srv, set, 1, 0));
    if (virAdmServerGetClientLimits(srv, &p, &n, 0) == 0)
        show_params("client limits after", p, n);
    snprintf(set[0].field, sizeof(set[0].field), "%s", VIR_SERVER_CLIENTS_CURRENT);
    if (virAdmServerSetClientLimits(srv, set, 1, 0) < 0)
        err("SetClientLimits(nclients)");
    if (virAdmServerSetClientLimits(srv, NULL, 0, 0) < 0)
        err("SetClientLimits(NULL)");
    if (virAdmServerUpdateTlsFiles(srv, 0) < 0)
        err("UpdateTlsFiles");
    if (virAdmServerUpdateTlsFiles(srv, 1) < 0)
        err("UpdateTlsFiles(flags 1)");
}

static void clients(virAdmServerPtr srv)
{
    virAdmClientPtr *list = NULL;
    int n = virAdmServerListClients(srv, &list, 0);
    printf("clients of %s: %d (count only: %d)\n", virAdmServerGetName(srv), n,
           virAdmServerListClients(srv, NULL, 0));
    for (int i = 0; i < n; i++) {
        virAdmClientPtr c = list[i];
        printf("  client id>0:%d timestamp>0:%d transport=%d\n", virAdmClientGetID(c) > 0,
               virAdmClientGetTimestamp(c) > 0, virAdmClientGetTransport(c));
        virTypedParameterPtr p = NULL;
        int np = 0;
        if (virAdmClientGetInfo(c, &p, &np, 0) < 0)
            err("ClientGetInfo");
        else
            show_params("  info", p, np);
        virAdmClientPtr again = virAdmServerLookupClient(srv, virAdmClientGetID(c), 0);
        printf("  lookup by id: %s same id %d\n", again ? "found" : "none",
               again && virAdmClientGetID(again) == virAdmClientGetID(c));
        virAdmClientFree(again);
        virAdmClientFree(c);
    }
    free(list);
    if (!virAdmServerLookupClient(srv, 123456789, 0))
        err("LookupClient(123456789)");
}

static int by_name(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: admin SOCKET\n");
        return 2;
    }
    char uri[4096];
    snprintf(uri, sizeof(uri), "libvirtd:///system?socket=%s", argv[1]);
    virSetErrorFunc(NULL, quiet);
    signal(SIGPIPE, SIG_IGN);
    setvbuf(stdout, NULL, _IOLBF, 0);

    virAdmConnectPtr conn = virAdmConnectOpen(uri, 0);
    if (!conn) {
        err("open");
        return 1;
    }
    char *u = virAdmConnectGetURI(conn);
    printf("uri is the one given: %d\n", u && strcmp(u, uri) == 0);
    free(u);
    printf("alive: %d\n", virAdmConnectIsAlive(conn));
    unsigned long long v = 0;
    printf("lib version: %d %llu\n", virAdmConnectGetLibVersion(conn, &v), v);
    if (virAdmConnectGetLibVersion(conn, NULL) < 0)
        err("GetLibVersion(NULL)");

    printf("servers (count only): %d\n", virAdmConnectListServers(conn, NULL, 0));
    if (virAdmConnectListServers(conn, NULL, 1) < 0)
        err("ListServers(flags 1)");
    virAdmServerPtr *servers = NULL;
    int ns = virAdmConnectListServers(conn, &servers, 0);
    printf("servers: %d, last NULL: %d\n", ns, ns >= 0 && servers[ns] == NULL);
    /* The daemon lists its servers in its hash table's order, which varies between runs. */
    const char *names[16] = {NULL};
    for (int i = 0; i < ns && i < 16; i++)
        names[i] = virAdmServerGetName(servers[i]);
    qsort(names, ns < 16 ? ns : 16, sizeof(names[0]), by_name);
    for (int i = 0; i < ns && i < 16; i++)
        printf("  %s\n", names[i]);

    virAdmServerPtr srv = virAdmConnectLookupServer(conn, "libvirtd", 0);
    printf("lookup libvirtd: %s\n", srv ? virAdmServerGetName(srv) : "none");
    if (!virAdmConnectLookupServer(conn, "nosuch", 0))
        err("LookupServer(nosuch)");
    if (!virAdmConnectLookupServer(conn, NULL, 0))
        err("LookupServer(NULL)");
    if (!virAdmConnectLookupServer(conn, "libvirtd", 1))
        err("LookupServer(flags 1)");
    virAdmServerPtr adm = virAdmConnectLookupServer(conn, "admin", 0);

    if (srv) {
        threadpool(srv);
        limits(srv);
        clients(srv);
    }
    if (adm)
        clients(adm);

    /* A second connection, closed by the daemon at our request. */
    virAdmConnectPtr second = virAdmConnectOpen(uri, 0);
    if (adm && second) {
        virAdmClientPtr *list = NULL;
        int n = virAdmServerListClients(adm, &list, 0);
        printf("admin clients with a second connection: %d\n", n);
        int newest = 0;
        for (int i = 1; i < n; i++)
            if (virAdmClientGetID(list[i]) > virAdmClientGetID(list[newest]))
                newest = i;
        if (n > 0) {
            if (virAdmClientClose(list[newest], 1) < 0)
                err("ClientClose(flags 1)");
            printf("close the newest: %d\n", virAdmClientClose(list[newest], 0));
        }
        for (int i = 0; i < n; i++)
            virAdmClientFree(list[i]);
        free(list);
        printf("admin clients after: %d\n", virAdmServerListClients(adm, NULL, 0));
        unsigned long long v2 = 0;
        if (virAdmConnectGetLibVersion(second, &v2) < 0)
            printf("  the closed connection fails: yes\n");
        virResetLastError();
    }
    if (second)
        virAdmConnectClose(second);

    char *outputs = NULL, *filters = NULL;
    int no = virAdmConnectGetLoggingOutputs(conn, &outputs, 0);
    printf("outputs: %d [%s] (count only %d)\n", no, outputs ? outputs : "(null)",
           virAdmConnectGetLoggingOutputs(conn, NULL, 0));
    free(outputs);
    int nf = virAdmConnectGetLoggingFilters(conn, &filters, 0);
    printf("filters: %d [%s]\n", nf, filters ? filters : "(null)");
    free(filters);
    printf("set filters: %d\n", virAdmConnectSetLoggingFilters(conn, "1:rpc 3:util", 0));
    filters = NULL;
    nf = virAdmConnectGetLoggingFilters(conn, &filters, 0);
    printf("filters: %d [%s]\n", nf, filters ? filters : "(null)");
    free(filters);
    printf("clear filters: %d\n", virAdmConnectSetLoggingFilters(conn, NULL, 0));
    filters = NULL;
    nf = virAdmConnectGetLoggingFilters(conn, &filters, 0);
    printf("filters: %d [%s]\n", nf, filters ? filters : "(null)");
    free(filters);
    if (virAdmConnectSetLoggingFilters(conn, "9:bad", 0) < 0)
        err("SetLoggingFilters(9:bad)");
    if (virAdmConnectSetLoggingOutputs(conn, "7:nowhere", 0) < 0)
        err("SetLoggingOutputs(7:nowhere)");
    if (virAdmConnectGetLoggingOutputs(conn, &outputs, 2) < 0)
        err("GetLoggingOutputs(flags 2)");
    printf("daemon timeout 0: %d\n", virAdmConnectSetDaemonTimeout(conn, 0, 0));
    if (virAdmConnectSetDaemonTimeout(conn, 0, 4) < 0)
        err("SetDaemonTimeout(flags 4)");

    printf("register close: %d\n", virAdmConnectRegisterCloseCallback(conn, close_cb, NULL, free_cb));
    if (virAdmConnectRegisterCloseCallback(conn, close_cb, NULL, free_cb) < 0)
        err("RegisterCloseCallback again");
    if (virAdmConnectRegisterCloseCallback(conn, NULL, NULL, NULL) < 0)
        err("RegisterCloseCallback(NULL)");
    if (virAdmConnectUnregisterCloseCallback(conn, other_cb) < 0)
        err("UnregisterCloseCallback(other)");
    printf("unregister: %d, freed %d\n", virAdmConnectUnregisterCloseCallback(conn, close_cb), freed);
    if (virAdmConnectUnregisterCloseCallback(conn, close_cb) < 0)
        err("UnregisterCloseCallback again");
    printf("register again: %d\n", virAdmConnectRegisterCloseCallback(conn, close_cb, NULL, free_cb));

    printf("ref: %d\n", virAdmConnectRef(conn));
    printf("close with a reference left: %d\n", virAdmConnectClose(conn) > 0);
    for (int i = 0; i < ns; i++)
        printf("free server: %d\n", virAdmServerFree(servers[i]));
    free(servers);
    virAdmServerFree(adm);
    printf("close with a server left: %d\n", virAdmConnectClose(conn) > 0);
    printf("free the last server: %d\n", virAdmServerFree(srv));
    printf("freed before the end: %d\n", freed);
    return 0;
}
