/* Network ports and DHCP leases (virNetworkListAllPorts, virNetworkPort*, virNetworkGetDHCPLeases)
 * on a network of the test driver: test:///default, or the URI given (a daemon serving the test
 * driver, tests/remote.sh). Neither the reference's test driver nor its daemon serves them: every
 * call gives the public layer's argument errors, then the driver's (or the daemon's) "not
 * supported"; the same on a read-only connection, and with NULL or wrong-kind port handles.
 * Through a daemon whose pid is given too, the calls once it is gone. */
#include "common.h"
#include <signal.h>
#include <sys/types.h>
#include <unistd.h>

static void show(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    if (r < 0)
        show_error(what);
}

static void show_port(const char *what, virNetworkPortPtr p)
{
    printf("%s: %s\n", what, p ? "port" : "(null)");
    if (!p)
        show_error(what);
    else
        virNetworkPortFree(p);
}

static void show_str(const char *what, char *s)
{
    printf("%s: %s\n", what, s ? s : "(null)");
    if (!s)
        show_error(what);
    free(s);
}

static const char port_xml[] =
    "<networkport><uuid>5d744f21-ba4a-4d6e-bdb2-30a35ff3207d</uuid>"
    "<owner><name>test</name><uuid>6695eb01-f6a4-8304-79aa-97f2502e193f</uuid></owner>"
    "<mac address='52:54:00:11:22:33'/></networkport>";

static void network_calls(const char *tag, virNetworkPtr net)
{
    char what[128];
#define WHAT(s) (snprintf(what, sizeof what, "%s %s", tag, s), what)
    virNetworkPortPtr *ports = (virNetworkPortPtr *)&ports;
    show(WHAT("list ports"), virNetworkListAllPorts(net, &ports, 0));
    printf("%s\n", ports == (virNetworkPortPtr *)&ports ? "  ports untouched" : ports ? "  ports set" : "  ports NULL");
    show(WHAT("list ports count"), virNetworkListAllPorts(net, NULL, 0));
    show(WHAT("list ports flags"), virNetworkListAllPorts(net, NULL, 1u << 31));
    unsigned char uuid[VIR_UUID_BUFLEN] = {1, 2, 3};
    show_port(WHAT("lookup uuid"), virNetworkPortLookupByUUID(net, uuid));
    show_port(WHAT("lookup NULL uuid"), virNetworkPortLookupByUUID(net, NULL));
    show_port(WHAT("lookup uuid string"),
              virNetworkPortLookupByUUIDString(net, "5d744f21-ba4a-4d6e-bdb2-30a35ff3207d"));
    show_port(WHAT("lookup bad uuid string"), virNetworkPortLookupByUUIDString(net, "not-a-uuid"));
    show_port(WHAT("lookup NULL uuid string"), virNetworkPortLookupByUUIDString(net, NULL));
    show_port(WHAT("create"), virNetworkPortCreateXML(net, port_xml, 0));
    show_port(WHAT("create NULL xml"), virNetworkPortCreateXML(net, NULL, 0));
    show_port(WHAT("create bad xml"), virNetworkPortCreateXML(net, "<networkport>", 0));

    virNetworkDHCPLeasePtr *leases = (virNetworkDHCPLeasePtr *)&leases;
    int n = virNetworkGetDHCPLeases(net, NULL, &leases, 0);
    show(WHAT("dhcp leases"), n);
    printf("%s\n", leases == (virNetworkDHCPLeasePtr *)&leases ? "  leases untouched" : leases ? "  leases set" : "  leases NULL");
    for (int i = 0; i < n && leases; i++) {
        printf("  lease %s %s %s\n", leases[i]->iface, leases[i]->ipaddr,
               leases[i]->mac ? leases[i]->mac : "-");
        virNetworkDHCPLeaseFree(leases[i]);
    }
    if (n > 0 && leases)
        free(leases);
    show(WHAT("dhcp leases of a mac, count"),
         virNetworkGetDHCPLeases(net, "aa:bb:cc:dd:ee:ff", NULL, 0));
    show(WHAT("dhcp leases flags"), virNetworkGetDHCPLeases(net, NULL, NULL, 1u << 31));
#undef WHAT
}

