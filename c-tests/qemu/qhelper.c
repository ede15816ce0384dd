/* Helper "application" for the reconnect and PID-reuse tests: opens a root, starts guests and
 * leaves with _exit, so that nothing is cleaned up (no destroy, no close): the guests keep running
 * with their status files, as after a crash of the application.
 *
 * usage: qhelper ROOT NAME PERSISTENT [NAME PERSISTENT...]
 * prints one line per guest: `NAME pid=N id=M` */
#include "qt.h"

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (argc < 4) {
        fprintf(stderr, "usage: %s ROOT NAME PERSISTENT [NAME PERSISTENT...]\n", argv[0]);
        _exit(2);
    }
    char *uri = qt_uri(argv[1]);
    virConnectPtr c = virConnectOpen(uri);
    if (!c) {
        printf("helper: cannot open %s: %s\n", uri, qt_err_msg());
        _exit(1);
    }
    for (int i = 2; i + 1 < argc; i += 2) {
        const char *name = argv[i];
        virDomainPtr d;
        if (atoi(argv[i + 1])) {
            d = virDomainDefineXML(c, qt_xml(name, NULL, NULL, NULL));
            if (d && virDomainCreate(d) < 0)
                d = NULL;
        } else {
            d = virDomainCreateXML(c, qt_xml(name, NULL, NULL, NULL), 0);
        }
        if (!d) {
            printf("helper: cannot start %s: %s\n", name, qt_err_msg());
            _exit(1);
        }
        printf("%s pid=%d id=%d\n", name, (int)qt_read_pidfile(argv[1], name), (int)virDomainGetID(d));
    }
    _exit(0);
}
