/* expect: value
 * Must NOT compile: virTypedParameter's value is a union of i/ui/l/ul/d/b/s and nothing else. */
#include <libvirt/libvirt.h>
int main(void) { virTypedParameter p; p.value.f = 1; return p.value.i; }
