/* A scripted session for the log comparison (tests/logging.sh): open test:///default, look the
 * domain up, get its info, free it, close. */
#include <libvirt/libvirt.h>
int main(void) {
    virConnectPtr c = virConnectOpen("test:///default");
    virDomainPtr d = virDomainLookupByName(c, "test");
    virDomainInfo info;
    virDomainGetInfo(d, &info);
    virDomainFree(d);
    virConnectClose(c);
    return 0;
}
