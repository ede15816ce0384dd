/* Streams over RPC: argv[1] is a daemon's test driver (test+unix:///default?socket=S), argv[2]
 * the same daemon's storage driver (storage+unix:///session?socket=S) and argv[3] a folder the
 * daemon may write, for a directory pool. The test driver's screenshot, console, channel and
 * upload answers; then a volume's upload and download (whole, in part, sparse, non-blocking with
 * an event loop callback), abort in the middle, and the stream's errors: finish twice, send and
 * receive on an aborted stream, upload to a volume that is gone. Differential: run against
 * Debian's libvirt and ours on a fresh daemon each time; the outputs must be equal. */
#include "../common.h"
#include <pthread.h>
#include <time.h>
#include <unistd.h>

#define VOL_SIZE (1024 * 1024)
#define DATA_LEN 300000

static unsigned char pattern[VOL_SIZE];

static void result(const char *what, int r)
{
    if (r < 0)
        show_error(what);
    else
        printf("%s: %d\n", what, r);
}

/* A short fingerprint of bytes: length, a checksum and the first bytes. */
static void fingerprint(const char *what, const unsigned char *b, size_t n)
{
    unsigned long sum = 0;
    for (size_t i = 0; i < n; i++)
        sum = sum * 31 + b[i];
    printf("%s: %zu bytes sum=%lx head=", what, n, sum);
    for (size_t i = 0; i < n && i < 8; i++)
        printf("%02x", b[i]);
    printf("\n");
}

struct sink {
    unsigned char *buf;
    size_t len, cap;
    int holes;
    long long hole_bytes;
};

static int sink_data(virStreamPtr st, const char *data, size_t n, void *opaque)
{
    (void)st;
    struct sink *s = opaque;
    if (s->len + n > s->cap)
        return -1;
    memcpy(s->buf + s->len, data, n);
    s->len += n;
    return n;
}

static int sink_hole(virStreamPtr st, long long length, void *opaque)
{
    (void)st;
    struct sink *s = opaque;
    if (s->len + length > s->cap)
        return -1;
    memset(s->buf + s->len, 0, length);
    s->len += length;
    s->holes++;
    s->hole_bytes += length;
    return 0;
}

struct source {
    const unsigned char *buf;
    size_t len, off;
    /* Sparse sources: data in [data_from, data_to), holes around it. */
    size_t data_from, data_to;
};

static int source_data(virStreamPtr st, char *data, size_t n, void *opaque)
{
    (void)st;
    struct source *s = opaque;
    size_t left = s->len - s->off;
    if (n > left)
        n = left;
    memcpy(data, s->buf + s->off, n);
    s->off += n;
    return n;
}

static int source_hole(virStreamPtr st, int *in_data, long long *length, void *opaque)
{
    (void)st;
    struct source *s = opaque;
    if (s->off < s->data_from) {
        *in_data = 0;
        *length = s->data_from - s->off;
    } else if (s->off < s->data_to) {
        *in_data = 1;
        *length = s->data_to - s->off;
    } else {
        *in_data = 0;
        *length = s->len - s->off;
    }
    return 0;
}

static int source_skip(virStreamPtr st, long long length, void *opaque)
{
    (void)st;
    struct source *s = opaque;
    s->off += length;
    return 0;
}

/* What a read-only connection may open. */
static void read_only(const char *uri)
{
    virConnectPtr c = virConnectOpenReadOnly(uri);
    virDomainPtr d = virDomainLookupByName(c, "test");
    virStreamPtr st = virStreamNew(c, 0);
    char *mime = virDomainScreenshot(d, st, 0, 0);
    if (mime)
        printf("read-only screenshot: %s\n", mime);
    else
        show_error("read-only screenshot");
    free(mime);
    result("read-only console", virDomainOpenConsole(d, NULL, st, 0));
    result("read-only channel", virDomainOpenChannel(d, NULL, st, 0));
    virStorageVolPtr v = virStorageVolLookupByPath(c, "/default-pool/up.img");
    if (!v)
        show_error("read-only volume");
    result("read-only upload", virStorageVolUpload(v, st, 0, 0, 0));
    result("read-only download", virStorageVolDownload(v, st, 0, 0, 0));
    virStreamFree(st);
    if (v)
        virStorageVolFree(v);
    virDomainFree(d);
    virConnectClose(c);
}

