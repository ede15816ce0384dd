/* virDomainOpenGraphicsFD and virDomainOpenGraphics on a real guest with VNC (issue 18),
 * differential: the same program runs on Debian's libvirt 9.0 (its embedded qemu driver, or a
 * private libvirtd through qemu+unix://) and on ours; tests/qemu.sh and tests/remote.sh compare
 * the outputs. Each descriptor handed back must greet like a VNC server ("RFB 003.008\n"), and
 * the errors (shut-off guest, index out of range, unknown flags, bad descriptors, read-only
 * connection) are the reference's.
 *
 * Over TCP the reference's client refuses to send a descriptor and loses the connection: the
 * run stops there, as it does.
 *
 * usage: graphicsfd ROOT [URI]   (without URI: qemu:///embed?root=ROOT) */
#include "qt.h"
#include <poll.h>
#include <sys/socket.h>

static void show_err(const char *what, int r)
{
    if (r >= 0) {
        printf("%s: ok\n", what);
        return;
    }
    printf("%s: -1 code=%d domain=%d msg=%s\n", what, qt_err_code(), qt_err_domain(), qt_err_msg());
}

/* The first 12 bytes the peer sends on `fd`, within 10 s. */
static void greeting(const char *what, int fd)
{
    char buf[13] = {0};
    size_t got = 0;
    double deadline = qt_now_ms() + 10000;
    while (got < 12) {
        int left = (int)(deadline - qt_now_ms());
        struct pollfd p = {.fd = fd, .events = POLLIN};
        if (left <= 0 || poll(&p, 1, left) <= 0)
            break;
        ssize_t n = read(fd, buf + got, 12 - got);
        if (n <= 0)
            break;
        got += (size_t)n;
    }
    for (size_t i = 0; i < got; i++)
        if (buf[i] == '\n')
            buf[i] = '|';
    printf("%s: greeting '%s'\n", what, buf);
}

/* A descriptor from virDomainOpenGraphicsFD: its greeting, then closed. */
static void open_fd(virDomainPtr d, const char *what, unsigned idx, unsigned flags)
{
    int fd = virDomainOpenGraphicsFD(d, idx, flags);
    if (fd < 0) {
        show_err(what, fd);
        return;
    }
    greeting(what, fd);
    close(fd);
}

/* virDomainOpenGraphics on one end of a socket pair: the greeting comes out of the other. */
static void open_pair(virDomainPtr d, const char *what, unsigned idx, unsigned flags)
{
    int sv[2];
    if (socketpair(AF_UNIX, SOCK_STREAM, 0, sv) < 0) {
        perror("socketpair");
        return;
    }
    int r = virDomainOpenGraphics(d, idx, sv[0], flags);
    close(sv[0]);
    if (r < 0)
        show_err(what, r);
    else
        greeting(what, sv[1]);
    close(sv[1]);
}

static void bad_descriptors(virDomainPtr d)
{
    int p[2];
    if (pipe(p) < 0)
        return;
    /* The descriptor's number is in the reference's message: only code and domain here. */
    int r = virDomainOpenGraphics(d, 0, p[0], 0);
    printf("pipe: %d code=%d domain=%d\n", r, qt_err_code(), qt_err_domain());
    close(p[0]);
    close(p[1]);
    r = virDomainOpenGraphics(d, 0, 1000, 0);
    printf("closed fd: %d code=%d domain=%d int1=%d\n", r, qt_err_code(), qt_err_domain(), qt_err_int1());
    show_err("negative fd", virDomainOpenGraphics(d, 0, -1, 0));
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: graphicsfd ROOT [URI]\n");
        return 2;
    }
    const char *uri = argc > 2 ? argv[2] : qt_uri(argv[1]);
    if (qt_start_default_loop() < 0)
        printf("event loop: %s\n", qt_err_msg());
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        printf("open: %s\n", qt_err_msg());
        return 1;
    }
    const char *graphics = "<graphics type='vnc' autoport='yes' listen='127.0.0.1'/>";
    char *xml = qt_xml("gfd", "5e2a0c2e-8f2b-4a8c-9d1e-0c1a2b3c4d5e", NULL, graphics);
    virDomainPtr d = virDomainDefineXML(c, xml);
    if (!d) {
        printf("define: %s\n", qt_err_msg());
        return 1;
    }
    open_fd(d, "shut off", 0, 0);
    open_pair(d, "shut off pair", 0, 0);
    if (virDomainCreate(d) < 0) {
        /* Compared like the rest: the reference's client loses a TCP connection here. */
        printf("start: %s\n", qt_err_msg());
        return 0;
    }
    open_fd(d, "fd", 0, 0);
    open_fd(d, "fd skipauth", 0, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
    open_fd(d, "fd index 1", 1, 0);
    open_fd(d, "fd index 7", 7, 0);
    open_fd(d, "fd unknown flag", 0, 0x8);
    open_pair(d, "pair", 0, 0);
    open_pair(d, "pair skipauth", 0, VIR_DOMAIN_OPEN_GRAPHICS_SKIPAUTH);
    open_pair(d, "pair index 1", 1, 0);
    open_pair(d, "pair unknown flag", 0, 0x8);
    bad_descriptors(d);
    /* The guest still serves after all that. */
    open_fd(d, "fd again", 0, 0);

    virConnectPtr ro = virConnectOpenReadOnly(uri);
    virDomainPtr rd = ro ? virDomainLookupByName(ro, "gfd") : NULL;
    if (rd) {
        open_fd(rd, "read-only fd", 0, 0);
        open_pair(rd, "read-only pair", 0, 0);
        virDomainFree(rd);
    }
    if (ro)
        virConnectClose(ro);

    show_err("destroy", virDomainDestroy(d));
    show_err("undefine", virDomainUndefine(d));
    virDomainFree(d);
    virConnectClose(c);
    free(xml);
    return 0;
}
