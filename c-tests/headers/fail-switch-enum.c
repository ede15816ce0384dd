/* expect: VIR_DOMAIN_PMSUSPENDED
 * Must NOT compile with -Wall -Werror: virDomainState is an enum, so -Wswitch names the missing
 * member (with `typedef unsigned int virDomainState` it would compile). */
#include <libvirt/libvirt.h>
static int f(virDomainState s)
{
    switch (s) {
    case VIR_DOMAIN_NOSTATE: case VIR_DOMAIN_RUNNING: case VIR_DOMAIN_BLOCKED: case VIR_DOMAIN_PAUSED:
    case VIR_DOMAIN_SHUTDOWN: case VIR_DOMAIN_SHUTOFF: case VIR_DOMAIN_CRASHED:
        return 1;
    }
    return 0;
}
int main(void) { return f(VIR_DOMAIN_RUNNING); }