static void test_driver(const char *uri)
{
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        show_error("open test");
        return;
    }
    virDomainPtr d = virDomainLookupByName(c, "test");
    virStreamPtr st = virStreamNew(c, 0);
    char *mime = virDomainScreenshot(d, st, 0, 0);
    if (!mime) {
        show_error("screenshot");
    } else {
        printf("screenshot: mime=%s\n", mime);
        free(mime);
        static unsigned char img[1 << 20];
        struct sink s = {img, 0, sizeof(img), 0, 0};
        result("screenshot recvall", virStreamRecvAll(st, sink_data, &s));
        fingerprint("screenshot bytes", img, s.len);
        result("screenshot finish", virStreamFinish(st));
        result("screenshot finish again", virStreamFinish(st));
        result("screenshot abort after finish", virStreamAbort(st));
        char b[16];
        result("screenshot recv after finish", virStreamRecv(st, b, sizeof(b)));
        result("screenshot send after finish", virStreamSend(st, "x", 1));
    }
    result("screenshot stream free", virStreamFree(st));

    /* A screenshot read piece by piece, then aborted half way. */
    st = virStreamNew(c, 0);
    mime = virDomainScreenshot(d, st, 0, 0);
    if (mime) {
        free(mime);
        char b[100];
        result("screenshot recv 100", virStreamRecv(st, b, sizeof(b)));
        fingerprint("screenshot first bytes", (unsigned char *)b, sizeof(b));
        result("screenshot abort", virStreamAbort(st));
        result("screenshot recv after abort", virStreamRecv(st, b, sizeof(b)));
        result("screenshot abort again", virStreamAbort(st));
        result("screenshot finish after abort", virStreamFinish(st));
    }
    virStreamFree(st);

    st = virStreamNew(c, 0);
    result("console", virDomainOpenConsole(d, NULL, st, 0));
    result("console send", virStreamSend(st, "x", 1));
    result("console abort", virStreamAbort(st));
    virStreamFree(st);
    st = virStreamNew(c, 0);
    result("channel", virDomainOpenChannel(d, "org.qemu.guest_agent.0", st, 0));
    virStreamFree(st);

    virStoragePoolPtr p = virStoragePoolLookupByName(c, "default-pool");
    virStorageVolPtr v = NULL;
    if (p)
        v = virStorageVolCreateXML(p,
                                   "<volume><name>up.img</name><capacity>1024</capacity>"
                                   "<target><path>/default-pool/up.img</path></target></volume>",
                                   0);
    if (!v) {
        show_error("test volume");
    } else {
        st = virStreamNew(c, 0);
        result("test upload", virStorageVolUpload(v, st, 0, 10, 0));
        result("test upload send", virStreamSend(st, "0123456789", 10));
        result("test upload finish", virStreamFinish(st));
        virStreamFree(st);
        st = virStreamNew(c, 0);
        result("test download", virStorageVolDownload(v, st, 0, 10, 0));
        virStreamFree(st);
        virStorageVolFree(v);
        read_only(uri);
    }
    if (p)
        virStoragePoolFree(p);
    virDomainFree(d);
    virConnectClose(c);
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* A non-blocking download driven by a stream callback on the default event loop. */
struct watch {
    struct sink s;
    int done, calls, freed, would_block;
    int error;
};

static void on_stream(virStreamPtr st, int events, void *opaque)
{
    struct watch *w = opaque;
    w->calls++;
    if (!(events & VIR_STREAM_EVENT_READABLE))
        return;
    for (;;) {
        char b[65536];
        int n = virStreamRecv(st, b, sizeof(b));
        if (n == -2) {
            w->would_block++;
            return;
        }
        if (n < 0) {
            w->error = 1;
            w->done = 1;
            virStreamEventRemoveCallback(st);
            return;
        }
        if (n == 0) {
            w->done = 1;
            virStreamEventRemoveCallback(st);
            return;
        }
        sink_data(st, b, n, &w->s);
    }
}

static void on_free(void *opaque)
{
    struct watch *w = opaque;
    w->freed++;
}

