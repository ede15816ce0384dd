/* Controlling real guests (issue 17), differential: the same program runs on Debian's libvirt 9.0
 * (its embedded qemu driver) and on ours; tests/qemu.sh compares the outputs. Each call prints its
 * result, its error (code, domain, message, ...) and the lifecycle events it raised.
 *
 * usage: control control|save|autostart-define|autostart-check ROOT
 *        control save-only|restore-only ROOT IMAGE (a save image passed between the libraries) */
#include "qt.h"

static const char *root_dir;

/* Events beyond the lifecycle go into qt.h's list as 100+ID/ARG: reboot 101/0, balloon change
 * 113/(KiB), metadata change 123/TYPE. */
static void note_event(virDomainPtr d, int event, int detail)
{
    pthread_mutex_lock(&qt_ev_lock);
    if (qt_nevents < QT_MAX_EVENTS) {
        snprintf(qt_events[qt_nevents].name, sizeof(qt_events[0].name), "%s", virDomainGetName(d));
        qt_events[qt_nevents].event = event;
        qt_events[qt_nevents].detail = detail;
        qt_nevents++;
    }
    pthread_mutex_unlock(&qt_ev_lock);
}

static void on_reboot(virConnectPtr c, virDomainPtr d, void *opaque)
{
    (void)c;
    (void)opaque;
    note_event(d, 100 + VIR_DOMAIN_EVENT_ID_REBOOT, 0);
}

static void on_balloon(virConnectPtr c, virDomainPtr d, unsigned long long actual, void *opaque)
{
    (void)c;
    (void)opaque;
    note_event(d, 100 + VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE, (int)actual);
}

static void on_metadata(virConnectPtr c, virDomainPtr d, int type, const char *nsuri, void *opaque)
{
    (void)c;
    (void)opaque;
    note_event(d, 100 + VIR_DOMAIN_EVENT_ID_METADATA_CHANGE, type * 10 + (nsuri != NULL));
}

static void watch_more(virConnectPtr c)
{
    if (!qt_events_on)
        return;
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_reboot), NULL, NULL);
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_BALLOON_CHANGE,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_balloon), NULL, NULL);
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_METADATA_CHANGE,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_metadata), NULL, NULL);
}

static void result(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    if (r < 0)
        show_error(what);
    virResetLastError();
}

static void events(const char *name)
{
    printf("  events: [%s]\n", qt_events_of(name, 400));
    qt_events_clear();
}

/* The poke's events: a guest with no OS may reset itself again after the NMI or the keys, a
 * varying number of times on either library, so repeats of one event are shown once. */
static void events_collapsed(const char *name)
{
    char out[1024] = "", last[32] = "";
    char *all = strdup(qt_events_of(name, 400));
    for (char *save = NULL, *tok = strtok_r(all, " ", &save); tok; tok = strtok_r(NULL, " ", &save)) {
        if (strcmp(tok, last) == 0)
            continue;
        snprintf(last, sizeof(last), "%s", tok);
        if (strlen(out) + strlen(tok) + 2 < sizeof(out))
            sprintf(out + strlen(out), "%s%s", out[0] ? " " : "", tok);
    }
    free(all);
    printf("  events: [%s]\n", out);
    qt_events_clear();
}

static void state(const char *what, virDomainPtr d)
{
    int s, r;
    qt_state(d, &s, &r);
    virDomainInfo info;
    int ir = virDomainGetInfo(d, &info);
    printf("%s: state=%d reason=%d info=%d max=%lu mem=%lu vcpus=%u\n", what, s, r, ir,
           ir == 0 ? info.maxMem : 0, ir == 0 ? info.memory : 0, ir == 0 ? info.nrVirtCpu : 0);
    virResetLastError();
}

static void get_metadata(const char *what, virDomainPtr d, int type, const char *uri, unsigned int flags)
{
    char *m = virDomainGetMetadata(d, type, uri, flags);
    printf("%s: %s\n", what, m ? m : "NULL");
    if (!m)
        show_error(what);
    free(m);
    virResetLastError();
}

