/* virConnectGetDomainCapabilities on the embedded qemu driver (issue 17), differential: the same
 * program runs on Debian's libvirt 9.0 and on ours; tests/qemu.sh compares the outputs byte for
 * byte. Each case prints the whole XML, or the error (code, domain, message). tests/qemu.sh
 * replaces the root's path and the six random characters of the directory the reference makes
 * for probing a program that is not qemu (`qmp-XXXXXX`).
 *
 * usage: domcaps ROOT */
#include "qt.h"
#include <sys/stat.h>

static void domcaps(virConnectPtr c, const char *emulator, const char *arch, const char *machine,
                    const char *virttype, unsigned int flags)
{
    printf("=== emulator=%s arch=%s machine=%s virttype=%s flags=0x%x\n",
           emulator ? emulator : "NULL", arch ? arch : "NULL", machine ? machine : "NULL",
           virttype ? virttype : "NULL", flags);
    char *x = virConnectGetDomainCapabilities(c, emulator, arch, machine, virttype, flags);
    if (x)
        printf("%s", x);
    else
        show_error("error");
    free(x);
    virResetLastError();
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    (void)qt_start_default_loop();
    if (argc != 2) {
        fprintf(stderr, "usage: %s ROOT\n", argv[0]);
        return 2;
    }
    qt_subreaper();
    qt_start_reaper();
    virConnectPtr c = qt_open(argv[1]);
    const char *x86 = "/usr/bin/qemu-system-x86_64";
    const char *i386 = "/usr/bin/qemu-system-i386";

    domcaps(c, NULL, NULL, NULL, NULL, 0);
    domcaps(c, x86, NULL, NULL, NULL, 0);
    domcaps(c, NULL, "x86_64", NULL, NULL, 0);
    domcaps(c, NULL, NULL, "pc", NULL, 0);
    domcaps(c, NULL, NULL, "q35", NULL, 0);
    domcaps(c, NULL, NULL, "pc-i440fx-5.2", NULL, 0);
    domcaps(c, NULL, NULL, "pc-q35-6.0", "qemu", 0);
    domcaps(c, NULL, NULL, "isapc", "qemu", 0);
    domcaps(c, NULL, NULL, "microvm", "qemu", 0);
    domcaps(c, NULL, NULL, NULL, "qemu", 0);
    domcaps(c, NULL, NULL, "q35", "qemu", 0);
    domcaps(c, NULL, NULL, NULL, "kvm", 0);
    /* qemu-system-i386 under TCG: its `max` CPU lacks much of EPYC, so the reference's penalty
     * for features to disable makes it Opteron_G2. */
    domcaps(c, NULL, "i686", NULL, "qemu", 0);
    domcaps(c, i386, NULL, "pc", "qemu", 0);

    /* refusals */
    domcaps(c, NULL, "armv7l", NULL, NULL, 0);
    domcaps(c, NULL, "bogus", NULL, NULL, 0);
    domcaps(c, NULL, NULL, "no-such-machine", NULL, 0);
    domcaps(c, NULL, NULL, "none", NULL, 0);
    domcaps(c, NULL, NULL, NULL, "xen", 0);
    domcaps(c, NULL, NULL, NULL, "bogus", 0);
    domcaps(c, NULL, NULL, NULL, "", 0);
    domcaps(c, "/nonexistent/qemu", NULL, NULL, NULL, 0);
    domcaps(c, "/bin/true", NULL, NULL, NULL, 0);
    /* A program that greets as qemu does on its stdio, then exits: what the probe writes next
     * must fail as an error, not kill this process with SIGPIPE. */
    char fake[4096];
    snprintf(fake, sizeof fake, "%s/greet-and-exit", argv[1]);
    FILE *f = fopen(fake, "w");
    if (f) {
        fputs("#!/bin/sh\necho '{\"QMP\": {\"version\": {}, \"capabilities\": []}}'\n", f);
        fclose(f);
        chmod(fake, 0755);
    }
    domcaps(c, fake, NULL, NULL, NULL, 0);
    domcaps(c, x86, "i686", NULL, NULL, 0);
    domcaps(c, i386, "x86_64", NULL, NULL, 0);
    domcaps(c, x86, "aarch64", NULL, NULL, 0);
    domcaps(c, NULL, NULL, NULL, "none", 0);
    domcaps(c, NULL, NULL, NULL, "kqemu", 0);
    domcaps(c, NULL, NULL, NULL, "hvf", 0);
    domcaps(c, NULL, "none", NULL, NULL, 0);
    domcaps(c, NULL, "aarch64", NULL, NULL, 0);
    /* which check comes first */
    domcaps(c, NULL, "bogus", NULL, "bogus", 0);
    domcaps(c, "/nonexistent/qemu", "bogus", NULL, NULL, 0);
    domcaps(c, "/nonexistent/qemu", NULL, NULL, "bogus", 0);
    domcaps(c, i386, "x86_64", "bogus", "xen", 0);
    domcaps(c, i386, "aarch64", "bogus", "xen", 0);
    domcaps(c, NULL, NULL, "bogus", "xen", 0);
    domcaps(c, NULL, "armv7l", "bogus", "xen", 0);
    domcaps(c, NULL, NULL, NULL, "bogus", 1);
    domcaps(c, NULL, NULL, NULL, NULL, 1);
    domcaps(c, NULL, NULL, NULL, NULL, 0x80000000);
    qt_close(c);
    return 0;
}
