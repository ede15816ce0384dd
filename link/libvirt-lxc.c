/* libvirt-lxc.so.0: libvirt 9.0's LXC-specific functions (libvirt-lxc.h), each handed to its
 * implementation in libvirt.so.0 (src/ffi/qemu_libs.rs, private node OXVIRT_LIBS_0.1.0). Built by
 * the Makefile with link/libvirt-lxc.map. */
#include <libvirt/libvirt.h>

int oxvirtDomainLxcOpenNamespace(virDomainPtr, int **, unsigned int);
int oxvirtDomainLxcEnterNamespace(virDomainPtr, unsigned int, int *, unsigned int *, int **,
                                  unsigned int);
int oxvirtDomainLxcEnterSecurityLabel(virSecurityModelPtr, virSecurityLabelPtr,
                                      virSecurityLabelPtr, unsigned int);
int oxvirtDomainLxcEnterCGroup(virDomainPtr, unsigned int);

int virDomainLxcOpenNamespace(virDomainPtr domain, int **fdlist, unsigned int flags)
{
    return oxvirtDomainLxcOpenNamespace(domain, fdlist, flags);
}

int virDomainLxcEnterNamespace(virDomainPtr domain, unsigned int nfdlist, int *fdlist,
                               unsigned int *noldfdlist, int **oldfdlist, unsigned int flags)
{
    return oxvirtDomainLxcEnterNamespace(domain, nfdlist, fdlist, noldfdlist, oldfdlist, flags);
}

int virDomainLxcEnterSecurityLabel(virSecurityModelPtr model, virSecurityLabelPtr label,
                                   virSecurityLabelPtr oldlabel, unsigned int flags)
{
    return oxvirtDomainLxcEnterSecurityLabel(model, label, oldlabel, flags);
}

int virDomainLxcEnterCGroup(virDomainPtr domain, unsigned int flags)
{
    return oxvirtDomainLxcEnterCGroup(domain, flags);
}