static void nonblocking_download(virConnectPtr c, virStorageVolPtr v)
{
    static unsigned char buf[VOL_SIZE];
    struct watch w = {{buf, 0, sizeof(buf), 0, 0}, 0, 0, 0, 0, 0};
    /* The *All helpers refuse non-blocking streams (and abort them). */
    virStreamPtr st = virStreamNew(c, VIR_STREAM_NONBLOCK);
    result("nonblock download for recvall", virStorageVolDownload(v, st, 0, DATA_LEN, 0));
    result("nonblock recvall", virStreamRecvAll(st, sink_data, &w.s));
    result("nonblock recv after recvall", virStreamRecv(st, (char *)buf, 10));
    virStreamFree(st);
    st = virStreamNew(c, VIR_STREAM_NONBLOCK);
    result("nonblock download", virStorageVolDownload(v, st, 0, DATA_LEN, 0));
    result("nonblock add callback",
           virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, on_stream, &w, on_free));
    result("nonblock add callback again",
           virStreamEventAddCallback(st, VIR_STREAM_EVENT_READABLE, on_stream, &w, on_free));
    result("nonblock update callback", virStreamEventUpdateCallback(st, VIR_STREAM_EVENT_READABLE));
    double end = now() + 20;
    while (!w.done && now() < end)
        virEventRunDefaultImpl();
    printf("nonblock: done=%d error=%d freed=%d called=%s\n", w.done, w.error, w.freed,
           w.calls > 0 ? "yes" : "no");
    fingerprint("nonblock bytes", buf, w.s.len);
    printf("nonblock same as uploaded: %s\n",
           w.s.len == DATA_LEN && !memcmp(buf, pattern, DATA_LEN) ? "yes" : "no");
    result("nonblock remove callback again", virStreamEventRemoveCallback(st));
    result("nonblock update callback after remove", virStreamEventUpdateCallback(st, 0));
    result("nonblock finish", virStreamFinish(st));
    virStreamFree(st);
}

