/* Reconnect (spec section 3): guests started by another process that exited without cleaning up
 * are found when the root is opened again (state, id, monitor), and can be destroyed leaving
 * nothing behind; a recorded guest whose process is gone is marked shut off (persistent) or
 * removed (transient) at the next open, with its runtime files removed; a guest whose monitor
 * socket is gone is killed rather than left running untracked; the same process reconnects after
 * closing its last connection.
 *
 * usage: reconnect QHELPER */
#include "qt.h"

static const char *helper;

static void found_running(virConnectPtr c, const char *root, const char *name, pid_t pid, int id,
                          int persistent)
{
    virDomainPtr d = virDomainLookupByName(c, name);
    CHECK(d != NULL, "%s: found by name after reconnect", name);
    if (!d)
        return;
    int s, r;
    qt_state(d, &s, &r);
    CHECK(s == VIR_DOMAIN_RUNNING && r == VIR_DOMAIN_RUNNING_BOOTED,
          "%s: running (1/1), got %d/%d", name, s, r);
    CHECK((int)virDomainGetID(d) == id, "%s: id kept (%d), got %d", name, id,
          (int)virDomainGetID(d));
    virDomainPtr byid = virDomainLookupByID(c, id);
    CHECK(byid != NULL, "%s: found by id %d", name, id);
    if (byid)
        virDomainFree(byid);
    CHECK(virDomainIsPersistent(d) == persistent, "%s: persistent=%d kept", name, persistent);
    /* The monitor works again. */
    CHECK(virDomainSuspend(d) == 0 && qt_state(d, &s, &r) == 0 && s == VIR_DOMAIN_PAUSED,
          "%s: suspend over the re-opened monitor", name);
    CHECK(virDomainResume(d) == 0 && qt_state(d, &s, &r) == 0 && s == VIR_DOMAIN_RUNNING,
          "%s: resume over the re-opened monitor", name);
    CHECK(qt_proc_exists(pid), "%s: qemu %d still alive before destroy", name, pid);
    CHECK(virDomainDestroy(d) == 0, "%s: destroy returns 0", name);
    CHECK(!qt_proc_exists(pid), "%s: qemu %d gone (reaped: no zombie)", name, pid);
    if (persistent) {
        qt_state(d, &s, &r);
        CHECK(s == VIR_DOMAIN_SHUTOFF &&
                  r == VIR_DOMAIN_SHUTOFF_DESTROYED,
              "%s: shut off, destroyed (5/2), got %d/%d", name, s, r);
        CHECK(virDomainCreate(d) == 0, "%s: starts again", name);
        pid_t again = qt_read_pidfile(root, name);
        CHECK(virDomainDestroy(d) == 0 && !qt_proc_exists(again), "%s: destroyed again", name);
        CHECK(virDomainUndefine(d) == 0, "%s: undefined", name);
    } else {
        CHECK(qt_is_gone(d), "%s: transient domain removed", name);
    }
    virDomainFree(d);
}

/* Another process started guests and exited: we find them and destroy them. */
static void reconnect_after_exit(void)
{
    const char *root = qt_new_root("reconnect", 500, 500, 1000);
    pid_t pids[8];
    int ids[8];
    int rc = qt_run_helper(helper, root, pids, ids, "rc-t", "0", "rc-p", "1", "rc-k", "0", NULL);
    CHECK(rc == 0, "helper started rc-t, rc-p, rc-k and exited without cleaning up (exit %d)", rc);
    if (rc)
        return;
    for (int i = 0; i < 3; i++)
        CHECK(qt_proc_exists(pids[i]), "guest %d (qemu %d) outlives the helper", i, pids[i]);
    virConnectPtr c = qt_open(root);
    CHECK(virConnectNumOfDomains(c) == 3, "3 active domains after reconnect, got %d",
          virConnectNumOfDomains(c));
    found_running(c, root, "rc-t", pids[0], ids[0], 0);
    found_running(c, root, "rc-p", pids[1], ids[1], 1);

    /* The reconnected guest is watched: killed from outside, it is noticed at once. */
    virDomainPtr k = virDomainLookupByName(c, "rc-k");
    if (k) {
        qt_events_clear();
        kill(pids[2], SIGKILL);
        CHECK(qt_wait_removed(k, 10000), "rc-k: killed from outside after reconnect: noticed");
        CHECK(qt_wait_gone(pids[2], 5000), "rc-k: reaped, no zombie");
        if (qt_events_on)
            CHECK(strcmp(qt_events_of("rc-k", 200), "5/5") == 0,
                  "rc-k: one STOPPED/FAILED event (got '%s')", qt_events_of("rc-k", 0));
        virDomainFree(k);
    }
    const char *left = qt_leftovers(root);
    CHECK(!*left, "reconnect: nothing left under the root (%s)", left);
    CHECK(virConnectNumOfDomains(c) == 0, "reconnect: no active domain left");
    CHECK(qt_close(c) == 0, "reconnect: close returns 0");
    char kids[256];
    CHECK(qt_children(kids, sizeof(kids)) == 0, "reconnect: no child process left (%s)", kids);
    if (!qt_fail)
        qt_rm_root(root);
}