/* The lines of the XML between <name> and <memory>, and <currentMemory>/<vcpu>: what these calls
 * change. */
static void xml_summary(const char *what, virDomainPtr d, unsigned int flags)
{
    char *x = virDomainGetXMLDesc(d, flags);
    printf("%s:\n", what);
    if (!x) {
        show_error(what);
        return;
    }
    int in = 0;
    for (char *line = strtok(x, "\n"); line; line = strtok(NULL, "\n")) {
        if (strstr(line, "<title>") || strstr(line, "<description>") || strstr(line, "<memory") ||
            strstr(line, "<currentMemory") || strstr(line, "<vcpu"))
            printf("  %s\n", line);
        if (strstr(line, "<metadata>"))
            in = 1;
        if (in)
            printf("  %s\n", line);
        if (strstr(line, "</metadata>"))
            in = 0;
    }
    free(x);
}

static const char *META_URI = "http://oxvirt.example/ns/app/";

static void metadata(virDomainPtr d, const char *tag)
{
    char what[128];
#define W(...) (snprintf(what, sizeof(what), __VA_ARGS__), what)
    get_metadata(W("%s get title", tag), d, VIR_DOMAIN_METADATA_TITLE, NULL, 0);
    get_metadata(W("%s get description", tag), d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, 0);
    get_metadata(W("%s get element", tag), d, VIR_DOMAIN_METADATA_ELEMENT, "http://app1.org/", 0);
    get_metadata(W("%s get element, no uri", tag), d, VIR_DOMAIN_METADATA_ELEMENT, NULL, 0);
    get_metadata(W("%s get title with uri", tag), d, VIR_DOMAIN_METADATA_TITLE, META_URI, 0);
    get_metadata(W("%s get bad type", tag), d, 7, NULL, 0);
    get_metadata(W("%s get bad flags", tag), d, VIR_DOMAIN_METADATA_TITLE, NULL, 0x8);
    get_metadata(W("%s get live+config", tag), d, VIR_DOMAIN_METADATA_TITLE, NULL,
                 VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG);
    get_metadata(W("%s get live", tag), d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, VIR_DOMAIN_AFFECT_LIVE);
    get_metadata(W("%s get config", tag), d, VIR_DOMAIN_METADATA_DESCRIPTION, NULL, VIR_DOMAIN_AFFECT_CONFIG);
    result(W("%s set title", tag), virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "A title", NULL, NULL, 0));
    result(W("%s set title newline", tag),
           virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "two\nlines", NULL, NULL, 0));
    result(W("%s set description config", tag),
           virDomainSetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, "config only", NULL, NULL,
                                VIR_DOMAIN_AFFECT_CONFIG));
    result(W("%s set description live", tag),
           virDomainSetMetadata(d, VIR_DOMAIN_METADATA_DESCRIPTION, "live only", NULL, NULL,
                                VIR_DOMAIN_AFFECT_LIVE));
    result(W("%s set element", tag),
           virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT,
                                "<app xmlns:q='urn:q' mode=\"fast\"><item n='1'/><item n='2'>two</item></app>",
                                "ox", META_URI, 0));
    get_metadata(W("%s get new element", tag), d, VIR_DOMAIN_METADATA_ELEMENT, META_URI, 0);
    result(W("%s set element, no key", tag),
           virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<a/>", NULL, META_URI, 0));
    result(W("%s set element, bad xml", tag),
           virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, "<a>", "k", "urn:bad", 0));
    result(W("%s set bad flags", tag),
           virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "x", NULL, NULL, 0x10));
    result(W("%s remove app1 element", tag),
           virDomainSetMetadata(d, VIR_DOMAIN_METADATA_ELEMENT, NULL, NULL, "http://app1.org/", 0));
    get_metadata(W("%s get removed element", tag), d, VIR_DOMAIN_METADATA_ELEMENT, "http://app1.org/", 0);
    xml_summary(W("%s xml", tag), d, 0);
    xml_summary(W("%s inactive xml", tag), d, VIR_DOMAIN_XML_INACTIVE);
    events(virDomainGetName(d));
