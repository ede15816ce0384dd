# shellcheck shell=bash
# Descriptors through a daemon (issue 18), sourced by tests/remote.sh, on the daemon's
# qemu:///session: a guest's VNC server by descriptor (c-tests/qemu/graphicsfd.c) over its unix
# socket (CALL_WITH_FDS / REPLY_WITH_FDS) and over TCP (where the reference's client refuses to
# send descriptors and loses the connection), and descriptors to qemu (c-tests/qemu/qemufds.c,
# libvirt-qemu's virDomainQemuMonitorCommandWithFiles, virDomainFDAssociate); the reference's
# client and ours on fresh daemons.
qemu_session_unix() { start_daemon a >&2 && echo "/tmp qemu+unix:///session?socket=$base/a/libvirt-sock"; }
qemu_session_tcp() { start_daemon a >&2 && echo "/tmp qemu+tcp://127.0.0.1:$(cat "$base/a/port")/session"; }
build_qemufds() {
    gcc $CFLAGS -Iinclude -o "$out/qemufds.ours" c-tests/remote/qemufds.c -L"$lib" -lvirt -lvirt-qemu -lpthread || return 1
    [ $have_ref = 0 ] || gcc $CFLAGS -o "$out/qemufds.ref" c-tests/remote/qemufds.c -lvirt -lvirt-qemu -lpthread
}
if ! command -v qemu-system-x86_64 >/dev/null 2>&1; then
    if [ "${CI:-}" = "true" ]; then bad "fds: qemu-system-x86_64 is missing under CI"
    else echo "######## SKIP: qemu-system-x86_64 is not installed: descriptors through a daemon skipped ########"; fi
else
    if build graphicsfd; then
        differential graphicsfd-unix graphicsfd qemu_session_unix
        differential graphicsfd-tcp graphicsfd qemu_session_tcp
    else
        bad "graphicsfd: does not compile"
    fi
    if build_qemufds; then
        differential qemufds-unix qemufds qemu_session_unix
        differential qemufds-tcp qemufds qemu_session_tcp
    else
        bad "qemufds: does not compile"
    fi
    stop_daemon a
fi
