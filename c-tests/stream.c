/* Streams on the test driver, compared with libvirt 9.0 (c-tests/run.sh, differential): a stream
 * no driver serves (every call's refusal), NULL and freed streams, and the test driver's one
 * stream user, virDomainScreenshot, whose image is read back whole (its size and a hash are
 * printed) with Recv, RecvAll, RecvHole and the refusals of Send, SendAll and holes,
 * then finished and aborted. The error function's calls are counted. */
#define _GNU_SOURCE
#include "common.h"
#include <stdint.h>

static int told;

static void count_errors(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
    told++;
}

static void show_int(const char *what, long long r)
{
    printf("%s: %lld told=%d\n", what, r, told);
    show_error(what);
}

/* FNV-1a over what was read. */
static uint64_t hash = 1469598103934665603ULL;
static long long total;

static void digest(const char *data, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        hash ^= (unsigned char)data[i];
        hash *= 1099511628211ULL;
    }
    total += n;
}

static void show_digest(const char *what)
{
    printf("%s: %lld bytes hash=%016llx\n", what, total, (unsigned long long)hash);
    hash = 1469598103934665603ULL;
    total = 0;
}

static int sink(virStreamPtr st, const char *data, size_t n, void *opaque)
{
    (void)st;
    (void)opaque;
    digest(data, n);
    return (int)n;
}

static int failing_sink(virStreamPtr st, const char *data, size_t n, void *opaque)
{
    (void)st;
    (void)data;
    (void)n;
    (void)opaque;
    return -1;
}

static int source(virStreamPtr st, char *data, size_t n, void *opaque)
{
    (void)st;
    (void)opaque;
    memset(data, 'x', n > 10 ? 10 : n);
    return n > 10 ? 10 : (int)n;
}

static int hole_handler(virStreamPtr st, int *in_data, long long *offset, void *opaque)
{
    (void)st;
    (void)opaque;
    *in_data = 1;
    *offset = 10;
    return 0;
}

static int skip_handler(virStreamPtr st, long long offset, void *opaque)
{
    (void)st;
    (void)opaque;
    printf("skip %lld\n", offset);
    return 0;
}

static void on_event(virStreamPtr st, int events, void *opaque)
{
    (void)st;
    (void)events;
    (void)opaque;
}

/* Every call on a stream that no driver serves. */
static void unserved(virStreamPtr st, const char *label)
{
    char buf[16], what[96];
    long long len = 0;
#define CALL(name, expr)                                                                         \
    do {                                                                                          \
        snprintf(what, sizeof(what), "%s %s", label, name);                                       \
        show_int(what, (expr));                                                                   \
    } while (0)
    CALL("send", virStreamSend(st, "ab", 2));
    CALL("send NULL data", virStreamSend(st, NULL, 2));
    CALL("recv", virStreamRecv(st, buf, sizeof(buf)));
    CALL("recv NULL data", virStreamRecv(st, NULL, sizeof(buf)));
    CALL("recv flags", virStreamRecvFlags(st, buf, sizeof(buf), 0));
    CALL("send hole", virStreamSendHole(st, 10, 0));
    CALL("send negative hole", virStreamSendHole(st, -1, 0));
    CALL("recv hole", virStreamRecvHole(st, &len, 0));
    CALL("recv hole NULL", virStreamRecvHole(st, NULL, 0));
    CALL("send all", virStreamSendAll(st, source, NULL));
    CALL("send all NULL", virStreamSendAll(st, NULL, NULL));
    CALL("recv all", virStreamRecvAll(st, sink, NULL));
    CALL("sparse send all", virStreamSparseSendAll(st, source, hole_handler, skip_handler, NULL));
    CALL("sparse recv all", virStreamSparseRecvAll(st, sink, NULL, NULL));
    CALL("add callback", virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, on_event,
                                                   NULL, NULL));
    CALL("update callback", virStreamEventUpdateCallback(st, VIR_STREAM_EVENT_READABLE));
    CALL("remove callback", virStreamEventRemoveCallback(st));
    CALL("finish", virStreamFinish(st));
    CALL("abort", virStreamAbort(st));
#undef CALL
}

static void read_whole(virStreamPtr st, size_t chunk)
{
    char buf[8192];
    int n;
    while ((n = virStreamRecv(st, buf, chunk)) > 0)
        digest(buf, n);
    show_int("last recv", n);
    show_digest("read");
}

static virStreamPtr screenshot(virConnectPtr c, virDomainPtr d, unsigned flags, const char *what)
{
    virStreamPtr st = virStreamNew(c, 0);
    char *mime = virDomainScreenshot(d, st, 0, flags);
    printf("%s: mime=%s told=%d\n", what, mime ? mime : "(null)", told);
    if (!mime)
        show_error(what);
    free(mime);
    return st;
}

