/* The application killed with SIGKILL while its guests run, then restarted (issue 8, "Faults";
 * c-tests/qemu/reconnect.c covers the _exit form). The application (apphelper) starts four
 * guests: ak-t (transient) and ak-p (persistent) healthy, ak-f1 (transient) and ak-f2
 * (persistent) frozen with SIGSTOP, each with a GRACEFUL destroy in progress (SIGTERM pending, a
 * long graceful timeout) at the moment of the SIGKILL. Then, as an init would, this process (a
 * subreaper) inherits the guests; ak-f1 is let go on (SIGCONT: the pending SIGTERM ends it and
 * it is reaped here, as init reaps orphans) while ak-f2 stays frozen; the root is opened again:
 *   - ak-t, ak-p: found running with their ids, the monitor works, destroy leaves nothing;
 *   - ak-f1: its process is gone: the transient domain is removed, its files cleaned;
 *   - ak-f2: still alive but frozen (its monitor cannot answer): it must not be orphaned: either
 *     it is tracked (active, and destroy kills it) or the open killed it; never a live qemu that
 *     the driver has forgotten;
 *   - afterwards: no qemu of the root, no zombie child, no runtime file, no domain.
 * usage: appkill APPHELPER */
#include "../qemu/qt.h"
#include "faults.h"

static const char *root;


static const char *names[4] = {"ak-t", "ak-p", "ak-f1", "ak-f2"};
static pid_t pids[4];
static int ids[4];