/* The guests' processes died while nobody had the root open. */
static void dead_at_next_open(void)
{
    const char *root = qt_new_root("dead", 500, 500, 1000);
    pid_t pids[8];
    int ids[8];
    int rc = qt_run_helper(helper, root, pids, ids, "dead-t", "0", "dead-p", "1", NULL);
    CHECK(rc == 0, "helper started dead-t, dead-p and exited (exit %d)", rc);
    if (rc)
        return;
    for (int i = 0; i < 2; i++) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0); /* re-parented to us: we are its init */
        CHECK(qt_wait_gone(pids[i], 5000), "qemu %d killed while nobody has the root open",
              pids[i]);
    }
    CHECK(qt_file_exists(root, "run/qemu/%s.xml", "dead-t") &&
              qt_file_exists(root, "run/qemu/%s.xml", "dead-p"),
          "their status files are still there");
    virConnectPtr c = qt_open(root);
    virDomainPtr t = virDomainLookupByName(c, "dead-t");
    CHECK(!t && qt_err_code() == VIR_ERR_NO_DOMAIN, "dead-t: transient removed at open (code 42)");
    if (t)
        virDomainFree(t);
    virDomainPtr p = virDomainLookupByName(c, "dead-p");
    CHECK(p != NULL, "dead-p: persistent still defined");
    if (p) {
        int s, r;
        qt_state(p, &s, &r);
        CHECK(s == VIR_DOMAIN_SHUTOFF,
              "dead-p: marked shut off at open, got %d/%d", s, r);
        CHECK(r == VIR_DOMAIN_SHUTOFF_CRASHED, "dead-p: reason crashed (3), as the reference; got %d",
              r);
        CHECK(virDomainIsActive(p) == 0 && virDomainGetID(p) == (unsigned int)-1,
              "dead-p: inactive, id -1");
        CHECK(virDomainDestroy(p) == -1 && qt_err_code() == VIR_ERR_OPERATION_INVALID,
              "dead-p: destroy fails with code 55");
        CHECK(virDomainCreate(p) == 0, "dead-p: starts again");
        pid_t again = qt_read_pidfile(root, "dead-p");
        CHECK(virDomainDestroy(p) == 0 && !qt_proc_exists(again), "dead-p: destroyed again");
        virDomainUndefine(p);
        virDomainFree(p);
    }
    const char *left = qt_leftovers(root);
    CHECK(!*left, "dead: runtime files removed (%s)", left);
    CHECK(qt_close(c) == 0, "dead: close returns 0");
    if (!qt_fail)
        qt_rm_root(root);
}

/* A live guest whose monitor socket disappeared cannot be controlled any more: at the next open
 * it is killed (through its verified pidfd) and shut off, not left running untracked. */
static void monitor_gone(void)
{
    const char *root = qt_new_root("nomon", 500, 500, 1000);
    pid_t pids[8];
    int ids[8];
    int rc = qt_run_helper(helper, root, pids, ids, "nomon-p", "1", NULL);
    CHECK(rc == 0, "helper started nomon-p and exited (exit %d)", rc);
    if (rc)
        return;
    char sock[4200];
    snprintf(sock, sizeof(sock), "%s/lib/qemu/domain-%d-nomon-p/monitor.sock", root, ids[0]);
    CHECK(unlink(sock) == 0, "nomon-p: monitor socket removed (%s)", sock);
    virConnectPtr c = qt_open(root);
    virDomainPtr p = virDomainLookupByName(c, "nomon-p");
    int s = -1, r = -1;
    if (p)
        qt_state(p, &s, &r);
    CHECK(p && s == VIR_DOMAIN_SHUTOFF, "nomon-p: shut off at open, got %d/%d", s, r);
    CHECK(qt_wait_gone(pids[0], 5000), "nomon-p: its qemu %d was killed and reaped", pids[0]);
    const char *left = qt_leftovers(root);
    CHECK(!*left, "nomon: runtime files removed (%s)", left);
    if (p) {
        virDomainUndefine(p);
        virDomainFree(p);
    }
    qt_close(c);
    if (!qt_fail)
        qt_rm_root(root);
}

/* The same process closes its last connection (the driver goes away, the guest keeps running)
 * and opens the root again. */
static void same_process(void)
{
    const char *root = qt_new_root("same", 500, 500, 1000);
    virConnectPtr c = qt_open(root);
    virDomainPtr d = virDomainCreateXML(c, qt_xml("same-t", NULL, NULL, NULL), 0);
    CHECK(d != NULL, "same-t: started");
    if (!d)
        return;
    int id = (int)virDomainGetID(d);
    pid_t pid = qt_read_pidfile(root, "same-t");
    virDomainFree(d);
    CHECK(qt_close(c) == 0, "same-t: last connection closed");
    CHECK(qt_proc_state(pid) && qt_proc_state(pid) != 'Z',
          "same-t: the guest keeps running without a connection");
    c = qt_open(root);
    d = virDomainLookupByName(c, "same-t");
    CHECK(d && (int)virDomainGetID(d) == id, "same-t: found again with its id");
    if (d) {
        CHECK(virDomainDestroy(d) == 0, "same-t: destroy returns 0");
        CHECK(!qt_proc_exists(pid), "same-t: qemu %d gone, no zombie", pid);
        virDomainFree(d);
    }
    const char *left = qt_leftovers(root);
    CHECK(!*left, "same: nothing left under the root (%s)", left);
    qt_close(c);
    if (!qt_fail)
        qt_rm_root(root);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (argc < 2) {
        fprintf(stderr, "usage: %s QHELPER\n", argv[0]);
        return 2;
    }
    helper = argv[1];
    qt_subreaper();
    qt_events_init();
    reconnect_after_exit();
    dead_at_next_open();
    monitor_gone();
    same_process();
    return qt_done();
}
