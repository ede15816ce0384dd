/* Descriptors given to a guest's qemu (issue 18), differential: libvirt-qemu's
 * virDomainQemuMonitorCommandWithFiles with `add-fd` and `query-fdsets` on a real guest, and
 * virDomainFDAssociate, on Debian's libvirt 9.0 (its embedded qemu driver, or a private libvirtd
 * through qemu+unix://) and on ours; the runners compare the outputs (qemu's own descriptor
 * numbers masked).
 *
 * usage: qemufds ROOT [URI]   (without URI: qemu:///embed?root=ROOT) */
#include "qt.h"
#include <libvirt/libvirt-qemu.h>

static void show_err(const char *what, int r)
{
    if (r >= 0) {
        printf("%s: ok\n", what);
        return;
    }
    printf("%s: -1 code=%d domain=%d msg=%s\n", what, qt_err_code(), qt_err_domain(), qt_err_msg());
}

/* One command with `nin` descriptors; what comes back. */
static void command(virDomainPtr d, const char *what, const char *cmd, int *in, unsigned nin,
                    int want_out)
{
    unsigned nout = 77;
    int *out = NULL;
    char *result = NULL;
    int r = virDomainQemuMonitorCommandWithFiles(d, cmd, nin, in, want_out ? &nout : NULL,
                                                 want_out ? &out : NULL, &result, 0);
    if (r < 0) {
        show_err(what, r);
        return;
    }
    printf("%s: %s", what, result);
    if (want_out)
        printf(" (%u descriptors back)", nout);
    printf("\n");
    for (unsigned i = 0; want_out && i < nout; i++)
        close(out[i]);
    free(out);
    free(result);
}

int main(int argc, char **argv)
{
    if (argc < 2) {
        fprintf(stderr, "usage: qemufds ROOT [URI]\n");
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
    char *xml = qt_xml("qfd", "6f3b1d3f-9a3c-4b9d-8e2f-1d2b3c4d5e6f", NULL, NULL);
    virDomainPtr d = virDomainDefineXML(c, xml);
    if (!d) {
        printf("define: %s\n", qt_err_msg());
        return 1;
    }
    int p[2];
    if (pipe(p) < 0)
        return 1;
    int two[2] = {p[0], p[1]};
    command(d, "shut off add-fd", "{\"execute\":\"add-fd\",\"arguments\":{\"fdset-id\":3}}", p, 1, 1);
    show_err("shut off associate", virDomainFDAssociate(d, "grp", 1, p, 0));
    if (virDomainCreate(d) < 0) {
        printf("start: %s\n", qt_err_msg());
        return 0;
    }
    command(d, "name, no files", "{\"execute\":\"query-name\"}", NULL, 0, 1);
    command(d, "add-fd", "{\"execute\":\"add-fd\",\"arguments\":{\"fdset-id\":3,\"opaque\":\"first\"}}", p, 1, 1);
    command(d, "add-fd, no answer asked", "{\"execute\":\"add-fd\",\"arguments\":{\"fdset-id\":4}}", &p[1], 1, 0);
    command(d, "query-fdsets", "{\"execute\":\"query-fdsets\"}", NULL, 0, 1);
    command(d, "two files", "{\"execute\":\"add-fd\"}", two, 2, 1);
    command(d, "getfd", "{\"execute\":\"getfd\",\"arguments\":{\"fdname\":\"mine\"}}", p, 1, 1);
    command(d, "closefd", "{\"execute\":\"closefd\",\"arguments\":{\"fdname\":\"mine\"}}", NULL, 0, 1);
    command(d, "add-fd without a file", "{\"execute\":\"add-fd\"}", NULL, 0, 1);

    show_err("associate", virDomainFDAssociate(d, "grp", 1, p, 0));
    show_err("associate again", virDomainFDAssociate(d, "grp", 2, two, 0));
    show_err("associate seclabel", virDomainFDAssociate(d, "other", 1, p,
                                                        VIR_DOMAIN_FD_ASSOCIATE_SECLABEL_RESTORE |
                                                            VIR_DOMAIN_FD_ASSOCIATE_SECLABEL_WRITABLE));
    show_err("associate unknown flag", virDomainFDAssociate(d, "x", 1, p, 0x10));

    virConnectPtr ro = virConnectOpenReadOnly(uri);
    virDomainPtr rd = ro ? virDomainLookupByName(ro, "qfd") : NULL;
    if (rd) {
        command(rd, "read-only add-fd", "{\"execute\":\"add-fd\"}", p, 1, 1);
        show_err("read-only associate", virDomainFDAssociate(rd, "grp", 1, p, 0));
        virDomainFree(rd);
    }
    if (ro)
        virConnectClose(ro);
    close(p[0]);
    close(p[1]);
    show_err("destroy", virDomainDestroy(d));
    show_err("undefine", virDomainUndefine(d));
    virDomainFree(d);
    virConnectClose(c);
    free(xml);
    return 0;
}
