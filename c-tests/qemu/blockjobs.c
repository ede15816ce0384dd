/* Disks of running guests (issue 17), differential: the same program runs on Debian's libvirt 9.0
 * (its embedded qemu driver) and on ours; tests/qemu-block-jobs.sh compares the outputs.
 *   peek: virDomainBlockPeek (by target and by path, bounds, formats, states, read-only) and
 *         virDomainGetDiskErrors (the count, the array, bad arguments) on a small raw disk file
 *         and a qcow2 one.
 *   jobs: block jobs on a qcow2 overlay over a raw base: a speed-limited virDomainBlockPull seen
 *         running through virDomainGetBlockJobInfo, its speed changed, aborted (and asynchronously),
 *         then an unlimited pull to its end; the block job events (both ids) in the order
 *         delivered, and the live definition's backing chain after each step.
 *
 * usage: blockjobs peek|jobs ROOT */
#include "qt.h"

/* Every wait for an event ends by then. */
#define EVENT_DEADLINE_MS 60000
/* After the awaited event: what the same qemu event raised right after it is delivered too. */
#define SETTLE_MS 500
/* The disks' size and where the test's marks are written in them. */
#define DISK_BYTES (1024 * 1024)
#define MARK_AT 512
/* The jobs' disk, and the limited pull: slow enough (1 MiB/s) to be seen running and aborted. */
#define JOB_DISK_BYTES (16 * 1024 * 1024)
#define SLOW_MIB_S 1

static const char *root_dir;

/* A path with the root replaced by ROOT, so the outputs of runs on different roots compare. */
static const char *rooted(const char *s, char *buf, size_t len)
{
    size_t n = strlen(root_dir);
    buf[0] = 0;
    while (s && *s && strlen(buf) + 8 < len) {
        if (strncmp(s, root_dir, n) == 0) {
            strcat(buf, "ROOT");
            s += n;
        } else {
            size_t l = strlen(buf);
            buf[l] = *s++;
            buf[l + 1] = 0;
        }
    }
    return buf;
}

static int on_lifecycle(virConnectPtr c, virDomainPtr d, int event, int detail, void *o)
{
    (void)c, (void)o;
    qt_note("%s lifecycle %d/%d", virDomainGetName(d), event, detail);
    return 0;
}

static void on_block_job(virConnectPtr c, virDomainPtr d, const char *disk, int type, int status,
                         void *o)
{
    (void)c;
    char buf[4096];
    qt_note("%s %s disk=%s type=%d status=%d", virDomainGetName(d), (const char *)o,
         rooted(disk, buf, sizeof(buf)), type, status);
}

static void watch(virConnectPtr c)
{
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_lifecycle), NULL, NULL);
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_JOB,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_block_job), "block-job", NULL);
    virConnectDomainEventRegisterAny(c, NULL, VIR_DOMAIN_EVENT_ID_BLOCK_JOB_2,
                                     VIR_DOMAIN_EVENT_CALLBACK(on_block_job), "block-job-2", NULL);
}

static void events_until(const char *want)
{
    qt_log_until(want, EVENT_DEADLINE_MS, SETTLE_MS);
}

static void result(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    if (r < 0) {
        virErrorPtr e = virGetLastError();
        char buf[4096];
        printf("  error code=%d domain=%d message=%s\n", e ? e->code : 0, e ? e->domain : 0,
               rooted(e && e->message ? e->message : "", buf, sizeof(buf)));
    }
    virResetLastError();
}

/* A file of `bytes` with `mark` at offset 0 and MARK_AT. */
static void make_raw(const char *path, const char *mark, off_t bytes)
{
    FILE *f = fopen(path, "w");
    if (!f || ftruncate(fileno(f), bytes) < 0) {
        perror(path);
        exit(2);
    }
    fputs(mark, f);
    fseek(f, MARK_AT, SEEK_SET);
    fputs(mark, f);
    fclose(f);
}