#undef W
}

static void memory_vcpus(virDomainPtr d, const char *tag)
{
    char what[128];
#define W(...) (snprintf(what, sizeof(what), __VA_ARGS__), what)
    result(W("%s set memory 48 MiB", tag), virDomainSetMemory(d, 49152));
    result(W("%s set memory over max", tag), virDomainSetMemory(d, 1 << 20));
    result(W("%s set memory config", tag), virDomainSetMemoryFlags(d, 40960, VIR_DOMAIN_AFFECT_CONFIG));
    result(W("%s set memory live", tag), virDomainSetMemoryFlags(d, 57344, VIR_DOMAIN_AFFECT_LIVE));
    result(W("%s set memory bad flags", tag), virDomainSetMemoryFlags(d, 57344, 0x10));
    result(W("%s set max memory", tag), virDomainSetMaxMemory(d, 98304));
    result(W("%s set max memory config", tag),
           virDomainSetMemoryFlags(d, 81920, VIR_DOMAIN_AFFECT_CONFIG | VIR_DOMAIN_MEM_MAXIMUM));
    result(W("%s set vcpus 1", tag), virDomainSetVcpus(d, 1));
    result(W("%s set vcpus 2", tag), virDomainSetVcpus(d, 2));
    result(W("%s set vcpus 2 config", tag), virDomainSetVcpusFlags(d, 2, VIR_DOMAIN_AFFECT_CONFIG));
    result(W("%s set vcpus max live", tag),
           virDomainSetVcpusFlags(d, 2, VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_AFFECT_LIVE));
    result(W("%s set vcpus max live+config", tag),
           virDomainSetVcpusFlags(d, 2, VIR_DOMAIN_VCPU_MAXIMUM | VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG));
    result(W("%s set vcpus bad flags", tag), virDomainSetVcpusFlags(d, 1, 0x100));
    state(W("%s state", tag), d);
    xml_summary(W("%s xml", tag), d, 0);
    xml_summary(W("%s inactive xml", tag), d, VIR_DOMAIN_XML_INACTIVE);
    events(virDomainGetName(d));
#undef W
}

static void poke(virDomainPtr d, const char *tag)
{
    char what[128];
#define W(...) (snprintf(what, sizeof(what), __VA_ARGS__), what)
    result(W("%s reset", tag), virDomainReset(d, 0));
    result(W("%s reset flags", tag), virDomainReset(d, 1));
    result(W("%s nmi", tag), virDomainInjectNMI(d, 0));
    result(W("%s nmi flags", tag), virDomainInjectNMI(d, 1));
    unsigned int keys[] = {30, 48, 46};
    result(W("%s send key linux", tag), virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 50, keys, 3, 0));
    unsigned int arrows[] = {103, 108, 28};
    result(W("%s send key linux arrows", tag), virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 0, arrows, 3, 0));
    unsigned int q[] = {0x1e, 0xc8};
    result(W("%s send key qnum", tag), virDomainSendKey(d, VIR_KEYCODE_SET_QNUM, 10, q, 2, 0));
    unsigned int bad[] = {999};
    result(W("%s send key linux 999", tag), virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 10, bad, 1, 0));
    result(W("%s send key codeset 99", tag), virDomainSendKey(d, 99, 10, keys, 1, 0));
    /* Each other set: its code for the A key (xt_kbd's and atset1's for the up arrow too, one
     * code with its 0xe0 prefix, the other with 0x100), then a code it does not have. */
    static const struct { unsigned int set, code; } other[] = {
        {VIR_KEYCODE_SET_XT, 0x1e},      {VIR_KEYCODE_SET_ATSET1, 0xe048}, {VIR_KEYCODE_SET_ATSET2, 0x1c},
        {VIR_KEYCODE_SET_ATSET3, 0x1c},  {VIR_KEYCODE_SET_OSX, 0x00},      {VIR_KEYCODE_SET_XT_KBD, 0x148},
        {VIR_KEYCODE_SET_USB, 0x04},     {VIR_KEYCODE_SET_WIN32, 0x41},
    };
    /* The reference's qemu driver translates the caller's array in place: each call gets a
     * fresh copy, and the label is written before the call. */
    for (size_t i = 0; i < sizeof(other) / sizeof(other[0]); i++) {
        unsigned int codes[] = {other[i].code, 0xffff};
        for (size_t j = 0; j < 2; j++) {
            unsigned int code = codes[j];
            W("%s send key set %u code %#x", tag, other[i].set, code);
            int r = virDomainSendKey(d, other[i].set, 10, &code, 1, 0);
            result(what, r);
        }
    }
    result(W("%s send key flags", tag), virDomainSendKey(d, VIR_KEYCODE_SET_LINUX, 10, keys, 1, 1));
    state(W("%s state", tag), d);
    events_collapsed(virDomainGetName(d));