/* Every call on a port handle, with `p` NULL or a handle of another kind. */
static void port_calls(const char *tag, virNetworkPortPtr p)
{
    char what[128];
#define WHAT(s) (snprintf(what, sizeof what, "%s %s", tag, s), what)
    virNetworkPtr net = virNetworkPortGetNetwork(p);
    printf("%s: %s\n", WHAT("get network"), net ? "network" : "(null)");
    if (!net)
        show_error(what);
    show_str(WHAT("xml"), virNetworkPortGetXMLDesc(p, 0));
    unsigned char uuid[VIR_UUID_BUFLEN];
    show(WHAT("uuid"), virNetworkPortGetUUID(p, uuid));
    char buf[VIR_UUID_STRING_BUFLEN];
    show(WHAT("uuid string"), virNetworkPortGetUUIDString(p, buf));
    virTypedParameterPtr params = NULL;
    int nparams = 0;
    show(WHAT("get parameters"), virNetworkPortGetParameters(p, &params, &nparams, 0));
    virTypedParameter one;
    memset(&one, 0, sizeof one);
    strcpy(one.field, VIR_NETWORK_PORT_BANDWIDTH_IN_AVERAGE);
    one.type = VIR_TYPED_PARAM_UINT;
    one.value.ui = 100;
    show(WHAT("set parameters"), virNetworkPortSetParameters(p, &one, 1, 0));
    show(WHAT("delete"), virNetworkPortDelete(p, 0));
    show(WHAT("ref"), virNetworkPortRef(p));
    show(WHAT("free"), virNetworkPortFree(p));
#undef WHAT
}

static void on(const char *tag, virConnectPtr c)
{
    if (!c) {
        show_error(tag);
        return;
    }
    virNetworkPtr net = virNetworkLookupByName(c, "default");
    if (!net) {
        show_error(tag);
        virConnectClose(c);
        return;
    }
    network_calls(tag, net);
    char what[128];
    snprintf(what, sizeof what, "%s NULL port", tag);
    port_calls(what, NULL);
    snprintf(what, sizeof what, "%s network as port", tag);
    port_calls(what, (virNetworkPortPtr)net);
    virNetworkFree(net);
    virConnectClose(c);
}

/* The daemon's pid (argv[2]): killed, then a port call on a connection to it fails as the
 * reference's client's does (a call that stayed local would say "not supported"). */
static void daemon_gone(const char *uri, pid_t pid)
{
    virConnectPtr c = virConnectOpen(uri);
    virNetworkPtr net = c ? virNetworkLookupByName(c, "default") : NULL;
    if (!net) {
        show_error("daemon gone: open");
        return;
    }
    kill(pid, SIGKILL);
    usleep(300000);
    show("daemon gone: list ports", virNetworkListAllPorts(net, NULL, 0));
    show("daemon gone: list ports again", virNetworkListAllPorts(net, NULL, 0));
    show("daemon gone: dhcp leases", virNetworkGetDHCPLeases(net, NULL, NULL, 0));
    virNetworkFree(net);
    virConnectClose(c);
}

int main(int argc, char **argv)
{
    const char *uri = argc > 1 ? argv[1] : "test:///default";
    signal(SIGPIPE, SIG_IGN);
    virSetErrorFunc(NULL, quiet_errors);
    on("rw", virConnectOpen(uri));
    on("ro", virConnectOpenReadOnly(uri));
    /* No network at all. */
    show("list ports NULL network", virNetworkListAllPorts(NULL, NULL, 0));
    show_port("create NULL network", virNetworkPortCreateXML(NULL, port_xml, 0));
    show_port("lookup NULL network", virNetworkPortLookupByUUIDString(NULL, "x"));
    virNetworkDHCPLeasePtr *leases = (virNetworkDHCPLeasePtr *)&leases;
    show("dhcp leases NULL network", virNetworkGetDHCPLeases(NULL, NULL, &leases, 0));
    printf("%s\n", leases ? "  leases not NULL" : "  leases NULL");
    if (argc > 2)
        daemon_gone(uri, (pid_t)atoi(argv[2]));
    return 0;
}
