#!/usr/bin/env bash
# The main job: build the library and the demo, then run the demo on real qemu guests in a
# temporary root when qemu and our qemu driver are available, else on test:///default.
set -euo pipefail
top=$(cd "$(dirname "$0")/.." && pwd)
cd "$top"
mkdir -p build/examples
gcc -std=gnu11 -Wall -Wextra -Werror -Iinclude -o build/examples/demo examples/demo.c -Lbuild/lib -lvirt -lpthread
uri="test:///default"
if command -v qemu-system-x86_64 >/dev/null 2>&1; then
    root=$(mktemp -d /tmp/oxvirt-demo.XXXXXX)
    trap 'rm -rf "$root"' EXIT
    mkdir -p "$root/etc"
    # Short kill-engine timeouts so the hung-guest steps take a second each, not 15 and 10.
    printf 'oxvirt_graceful_timeout_ms = 1000\noxvirt_grace_before_sigkill_ms = 1000\n' > "$root/etc/qemu.conf"
    uri="qemu:///embed?root=$root"
else
    echo "note: qemu-system-x86_64 is not installed; running the same story on test:///default"
fi
LD_LIBRARY_PATH=build/lib exec build/examples/demo "$uri"
