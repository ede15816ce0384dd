/* Device hot-plug on the qemu driver (issue 16), a differential probe: built against Debian's
 * headers, run on a fresh root against Debian's libvirt 9.0 (its embedded qemu driver) and
 * against oxvirt; tests/qemu.sh compares the outputs after normalising the paths.
 *
 * The persistent definition is shown by what the calls change in it (targets, sources, MACs,
 * models); the running guest's devices in full.
 *
 * A persistent guest (TCG, no OS) with a virtio-scsi controller and an empty IDE cdrom:
 * virDomainAttachDevice(Flags), DetachDevice(Flags) and UpdateDeviceFlags with CONFIG, LIVE and
 * CURRENT on the inactive and the running guest, for disks (virtio, SCSI, USB), cdrom media and
 * user-mode interfaces; the DEVICE_ADDED / DEVICE_REMOVED events with their aliases; the devices
 * of the live and the persistent XML after each step; the reference's errors (inactive guest with
 * LIVE, no such device, a device type it cannot plug). Nothing that differs from run to run
 * (ids, pids, MAC addresses, UUIDs) is printed.
 *
 * usage: hotplug ROOT WORKDIR   (ROOT holds etc/qemu.conf; WORKDIR holds a.qcow2, b.qcow2,
 *        c.raw and cd.iso) */
#include "qt.h"

static const char *work;
static pthread_mutex_t ev_lock = PTHREAD_MUTEX_INITIALIZER;
static char ev_buf[4096];

static void on_added(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
    (void)c;
    (void)opaque;
    pthread_mutex_lock(&ev_lock);
    snprintf(ev_buf + strlen(ev_buf), sizeof(ev_buf) - strlen(ev_buf), " added(%s,%s)",
             virDomainGetName(d), alias);
    pthread_mutex_unlock(&ev_lock);
}

static void on_removed(virConnectPtr c, virDomainPtr d, const char *alias, void *opaque)
{
    (void)c;
    (void)opaque;
    pthread_mutex_lock(&ev_lock);
    snprintf(ev_buf + strlen(ev_buf), sizeof(ev_buf) - strlen(ev_buf), " removed(%s,%s)",
             virDomainGetName(d), alias);
    pthread_mutex_unlock(&ev_lock);
}

/* The device events delivered since the last call, after letting the loop run a moment. */
static void show_events(const char *what)
{
    qt_sleep_ms(300);
    pthread_mutex_lock(&ev_lock);
    printf("%s: events:%s\n", what, ev_buf[0] ? ev_buf : " none");
    ev_buf[0] = 0;
    pthread_mutex_unlock(&ev_lock);
}

/* The <devices> part of the XML, MAC addresses blanked, one line per XML line. */
static void show_devices(const char *what, virDomainPtr d, unsigned int flags)
{
    char *x = virDomainGetXMLDesc(d, flags);
    if (!x) {
        show_error(what);
        return;
    }
    char *s = strstr(x, "<devices>");
    char *e = s ? strstr(s, "</devices>") : NULL;
    if (!s || !e) {
        printf("%s: no <devices>\n", what);
        free(x);
        return;
    }
    e[0] = 0;
    printf("%s:\n", what);
    for (char *line = strtok(s, "\n"); line; line = strtok(NULL, "\n")) {
        char *mac = strstr(line, "<mac address='");
        if (mac)
            memcpy(mac + 14, "XX:XX:XX:XX:XX:XX", 17);
        if (strstr(line, "<emulator>") || strstr(line, "<audio ") || strstr(line, "<input "))
            continue;
        /* The persistent definition: only what the calls change (its implicit devices and
         * addresses are the define-time defaults, not hot-plug's business). */
        if ((flags & VIR_DOMAIN_XML_INACTIVE) && !strstr(line, "<target dev=") &&
            !strstr(line, "<source ") && !strstr(line, "<mac ") && !strstr(line, "<model type="))
            continue;
        printf("  %s\n", line);
    }
    free(x);
}

static char *fmt(const char *template)
{
    static char buf[8][2048];
    static int n;
    char *b = buf[n++ % 8];
    /* @W@ stands for the work directory. */
    size_t o = 0;
    for (const char *p = template; *p && o + 512 < sizeof(buf[0]); p++) {
        if (strncmp(p, "@W@", 3) == 0) {
            o += snprintf(b + o, sizeof(buf[0]) - o, "%s", work);
            p += 2;
        } else {
            b[o++] = *p;
        }
    }
    b[o] = 0;
    return b;
}