#undef W
}

static void screenshot(virConnectPtr c, virDomainPtr d, const char *tag)
{
    char what[128];
#define W(...) (snprintf(what, sizeof(what), __VA_ARGS__), what)
    unsigned int screens[] = {0, 1};
    for (size_t i = 0; i < 2; i++) {
        virStreamPtr st = virStreamNew(c, 0);
        char *mime = virDomainScreenshot(d, st, screens[i], 0);
        printf("%s screenshot %u: %s\n", tag, screens[i], mime ? mime : "NULL");
        if (!mime) {
            show_error(W("%s screenshot", tag));
            virStreamFree(st);
            continue;
        }
        char buf[65536], head[8] = {0};
        long total = 0;
        for (int n; (n = virStreamRecv(st, buf, sizeof(buf))) > 0; total += n)
            if (total == 0)
                memcpy(head, buf, n < 8 ? n : 8);
        int fin = virStreamFinish(st);
        printf("  %s bytes=%s png=%d finish=%d\n", tag, total > 100 ? ">100" : "few",
               memcmp(head, "\x89PNG\r\n\x1a\n", 8) == 0, fin);
        free(mime);
        virStreamFree(st);
    }
    virStreamPtr st = virStreamNew(c, 0);
    char *mime = virDomainScreenshot(d, st, 0, 1);
    printf("%s screenshot flags 1: %s\n", tag, mime ? mime : "NULL");
    if (!mime)
        show_error(W("%s screenshot flags", tag));
    free(mime);
    virStreamFree(st);
    virResetLastError();
#undef W
}

static char *guest_xml(const char *name, const char *uuid, const char *extra)
{
    char *devs = malloc(2048);
    snprintf(devs, 2048, "<memballoon model='virtio'/>%s", extra ? extra : "");
    char *x = qt_xml(name, uuid, NULL, devs);
    /* A title and a metadata element in the definition. */
    char *m = malloc(strlen(x) + 512);
    char *at = strstr(x, "<memory");
    snprintf(m, strlen(x) + 512,
             "%.*s<description>Described</description><metadata><app1:foo xmlns:app1=\"http://app1.org/\" a='1'><app1:bar/></app1:foo></metadata>%s",
             (int)(at - x), x, at);
    free(x);
    free(devs);
    return m;
}

