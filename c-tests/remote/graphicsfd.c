/* The qemu suite's graphics-by-descriptor program (c-tests/qemu/graphicsfd.c), run by
 * tests/remote.sh through a daemon's qemu:///session over a unix socket and over TCP. */
#include "../qemu/graphicsfd.c"
