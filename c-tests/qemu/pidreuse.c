/* PID recycling (spec section 1): the pid recorded in a status file is never signalled when it
 * now belongs to another process (its start time differs from the recorded one).
 *
 * 1. A helper application starts guests and exits; their qemu processes are killed while nobody
 *    has the root open, and the status files are edited to name an unrelated live process (a
 *    `sleep`), keeping the recorded start time. Opening the root and destroying must leave the
 *    sleep untouched.
 * 2. The same with a real recycled pid, inside a new pid namespace (`unshare --pid --fork
 *    --mount-proc`, this program as its init), using ns_last_pid so that the sleep gets exactly
 *    the dead qemu's pid. Skipped with a notice if that is not possible here.
 *
 * usage: pidreuse QHELPER   (internally: pidreuse --in-namespace QHELPER) */
#include "qt.h"

static const char *helper;

static pid_t spawn_sleep(void)
{
    fflush(stdout);
    pid_t p = fork();
    if (p == 0) {
        execlp("sleep", "sleep", "300", (char *)NULL);
        _exit(127);
    }
    for (int i = 0; i < 8; i++)
        if (!qt_expected_children[i]) {
            qt_expected_children[i] = p;
            break;
        }
    qt_wait_state(p, 'S', 2000);
    return p;
}

static void end_sleep(pid_t p)
{
    kill(p, SIGKILL);
    waitpid(p, NULL, 0);
    for (int i = 0; i < 8; i++)
        if (qt_expected_children[i] == p)
            qt_expected_children[i] = 0;
}

/* Replace pid='OLD' by pid='NEW' in the status file and the pid file (start time untouched). */
static int retarget(const char *root, const char *name, pid_t old, pid_t new)
{
    char path[4200], buf[65536], from[32], to[32];
    snprintf(path, sizeof(path), "%s/run/qemu/%s.xml", root, name);
    FILE *f = fopen(path, "r");
    if (!f)
        return 0;
    size_t n = fread(buf, 1, sizeof(buf) - 1, f);
    fclose(f);
    buf[n] = 0;
    snprintf(from, sizeof(from), "pid='%d'", old);
    snprintf(to, sizeof(to), "pid='%d'", new);
    char *at = strstr(buf, from);
    if (!at)
        return 0;
    f = fopen(path, "w");
    if (!f)
        return 0;
    fprintf(f, "%.*s%s%s", (int)(at - buf), buf, to, at + strlen(from));
    fclose(f);
    snprintf(path, sizeof(path), "%s/run/qemu/%s.pid", root, name);
    f = fopen(path, "w");
    if (f) {
        fprintf(f, "%d", new);
        fclose(f);
    }
    return 1;
}

static void check_untouched(const char *what, pid_t s, unsigned long long start)
{
    char st = qt_proc_state(s);
    CHECK(st == 'S' && qt_proc_starttime(s) == start,
          "%s: the unrelated process %d is alive and the same (state %c)", what, s, st ? st : '-');
    CHECK(qt_proc_pending(s) == 0, "%s: no signal was sent to it (pending mask %llx)", what,
          qt_proc_pending(s));
}