static void storage(const char *uri, const char *dir)
{
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        show_error("open storage");
        return;
    }
    char xml[1024];
    snprintf(xml, sizeof(xml),
             "<pool type='dir'><name>streams</name><target><path>%s</path></target></pool>", dir);
    virStoragePoolPtr p = virStoragePoolCreateXML(c, xml, 0);
    if (!p) {
        show_error("pool");
        virConnectClose(c);
        return;
    }
    virStorageVolPtr v = virStorageVolCreateXML(
        p, "<volume><name>data.img</name><capacity>1048576</capacity></volume>", 0);
    if (!v) {
        show_error("volume");
        goto out;
    }

    /* Whole upload and download. */
    virStreamPtr st = virStreamNew(c, 0);
    struct source src = {pattern, DATA_LEN, 0, 0, 0};
    result("upload", virStorageVolUpload(v, st, 0, DATA_LEN, 0));
    result("upload sendall", virStreamSendAll(st, source_data, &src));
    result("upload finish", virStreamFinish(st));
    result("upload finish again", virStreamFinish(st));
    result("upload send after finish", virStreamSend(st, "x", 1));
    virStreamFree(st);

    static unsigned char buf[VOL_SIZE];
    struct sink s = {buf, 0, sizeof(buf), 0, 0};
    st = virStreamNew(c, 0);
    result("download", virStorageVolDownload(v, st, 0, DATA_LEN, 0));
    result("download recvall", virStreamRecvAll(st, sink_data, &s));
    result("download finish", virStreamFinish(st));
    virStreamFree(st);
    fingerprint("download bytes", buf, s.len);
    printf("download same as uploaded: %s\n",
           s.len == DATA_LEN && !memcmp(buf, pattern, DATA_LEN) ? "yes" : "no");

    /* A part, read with small receives. */
    st = virStreamNew(c, 0);
    result("download part", virStorageVolDownload(v, st, 1000, 5000, 0));
    size_t got = 0;
    for (;;) {
        int n = virStreamRecv(st, (char *)buf + got, 777);
        if (n <= 0) {
            result("download part last recv", n);
            break;
        }
        got += n;
    }
    result("download part recv at end", virStreamRecv(st, (char *)buf, 10));
    result("download part finish", virStreamFinish(st));
    virStreamFree(st);
    printf("download part: %zu bytes, same: %s\n", got,
           got == 5000 && !memcmp(buf, pattern + 1000, 5000) ? "yes" : "no");

    /* Abort in the middle of a download and of an upload. */
    st = virStreamNew(c, 0);
    result("download to abort", virStorageVolDownload(v, st, 0, 0, 0));
    result("download recv before abort", virStreamRecv(st, (char *)buf, 1000));
    result("download abort", virStreamAbort(st));
    result("download recv after abort", virStreamRecv(st, (char *)buf, 1000));
    result("download finish after abort", virStreamFinish(st));
    virStreamFree(st);
    st = virStreamNew(c, 0);
    result("upload to abort", virStorageVolUpload(v, st, 0, 0, 0));
    result("upload send before abort", virStreamSend(st, "abcdefgh", 8));
    result("upload abort", virStreamAbort(st));
    result("upload send after abort", virStreamSend(st, "abcdefgh", 8));
    result("upload abort again", virStreamAbort(st));
    virStreamFree(st);
    st = virStreamNew(c, 0);
    result("download after aborted upload", virStorageVolDownload(v, st, 0, 8, 0));
    s.len = 0;
    result("download after aborted upload recvall", virStreamRecvAll(st, sink_data, &s));
    /* Whether the daemon wrote the 8 bytes before the abort is a race on its side. */
    printf("download after aborted upload: %zu bytes\n", s.len);
    result("download after aborted upload finish", virStreamFinish(st));
    virStreamFree(st);

    /* Sparse: a hole, data, a hole. */
    memset(buf, 0, sizeof(buf));
    st = virStreamNew(c, 0);
    struct source sp = {pattern, VOL_SIZE, 0, 256 * 1024, 256 * 1024 + 4096};
    result("sparse upload", virStorageVolUpload(v, st, 0, 0, VIR_STORAGE_VOL_UPLOAD_SPARSE_STREAM));
    result("sparse upload sendall",
           virStreamSparseSendAll(st, source_data, source_hole, source_skip, &sp));
    result("sparse upload finish", virStreamFinish(st));
    virStreamFree(st);
    st = virStreamNew(c, 0);
    s.len = 0;
    result("sparse download",
           virStorageVolDownload(v, st, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM));
    result("sparse download recvall", virStreamSparseRecvAll(st, sink_data, sink_hole, &s));
    result("sparse download finish", virStreamFinish(st));
    virStreamFree(st);
    printf("sparse download: %zu bytes, holes %s, data same: %s\n", s.len,
           s.holes > 0 && s.hole_bytes > 0 ? "seen" : "none",
           s.len == VOL_SIZE && !memcmp(buf + 256 * 1024, pattern + 256 * 1024, 4096) ? "yes"
                                                                                      : "no");
    /* Holes on a stream opened without the sparse flag, and RecvHole. */
    st = virStreamNew(c, 0);
    result("plain upload", virStorageVolUpload(v, st, 0, 0, 0));
    result("plain upload sendhole", virStreamSendHole(st, 4096, 0));
    long long hole = -1;
    result("plain upload recvhole", virStreamRecvHole(st, &hole, 0));
    result("plain upload abort", virStreamAbort(st));
    virStreamFree(st);
    st = virStreamNew(c, 0);
    result("sparse download 2",
           virStorageVolDownload(v, st, 0, 0, VIR_STORAGE_VOL_DOWNLOAD_SPARSE_STREAM));
    int n = virStreamRecvFlags(st, (char *)buf, 4096, VIR_STREAM_RECV_STOP_AT_HOLE);
    result("sparse recvflags stop at hole", n);
    hole = -1;
    result("sparse recvhole", virStreamRecvHole(st, &hole, 0));
    printf("sparse hole length: %lld\n", hole);
    result("sparse recvhole bad flags", virStreamRecvHole(st, &hole, 1));
    result("sparse abort", virStreamAbort(st));
    virStreamFree(st);

    /* Upload the pattern again for the non-blocking download. */
    st = virStreamNew(c, 0);
    src.off = 0;
    result("upload again", virStorageVolUpload(v, st, 0, DATA_LEN, 0));
    result("upload again sendall", virStreamSendAll(st, source_data, &src));
    result("upload again finish", virStreamFinish(st));
    virStreamFree(st);
    nonblocking_download(c, v);

    /* A stream of another connection, and a volume that is gone. */
    virConnectPtr other = virConnectOpen(uri);
    st = virStreamNew(other, 0);
    result("upload other connection's stream", virStorageVolUpload(v, st, 0, 0, 0));
    result("download other connection's stream", virStorageVolDownload(v, st, 0, 0, 0));
    virStreamFree(st);
    virConnectClose(other);
    result("delete volume", virStorageVolDelete(v, 0));
    st = virStreamNew(c, 0);
    result("upload to missing volume", virStorageVolUpload(v, st, 0, 10, 0));
    result("send on stream of failed upload", virStreamSend(st, "x", 1));
    result("finish stream of failed upload", virStreamFinish(st));
    result("abort stream of failed upload", virStreamAbort(st));
    virStreamFree(st);
    st = virStreamNew(c, 0);
    result("download from missing volume", virStorageVolDownload(v, st, 0, 10, 0));
    virStreamFree(st);
    virStorageVolFree(v);
out:
    virStoragePoolDestroy(p);
    virStoragePoolFree(p);
    virConnectClose(c);
}

int main(int argc, char **argv)
{
    if (argc < 4) {
        fprintf(stderr, "usage: %s TEST-URI STORAGE-URI DIR\n", argv[0]);
        return 2;
    }
    virSetErrorFunc(NULL, quiet_errors);
    for (size_t i = 0; i < sizeof(pattern); i++)
        pattern[i] = (unsigned char)(i * 7 + i / 251);
    virEventRegisterDefaultImpl();
    test_driver(argv[1]);
    storage(argv[2], argv[3]);
    return 0;
}