#define DISK_VDB "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>" \
                 "<source file='@W@/a.qcow2'/><target dev='vdb' bus='virtio'/></disk>"
#define DISK_SDA "<disk type='file' device='disk'><driver name='qemu' type='qcow2'/>" \
                 "<source file='@W@/b.qcow2'/><target dev='sda' bus='scsi'/></disk>"
#define DISK_USB "<disk type='file' device='disk'><driver name='qemu' type='raw'/>" \
                 "<source file='@W@/c.raw'/><target dev='sdb' bus='usb'/></disk>"
#define CDROM_MEDIA "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>" \
                    "<source file='@W@/cd.iso'/><target dev='hdc' bus='ide'/><readonly/></disk>"
#define CDROM_EMPTY "<disk type='file' device='cdrom'><driver name='qemu' type='raw'/>" \
                    "<target dev='hdc' bus='ide'/><readonly/></disk>"
#define NIC_USER "<interface type='user'><mac address='52:54:00:12:34:56'/><model type='virtio'/></interface>"
#define NIC_USER_E1000 "<interface type='user'><mac address='52:54:00:12:34:57'/><model type='e1000'/></interface>"
#define MISSING_DISK "<disk type='file' device='disk'><source file='/nonexistent.img'/>" \
                     "<target dev='vdz' bus='virtio'/></disk>"
#define NOT_PLUGGABLE "<video><model type='vga'/></video>"

static void attach(const char *what, virDomainPtr d, const char *xml, int flags)
{
    int r = flags < 0 ? virDomainAttachDevice(d, fmt(xml)) : virDomainAttachDeviceFlags(d, fmt(xml), flags);
    if (r < 0)
        show_error(what);
    else
        printf("%s: %d\n", what, r);
    show_events(what);
}

static void detach(const char *what, virDomainPtr d, const char *xml, int flags)
{
    int r = flags < 0 ? virDomainDetachDevice(d, fmt(xml)) : virDomainDetachDeviceFlags(d, fmt(xml), flags);
    if (r < 0)
        show_error(what);
    else
        printf("%s: %d\n", what, r);
    show_events(what);
}

