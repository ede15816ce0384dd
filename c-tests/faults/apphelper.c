/* The application that gets killed (c-tests/faults/appkill.c runs it): opens ROOT, starts the
 * guests named on the command line (NAME PERSISTENT pairs) and prints `NAME pid=N id=M` for each;
 * then, for every guest the test froze (it answers each `FROZEN NAME` line on stdin), starts a
 * GRACEFUL destroy in a thread of its own (the graceful timeout in ROOT's qemu.conf is long, so it
 * is still waiting) and, once SIGTERM is pending on each of them, prints `READY` and waits to be
 * killed with SIGKILL.
 * usage: apphelper ROOT NAME PERSISTENT [NAME PERSISTENT...] */
#include "../qemu/qt.h"

static virDomainPtr doms[16];

static void *graceful(void *arg)
{
    virDomainPtr d = arg;
    int rc = virDomainDestroyFlags(d, VIR_DOMAIN_DESTROY_GRACEFUL);
    printf("UNEXPECTED graceful destroy of %s returned %d (%s)\n", virDomainGetName(d), rc,
           qt_err_msg());
    return NULL;
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (argc < 4) {
        fprintf(stderr, "usage: %s ROOT NAME PERSISTENT...\n", argv[0]);
        return 2;
    }
    char *uri = qt_uri(argv[1]);
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        printf("ERROR open: %s\n", qt_err_msg());
        return 1;
    }
    int n = 0;
    for (int i = 2; i + 1 < argc && n < 16; i += 2, n++) {
        char *xml = qt_xml(argv[i], NULL, NULL, NULL);
        virDomainPtr d;
        if (atoi(argv[i + 1])) {
            d = virDomainDefineXML(c, xml);
            if (d && virDomainCreate(d) < 0)
                d = NULL;
        } else {
            d = virDomainCreateXML(c, xml, 0);
        }
        if (!d) {
            printf("ERROR start %s: %s\n", argv[i], qt_err_msg());
            return 1;
        }
        doms[n] = d;
        printf("%s pid=%d id=%d\n", argv[i], (int)qt_read_pidfile(argv[1], argv[i]),
               (int)virDomainGetID(d));
    }
    printf("STARTED\n");
    char line[256];
    pid_t pending[16];
    int npending = 0;
    while (fgets(line, sizeof(line), stdin) && strncmp(line, "GO", 2) != 0) {
        char name[128];
        if (sscanf(line, "FROZEN %127s", name) != 1)
            continue;
        for (int k = 0; k < n; k++)
            if (strcmp(virDomainGetName(doms[k]), name) == 0) {
                pthread_t t;
                pthread_create(&t, NULL, graceful, doms[k]);
                pending[npending++] = qt_read_pidfile(argv[1], name);
            }
    }
    for (int k = 0; k < npending; k++)
        for (double end = qt_now_ms() + 10000;
             !qt_has_pending(pending[k], SIGTERM) && qt_now_ms() < end;)
            qt_sleep_ms(5);
    printf("READY\n");
    for (;;)
        pause();
}
