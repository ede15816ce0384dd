/* expect: deprecated
 * Must NOT compile with -Werror: virError's conn, dom and net are VIR_DEPRECATED. */
#include <libvirt/virterror.h>
int main(void) { virErrorPtr e = virGetLastError(); return e && e->conn != 0; }