static void control(const char *root)
{
    virConnectPtr c = qt_open(root);
    watch_more(c);
    virDomainPtr off = virDomainDefineXML(c, guest_xml("ctl-off", "cccccccc-0000-4000-8000-000000000017", NULL));
    printf("define ctl-off: %s\n", off ? "ok" : "NULL");
    if (!off) {
        show_error("define");
        return;
    }
    events("ctl-off");
    metadata(off, "off");
    memory_vcpus(off, "off");
    poke(off, "off");
    screenshot(c, off, "off");
    result("off get autostart", ({ int a = -1; int r = virDomainGetAutostart(off, &a); printf("  autostart=%d\n", a); r; }));
    result("off set autostart", virDomainSetAutostart(off, 1));
    result("off get autostart", ({ int a = -1; int r = virDomainGetAutostart(off, &a); printf("  autostart=%d\n", a); r; }));
    printf("autostart link: %d\n", qt_file_exists(root, "etc/qemu/autostart/%s.xml", "ctl-off"));
    result("off set autostart again", virDomainSetAutostart(off, 1));
    result("off unset autostart", virDomainSetAutostart(off, 0));
    printf("autostart link: %d\n", qt_file_exists(root, "etc/qemu/autostart/%s.xml", "ctl-off"));

    result("start ctl-off", virDomainCreate(off));
    events("ctl-off");
    metadata(off, "on");
    memory_vcpus(off, "on");
    poke(off, "on");
    screenshot(c, off, "on (no video)");
    result("destroy ctl-off", virDomainDestroy(off));
    events("ctl-off");
    xml_summary("after stop, xml", off, 0);
    result("undefine ctl-off", virDomainUndefine(off));
    events("ctl-off");
    virDomainFree(off);

    /* A transient guest with a screen. */
    virDomainPtr d = virDomainCreateXML(
        c,
        guest_xml("ctl-vnc", "dddddddd-0000-4000-8000-000000000017",
                  "<graphics type='vnc' port='-1' listen='127.0.0.1'/><video><model type='vga'/></video>"),
        0);
    printf("create ctl-vnc: %s\n", d ? "ok" : "NULL");
    if (d) {
        events("ctl-vnc");
        screenshot(c, d, "vnc");
        result("vnc set autostart", virDomainSetAutostart(d, 1));
        result("vnc set metadata config", virDomainSetMetadata(d, VIR_DOMAIN_METADATA_TITLE, "t", NULL, NULL, VIR_DOMAIN_AFFECT_CONFIG));
        result("vnc set memory config", virDomainSetMemoryFlags(d, 40960, VIR_DOMAIN_AFFECT_CONFIG));
        result("vnc destroy", virDomainDestroy(d));
        events("ctl-vnc");
        virDomainFree(d);
    }
    qt_close(c);
}

