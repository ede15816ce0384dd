# shellcheck shell=bash
# Device hot-plug (c-tests/qemu/hotplug.c, issue 16), sourced by tests/qemu.sh: attach, detach and
# update with CONFIG / LIVE / CURRENT on a stopped and a running guest (disks on virtio, SCSI and
# USB, cdrom media, user interfaces), the DEVICE_ADDED / DEVICE_REMOVED events and the errors; the
# same output as the reference's embedded driver (Debian's libvirt 9.0), Debian's binary run on
# both and ours built against our headers.
hotplug() {
    if ! have_ref; then
        if [ "${CI:-}" = "true" ]; then bad "hotplug: Debian's libvirt with its qemu driver is missing under CI"; return; fi
        echo "######## SKIP: Debian's libvirt with its qemu driver is not installed: hotplug skipped ########"
        return
    fi
    ref_setup
    gcc $CFLAGS -Iinclude -o "$out/hotplug.ours" c-tests/qemu/hotplug.c -L"$lib" -lvirt -lpthread &&
        gcc $CFLAGS -o "$out/hotplug.ref" c-tests/qemu/hotplug.c -lvirt -lpthread ||
        { bad "hotplug: does not compile"; return; }
    local who bin lp r w
    for who in ref theirs-on-ours ours; do
        case $who in
            ref) bin=hotplug.ref lp= ;;
            theirs-on-ours) bin=hotplug.ref lp=$lib ;;
            ours) bin=hotplug.ours lp=$lib ;;
        esac
        r=$(new_root "hotplug-$who")
        w=$(mktemp -d "$base/hotplug-work.XXXXXX")
        qemu-img create -q -f qcow2 "$w/a.qcow2" 16M && qemu-img create -q -f qcow2 "$w/b.qcow2" 16M &&
            qemu-img create -q -f raw "$w/c.raw" 4M && qemu-img create -q -f raw "$w/cd.iso" 1M ||
            { bad "hotplug: qemu-img failed"; return; }
        (cd "$base" && LD_LIBRARY_PATH="$lp" timeout -k 5 300 "$out/$bin" "$r" "$w") \
            >"$out/hotplug.$who.out" 2>"$out/hotplug.$who.err"
        echo "exit $?" >>"$out/hotplug.$who.out"
        sed -i -e "s|$r|ROOT|g" -e "s|$w|WORK|g" "$out/hotplug.$who.out"
    done
    if diff -u "$out/hotplug.ref.out" "$out/hotplug.theirs-on-ours.out" >"$out/hotplug.diff" &&
        diff -u "$out/hotplug.ref.out" "$out/hotplug.ours.out" >>"$out/hotplug.diff"; then
        ok "hotplug: same as libvirt 9.0 ($(wc -l <"$out/hotplug.ref.out") lines)"
    else
        bad "hotplug: differs from libvirt 9.0"; head -60 "$out/hotplug.diff"
    fi
}