static void screenshots(virConnectPtr c)
{
    virDomainPtr d = virDomainLookupByName(c, "test");
    virStreamPtr st = screenshot(c, d, 0, "screenshot");
    read_whole(st, 1000);
    show_int("recv at end", virStreamRecv(st, (char[4]){0}, 4));
    show_int("finish", virStreamFinish(st));
    show_int("recv after finish", virStreamRecv(st, (char[4]){0}, 4));
    show_int("finish again", virStreamFinish(st));
    show_int("abort after finish", virStreamAbort(st));
    show_int("free", virStreamFree(st));

    st = screenshot(c, d, 0, "screenshot for recv all");
    show_int("recv all", virStreamRecvAll(st, sink, NULL));
    show_digest("recv all");
    show_int("finish", virStreamFinish(st));
    virStreamFree(st);

    st = screenshot(c, d, 0, "screenshot for sparse recv all");
    show_int("sparse recv all", virStreamSparseRecvAll(st, sink, NULL, NULL));
    show_digest("sparse recv all");
    virStreamFree(st);

    st = screenshot(c, d, 0, "screenshot for holes");
    char buf[100];
    long long len = -1;
    show_int("recv 100", virStreamRecv(st, buf, sizeof(buf)));
    show_int("recv hole", virStreamRecvHole(st, &len, 0));
    show_int("recv hole flags", virStreamRecvHole(st, &len, 1));
    show_int("recv flags", virStreamRecvFlags(st, buf, sizeof(buf), 0));
    show_int("send", virStreamSend(st, "ab", 2));
    show_int("send all", virStreamSendAll(st, source, NULL));
    show_int("recv all failing sink", virStreamRecvAll(st, failing_sink, NULL));
    show_int("recv after abort", virStreamRecv(st, buf, sizeof(buf)));
    show_int("abort", virStreamAbort(st));
    show_int("abort again", virStreamAbort(st));
    show_int("finish after abort", virStreamFinish(st));
    virStreamFree(st);

    st = screenshot(c, d, 0, "screenshot for big reads");
    read_whole(st, sizeof(buf) > 0 ? 8192 : 1);
    show_int("ref", virStreamRef(st));
    show_int("free", virStreamFree(st));
    show_int("abort with a reference left", virStreamAbort(st));
    show_int("free", virStreamFree(st));

    st = screenshot(c, d, 0, "screenshot for callbacks");
    show_int("add callback without a loop",
             virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, on_event, NULL, NULL));
    show_int("update callback", virStreamEventUpdateCallback(st, VIR_STREAM_EVENT_READABLE));
    show_int("remove callback", virStreamEventRemoveCallback(st));
    show_int("abort", virStreamAbort(st));
    virStreamFree(st);

    st = screenshot(c, d, 1, "screenshot bad flags");
    unserved(st, "after a refused screenshot");
    virStreamFree(st);
    st = screenshot(c, d, 0, "screenshot twice: first");
    char *mime = virDomainScreenshot(d, st, 3, 0);
    printf("screenshot twice: second mime=%s screen 3\n", mime ? mime : "(null)");
    free(mime);
    read_whole(st, 4096);
    virStreamAbort(st);
    virStreamFree(st);

    char *none = virDomainScreenshot(d, NULL, 0, 0);
    printf("screenshot NULL stream: %s told=%d\n", none ? none : "(null)", told);
    show_error("screenshot NULL stream");
    st = virStreamNew(c, 0);
    none = virDomainScreenshot(NULL, st, 0, 0);
    printf("screenshot NULL domain: %s told=%d\n", none ? none : "(null)", told);
    show_error("screenshot NULL domain");
    virConnectPtr other = virConnectOpen("test:///default");
    virStreamPtr ost = virStreamNew(other, 0);
    none = virDomainScreenshot(d, ost, 0, 0);
    printf("screenshot other connection's stream: %s told=%d\n", none ? none : "(null)", told);
    show_error("screenshot other connection's stream");
    virStreamFree(ost);
    virConnectClose(other);
    virDomainDestroy(d);
    virStreamPtr off = screenshot(c, d, 0, "screenshot of a stopped domain");
    read_whole(off, 4096);
    virStreamFinish(off);
    virStreamFree(off);
    virDomainCreate(d);
    virStreamFree(st);
    virDomainFree(d);
}

static void read_only(void)
{
    virConnectPtr c = virConnectOpenReadOnly("test:///default");
    virDomainPtr d = virDomainLookupByName(c, "test");
    virStreamPtr st = screenshot(c, d, 0, "read-only screenshot");
    unserved(st, "read-only");
    virStreamFree(st);
    virDomainFree(d);
    virConnectClose(c);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, count_errors);
    virConnectPtr c = virConnectOpen("test:///default");
    if (!c)
        return 1;
    virStreamPtr st = virStreamNew(c, 0);
    printf("new: %s\n", st ? "stream" : "NULL");
    unserved(st, "fresh");
    virStreamPtr nb = virStreamNew(c, VIR_STREAM_NONBLOCK);
    show_int("non-blocking send all", virStreamSendAll(nb, source, NULL));
    show_int("non-blocking recv all", virStreamRecvAll(nb, sink, NULL));
    show_int("free non-blocking", virStreamFree(nb));
    printf("new with odd flags: %s\n", (nb = virStreamNew(c, 0xff)) ? "stream" : "NULL");
    virStreamFree(nb);
    virStreamPtr none = virStreamNew(NULL, 0);
    printf("new on NULL: %s told=%d\n", none ? "stream" : "NULL", told);
    show_error("new on NULL");
    show_int("ref", virStreamRef(st));
    show_int("free", virStreamFree(st));
    show_int("free", virStreamFree(st));
    unserved(NULL, "NULL");
    show_int("ref NULL", virStreamRef(NULL));
    show_int("free NULL", virStreamFree(NULL));
    screenshots(c);
    virConnectClose(c);
    read_only();
    return 0;
}
