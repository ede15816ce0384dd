/* Who owns the strings of an error, path by path, in the orders clients use them: the thread's
 * error (virGetLastError, which a caller may virResetError, as libvirt's Perl binding does on
 * every error), copies (virCopyLastError, virSaveLastError + virFreeError), the connection's own
 * error (virConnGetLastError, virConnCopyLastError, virConnResetLastError), virDefaultErrorFunc,
 * on several threads and at thread exit. Run under valgrind too: nothing freed twice, nothing
 * leaked. */
#include "common.h"
#include <pthread.h>
#include <unistd.h>

static virConnectPtr conn;

/* An error raised on the connection (and so also recorded as its own last error). */
static void error_on_conn(void)
{
    virDomainPtr d = virDomainLookupByName(conn, "nosuch");
    if (d)
        virDomainFree(d);
}

/* An error raised with no connection. */
static void error_without_conn(void)
{
    virDomainDestroy(NULL);
}

static void show_struct(const char *what, virErrorPtr e)
{
    if (!e) {
        printf("%s: NULL\n", what);
        return;
    }
    printf("%s: code=%d domain=%d level=%d int1=%d str1=%s str2=%s msg=%s\n", what, e->code,
           e->domain, e->level, e->int1, e->str1 ? e->str1 : "(null)", e->str2 ? e->str2 : "(null)",
           e->message ? e->message : "(null)");
}

static void show_thread_error(const char *what)
{
    printf("%s: last=%s code=%d domain=%d msg=%s\n", what, virGetLastError() ? "set" : "NULL",
           virGetLastErrorCode(), virGetLastErrorDomain(), virGetLastErrorMessage());
}

/* libvirt's Perl binding: read the thread's error, then reset that very struct. */
static void perl_pattern(void)
{
    for (int i = 0; i < 3; i++) {
        error_on_conn();
        virErrorPtr e = virGetLastError();
        show_struct("perl: error", e);
        virResetError(e);
        show_struct("perl: same struct after reset", e);
        show_thread_error("perl: after reset");
        error_without_conn();
        show_thread_error("perl: next error");
        virResetError(virGetLastError());
        virResetError(virGetLastError());
        show_thread_error("perl: reset twice");
    }
}

/* The thread's struct is one struct: a pointer kept across calls shows the current error. */
static void kept_pointer(void)
{
    error_on_conn();
    virErrorPtr e = virGetLastError();
    error_without_conn();
    printf("kept: same pointer=%d\n", e == virGetLastError());
    show_struct("kept: after the next error", e);
    virResetLastError();
    show_struct("kept: after virResetLastError", e);
    show_thread_error("kept: thread");
}

static void copies(void)
{
    virError to;
    for (int i = 0; i < 2; i++) {
        /* virCopyLastError must not free what an uninitialized struct seems to hold. */
        memset(&to, 0x5a, sizeof(to));
        error_on_conn();
        printf("copy: returns %d\n", virCopyLastError(&to));
        show_struct("copy", &to);
        virResetError(&to);
        show_struct("copy: reset", &to);
        virResetError(&to);
        show_thread_error("copy: thread error untouched");
        virResetLastError();
        memset(&to, 0x5a, sizeof(to));
        printf("copy none: returns %d\n", virCopyLastError(&to));
        show_struct("copy none", &to);
        virResetError(&to);
        printf("copy NULL: returns %d\n", virCopyLastError(NULL));

        error_on_conn();
        virErrorPtr saved = virSaveLastError();
        error_without_conn();
        show_struct("saved", saved);
        virFreeError(saved);
        virResetLastError();
        saved = virSaveLastError();
        show_struct("saved none", saved);
        virFreeError(saved);
        virFreeError(NULL);
        virResetError(NULL);
    }
}

