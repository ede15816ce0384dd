/* The domain XML corpus (tests/xmlcorpus.sh): every document is started on one embedded root with
 * virDomainCreateXML, its outcome printed, its live XML saved, and the guest destroyed at once.
 * Built against Debian's headers, it runs on the reference and on ours; the script compares.
 *
 * usage: xmlcorpus ROOT OUTDIR FILE...   (ROOT holds etc/qemu.conf already)
 * One line per document: `NAME: started` or `NAME: refused: code=C domain=D MESSAGE` (the message
 * on one line); the live XML goes to OUTDIR/NAME.live.xml. A started guest with a balloon also
 * prints `balloon NAME: ANSWER`: its stats period as qemu holds it (qom-get of
 * guest-stats-polling-interval through virDomainQemuMonitorCommand), set from
 * <memballoon><stats period=N/>. */
#include "qt.h"
#include <libvirt/libvirt-qemu.h>

/* The whole file, NUL-terminated, or NULL. */
static char *slurp(const char *path)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return NULL;
    size_t cap = 1 << 16, len = 0;
    char *buf = malloc(cap);
    size_t n;
    while (buf && (n = fread(buf + len, 1, cap - len - 1, f)) > 0) {
        len += n;
        if (len + 1 == cap)
            buf = realloc(buf, cap *= 2);
    }
    fclose(f);
    if (buf)
        buf[len] = '\0';
    return buf;
}

/* NAME from .../NAME.xml */
static char *doc_name(const char *path)
{
    const char *slash = strrchr(path, '/');
    char *name = strdup(slash ? slash + 1 : path);
    char *dot = strrchr(name, '.');
    if (dot)
        *dot = '\0';
    return name;
}

static void print_refusal(const char *name)
{
    virErrorPtr e = virGetLastError();
    printf("%s: refused: code=%d domain=%d ", name, e ? e->code : -1, e ? e->domain : -1);
    for (const char *m = e && e->message ? e->message : "(none)"; *m; m++)
        putchar(*m == '\n' ? ' ' : *m);
    putchar('\n');
}

static void save_live_xml(virDomainPtr d, const char *outdir, const char *name)
{
    char path[4096];
    snprintf(path, sizeof(path), "%s/%s.live.xml", outdir, name);
    char *xml = virDomainGetXMLDesc(d, 0);
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(xml ? xml : "(virDomainGetXMLDesc failed)\n", f);
        fclose(f);
    }
    free(xml);
}

/* What qemu holds as the balloon's stats period (the ids and timestamps of the reply taken out). */
static void print_balloon_period(virDomainPtr d, const char *name)
{
    char *xml = virDomainGetXMLDesc(d, 0);
    int has_balloon = xml && strstr(xml, "<alias name='balloon0'/>");
    free(xml);
    if (!has_balloon)
        return;
    char *reply = NULL;
    const char *cmd = "{\"execute\":\"qom-get\",\"arguments\":{\"path\":\"/machine/peripheral/balloon0\","
                      "\"property\":\"guest-stats-polling-interval\"}}";
    if (virDomainQemuMonitorCommand(d, cmd, &reply, 0) < 0) {
        printf("balloon %s: failed: %s\n", name, qt_err_msg());
        return;
    }
    const char *ret = strstr(reply, "\"return\"");
    int period = -1;
    if (ret && sscanf(ret, "\"return\": %d", &period) != 1 && sscanf(ret, "\"return\":%d", &period) != 1)
        period = -1;
    printf("balloon %s: period %d\n", name, period);
    free(reply);
}

static void run_document(virConnectPtr c, const char *outdir, const char *path)
{
    char *name = doc_name(path);
    char *xml = slurp(path);
    if (!xml) {
        printf("%s: unreadable\n", name);
        free(name);
        return;
    }
    virDomainPtr d = virDomainCreateXML(c, xml, 0);
    if (!d) {
        print_refusal(name);
    } else {
        printf("%s: started\n", name);
        save_live_xml(d, outdir, name);
        print_balloon_period(d, name);
        if (virDomainDestroy(d) < 0)
            printf("%s: destroy failed: %s\n", name, qt_err_msg());
        virDomainFree(d);
    }
    fflush(stdout);
    free(xml);
    free(name);
}

int main(int argc, char **argv)
{
    if (argc < 3) {
        fprintf(stderr, "usage: xmlcorpus ROOT OUTDIR FILE...\n");
        return 2;
    }
    setvbuf(stdout, NULL, _IOLBF, 0);
    if (qt_start_default_loop() < 0) {
        printf("FAIL no event loop: %s\n", qt_err_msg());
        return 1;
    }
    char *uri = qt_uri(argv[1]);
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        printf("FAIL cannot open %s: %s\n", uri, qt_err_msg());
        return 1;
    }
    for (int i = 3; i < argc; i++)
        run_document(c, argv[2], argv[i]);
    virConnectClose(c);
    free(uri);
    return 0;
}