static void sh(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void sh(const char *fmt, ...)
{
    char cmd[8192];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(cmd, sizeof(cmd), fmt, ap);
    va_end(ap);
    if (system(cmd) != 0) {
        fprintf(stderr, "failed: %s\n", cmd);
        exit(2);
    }
}

static char *disk_xml(const char *type, const char *file, const char *dev)
{
    char *x = malloc(1400);
    snprintf(x, 1400,
             "<disk type='file' device='disk'><driver name='qemu' type='%s'/>"
             "<source file='%s'/><target dev='%s' bus='virtio'/></disk>",
             type, file, dev);
    return x;
}

static void peek(virDomainPtr d, const char *what, const char *disk, unsigned long long offset,
                 size_t size, int with_buffer, unsigned int flags)
{
    unsigned char buf[64];
    memset(buf, '.', sizeof(buf));
    int r = virDomainBlockPeek(d, disk, offset, size, with_buffer ? buf : NULL, flags);
    printf("peek %s: %d", what, r);
    if (r == 0 && with_buffer) {
        printf(" [");
        for (size_t i = 0; i < size && i < sizeof(buf); i++)
            putchar(buf[i] >= 32 && buf[i] < 127 ? buf[i] : '_');
        printf("]");
    }
    printf("\n");
    if (r < 0)
        result("  ", r);
    virResetLastError();
}

static void disk_errors(virDomainPtr d, const char *what, int with_array, unsigned int max,
                        unsigned int flags)
{
    virDomainDiskError errs[4];
    memset(errs, 0, sizeof(errs));
    int r = virDomainGetDiskErrors(d, with_array ? errs : NULL, max, flags);
    printf("disk errors %s: %d\n", what, r);
    for (int i = 0; i < r && with_array && i < 4; i++) {
        printf("  %s error=%d\n", errs[i].disk, errs[i].error);
        free(errs[i].disk);
    }
    if (r < 0)
        result("  ", r);
    virResetLastError();
}

static void all_peeks(virDomainPtr d, const char *raw)
{
    char path_at[4096];
    peek(d, "by target", "vda", 0, 16, 1, 0);
    peek(d, "by path", raw, MARK_AT, 16, 1, 0);
    snprintf(path_at, sizeof(path_at), "%s", raw);
    peek(d, "the last bytes", "vda", DISK_BYTES - 8, 8, 1, 0);
    peek(d, "across the end", "vda", DISK_BYTES - 8, 16, 1, 0);
    peek(d, "beyond the end", "vda", DISK_BYTES + 512, 16, 1, 0);
    peek(d, "huge offset", "vda", ~0ULL - 4, 16, 1, 0);
    peek(d, "size 0", "vda", 0, 0, 1, 0);
    peek(d, "size 0 no buffer", "vda", 0, 0, 0, 0);
    peek(d, "no buffer", "vda", 0, 16, 0, 0);
    peek(d, "bad flags", "vda", 0, 16, 1, 1);
    peek(d, "unknown disk", "vdz", 0, 16, 1, 0);
    peek(d, "empty disk name", "", 0, 16, 1, 0);
    peek(d, "null disk name", NULL, 0, 16, 1, 0);
    peek(d, "qcow2 disk", "vdb", 0, 16, 1, 0);
    peek(d, "size 64", "vda", 0, 64, 1, 0);
}

static void peek_mode(virConnectPtr c, const char *root)
{
    char raw[1024], qcow[1024], extra[3000];
    snprintf(raw, sizeof(raw), "%s/raw.img", root);
    snprintf(qcow, sizeof(qcow), "%s/disk.qcow2", root);
    make_raw(raw, "OXVIRT-PEEK-MARK", DISK_BYTES);
    sh("qemu-img create -q -f qcow2 %s 1M", qcow);
    char *a = disk_xml("raw", raw, "vda"), *b = disk_xml("qcow2", qcow, "vdb");
    snprintf(extra, sizeof(extra), "%s%s", a, b);
    free(a), free(b);
    char *xml = qt_xml("bj-peek", NULL, NULL, extra);
    virDomainPtr d = virDomainDefineXML(c, xml);
    free(xml);
    printf("define: %s\n", d ? "ok" : "NULL");
    if (!d)
        return;
    printf("-- inactive\n");
    all_peeks(d, raw);
    disk_errors(d, "inactive, count", 0, 0, 0);
    result("start", virDomainCreate(d));
    printf("-- running\n");
    all_peeks(d, raw);
    disk_errors(d, "count", 0, 0, 0);
    disk_errors(d, "array of 4", 1, 4, 0);
    disk_errors(d, "array of 0", 1, 0, 0);
    disk_errors(d, "no array, max 4", 0, 4, 0);
    disk_errors(d, "bad flags", 1, 4, 1);
    char *uri = qt_uri(root);
    virConnectPtr ro = virConnectOpenReadOnly(uri);
    free(uri);
    if (ro) {
        virDomainPtr rd = virDomainLookupByName(ro, "bj-peek");
        if (rd) {
            peek(rd, "read-only", "vda", 0, 16, 1, 0);
            disk_errors(rd, "read-only", 1, 4, 0);
            virDomainFree(rd);
        }
        virConnectClose(ro);
    } else {
        result("open read-only", -1);
    }
    result("destroy", virDomainDestroy(d));
    result("undefine", virDomainUndefine(d));
    virDomainFree(d);
}

static void job_info(virDomainPtr d, const char *what, const char *disk, unsigned int flags)
{
    virDomainBlockJobInfo info;
    memset(&info, 0, sizeof(info));
    int r = virDomainGetBlockJobInfo(d, disk, &info, flags);
    printf("job info %s: %d", what, r);
    if (r == 1)
        printf(" type=%d bandwidth=%lu end=%llu cur %s", info.type, info.bandwidth, info.end,
               info.cur <= info.end ? "<= end" : "> end");
    else if (r == 0)
        printf(" type=%d bandwidth=%lu cur=%llu end=%llu", info.type, info.bandwidth, info.cur,
               info.end);
    printf("\n");
    if (r < 0)
        result("  ", r);
    virResetLastError();
}

/* The live definition's disk, the root replaced. */
static void show_disks(virDomainPtr d, const char *what)
{
    char *x = virDomainGetXMLDesc(d, 0);
    printf("disks %s:\n", what);
    if (!x) {
        result("  xml", -1);
        return;
    }
    char *s = strstr(x, "<disk"), *e = strstr(x, "</disk>");
    if (s && e) {
        e[strlen("</disk>")] = 0;
        char buf[8192];
        printf("%s\n", rooted(s, buf, sizeof(buf)));
    }
    free(x);
}

static void jobs_mode(virConnectPtr c, const char *root)
{
    char base[1024], top[1024];
    snprintf(base, sizeof(base), "%s/base.raw", root);
    snprintf(top, sizeof(top), "%s/top.qcow2", root);
    make_raw(base, "OXVIRT-BASE-MARK", JOB_DISK_BYTES);
    sh("qemu-img create -q -f qcow2 -F raw -b %s %s", base, top);
    char *dx = disk_xml("qcow2", top, "vda");
    char *xml = qt_xml("bj-jobs", NULL, NULL, dx);
    free(dx);
    virDomainPtr d = virDomainCreateXML(c, xml, 0);
    free(xml);
    printf("create: %s\n", d ? "ok" : "NULL");
    if (!d)
        return;
    events_until("lifecycle 2/0");
    show_disks(d, "at start");
    job_info(d, "none yet", "vda", 0);
    job_info(d, "unknown disk", "vdz", 0);
    job_info(d, "bad flags", "vda", 0x10);
    result("pull, bad flags", virDomainBlockPull(d, "vda", 0, 0x10));
    result("pull, unknown disk", virDomainBlockPull(d, "vdz", 0, 0));
    result("pull, too fast", virDomainBlockPull(d, "vda", ~0UL, 0));
    result("abort, no job", virDomainBlockJobAbort(d, "vda", 0));
    result("set speed, no job", virDomainBlockJobSetSpeed(d, "vda", 1, 0));

    /* A slow pull, seen running, then aborted. */
    result("slow pull", virDomainBlockPull(d, "vda", SLOW_MIB_S, 0));
    job_info(d, "slow pull", "vda", 0);
    job_info(d, "slow pull, by path", top, 0);
    job_info(d, "slow pull, bytes", "vda", VIR_DOMAIN_BLOCK_JOB_INFO_BANDWIDTH_BYTES);
    result("second pull", virDomainBlockPull(d, "vda", 0, 0));
    result("set speed 2", virDomainBlockJobSetSpeed(d, "vda", 2, 0));
    job_info(d, "after set speed", "vda", 0);
    result("set speed in bytes", virDomainBlockJobSetSpeed(d, "vda", 3 * 1024 * 1024,
                                                           VIR_DOMAIN_BLOCK_JOB_SPEED_BANDWIDTH_BYTES));
    job_info(d, "after set speed in bytes", "vda", 0);
    result("abort, bad flags", virDomainBlockJobAbort(d, "vda", 0x10));
    result("abort", virDomainBlockJobAbort(d, "vda", 0));
    events_until("status=2");
    job_info(d, "after abort", "vda", 0);
    show_disks(d, "after abort");

    /* Again, aborted asynchronously. */
    result("slow pull again", virDomainBlockPull(d, "vda", SLOW_MIB_S, 0));
    result("abort async", virDomainBlockJobAbort(d, "vda", VIR_DOMAIN_BLOCK_JOB_ABORT_ASYNC));
    events_until("status=2");
    job_info(d, "after async abort", "vda", 0);

    /* Pulled to the end. */
    result("pull", virDomainBlockPull(d, "vda", 0, 0));
    events_until("status=0");
    job_info(d, "after the pull", "vda", 0);
    show_disks(d, "after the pull");
    result("pull with no backing left", virDomainBlockPull(d, "vda", 0, 0));
    events_until("status=");
    result("rebase with no base (a pull)", virDomainBlockRebase(d, "vda", NULL, 0, 0));
    events_until("status=");
    result("rebase, bad flags", virDomainBlockRebase(d, "vda", NULL, 0, 0x80));

    result("destroy", virDomainDestroy(d));
    events_until("lifecycle 5/1");
    virDomainFree(d);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (argc < 3) {
        fprintf(stderr, "usage: %s peek|jobs ROOT\n", argv[0]);
        return 2;
    }
    const char *mode = argv[1], *root = argv[2];
    root_dir = root;
    virConnectPtr c = qt_open_watching(root);
    if (!c)
        return 1;
    watch(c);
    if (strcmp(mode, "peek") == 0)
        peek_mode(c, root);
    else if (strcmp(mode, "jobs") == 0)
        jobs_mode(c, root);
    else {
        fprintf(stderr, "unknown mode %s\n", mode);
        return 2;
    }
    virConnectClose(c);
    return 0;
}
