/* qemu.conf probe: for each case, a fresh qemu:///embed root whose etc/qemu.conf is the base
 * configuration plus the case's text, opened in a child process of its own (the reference's
 * embedded driver serves one root per process). Prints whether the root opened, or the error's
 * code, domain and message. argv[1] is a scratch directory. */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

static const char base[] = "user = \"root\"\ngroup = \"root\"\nsecurity_driver = \"none\"\n"
                           "namespaces = []\ncgroup_controllers = []\nstdio_handler = \"file\"\n";

static const struct {
    const char *name;
    const char *text;
} cases[] = {
    {"valid", "# a comment\nvnc_listen = \"0.0.0.0\" # trailing\nmax_processes = 10\n"},
    {"hash-in-string", "vnc_listen = \"a#b\"\n"},
    {"single-quotes", "vnc_listen = '127.0.0.1'\n"},
    {"list-lines", "cgroup_device_acl = [\n  \"/dev/null\", # one\n  \"/dev/full\",\n]\n"},
    {"semicolon", "vnc_tls = 1;\n"},
    {"oxvirt-keys", "oxvirt_graceful_timeout_ms = 250\noxvirt_monitor_timeout_ms = 5000\n"},
    {"unterminated-string", "vnc_listen = \"0.0.0.0\n"},
    {"missing-value", "vnc_listen =\n"},
    {"missing-equals", "vnc_listen \"x\"\n"},
    {"garbage-after-value", "vnc_listen = \"x\" y\n"},
    {"bad-name", "1abc = 1\n"},
    {"unclosed-list", "cgroup_device_acl = [ \"/dev/null\"\n"},
    {"list-missing-comma", "cgroup_device_acl = [ \"a\" \"b\" ]\n"},
    {"bare-word", "vnc_listen = yes\n"},
    {"bool-is-2", "vnc_tls = 2\n"},
    {"bool-is-string", "vnc_tls = \"1\"\n"},
    {"string-is-int", "vnc_listen = 1\n"},
    {"list-is-string", "namespaces = \"mount\"\n"},
    {"int-is-string", "max_processes = \"10\"\n"},
    {"int-negative", "max_processes = -1\n"},
    {"second-line-error", "vnc_tls = 1\nvnc_listen = \n"},
    {"list-multiline", "cgroup_device_acl = [\n  \"/dev/null\",\n  \"/dev/full\"\n]\n"},
    {"list-trailing-comma", "cgroup_device_acl = [ \"a\", \"b\", ]\n"},
    {"list-comment-after-value", "cgroup_device_acl = [ \"a\" # c\n , \"b\" ]\n"},
    {"list-empty-multiline", "cgroup_device_acl = [\n]\n"},
    {"list-is-int", "cgroup_device_acl = 1\n"},
    {"list-of-ints", "cgroup_device_acl = [ 1 ]\n"},
    {"nested-list", "cgroup_device_acl = [ [ \"a\" ] ]\n"},
    {"triple-quoted", "vnc_listen = \"\"\"a\nb\"\"\"\n"},
    {"unknown-key-list", "foo_bar = [ 1, \"x\" ]\n"},
    {"max-core-unlimited", "max_core = \"unlimited\"\n"},
    {"max-core-word", "max_core = \"lots\"\n"},
    {"no-final-newline", "vnc_tls = 1"},
    {"dotted-name", "a.b = 1\n"},
    {"signed-int", "max_processes = +5\n"},
    {"empty-string", "vnc_listen = \"\"\n"},
};

static int write_file(const char *path, const char *a, const char *b) {
    FILE *f = fopen(path, "w");
    if (!f)
        return -1;
    fputs(a, f);
    fputs(b, f);
    return fclose(f);
}

static void quiet(void *opaque, virErrorPtr err) {
    (void)opaque;
    (void)err;
}

static void probe(const char *root) {
    virSetErrorFunc(NULL, quiet);
    if (virEventRegisterDefaultImpl() < 0)
        _exit(2);
    char uri[4200];
    snprintf(uri, sizeof uri, "qemu:///embed?root=%s", root);
    virConnectPtr conn = virConnectOpen(uri);
    if (conn) {
        printf("opened\n");
        virConnectClose(conn);
    } else {
        virErrorPtr e = virGetLastError();
        printf("error code=%d domain=%d msg=%s\n", e ? e->code : -1, e ? e->domain : -1,
               e ? e->message : "(none)");
    }
    fflush(stdout);
    _exit(0);
}

int main(int argc, char **argv) {
    if (argc < 2) {
        fprintf(stderr, "usage: %s SCRATCH\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char root[4096], etc[4200], conf[4300];
        snprintf(root, sizeof root, "%s/%s", argv[1], cases[i].name);
        snprintf(etc, sizeof etc, "%s/etc", root);
        snprintf(conf, sizeof conf, "%s/qemu.conf", etc);
        if (mkdir(root, 0700) < 0 || mkdir(etc, 0700) < 0 || write_file(conf, base, cases[i].text) < 0)
            return 2;
        printf("[%s] ", cases[i].name);
        pid_t pid = fork();
        if (pid < 0)
            return 2;
        if (pid == 0)
            probe(root);
        int status;
        if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            printf("child failed (status %d)\n", status);
    }
    return 0;
}
