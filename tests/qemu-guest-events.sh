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
    guest_kernel=$(guest_events_kernel) || { cat "$out/eventkernel.err"; bad "guestevents: the kernel does not assemble"; return; }
    gcc $CFLAGS -Iinclude -o "$out/guestevents.ours" c-tests/qemu/guestevents.c -L"$lib" -lvirt -lpthread &&
        gcc $CFLAGS -o "$out/guestevents.ref" c-tests/qemu/guestevents.c -lvirt -lpthread ||
        { bad "guestevents: does not compile"; return; }
    local mode
    for mode in ${QT_GUEST_EVENTS_MODES:-rtc watchdog pm ioerror save balloon}; do
        three_way guestevents "$mode" 60 guest_events_prepare
    done
}

# Before each run: the kernel (and for ioerror a disk on a full tmpfs, unmounted once the run has
# destroyed its guest) as the program's arguments, their paths masked in the output.
guest_events_prepare() { # mode
    run_args=("$guest_kernel") run_masks=(-e "s|$guest_kernel|KERNEL|g")
    [ "$1" = ioerror ] || return 0
    local mnt disk
    mnt=$(mktemp -d "$base/full.XXXXXX")
    disk=$(guest_events_full_disk "$mnt") || { bad "guestevents: cannot mount a tmpfs at $mnt (not root?)"; return 1; }
    run_args+=("$disk") run_masks+=(-e "s|$disk|DISK|g")
    run_finish="guest_events_unmount $mnt"
}

guest_events_unmount() { # dir
    umount "$1" || umount -l "$1"
}
