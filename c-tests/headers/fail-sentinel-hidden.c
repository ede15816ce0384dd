/* expect: VIR_DOMAIN_LAST
 * Must NOT compile, against libvirt's headers as against ours: the *_LAST sentinels exist only
 * with -DVIR_ENUM_SENTINELS. */
#include <libvirt/libvirt.h>
int main(void) { return VIR_DOMAIN_LAST; }
