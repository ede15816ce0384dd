/* Secrets of a guest (issue 19), a differential probe: built against Debian's headers, run on a
 * fresh root against Debian's libvirt 9.0 (its embedded qemu driver) and against oxvirt;
 * tests/qemu.sh compares the outputs after normalising the root path. Nothing that differs from
 * run to run (ports, pids, ids) is printed.
 *
 * A guest with a VNC and a SPICE password: the passwords are absent from qemu's command line
 * (/proc/PID/cmdline, readable by every local user) and from qemu's log, kept in the status file
 * and the saved definition (0600, as the reference keeps them), hidden from the XML without
 * VIR_DOMAIN_XML_SECURE, shown with it, refused with it on a read-only connection; the VNC server
 * asks for the password (RFB security type 2, not 1 "None"). Bad password attributes and a disk
 * whose encryption needs a libvirt secret are refused with the reference's errors.
 *
 * usage: secrets ROOT   (ROOT holds etc/qemu.conf already) */
#include "qt.h"
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>

#define VNC_PW "vncpw123"
#define SPICE_PW "spiceS3cret"
#define UUID_S "3f6f2a9e-3c1b-4a55-9d7e-000000000011"
#define UUID_SP "3f6f2a9e-3c1b-4a55-9d7e-000000000012"

static const char *root;

/* Does the file under the root contain `needle`? -1: no such file. */
static int file_has(const char *rel, const char *needle)
{
    char path[4600];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    FILE *f = fopen(path, "rb");
    if (!f)
        return -1;
    static char buf[1 << 20];
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    /* /proc/PID/cmdline separates the arguments with NULs. */
    for (size_t i = 0; i < n; i++)
        if (buf[i] == '\0')
            buf[i] = ' ';
    buf[n] = '\0';
    return strstr(buf, needle) != NULL;
}

static const char *yes_no(int v)
{
    return v < 0 ? "absent" : v ? "yes" : "no";
}

static void show_mode(const char *rel)
{
    char path[4600];
    snprintf(path, sizeof(path), "%s/%s", root, rel);
    struct stat sb;
    if (stat(path, &sb) == 0)
        printf("mode %s: %04o\n", rel, (unsigned)(sb.st_mode & 07777));
    else
        printf("mode %s: absent\n", rel);
}

/* What the XML shows of the passwords with these flags. */
static void show_xml(const char *what, virDomainPtr d, unsigned int flags)
{
    char *x = virDomainGetXMLDesc(d, flags);
    if (!x) {
        show_error(what);
        return;
    }
    printf("%s: vnc passwd %s, spice passwd %s, passwdValidTo %s, connected %s\n", what,
           yes_no(strstr(x, "passwd='" VNC_PW "'") != NULL),
           yes_no(strstr(x, "passwd='" SPICE_PW "'") != NULL),
           strstr(x, "passwdValidTo='2099-01-01T00:00:00'") ? "kept" : "gone",
           strstr(x, "connected='keep'") ? "kept" : "gone");
    free(x);
}

/* The port of the first <graphics type='TYPE' port='N'> of the live XML, or -1. */
static int graphics_port(virDomainPtr d, const char *type)
{
    char *x = virDomainGetXMLDesc(d, 0);
    char pat[64];
    snprintf(pat, sizeof(pat), "<graphics type='%s' port='", type);
    const char *at = x ? strstr(x, pat) : NULL;
    int port = at ? atoi(at + strlen(pat)) : -1;
    free(x);
    return port;
}

