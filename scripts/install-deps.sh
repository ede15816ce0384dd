#!/usr/bin/env bash
# Install what the test suites need on a Debian 12 machine: Debian's libvirt 9.0 (the reference),
# qemu 7.2, and the tools the suites use. Says what it changes; changes nothing it need not.
#
# qemu-utils: some machine images ship a backported qemu-utils (10.x) whose Breaks: forbid
# bookworm's qemu-system-common 7.2. Whatever qemu-utils is there, we ask for the version that
# matches the qemu-system-x86 apt would install, allowing a downgrade: a no-op where they already
# match, an install where there is none, a downgrade of the backport where it is present.
#
# Opt out: OXVIRT_NO_INSTALL=1 (the suites then skip loudly what they cannot run).
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive

PACKAGES=(
    libvirt0 libvirt-dev libvirt-daemon libvirt-daemon-driver-qemu python3-libvirt
    qemu-system-x86 qemu-utils pkg-config
    python3-pytest valgrind gcc g++ make util-linux
    openssh-server openssh-client netcat-openbsd gnutls-bin sasl2-bin libsasl2-modules virtinst
    golang-go golang-github-libvirt-libvirt-go-dev
)

say() { echo "install-deps: $*"; }

if [ "${OXVIRT_NO_INSTALL:-}" = 1 ]; then say "OXVIRT_NO_INSTALL=1: installing nothing"; exit 0; fi
if [ "$(id -u)" != 0 ]; then say "not root: installing nothing (missing packages make suites SKIP)"; exit 0; fi
if ! command -v apt-get >/dev/null || ! command -v dpkg-query >/dev/null; then
    say "no apt-get: installing nothing"; exit 0
fi

installed_version() { { dpkg-query -W -f='${db:Status-Abbrev} ${Version}' "$1" 2>/dev/null || true; } | awk '$1=="ii"{print $2}'; }

missing=()
for p in "${PACKAGES[@]}"; do [ -n "$(installed_version "$p")" ] || missing+=("$p"); done

# The qemu-utils that goes with the qemu-system-x86 we will have.
qemu_ver=$(installed_version qemu-system-x86)
utils_ver=$(installed_version qemu-utils)
need_update=0
if [ ${#missing[@]} -gt 0 ]; then need_update=1; fi
if [ -n "$qemu_ver" ] && [ -n "$utils_ver" ] && [ "$qemu_ver" != "$utils_ver" ]; then need_update=1; fi
if [ $need_update = 0 ]; then say "everything is installed already"; exit 0; fi

say "apt-get update"
apt-get update -qq
if [ -z "$qemu_ver" ]; then
    qemu_ver=$(apt-cache policy qemu-system-x86 | awk '/Candidate:/{print $2}')
fi
args=()
for p in "${missing[@]}"; do [ "$p" = qemu-utils ] || args+=("$p"); done
if [ -n "$qemu_ver" ] && [ "$qemu_ver" != "(none)" ]; then
    if [ "$utils_ver" != "$qemu_ver" ]; then
        if [ -n "$utils_ver" ]; then
            say "qemu-utils $utils_ver does not match qemu-system-x86 $qemu_ver: installing qemu-utils=$qemu_ver (a downgrade)"
        fi
        args+=("qemu-utils=$qemu_ver")
    fi
else
    say "no qemu-system-x86 in the package lists: the qemu suites will SKIP"
    args=("${args[@]/qemu-system-x86/}")
fi
[ ${#args[@]} -gt 0 ] || { say "nothing to install"; exit 0; }
say "installing: ${args[*]}"
apt-get install -y -qq --no-install-recommends --allow-downgrades "${args[@]}" >/dev/null
say "done"
