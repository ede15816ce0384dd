/* The devices the qemu driver creates: file-backed disks (raw and qcow2, read-only too) and a
 * serial console logged to a file. The guest starts, qemu opened the images, the console log
 * exists, and the XML description keeps all of them; a format we do not support is refused. */
#include "qt.h"

static int make_image(const char *path, const char *fmt)
{
    char cmd[8192];
    snprintf(cmd, sizeof(cmd), "qemu-img create -q -f %s '%s' 1M", fmt, path);
    return system(cmd);
}

/* Does process `pid` hold `path` open? */
static int holds_open(pid_t pid, const char *path)
{
    char dir[64], link[4096], target[4096];
    snprintf(dir, sizeof(dir), "/proc/%d/fd", (int)pid);
    DIR *d = opendir(dir);
    if (!d)
        return 0;
    struct dirent *e;
    int found = 0;
    while (!found && (e = readdir(d))) {
        snprintf(link, sizeof(link), "%s/%s", dir, e->d_name);
        ssize_t n = readlink(link, target, sizeof(target) - 1);
        if (n > 0) {
            target[n] = 0;
            found = strcmp(target, path) == 0;
        }
    }
    closedir(d);
    return found;
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    char *root = qt_new_root("devices", 500, 500, 2000);
    virConnectPtr c = virConnectOpen(qt_uri(root));
    CHECK(c != NULL, "open %s", root);

    char raw[1024], qcow[1024], ro[1024], serial[1024], extra[8192];
    snprintf(raw, sizeof(raw), "%s/raw.img", root);
    snprintf(qcow, sizeof(qcow), "%s/disk.qcow2", root);
    snprintf(ro, sizeof(ro), "%s/ro.img", root);
    snprintf(serial, sizeof(serial), "%s/console.log", root);
    CHECK(make_image(raw, "raw") == 0 && make_image(qcow, "qcow2") == 0 && make_image(ro, "raw") == 0,
          "qemu-img made the images");
    snprintf(extra, sizeof(extra),
             "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
             "<target dev='vda' bus='virtio'/></disk>"
             "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/><source file='%s'/>"
             "<target dev='vdb' bus='virtio'/></disk>"
             "<disk type='file' device='disk'><driver name='qemu' type='raw'/><source file='%s'/>"
             "<target dev='vdc' bus='virtio'/><readonly/></disk>"
             "<serial type='file'><source path='%s'/></serial>",
             raw, qcow, ro, serial);
    virDomainPtr d = virDomainCreateXML(c, qt_xml("dev", NULL, NULL, extra), 0);
    CHECK(d != NULL, "a guest with raw, qcow2 and read-only disks and a serial log starts (%s)", qt_err_msg());
    if (d) {
        pid_t pid = qt_read_pidfile(root, "dev");
        CHECK(pid > 0 && holds_open(pid, raw), "qemu holds the raw image open");
        CHECK(pid > 0 && holds_open(pid, qcow), "qemu holds the qcow2 image open");
        CHECK(pid > 0 && holds_open(pid, ro), "qemu holds the read-only image open");
        CHECK(access(serial, F_OK) == 0, "the serial console log exists");
        char *x = virDomainGetXMLDesc(d, 0);
        CHECK(x && strstr(x, raw) && strstr(x, qcow) && strstr(x, "<readonly/>") && strstr(x, serial),
              "the XML description keeps the disks and the serial log");
        free(x);
        CHECK(virDomainDestroy(d) == 0, "destroy (%s)", qt_err_msg());
        CHECK(qt_wait_gone(pid, 5000), "qemu is gone");
        virDomainFree(d);
    }

    /* A disk format we do not create is refused by name, never dropped. */
    snprintf(extra, sizeof(extra),
             "<disk type='file' device='disk'><driver name='qemu' type='vmdk'/><source file='%s'/>"
             "<target dev='vda'/></disk>", raw);
    virDomainPtr bad = virDomainCreateXML(c, qt_xml("vmdk", NULL, NULL, extra), 0);
    CHECK(bad == NULL && qt_err_code() == VIR_ERR_CONFIG_UNSUPPORTED && strstr(qt_err_msg(), "disk"),
          "a vmdk disk is refused naming the disk (%d: %s)", qt_err_code(), qt_err_msg());
    /* A guest of type kvm without a usable /dev/kvm: a clear error, nothing started. */
    if (access("/dev/kvm", R_OK | W_OK) != 0) {
        char *k = qt_xml("kvm", NULL, NULL, "");
        memcpy(strstr(k, "type='qemu'"), "type='kvm' ", 11);
        virDomainPtr kd = virDomainCreateXML(c, k, 0);
        CHECK(kd == NULL && qt_err_code() == VIR_ERR_CONFIG_UNSUPPORTED && strstr(qt_err_msg(), "KVM"),
              "type='kvm' without /dev/kvm is refused clearly (%s)", qt_err_msg());
    }
    const char *left = qt_leftovers(root);
    CHECK(!*left, "no runtime file left:%s", left);
    CHECK(virConnectClose(c) == 0, "close");
    qt_rm_root(root);
    return qt_done();
}
