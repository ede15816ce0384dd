/* libvirt-qemu.so.0: libvirt 9.0's QEMU-specific functions (libvirt-qemu.h), each handed to its
 * implementation in libvirt.so.0 (src/ffi/qemu_libs.rs, private node OXVIRT_LIBS_0.1.0), where the
 * handles, connections and last errors live. Built by the Makefile with link/libvirt-qemu.map. */
#include <libvirt/libvirt.h>

typedef void (*virConnectDomainQemuMonitorEventCallback)(virConnectPtr conn, virDomainPtr dom,
                                                          const char *event, long long seconds,
                                                          unsigned int micros,
                                                          const char *details, void *opaque);

int oxvirtDomainQemuMonitorCommand(virDomainPtr, const char *, char **, unsigned int);
int oxvirtDomainQemuMonitorCommandWithFiles(virDomainPtr, const char *, unsigned int, int *,
                                            unsigned int *, int **, char **, unsigned int);
char *oxvirtDomainQemuAgentCommand(virDomainPtr, const char *, int, unsigned int);
virDomainPtr oxvirtDomainQemuAttach(virConnectPtr, unsigned int, unsigned int);
int oxvirtConnectDomainQemuMonitorEventRegister(virConnectPtr, virDomainPtr, const char *, void *,
                                                void *, void *, unsigned int);
int oxvirtConnectDomainQemuMonitorEventDeregister(virConnectPtr, int);

int virDomainQemuMonitorCommand(virDomainPtr domain, const char *cmd, char **result,
                                unsigned int flags)
{
    return oxvirtDomainQemuMonitorCommand(domain, cmd, result, flags);
}

int virDomainQemuMonitorCommandWithFiles(virDomainPtr domain, const char *cmd,
                                         unsigned int ninfiles, int *infiles,
                                         unsigned int *noutfiles, int **outfiles, char **result,
                                         unsigned int flags)
{
    return oxvirtDomainQemuMonitorCommandWithFiles(domain, cmd, ninfiles, infiles, noutfiles,
                                                   outfiles, result, flags);
}

char *virDomainQemuAgentCommand(virDomainPtr domain, const char *cmd, int timeout,
                                unsigned int flags)
{
    return oxvirtDomainQemuAgentCommand(domain, cmd, timeout, flags);
}

virDomainPtr virDomainQemuAttach(virConnectPtr conn, unsigned int pid_value, unsigned int flags)
{
    return oxvirtDomainQemuAttach(conn, pid_value, flags);
}

int virConnectDomainQemuMonitorEventRegister(virConnectPtr conn, virDomainPtr dom,
                                             const char *event,
                                             virConnectDomainQemuMonitorEventCallback cb,
                                             void *opaque, virFreeCallback freecb,
                                             unsigned int flags)
{
    return oxvirtConnectDomainQemuMonitorEventRegister(conn, dom, event, (void *)cb, opaque,
                                                       (void *)freecb, flags);
}

int virConnectDomainQemuMonitorEventDeregister(virConnectPtr conn, int callbackID)
{
    return oxvirtConnectDomainQemuMonitorEventDeregister(conn, callbackID);
}