static void update(const char *what, virDomainPtr d, const char *xml, int flags)
{
    if (virDomainUpdateDeviceFlags(d, fmt(xml), flags) < 0)
        show_error(what);
    else
        printf("%s: 0\n", what);
    show_events(what);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: hotplug ROOT WORKDIR\n");
        return 2;
    }
    work = argv[2];
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (qt_start_default_loop() < 0) {
        printf("no event loop: %s\n", qt_err_msg());
        return 1;
    }
    char *uri = qt_uri(argv[1]);
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        printf("cannot open: %s\n", qt_err_msg());
        return 1;
    }
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_ADDED,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_added), NULL, NULL);
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_DEVICE_REMOVED,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_removed), NULL, NULL);

    virDomainPtr d = virDomainDefineXML(
        c, qt_xml("hp", "3f6f2a9e-3c1b-4a55-9d7e-000000000016", NULL,
                  "<controller type='scsi' model='virtio-scsi'/>" CDROM_EMPTY));
    if (!d) {
        show_error("define");
        return 1;
    }

    /* Inactive: LIVE is refused, CONFIG and CURRENT change the persistent definition. */
    attach("inactive attach (no flags)", d, DISK_VDB, -1);
    attach("inactive attach live", d, DISK_VDB, VIR_DOMAIN_AFFECT_LIVE);
    attach("inactive attach config", d, DISK_VDB, VIR_DOMAIN_AFFECT_CONFIG);
    attach("inactive attach config again", d, DISK_VDB, VIR_DOMAIN_AFFECT_CONFIG);
    attach("inactive attach current nic", d, NIC_USER, VIR_DOMAIN_AFFECT_CURRENT);
    show_devices("inactive config after attach", d, VIR_DOMAIN_XML_INACTIVE);
    detach("inactive detach live", d, DISK_VDB, VIR_DOMAIN_AFFECT_LIVE);
    detach("inactive detach config", d, DISK_VDB, VIR_DOMAIN_AFFECT_CONFIG);
    detach("inactive detach config missing", d, DISK_VDB, VIR_DOMAIN_AFFECT_CONFIG);
    detach("inactive detach current nic", d, NIC_USER, VIR_DOMAIN_AFFECT_CURRENT);
    update("inactive update config cdrom", d, CDROM_MEDIA, VIR_DOMAIN_AFFECT_CONFIG);
    show_devices("inactive config after update", d, VIR_DOMAIN_XML_INACTIVE);
    update("inactive update config cdrom eject", d, CDROM_EMPTY, VIR_DOMAIN_AFFECT_CONFIG);
    attach("inactive attach video", d, NOT_PLUGGABLE, VIR_DOMAIN_AFFECT_CONFIG);
    if (virDomainAttachDeviceFlags(d, "<disk", VIR_DOMAIN_AFFECT_CONFIG) < 0)
        show_xml_error("inactive attach bad xml");

    if (virDomainCreate(d) < 0) {
        show_error("start");
        return 1;
    }
    show_devices("running live", d, 0);

    /* Running: LIVE plugs into qemu, CONFIG only changes the next boot's definition. */
    attach("live attach vdb", d, DISK_VDB, -1);
    attach("live attach vdb again", d, DISK_VDB, VIR_DOMAIN_AFFECT_LIVE);
    attach("live attach scsi", d, DISK_SDA, VIR_DOMAIN_AFFECT_LIVE);
    attach("live attach usb", d, DISK_USB, VIR_DOMAIN_AFFECT_CURRENT);
    attach("live attach nic", d, NIC_USER, VIR_DOMAIN_AFFECT_LIVE);
    attach("live+config attach nic e1000", d, NIC_USER_E1000,
           VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG);
    attach("live attach missing file", d, MISSING_DISK, VIR_DOMAIN_AFFECT_LIVE);
    attach("live attach video", d, NOT_PLUGGABLE, VIR_DOMAIN_AFFECT_LIVE);
    show_devices("live after attach", d, 0);
    show_devices("config after live attach", d, VIR_DOMAIN_XML_INACTIVE);

    update("live update cdrom insert", d, CDROM_MEDIA, VIR_DOMAIN_AFFECT_LIVE);
    show_devices("live after insert", d, 0);
    update("live update cdrom eject", d, CDROM_EMPTY, VIR_DOMAIN_AFFECT_LIVE);
    update("live update missing", d, MISSING_DISK, VIR_DOMAIN_AFFECT_LIVE);

    detach("live detach scsi", d, DISK_SDA, VIR_DOMAIN_AFFECT_LIVE);
    detach("live detach usb", d, DISK_USB, -1);
    detach("live detach missing", d, MISSING_DISK, VIR_DOMAIN_AFFECT_LIVE);
    detach("live detach config-only nic", d, NIC_USER_E1000, VIR_DOMAIN_AFFECT_CONFIG);
    show_devices("live after detach", d, 0);
    show_devices("config after detach", d, VIR_DOMAIN_XML_INACTIVE);

    virDomainDestroy(d);
    show_devices("config after destroy", d, VIR_DOMAIN_XML_INACTIVE);
    virDomainUndefine(d);
    virDomainFree(d);

    /* With ACPI the PCI bus takes hot-plugged devices; without a guest OS nobody lets them go:
     * the detach waits its 5 s and answers 0 with the device still there, no event. */
    char acpi[2048];
    snprintf(acpi, sizeof(acpi),
             "<domain type='qemu'><name>hpa</name><memory unit='MiB'>64</memory><vcpu>1</vcpu>"
             "<os><type arch='x86_64'>hvm</type></os><features><acpi/></features>"
             "<devices><emulator>%s</emulator></devices></domain>",
             qt_emulator());
    virDomainPtr t = virDomainCreateXML(c, acpi, 0);
    if (!t) {
        show_error("acpi start");
        return 1;
    }
    attach("acpi attach vdb", t, DISK_VDB, VIR_DOMAIN_AFFECT_LIVE);
    attach("acpi attach nic", t, NIC_USER, VIR_DOMAIN_AFFECT_LIVE);
    attach("acpi attach nic e1000", t, NIC_USER_E1000, VIR_DOMAIN_AFFECT_CURRENT);
    attach("acpi attach config on transient", t, DISK_SDA, VIR_DOMAIN_AFFECT_CONFIG);
    show_devices("acpi live after attach", t, 0);
    detach("acpi detach vdb", t, DISK_VDB, VIR_DOMAIN_AFFECT_LIVE);
    detach("acpi detach nic", t, NIC_USER, -1);
    show_devices("acpi live after detach", t, 0);
    virDomainDestroy(t);
    virDomainFree(t);
    virConnectClose(c);
    free(uri);
    return 0;
}
