#!/usr/bin/env bash
# `make install PREFIX=...` lays out the library, its links, the headers and libvirt.pc, and a
# program built with `pkg-config --cflags --libs libvirt` against the install runs on it.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
prefix=$(mktemp -d /tmp/oxvirt-install.XXXXXX)
trap 'rm -rf "$prefix"' EXIT
make -s install PREFIX="$prefix" >/dev/null
fail=0
for f in lib/libvirt.so lib/libvirt.so.0 lib/pkgconfig/libvirt.pc include/libvirt/libvirt.h \
         include/libvirt/virterror.h include/libvirt/qemu_process.h; do
    [ -e "$prefix/$f" ] || { echo "install: missing $f"; fail=1; }
done
export PKG_CONFIG_PATH="$prefix/lib/pkgconfig"
[ "$(pkg-config --modversion libvirt)" = "9.0.0" ] || { echo "install: pkg-config version"; fail=1; }
cat > "$prefix/prog.c" <<'C'
#include <libvirt/libvirt.h>
#include <stdio.h>
int main(void) {
    virConnectPtr c = virConnectOpen("test:///default");
    printf("%d\n", virConnectNumOfDomains(c));
    return virConnectClose(c);
}
C
# shellcheck disable=SC2046
gcc -Wall -Wextra -Werror -o "$prefix/prog" "$prefix/prog.c" $(pkg-config --cflags --libs libvirt)
out=$(LD_LIBRARY_PATH="$prefix/lib" "$prefix/prog")
[ "$out" = "1" ] || { echo "install: program printed '$out'"; fail=1; }
ldd "$prefix/prog" | grep -q "$prefix/lib/libvirt.so.0" 2>/dev/null || LD_LIBRARY_PATH="$prefix/lib" ldd "$prefix/prog" | grep -q "$prefix/lib/libvirt.so.0" || { echo "install: not linked to the installed library"; fail=1; }
[ $fail = 0 ] && echo "install: ok (library, links, headers, pkg-config)"
exit $fail