static void save(const char *root)
{
    char img[4096], img2[4096], bad[4096];
    snprintf(img, sizeof(img), "%s/guest.img", root);
    snprintf(img2, sizeof(img2), "%s/paused.img", root);
    snprintf(bad, sizeof(bad), "%s/garbage.img", root);
    virConnectPtr c = qt_open(root);
    watch_more(c);
    virDomainPtr d = virDomainDefineXML(c, guest_xml("sv", "eeeeeeee-0000-4000-8000-000000000017", NULL));
    printf("define sv: %s\n", d ? "ok" : "NULL");
    if (!d) {
        show_error("define");
        return;
    }
    events("sv");
    result("save off", virDomainSave(d, img));
    result("managed save off", virDomainManagedSave(d, 0));
    result("has managed save off", virDomainHasManagedSaveImage(d, 0));
    result("has managed save flags", virDomainHasManagedSaveImage(d, 1));
    result("managed save remove, none", virDomainManagedSaveRemove(d, 0));
    result("start", virDomainCreate(d));
    events("sv");
    qt_sleep_ms(300);
    result("save bad flags", virDomainSaveFlags(d, img, NULL, 0x80));
    result("save running+paused", virDomainSaveFlags(d, img, NULL, VIR_DOMAIN_SAVE_RUNNING | VIR_DOMAIN_SAVE_PAUSED));
    result("save to a missing directory", virDomainSave(d, "/nonexistent-dir/x.img"));
    state("after failed saves", d);
    events("sv");
    result("save", virDomainSave(d, img));
    state("saved", d);
    events("sv");
    struct stat sb;
    printf("image: exists=%d mode=%o\n", stat(img, &sb) == 0, stat(img, &sb) == 0 ? sb.st_mode & 0777 : 0);
    char *x = virDomainSaveImageGetXMLDesc(c, img, 0);
    printf("image xml: %s\n", x ? (strstr(x, "<name>sv</name>") && strstr(x, "eeeeeeee-0000-4000-8000-000000000017") ? "names sv" : "other") : "NULL");
    if (!x)
        show_error("image xml");
    free(x);
    x = virDomainSaveImageGetXMLDesc(c, img, 4);
    printf("image xml flags 4: %s\n", x ? "set" : "NULL");
    if (!x)
        show_error("image xml flags 4");
    free(x);
    x = virDomainSaveImageGetXMLDesc(c, bad, 0);
    printf("image xml missing file: %s\n", x ? "set" : "NULL");
    if (!x)
        show_error("image xml missing");
    free(x);
    FILE *g = fopen(bad, "w");
    for (int i = 0; i < 64; i++)
        fputs("garbage garbage garbage\n", g);
    fclose(g);
    x = virDomainSaveImageGetXMLDesc(c, bad, 0);
    printf("image xml garbage: %s\n", x ? "set" : "NULL");
    if (!x)
        show_error("image xml garbage");
    free(x);
    result("restore garbage", virDomainRestore(c, bad));
    result("restore bad flags", virDomainRestoreFlags(c, img, NULL, 0x100));
    result("restore", virDomainRestore(c, img));
    state("restored", d);
    events("sv");
    result("restore again, running", virDomainRestore(c, img));
    result("suspend", virDomainSuspend(d));
    events("sv");
    result("save paused", virDomainSave(d, img2));
    state("saved paused", d);
    events("sv");
    result("restore paused image", virDomainRestore(c, img2));
    state("restored paused image", d);
    events("sv");
    result("destroy", virDomainDestroy(d));
    events("sv");
    result("restore paused image, RUNNING", virDomainRestoreFlags(c, img2, NULL, VIR_DOMAIN_SAVE_RUNNING));
    state("restored running", d);
    events("sv");

    result("managed save", virDomainManagedSave(d, 0));
    state("managed saved", d);
    events("sv");
    result("has managed save", virDomainHasManagedSaveImage(d, 0));
    printf("managed image in lib/qemu/save: %d\n", qt_file_exists(root, "lib/qemu/save/%s.save", "sv"));
    result("undefine with managed save", virDomainUndefine(d));
    result("start from managed save", virDomainCreate(d));
    state("started from managed save", d);
    events("sv");
    result("has managed save after start", virDomainHasManagedSaveImage(d, 0));
    result("managed save paused", virDomainManagedSave(d, VIR_DOMAIN_SAVE_PAUSED));
    events("sv");
    result("start from paused managed save", virDomainCreate(d));
    state("started from paused managed save", d);
    events("sv");
    result("managed save again", virDomainManagedSave(d, 0));
    events("sv");
    result("start force boot", virDomainCreateWithFlags(d, VIR_DOMAIN_START_FORCE_BOOT));
    state("force booted", d);
    events("sv");
    result("has managed save after force boot", virDomainHasManagedSaveImage(d, 0));
    result("managed save to remove", virDomainManagedSave(d, 0));
    events("sv");
    result("managed save remove", virDomainManagedSaveRemove(d, 0));
    result("has managed save after remove", virDomainHasManagedSaveImage(d, 0));
    result("managed save remove flags", virDomainManagedSaveRemove(d, 1));
    result("undefine", virDomainUndefine(d));
    events("sv");
    virDomainFree(d);

    /* A transient guest: no managed save; a restore brings it back. */
    d = virDomainCreateXML(c, guest_xml("sv-t", "ffffffff-0000-4000-8000-000000000017", NULL), 0);
    printf("create sv-t: %s\n", d ? "ok" : "NULL");
    if (d) {
        events("sv-t");
        result("transient managed save", virDomainManagedSave(d, 0));
        result("transient save", virDomainSave(d, img));
        printf("transient gone: %d\n", qt_wait_removed(d, 2000));
        events("sv-t");
        virDomainFree(d);
        result("transient restore", virDomainRestore(c, img));
        d = virDomainLookupByName(c, "sv-t");
        if (d) {
            state("transient restored", d);
            printf("  persistent=%d\n", virDomainIsPersistent(d));
            events("sv-t");
            result("transient destroy", virDomainDestroy(d));
            events("sv-t");
            virDomainFree(d);
        }
    }
    qt_close(c);
}