static void conn_error(void)
{
    virError to;
    virConnectPtr fresh = virConnectOpen("test:///default");
    show_struct("conn: fresh, before any error", virConnGetLastError(fresh));
    memset(&to, 0x5a, sizeof(to));
    printf("conn: fresh, copy returns %d\n", virConnCopyLastError(fresh, &to));
    show_struct("conn: fresh, copy", &to);
    virConnectClose(fresh);
    virErrorPtr ce = virConnGetLastError(conn);
    show_struct("conn: before", ce);
    show_struct("conn: NULL connection", virConnGetLastError(NULL));
    memset(&to, 0x5a, sizeof(to));
    printf("conn: copy from NULL returns %d\n", virConnCopyLastError(NULL, &to));
    virConnResetLastError(NULL);

    error_on_conn();
    show_struct("conn: after an error on it", virConnGetLastError(conn));
    printf("conn: same pointer=%d\n", ce == virConnGetLastError(conn));
    error_without_conn();
    show_struct("conn: after an error elsewhere", virConnGetLastError(conn));
    virResetLastError();
    show_struct("conn: after virResetLastError", virConnGetLastError(conn));
    memset(&to, 0x5a, sizeof(to));
    printf("conn: copy returns %d\n", virConnCopyLastError(conn, &to));
    show_struct("conn: copy", &to);
    virResetError(&to);

    error_on_conn();
    virConnResetLastError(conn);
    show_struct("conn: after virConnResetLastError", virConnGetLastError(conn));
    show_thread_error("conn: thread error after virConnResetLastError");
    memset(&to, 0x5a, sizeof(to));
    printf("conn: copy of none returns %d\n", virConnCopyLastError(conn, &to));
    virResetError(&to);

    /* The connection's struct reset by the caller, then refilled. */
    error_on_conn();
    virResetError(virConnGetLastError(conn));
    show_struct("conn: reset by the caller", virConnGetLastError(conn));
    show_thread_error("conn: thread error after that");
    error_on_conn();
    show_struct("conn: refilled", virConnGetLastError(conn));

    virDomainPtr d = virDomainLookupByName(conn, "test");
    virDomainDestroyFlags(d, 6);
    show_struct("conn: after an error on its domain", virConnGetLastError(conn));
    virDomainFree(d);
}

/* virDefaultErrorFunc prints on stderr: capture it to compare. */
static void default_func(const char *what, virErrorPtr e)
{
    char path[] = "/tmp/errown.XXXXXX";
    int fd = mkstemp(path);
    int saved = dup(2);
    fflush(stderr);
    dup2(fd, 2);
    virDefaultErrorFunc(e);
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
    char buf[512] = { 0 };
    ssize_t n = pread(fd, buf, sizeof(buf) - 1, 0);
    close(fd);
    unlink(path);
    printf("%s: printed %zd bytes: %s%s", what, n, buf, n > 0 ? "" : "\n");
}

static void default_printer(void)
{
    default_func("default: NULL", NULL);
    virError zero;
    memset(&zero, 0, sizeof(zero));
    default_func("default: no error", &zero);
    error_on_conn();
    default_func("default: thread error", virGetLastError());
    show_thread_error("default: thread error kept");
    virErrorPtr saved = virSaveLastError();
    virResetLastError();
    default_func("default: saved copy", saved);
    virFreeError(saved);
}

/* An error function that resets the very error it is handed. */
static void resetting_handler(void *u, virErrorPtr e)
{
    (void)u;
    virResetError(e);
}

static void handler_resets(void)
{
    virSetErrorFunc(NULL, resetting_handler);
    error_on_conn();
    show_thread_error("handler reset: thread");
    show_struct("handler reset: conn", virConnGetLastError(conn));
    virSetErrorFunc(NULL, quiet_errors);
}

/* Threads: each leaves its error in a different state when it exits. */
static void *worker(void *arg)
{
    long how = (long)arg;
    virSetErrorFunc(NULL, quiet_errors);
    for (int i = 0; i < 50; i++) {
        error_on_conn();
        virErrorPtr e = virGetLastError();
        if (!e || e->code != VIR_ERR_NO_DOMAIN)
            return (void *)1;
        virResetError(e);
        if (virGetLastError() || virGetLastErrorCode() != 0)
            return (void *)2;
        error_without_conn();
        virErrorPtr s = virSaveLastError();
        virFreeError(s);
    }
    if (how == 1)
        virResetLastError();
    else if (how == 2)
        virResetError(virGetLastError());
    else if (how == 3)
        virGetLastError(); /* exits with its error set and viewed */
    return NULL;          /* how == 0: exits with its error set, never viewed */
}

static void threads(void)
{
    pthread_t t[8];
    for (long i = 0; i < 8; i++)
        pthread_create(&t[i], NULL, worker, (void *)(i % 4));
    int bad = 0;
    for (int i = 0; i < 8; i++) {
        void *r;
        pthread_join(t[i], &r);
        bad += r != NULL;
    }
    printf("threads: %d failed\n", bad);
    show_thread_error("threads: main thread's error untouched");
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    conn = virConnectOpen("test:///default");
    if (!conn)
        return 1;
    show_thread_error("start");
    perl_pattern();
    kept_pointer();
    copies();
    conn_error();
    default_printer();
    handler_resets();
    error_on_conn();
    threads();
    printf("close=%d\n", virConnectClose(conn));
    /* The main thread ends with an error set. */
    virDomainDestroy(NULL);
    return 0;
}
