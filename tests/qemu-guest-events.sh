# shellcheck shell=bash
# qemu's guest events as libvirt's (c-tests/qemu/guestevents.c, issue 17), sourced by
# tests/qemu.sh: RTC change, watchdog, I/O error (and its reason), PM suspend and wake-up, a
# save's job-completed event and balloon change, raised by a tiny kernel the guests boot
# (c-tests/qemu/eventkernel.S, assembled here with binutils); each mode on a fresh root, on the reference (Debian's libvirt
# 9.0), on ours through Debian's build and on ours; outputs compared. The I/O error's disk lives
# on a 64 KiB tmpfs filled to the brim (root is needed to mount it, as for the reference).
guest_events_kernel() { # -> path of the assembled kernel, or nothing
    as --32 -o "$out/eventkernel.o" c-tests/qemu/eventkernel.S 2>"$out/eventkernel.err" &&
        ld -m elf_i386 -N -Ttext=0x100000 -e _start --no-warn-rwx-segments \
            -o "$out/eventkernel.elf" "$out/eventkernel.o" 2>>"$out/eventkernel.err" &&
        echo "$out/eventkernel.elf"
}

guest_events_full_disk() { # dir -> a 1 MiB sparse image on a full tmpfs mounted at dir
    mkdir -p "$1" && mount -t tmpfs -o size=64k tmpfs "$1" || return 1
    truncate -s 1M "$1/disk.raw"
    dd if=/dev/zero of="$1/fill" bs=4k 2>/dev/null
    echo "$1/disk.raw"
}

guest_events() {
    if ! have_ref || ! command -v as >/dev/null || ! command -v ld >/dev/null; then
        if [ "${CI:-}" = "true" ]; then bad "guestevents: Debian's libvirt with its qemu driver or binutils is missing under CI"; return; fi
        echo "######## SKIP: Debian's libvirt with its qemu driver or binutils is not installed: guestevents skipped ########"
        return
    fi
    ref_setup
    local kernel
    kernel=$(guest_events_kernel) || { cat "$out/eventkernel.err"; bad "guestevents: the kernel does not assemble"; return; }
    gcc $CFLAGS -Iinclude -o "$out/guestevents.ours" c-tests/qemu/guestevents.c -L"$lib" -lvirt -lpthread &&
        gcc $CFLAGS -o "$out/guestevents.ref" c-tests/qemu/guestevents.c -lvirt -lpthread ||
        { bad "guestevents: does not compile"; return; }
    local mode who bin lp r mnt disk attempt
    for mode in ${QT_GUEST_EVENTS_MODES:-rtc watchdog pm ioerror save balloon}; do
        for who in ref theirs-on-ours ours; do
            case $who in
                ref) bin=guestevents.ref lp= ;;
                theirs-on-ours) bin=guestevents.ref lp=$lib ;;
                ours) bin=guestevents.ours lp=$lib ;;
            esac
            for attempt in 1 2; do
                r=$(new_root "guestevents-$mode-$who")
                disk=
                if [ "$mode" = ioerror ]; then
                    mnt=$(mktemp -d "$base/full.XXXXXX")
                    disk=$(guest_events_full_disk "$mnt") || { bad "guestevents: cannot mount a tmpfs at $mnt (not root?)"; return; }
                fi
                (cd "$base" && LD_LIBRARY_PATH=$lp timeout -k 5 300 "$out/$bin" "$mode" "$r" "$kernel" $disk) \
                    >"$out/guestevents.$mode.$who.out" 2>"$out/guestevents.$mode.$who.err"
                echo "exit $?" >>"$out/guestevents.$mode.$who.out"
                [ "$who" = ref ] && ref_leftovers "guestevents $mode" "$r"
                # The disk is unmounted once its qemu is gone (the run destroyed its guest).
                [ -n "$disk" ] && { umount "$mnt" || umount -l "$mnt"; }
                # The reference sometimes loses its own capability-probing qemu on a loaded
                # machine ("unable to wait for process N"): measured once more on a fresh root.
                [ "$who" = ref ] && grep -q "unable to wait for process" "$out/guestevents.$mode.$who.out" || break
                echo "NOTE guestevents $mode: the reference lost its own probe's qemu; measuring it once more"
            done
            sed -i -E -e "s|$r|ROOT|g" -e "s|$kernel|KERNEL|g" ${disk:+-e "s|$disk|DISK|g"} \
                -e 's/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/UUID/g' "$out/guestevents.$mode.$who.out"
        done
        if diff -u "$out/guestevents.$mode.ref.out" "$out/guestevents.$mode.theirs-on-ours.out" >"$out/guestevents.$mode.diff" &&
            diff -u "$out/guestevents.$mode.ref.out" "$out/guestevents.$mode.ours.out" >>"$out/guestevents.$mode.diff"; then
            ok "guestevents $mode: same as libvirt 9.0 ($(wc -l <"$out/guestevents.$mode.ref.out") lines)"
        else
            bad "guestevents $mode: differs from libvirt 9.0"; head -60 "$out/guestevents.$mode.diff"
        fi
    done
}