/* Interop: a transient guest saved to IMAGE by one library, restored from it by the other. */
static void save_only(const char *root, const char *image)
{
    virConnectPtr c = qt_open(root);
    virDomainPtr d = virDomainCreateXML(c, guest_xml("xfer", "abababab-0000-4000-8000-000000000017", NULL), 0);
    printf("create xfer: %s\n", d ? "ok" : "NULL");
    if (d) {
        qt_sleep_ms(300);
        result("save xfer", virDomainSave(d, image));
        events("xfer");
        virDomainFree(d);
    }
    qt_close(c);
}

static void restore_only(const char *root, const char *image)
{
    virConnectPtr c = qt_open(root);
    char *x = virDomainSaveImageGetXMLDesc(c, image, 0);
    printf("image xml: %s\n", x && strstr(x, "<name>xfer</name>") ? "names xfer" : "other");
    if (!x)
        show_error("image xml");
    free(x);
    result("restore xfer", virDomainRestore(c, image));
    virDomainPtr d = virDomainLookupByName(c, "xfer");
    if (d) {
        state("restored xfer", d);
        events("xfer");
        qt_sleep_ms(500);
        state("still running", d);
        result("destroy xfer", virDomainDestroy(d));
        events("xfer");
        virDomainFree(d);
    }
    qt_close(c);
}

static void autostart_define(const char *root)
{
    virConnectPtr c = qt_open(root);
    virDomainPtr d = virDomainDefineXML(c, guest_xml("auto", NULL, NULL));
    printf("define auto: %s\n", d ? "ok" : "NULL");
    if (d) {
        result("set autostart", virDomainSetAutostart(d, 1));
        virDomainFree(d);
    }
    virDomainPtr e = virDomainDefineXML(c, guest_xml("manual", NULL, NULL));
    virDomainFree(e);
    qt_close(c);
}

static void autostart_check(const char *root)
{
    virConnectPtr c = qt_open(root);
    const char *names[] = {"auto", "manual"};
    for (int i = 0; i < 2; i++) {
        virDomainPtr d = virDomainLookupByName(c, names[i]);
        if (!d) {
            show_error("lookup");
            continue;
        }
        int a = -1;
        virDomainGetAutostart(d, &a);
        char what[64];
        snprintf(what, sizeof(what), "%s autostart=%d", names[i], a);
        state(what, d);
        if (virDomainIsActive(d) == 1)
            result("destroy", virDomainDestroy(d));
        result("undefine", virDomainUndefine(d));
        virDomainFree(d);
    }
    printf("autostart link after undefine: %d\n", qt_file_exists(root, "etc/qemu/autostart/%s.xml", "auto"));
    qt_close(c);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (argc < 3) {
        fprintf(stderr, "usage: %s control|save|autostart-define|autostart-check|save-only|restore-only ROOT [IMAGE]\n", argv[0]);
        return 2;
    }
    root_dir = argv[2];
    qt_subreaper();
    qt_start_reaper();
    qt_events_init();
    if (strcmp(argv[1], "control") == 0)
        control(argv[2]);
    else if (strcmp(argv[1], "save") == 0)
        save(argv[2]);
    else if (strcmp(argv[1], "autostart-define") == 0)
        autostart_define(argv[2]);
    else if (strcmp(argv[1], "save-only") == 0 && argc == 4)
        save_only(argv[2], argv[3]);
    else if (strcmp(argv[1], "restore-only") == 0 && argc == 4)
        restore_only(argv[2], argv[3]);
    else if (strcmp(argv[1], "autostart-check") == 0)
        autostart_check(argv[2]);
    else {
        fprintf(stderr, "unknown mode %s\n", argv[1]);
        return 2;
    }
    return 0;
}