/* Guests of a dead application; pid(s) in the status files now name `victim`. */
static void scenario(const char *tag, int in_ns)
{
    const char *root = qt_new_root(tag, 500, 500, 1000);
    pid_t pids[8];
    int ids[8];
    int rc = qt_run_helper(helper, root, pids, ids, "reuse-t", "0", "reuse-p", "1", NULL);
    CHECK(rc == 0, "%s: helper started reuse-t, reuse-p and exited (exit %d)", tag, rc);
    if (rc)
        return;
    for (int i = 0; i < 2; i++) {
        kill(pids[i], SIGKILL);
        waitpid(pids[i], NULL, 0); /* re-parented to us (subreaper / namespace init) */
    }
    CHECK(!qt_proc_exists(pids[0]) && !qt_proc_exists(pids[1]),
          "%s: both qemu processes killed while nobody has the root open", tag);

    pid_t victims[2];
    if (in_ns) {
        /* Recycle each pid for real: the next pid handed out is ns_last_pid + 1. */
        for (int i = 0; i < 2; i++) {
            victims[i] = -1;
            for (int tries = 0; tries < 5 && victims[i] != pids[i]; tries++) {
                if (victims[i] > 0)
                    end_sleep(victims[i]);
                FILE *f = fopen("/proc/sys/kernel/ns_last_pid", "w");
                if (!f)
                    break;
                fprintf(f, "%d", pids[i] - 1);
                fclose(f);
                victims[i] = spawn_sleep();
            }
            CHECK(victims[i] == pids[i], "%s: a sleep now has qemu's old pid %d (got %d)", tag,
                  pids[i], victims[i]);
        }
    } else {
        victims[0] = victims[1] = spawn_sleep();
        CHECK(retarget(root, "reuse-t", pids[0], victims[0]) &&
                  retarget(root, "reuse-p", pids[1], victims[1]),
              "%s: status files now name the unrelated process %d", tag, victims[0]);
    }
    unsigned long long start0 = qt_proc_starttime(victims[0]);
    unsigned long long start1 = qt_proc_starttime(victims[1]);

    virConnectPtr c = qt_open(root);
    check_untouched("after open (reuse-t's pid)", victims[0], start0);
    check_untouched("after open (reuse-p's pid)", victims[1], start1);
    virDomainPtr t = virDomainLookupByName(c, "reuse-t");
    CHECK(!t && qt_err_code() == VIR_ERR_NO_DOMAIN, "%s: reuse-t removed at open", tag);
    if (t)
        virDomainFree(t);
    virDomainPtr p = virDomainLookupByName(c, "reuse-p");
    int s = -1, r = -1;
    if (p)
        qt_state(p, &s, &r);
    CHECK(p && s == VIR_DOMAIN_SHUTOFF, "%s: reuse-p shut off at open (got %d/%d)", tag, s, r);
    if (p) {
        CHECK(virDomainDestroy(p) == -1 && qt_err_code() == VIR_ERR_OPERATION_INVALID,
              "%s: reuse-p destroy fails with code 55, nothing signalled", tag);
        check_untouched("after destroy", victims[1], start1);
        CHECK(virDomainCreate(p) == 0, "%s: reuse-p starts again", tag);
        pid_t again = qt_read_pidfile(root, "reuse-p");
        CHECK(virDomainDestroy(p) == 0 && !qt_proc_exists(again), "%s: and is destroyed again",
              tag);
        check_untouched("after a new start and destroy", victims[1], start1);
        virDomainUndefine(p);
        virDomainFree(p);
    }
    const char *left = qt_leftovers(root);
    CHECK(!*left, "%s: runtime files removed (%s)", tag, left);
    qt_close(c);
    check_untouched("after close", victims[0], start0);
    end_sleep(victims[0]);
    if (victims[1] != victims[0])
        end_sleep(victims[1]);
    char kids[256];
    CHECK(qt_children(kids, sizeof(kids)) == 0, "%s: no child process left (%s)", tag, kids);
    if (!qt_fail)
        qt_rm_root(root);
}

int main(int argc, char **argv)
{
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    if (argc == 3 && strcmp(argv[1], "--in-namespace") == 0) {
        helper = argv[2];
        scenario("pidns", 1);
        return qt_done();
    }
    if (argc < 2) {
        fprintf(stderr, "usage: %s QHELPER\n", argv[0]);
        return 2;
    }
    helper = argv[1];
    qt_subreaper();
    scenario("reuse", 0);

    /* A real recycled pid in a private pid namespace, if this system allows one. */
    if (system("unshare --pid --fork --mount-proc true >/dev/null 2>&1") != 0) {
        printf("NOTE pidreuse: unshare --pid --fork --mount-proc does not work here: the "
               "recycled-pid case in a pid namespace was skipped\n");
        return qt_done();
    }
    fflush(stdout);
    pid_t child = fork();
    if (child == 0) {
        execlp("unshare", "unshare", "--pid", "--fork", "--mount-proc", argv[0], "--in-namespace",
               helper, (char *)NULL);
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    int rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
    if (rc == 127)
        printf("NOTE pidreuse: unshare --pid --fork --mount-proc is not available: the recycled-pid "
               "case in a pid namespace was skipped\n");
    else
        CHECK(rc == 0, "the recycled-pid case in a pid namespace passed (exit %d)", rc);
    return qt_done();
}