static void healthy(virConnectPtr c, int i, int persistent)
{
    const char *name = names[i];
    virDomainPtr d = virDomainLookupByName(c, name);
    CHECK(d != NULL, "%s: found after the restart", name);
    if (!d)
        return;
    int s, r;
    qt_state(d, &s, &r);
    CHECK(s == VIR_DOMAIN_RUNNING, "%s: running (%d/%d)", name, s, r);
    CHECK((int)virDomainGetID(d) == ids[i], "%s: id %d kept (%d)", name, ids[i],
          (int)virDomainGetID(d));
    CHECK(virDomainSuspend(d) == 0 && virDomainResume(d) == 0,
          "%s: suspend and resume over the re-opened monitor", name);
    CHECK(virDomainDestroy(d) == 0, "%s: destroy returns 0", name);
    CHECK(qt_wait_gone(pids[i], 5000), "%s: qemu %d gone, reaped", name, pids[i]);
    if (persistent) {
        qt_state(d, &s, &r);
        CHECK(s == VIR_DOMAIN_SHUTOFF && r == VIR_DOMAIN_SHUTOFF_DESTROYED,
              "%s: shut off, destroyed (%d/%d)", name, s, r);
        virDomainUndefine(d);
    } else {
        CHECK(qt_is_gone(d), "%s: transient removed", name);
    }
    virDomainFree(d);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (argc < 2) {
        fprintf(stderr, "usage: %s APPHELPER\n", argv[0]);
        return 2;
    }
    qt_subreaper();
    /* A long graceful timeout: the GRACEFUL destroys are still waiting when the app dies. The
     * monitor timeout bounds how long the reopen may wait for the frozen guest's monitor. */
    root = qt_new_root("appkill", 60000, 1000, 2000);
    char conf[4200];
    snprintf(conf, sizeof(conf), "%s/etc/qemu.conf", root);
    FILE *f = fopen(conf, "a");
    fprintf(f, "oxvirt_monitor_timeout_ms = 3000\n");
    fclose(f);

    int in[2], out[2];
    if (pipe(in) < 0 || pipe(out) < 0)
        return 2;
    pid_t app = fork();
    if (app == 0) {
        dup2(in[0], 0);
        dup2(out[1], 1);
        close(in[1]);
        close(out[0]);
        execl(argv[1], argv[1], root, names[0], "0", names[1], "1", names[2], "0", names[3], "1",
              (char *)NULL);
        _exit(127);
    }
    close(in[0]);
    close(out[1]);
    qt_expected_children[0] = app;
    FILE *from = fdopen(out[0], "r");
    FILE *to = fdopen(in[1], "w");
    char line[512];
    int started = 0, ready = 0;
    while (fgets(line, sizeof(line), from)) {
        char name[64];
        int p, id;
        if (sscanf(line, "%63s pid=%d id=%d", name, &p, &id) == 3) {
            for (int i = 0; i < 4; i++)
                if (!strcmp(name, names[i])) {
                    pids[i] = p;
                    ids[i] = id;
                }
        } else if (!strncmp(line, "STARTED", 7)) {
            started = 1;
            for (int i = 2; i < 4; i++) {
                kill(pids[i], SIGSTOP);
                qt_wait_state(pids[i], 'T', 5000);
                fprintf(to, "FROZEN %s\n", names[i]);
            }
            fprintf(to, "GO\n");
            fflush(to);
        } else if (!strncmp(line, "READY", 5)) {
            ready = 1;
            break;
        } else {
            printf("NOTE app: %s", line);
        }
    }
    CHECK(started && ready, "the application started 4 guests, froze 2, GRACEFUL destroys pending");
    if (!ready) {
        kill(app, SIGKILL);
        waitpid(app, NULL, 0);
        return qt_done();
    }
    for (int i = 2; i < 4; i++)
        CHECK(qt_has_pending(pids[i], SIGTERM), "%s: SIGTERM pending (the GRACEFUL destroy's)",
              names[i]);
    CHECK(kill(app, SIGKILL) == 0, "the application killed with SIGKILL");
    int st;
    waitpid(app, &st, 0);
    qt_expected_children[0] = 0;
    CHECK(WIFSIGNALED(st) && WTERMSIG(st) == SIGKILL, "it died of SIGKILL");
    fclose(from);
    fclose(to);
    for (int i = 0; i < 4; i++)
        CHECK(qt_proc_state(pids[i]) && qt_proc_state(pids[i]) != 'Z',
              "%s: qemu %d outlives the application (%c)", names[i], pids[i],
              qt_proc_state(pids[i]) ? qt_proc_state(pids[i]) : '-');

    /* ak-f1 goes on: the pending SIGTERM ends it; we reap it as init would. */
    kill(pids[2], SIGCONT);
    CHECK(qt_wait_state(pids[2], 'Z', 5000), "ak-f1: resumed, ended by its pending SIGTERM");
    waitpid(pids[2], NULL, 0);

    double t0 = qt_now_ms();
    virConnectPtr c = qt_open(root);
    printf("NOTE reopen took %.0f ms\n", qt_now_ms() - t0);
    CHECK(c != NULL, "the root opened again");

    healthy(c, 0, 0);
    healthy(c, 1, 1);

    virDomainPtr d = virDomainLookupByName(c, "ak-f1");
    CHECK(!d && qt_err_code() == VIR_ERR_NO_DOMAIN, "ak-f1: its process is gone: removed");
    if (d)
        virDomainFree(d);

    d = virDomainLookupByName(c, "ak-f2");
    CHECK(d != NULL, "ak-f2: still defined");
    if (d) {
        int active = virDomainIsActive(d), s, r;
        qt_state(d, &s, &r);
        char pst = qt_proc_state(pids[3]);
        printf("NOTE ak-f2 (frozen across the restart): active %d, state %d/%d, qemu %d state %c\n",
               active, s, r, pids[3], pst ? pst : '-');
        XCHECK(active == 1 || !pst || pst == 'Z',
               "ak-f2: not orphaned: tracked (active %d) or killed (qemu %c)", active,
               pst ? pst : '-');
        if (active == 1) {
            CHECK(virDomainDestroy(d) == 0, "ak-f2: destroy returns 0");
        }
        if (active != 1 && qt_proc_state(pids[3]) && qt_proc_state(pids[3]) != 'Z') {
            /* orphaned: end it here (we are its init) so that nothing outlives the test */
            kill(pids[3], SIGKILL);
            waitpid(pids[3], NULL, 0);
        }
        CHECK(qt_wait_gone(pids[3], 5000), "ak-f2: qemu %d gone", pids[3]);
        virDomainUndefine(d);
        virDomainFree(d);
    }

    char kids[256];
    const char *left = qt_leftovers(root);
    CHECK(!*left, "nothing left under the root (%s)", left);
    CHECK(virConnectNumOfDomains(c) == 0 && virConnectNumOfDefinedDomains(c) == 0,
          "no domain left");
    CHECK(qt_close(c) == 0, "close returns 0");
    CHECK(qt_children(kids, sizeof(kids)) == 0, "no child process, no zombie (%s)", kids);
    if (!qt_fail)
        qt_rm_root(root);
    return qt_done();
}