/* The RFB security types the VNC server offers (RFB 3.8: a count, then the types). */
static void show_rfb(int port)
{
    int s = socket(AF_INET, SOCK_STREAM, 0);
    struct timeval tv = {5, 0};
    setsockopt(s, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    char version[13] = {0};
    unsigned char types[16] = {0};
    if (connect(s, (struct sockaddr *)&a, sizeof(a)) < 0 || recv(s, version, 12, MSG_WAITALL) != 12 ||
        send(s, "RFB 003.008\n", 12, 0) != 12 || recv(s, types, 1, MSG_WAITALL) != 1 ||
        (types[0] && recv(s, types + 1, types[0] < 15 ? types[0] : 15, MSG_WAITALL) <= 0)) {
        printf("vnc: no RFB handshake\n");
        close(s);
        return;
    }
    version[strcspn(version, "\n")] = '\0';
    printf("vnc: %s offers %d security type(s):", version, types[0]);
    for (int i = 1; i <= types[0] && i < 16; i++)
        printf(" %d%s", types[i], types[i] == 2 ? " (VNC password)" : types[i] == 1 ? " (none)" : "");
    printf("\n");
    close(s);
}

static void refused(virConnectPtr c, const char *what, const char *devices)
{
    virDomainPtr d = virDomainDefineXML(c, qt_xml("probe-bad", NULL, NULL, devices));
    printf("%s define: %s\n", what, d ? "ok" : "NULL");
    if (d) {
        d = virDomainCreateXML(c, qt_xml("probe-bad2", NULL, NULL, devices), 0);
        printf("%s create: %s\n", what, d ? "ok" : "NULL");
    }
    show_error(what);
    if (d) {
        virDomainDestroy(d);
        virDomainFree(d);
    }
    d = virDomainLookupByName(c, "probe-bad");
    if (d) {
        virDomainUndefine(d);
        virDomainFree(d);
    }
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (argc != 2) {
        fprintf(stderr, "usage: %s ROOT\n", argv[0]);
        return 2;
    }
    root = argv[1];
    umask(022);
    (void)qt_start_default_loop();
    qt_subreaper();
    qt_start_reaper();
    /* The test driver: the same refusal on a read-only connection, the same parser's errors. */
    virConnectPtr t = virConnectOpenReadOnly("test:///default");
    virDomainPtr td = t ? virDomainLookupByName(t, "test") : NULL;
    char *tx = td ? virDomainGetXMLDesc(td, VIR_DOMAIN_XML_SECURE) : NULL;
    printf("test driver read-only SECURE: %s\n", tx ? "shown" : "NULL");
    show_error("test driver read-only SECURE");
    free(tx);
    if (td)
        virDomainFree(td);
    if (t)
        virConnectClose(t);
    t = virConnectOpen("test:///default");
    td = t ? virDomainDefineXML(t, "<domain type='test'><name>pw</name><memory>65536</memory>"
                                   "<os><type>hvm</type></os><devices><graphics type='vnc' "
                                   "passwd='x' passwdValidTo='soon'/></devices></domain>")
           : NULL;
    printf("test driver bad validity: %s\n", td ? "defined" : "NULL");
    show_error("test driver bad validity");
    if (td)
        virDomainFree(td);
    if (t)
        virConnectClose(t);

    char uri[4200];
    snprintf(uri, sizeof(uri), "qemu:///embed?root=%s", root);
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        show_error("open");
        return 1;
    }

    refused(c, "validity not a time",
            "<graphics type='vnc' passwd='x' passwdValidTo='2030-01-01T00:00:00Z'/>");
    refused(c, "vnc connected disconnect", "<graphics type='vnc' passwd='x' connected='disconnect'/>");
    refused(c, "spice connected default", "<graphics type='spice' passwd='x' connected='default'/>");
    refused(c, "encrypted disk",
            "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>"
            "<source file='/nonexistent/d.qcow2'><encryption format='luks'>"
            "<secret type='passphrase' uuid='0a81f5b2-8403-7b23-c8d6-21ccc2f80d6f'/></encryption>"
            "</source><target dev='vda' bus='virtio'/></disk>");

    const char *graphics =
        "<graphics type='vnc' autoport='yes' passwd='" VNC_PW "' passwdValidTo='2099-1-1T0:0:0' "
        "connected='keep'/>"
        "<graphics type='spice' autoport='yes' passwd='" SPICE_PW "'/>";
    virDomainPtr p = virDomainDefineXML(c, qt_xml("probe-sp", UUID_SP, NULL, graphics));
    printf("define: %s\n", p ? "ok" : "NULL");
    show_mode("etc/qemu/probe-sp.xml");
    printf("saved definition has the passwords: %s %s\n",
           yes_no(file_has("etc/qemu/probe-sp.xml", VNC_PW)),
           yes_no(file_has("etc/qemu/probe-sp.xml", SPICE_PW)));
    if (p)
        show_xml("defined, flags 0", p, 0);
    if (p)
        show_xml("defined, SECURE", p, VIR_DOMAIN_XML_SECURE);

    virDomainPtr d = virDomainCreateXML(c, qt_xml("probe-s", UUID_S, NULL, graphics), 0);
    printf("create: %s\n", d ? "ok" : "NULL");
    if (!d) {
        show_error("create");
        return 1;
    }
    char dir[64], key[96];
    snprintf(dir, sizeof(dir), "lib/qemu/domain-%u-probe-s", virDomainGetID(d));
    snprintf(key, sizeof(key), "%s/master-key.aes", dir);
    show_mode(dir);
    show_mode(key);
    show_mode("run/qemu/probe-s.xml");
    show_mode("log/qemu/probe-s.log");
    pid_t pid = qt_read_pidfile(root, "probe-s");
    char cmdline[64];
    snprintf(cmdline, sizeof(cmdline), "/proc/%d/cmdline", (int)pid);
    const char *saved = root;
    root = "";
    printf("cmdline: vnc password %s, spice password %s, password=on %s, disable-ticketing %s, "
           "masterKey0 %s\n",
           yes_no(file_has(cmdline, VNC_PW)), yes_no(file_has(cmdline, SPICE_PW)),
           yes_no(file_has(cmdline, "password=on")), yes_no(file_has(cmdline, "disable-ticketing")),
           yes_no(file_has(cmdline, "\"id\":\"masterKey0\"")));
    root = saved;
    printf("log: vnc password %s, spice password %s\n",
           yes_no(file_has("log/qemu/probe-s.log", VNC_PW)),
           yes_no(file_has("log/qemu/probe-s.log", SPICE_PW)));
    printf("status: vnc password %s, spice password %s\n",
           yes_no(file_has("run/qemu/probe-s.xml", VNC_PW)),
           yes_no(file_has("run/qemu/probe-s.xml", SPICE_PW)));
    show_xml("live, flags 0", d, 0);
    show_xml("live, SECURE", d, VIR_DOMAIN_XML_SECURE);
    show_xml("live, INACTIVE", d, VIR_DOMAIN_XML_INACTIVE);
    show_xml("live, SECURE|INACTIVE", d, VIR_DOMAIN_XML_SECURE | VIR_DOMAIN_XML_INACTIVE);
    show_rfb(graphics_port(d, "vnc"));

    virConnectPtr ro = virConnectOpenReadOnly(uri);
    printf("read-only open: %s\n", ro ? "ok" : "NULL");
    if (ro) {
        virDomainPtr rd = virDomainLookupByName(ro, "probe-s");
        if (rd) {
            show_xml("read-only, flags 0", rd, 0);
            show_xml("read-only, SECURE", rd, VIR_DOMAIN_XML_SECURE);
            virDomainFree(rd);
        } else {
            show_error("read-only lookup");
        }
        virConnectClose(ro);
    }

    printf("destroy: %d\n", virDomainDestroy(d));
    virDomainFree(d);
    show_mode(dir);
    if (p) {
        printf("undefine: %d\n", virDomainUndefine(p));
        virDomainFree(p);
    }
    qt_close(c);
    return 0;
}
