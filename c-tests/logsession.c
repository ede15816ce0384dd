/* A scripted session for the log comparison (tests/logging.sh): open test:///default, look the
 * domain up four ways, describe it, call a few generated (glue) functions and one stub, make two
 * calls the public layer refuses, free, close; then open a remote URI nobody serves (the driver
 * walk up to the remote driver's failure). With an argument, only that URI is opened and closed
 * (the driver-choice lines). Errors are silenced: the log is the output. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdlib.h>

static void quiet(void *opaque, virErrorPtr err) {
    (void)opaque;
    (void)err;
}

static void open_close(const char *uri) {
    virConnectPtr c = virConnectOpen(uri);
    if (c)
        virConnectClose(c);
}

int main(int argc, char **argv) {
    virSetErrorFunc(NULL, quiet);
    if (argc > 1) {
        open_close(argv[1]);
        return 0;
    }
    virConnectPtr c = virConnectOpen("test:///default");
    virDomainPtr d = virDomainLookupByName(c, "test");
    virDomainPtr d1 = virDomainLookupByID(c, 1);
    virDomainPtr d2 = virDomainLookupByUUIDString(c, "6695eb01-f6a4-8304-79aa-97f2502e193f");
    unsigned char uuid[VIR_UUID_BUFLEN];
    virDomainGetUUID(d, uuid);
    virDomainPtr d3 = virDomainLookupByUUID(c, uuid);
    virDomainInfo info;
    virDomainGetInfo(d, &info);
    virDomainGetName(d);
    virDomainGetID(d);
    virConnectNumOfDomains(c);

    virNetworkPtr n = virNetworkLookupByName(c, "default");
    virNetworkIsActive(n);
    virNetworkFree(n);
    virStoragePoolPtr p = virStoragePoolLookupByName(c, "default-pool");
    virStoragePoolInfo pinfo;
    virStoragePoolGetInfo(p, &pinfo);
    virStoragePoolFree(p);

    virDomainAbortJob(d);                    /* a stub on ours */
    virDomainLookupByName(c, NULL);          /* refused by the public layer */
    virDomainGetInfo(NULL, &info);           /* an invalid handle */

    virDomainFree(d3);
    virDomainFree(d2);
    virDomainFree(d1);
    virDomainFree(d);
    virConnectClose(c);

    open_close("test+tcp://127.0.0.1:1/default");
    return 0;
}
