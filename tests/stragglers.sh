# Sourced by the suites that start processes (qemu.sh, faults.sh, load.sh).
# stragglers [PATH]: the processes that belong to a run: their working directory, command line or
# stdout/stderr is under PATH (default $base): our qemu logs there, the reference's qemu names its
# root on its command line, test programs and their helpers run there. The caller kills them.
stragglers() {
    local p under=${1:-$base}
    for p in /proc/[0-9]*; do
        p=${p#/proc/}
        [ "$p" = $$ ] && continue
        if [ "$(readlink "/proc/$p/cwd" 2>/dev/null)" = "$under" ] ||
            tr '\0' ' ' 2>/dev/null <"/proc/$p/cmdline" | grep -qF "$under" ||
            readlink "/proc/$p/fd/1" "/proc/$p/fd/2" 2>/dev/null | grep -qF "$under"; then
            echo "$p"
        fi
    done
}
