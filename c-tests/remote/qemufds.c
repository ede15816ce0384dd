/* The qemu suite's descriptors-to-qemu program (c-tests/qemu/qemufds.c), run by tests/remote.sh
 * through a daemon's qemu:///session over a unix socket. */
#include "../qemu/qemufds.c"
