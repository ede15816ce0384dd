/* Custom node files of the test driver (test:///ABSOLUTE/PATH.xml): their <auth> section asks for
 * credentials through virConnectOpenAuth's callback and refuses wrong ones; the domains they define
 * (inline and file='relative.xml'), their errors, and whether connections share state. Paths are
 * printed relative to the temporary directory, so the output is the same from run to run. */
#include "common.h"
#include <sys/stat.h>
#include <unistd.h>

static char dir[256];

static void print_in_dir(const char *s);

/* The message with the temporary directory written as DIR. */
static void show_error_in_dir(const char *what)
{
    virErrorPtr e = virGetLastError();
    if (!e) {
        printf("%s: no error\n", what);
        return;
    }
    printf("%s: code=%d domain=%d level=%d int1=%d int2=%d str1=", what, e->code, e->domain, e->level,
           e->int1, e->int2);
    print_in_dir(e->str1);
    fputs(" str2=", stdout);
    print_in_dir(e->str2);
    fputs(" str3=", stdout);
    print_in_dir(e->str3);
    fputs(" msg=", stdout);
    print_in_dir(e->message);
    putchar('\n');
}

/* A string with the temporary directory written as DIR. */
static void print_in_dir(const char *s)
{
    const char *m = s ? s : "(null)";
    size_t n = strlen(dir);
    while (*m) {
        if (strncmp(m, dir, n) == 0) {
            fputs("DIR", stdout);
            m += n;
        } else {
            putchar(*m++);
        }
    }
}

static void write_file(const char *name, const char *text)
{
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *f = fopen(path, "w");
    if (!f) {
        perror(path);
        exit(2);
    }
    fputs(text, f);
    fclose(f);
}

static void uri_of(char *uri, size_t len, const char *name)
{
    snprintf(uri, len, "test://%s/%s", dir, name);
}

/* What the callback answers: each credential type it is asked for, in turn. */
struct script {
    const char *name;       /* answer to VIR_CRED_AUTHNAME, NULL: answer nothing */
    const char *password;   /* answer to VIR_CRED_PASSPHRASE / NOECHOPROMPT */
    int fail_on;            /* the credential type the callback fails on (returns -1), 0: none */
    int short_len;          /* give resultlen 1 instead of the string's length */
};

static int callback(virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
    struct script *s = cbdata;
    printf("  callback ncred=%u\n", ncred);
    for (unsigned int i = 0; i < ncred; i++) {
        printf("  cred type=%d prompt=%s challenge=%s defresult=%s result=%s resultlen=%u\n",
               cred[i].type, cred[i].prompt ? cred[i].prompt : "(null)",
               cred[i].challenge ? cred[i].challenge : "(null)",
               cred[i].defresult ? cred[i].defresult : "(null)",
               cred[i].result ? "(set)" : "(null)", cred[i].resultlen);
        if (cred[i].type == s->fail_on)
            return -1;
        const char *answer = cred[i].type == VIR_CRED_AUTHNAME ? s->name : s->password;
        if (answer) {
            cred[i].result = strdup(answer);
            cred[i].resultlen = s->short_len ? 1 : strlen(answer);
        }
    }
    return 0;
}

static void list_domains(virConnectPtr c, const char *what)
{
    virDomainPtr *doms = NULL;
    int n = virConnectListAllDomains(c, &doms, 0);
    printf("%s: %d domains\n", what, n);
    /* The list's order is the driver's own: print by name. */
    for (int pass = 0; n > 0 && pass < n; pass++) {
        int best = -1;
        for (int i = 0; i < n; i++)
            if (doms[i] && (best < 0 || strcmp(virDomainGetName(doms[i]), virDomainGetName(doms[best])) < 0))
                best = i;
        virDomainPtr d = doms[best];
        int state = -1, reason = -1;
        virDomainGetState(d, &state, &reason, 0);
        printf("  %s id=%d state=%d reason=%d persistent=%d\n", virDomainGetName(d),
               (int)virDomainGetID(d), state, reason, virDomainIsPersistent(d));
        virDomainFree(d);
        doms[best] = NULL;
    }
    free(doms);
}

static void show_node_info(virConnectPtr c)
{
    virNodeInfo n;
    if (virNodeGetInfo(c, &n) < 0) {
        show_error_in_dir("  node info");
        return;
    }
    printf("  node model=%s memory=%lu cpus=%u mhz=%u nodes=%u sockets=%u cores=%u threads=%u\n",
           n.model, n.memory, n.cpus, n.mhz, n.nodes, n.sockets, n.cores, n.threads);
}

/* Open `name` in the temporary directory with `auth` (or plain virConnectOpen when use_auth is 0),
 * print what happened, and list the domains when it opened. */
static virConnectPtr try_open(const char *what, const char *name, int use_auth, virConnectAuthPtr auth,
                              unsigned int flags, int keep)
{
    char uri[512];
    uri_of(uri, sizeof uri, name);
    printf("%s:\n", what);
    virConnectPtr c = use_auth ? virConnectOpenAuth(uri, auth, flags) : virConnectOpen(uri);
    if (!c) {
        show_error_in_dir("  open failed");
        return NULL;
    }
    printf("  opened\n");
    list_domains(c, "  list");
    show_node_info(c);
    if (keep)
        return c;
    virConnectClose(c);
    return NULL;
}

static void open_with(const char *what, const char *name, struct script *s, int *types, int ntypes)
{
    virConnectAuth auth = { types, ntypes, callback, s };
    try_open(what, name, 1, &auth, 0, 0);
}

static const char *inline_domain =
    "  <domain type='test'>\n"
    "    <name>inline1</name>\n"
    "    <uuid>11111111-2222-3333-4444-000000000001</uuid>\n"
    "    <memory>1024</memory>\n"
    "    <os><type>hvm</type></os>\n"
    "  </domain>\n";

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    snprintf(dir, sizeof dir, "%s/oxvirt-testauth-XXXXXX", getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp");
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 2;
    }
    /* The reference looks credentials up in an auth.conf before it asks the callback: make sure
     * it finds none (XDG_CONFIG_HOME is read at the first lookup, after this). */
    char config[300];
    snprintf(config, sizeof config, "%s/config", dir);
    setenv("XDG_CONFIG_HOME", config, 1);
    unsetenv("LIBVIRT_AUTH_FILE");
    char sub[300];
    snprintf(sub, sizeof sub, "%s/sub", dir);
    mkdir(sub, 0700);

    char text[4096];
    snprintf(text, sizeof text,
             "<node>\n"
             "  <auth>\n"
             "    <user password='secret'>alice</user>\n"
             "    <user>bob</user>\n"
             "  </auth>\n"
             "%s"
             "</node>\n", inline_domain);
    write_file("auth.xml", text);
    write_file("sub/dom2.xml",
               "<domain type='test'>\n"
               "  <name>fromfile</name>\n"
               "  <uuid>11111111-2222-3333-4444-000000000002</uuid>\n"
               "  <memory unit='MiB'>64</memory>\n"
               "  <vcpu>3</vcpu>\n"
               "  <os><type>hvm</type></os>\n"
               "</domain>\n");
    snprintf(text, sizeof text,
             "<node>\n"
             "  <cpu><nodes>1</nodes><sockets>2</sockets><cores>4</cores><threads>2</threads>"
             "<active>12</active><mhz>2000</mhz><model>i686</model></cpu>\n"
             "  <memory>4194304</memory>\n"
             "%s"
             "  <domain file='sub/dom2.xml'/>\n"
             "  <network><name>net1</name><bridge name='virbr9'/></network>\n"
             "  <pool type='dir'><name>pool1</name><target><path>/pool1</path></target></pool>\n"
             "</node>\n", inline_domain);
    write_file("noauth.xml", text);
    write_file("malformed.xml", "<node>\n  <domain type='test'>\n</node>\n");
    write_file("notnode.xml", "<domains/>\n");
    write_file("empty.xml", "");
    write_file("badref.xml", "<node>\n  <domain file='nosuch.xml'/>\n</node>\n");
    write_file("badcpu.xml", "<node>\n  <cpu><sockets>many</sockets></cpu>\n</node>\n");
    write_file("badmem.xml", "<node>\n  <memory>lots</memory>\n</node>\n");
    write_file("nouser.xml", "<node>\n  <auth><user password='x'></user></auth>\n</node>\n");
    write_file("sub/broken.xml", "<domain type='test'>\n  <name>x</name>\n");
    write_file("sub/wrongroot.xml", "<network><name>n</name></network>\n");
    write_file("badref2.xml", "<node>\n  <domain file='sub/broken.xml'/>\n</node>\n");
    write_file("badref3.xml", "<node>\n  <domain file='sub/wrongroot.xml'/>\n</node>\n");
    write_file("sub/up.xml", "<node>\n  <domain file='../sub/dom2.xml'/>\n</node>\n");
    write_file("baddomain.xml", "<node>\n  <domain type='test'><memory>1024</memory></domain>\n</node>\n");

    int both[] = { VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE };
    int noecho[] = { VIR_CRED_AUTHNAME, VIR_CRED_NOECHOPROMPT };
    int name_only[] = { VIR_CRED_AUTHNAME };
    int pass_only[] = { VIR_CRED_PASSPHRASE };
    int other[] = { VIR_CRED_ECHOPROMPT, VIR_CRED_REALM };

    /* Files that cannot be loaded. */
    try_open("missing file", "missing.xml", 0, NULL, 0, 0);
    try_open("malformed file", "malformed.xml", 0, NULL, 0, 0);
    try_open("root is not node", "notnode.xml", 0, NULL, 0, 0);
    try_open("empty file", "empty.xml", 0, NULL, 0, 0);
    try_open("missing referenced domain file", "badref.xml", 0, NULL, 0, 0);
    try_open("malformed referenced domain file", "badref2.xml", 0, NULL, 0, 0);
    try_open("referenced domain file with another root", "badref3.xml", 0, NULL, 0, 0);
    try_open("reference relative to a file in a subdirectory", "sub/up.xml", 0, NULL, 0, 0);
    try_open("bad cpu value", "badcpu.xml", 0, NULL, 0, 0);
    try_open("bad memory value", "badmem.xml", 0, NULL, 0, 0);
    try_open("auth user without name", "nouser.xml", 0, NULL, 0, 0);
    try_open("domain without name", "baddomain.xml", 0, NULL, 0, 0);
    try_open("a directory", "sub", 0, NULL, 0, 0);
    printf("no path:\n");
    if (!virConnectOpen("test:///"))
        show_error_in_dir("  open failed");

    /* A file without <auth>: no callback, domains inline and from a file. */
    struct script right = { "alice", "secret", 0, 0 };
    try_open("no auth, virConnectOpen", "noauth.xml", 0, NULL, 0, 0);
    open_with("no auth, callback never asked", "noauth.xml", &right, both, 2);

    write_file("topology.xml", "<node>\n  <cpu><nodes>1</nodes><sockets>1</sockets><active>64</active>"
                               "<mhz>+7</mhz><model></model></cpu>\n  <memory>99999999999</memory>\n</node>\n");
    write_file("badmhz.xml", "<node>\n  <cpu><mhz>-5</mhz></cpu>\n</node>\n");
    write_file("longmodel.xml", "<node>\n  <cpu><model>0123456789012345678901234567890123</model></cpu>\n</node>\n");
    try_open("topology without active limit", "topology.xml", 0, NULL, 0, 0);
    try_open("negative cpu value", "badmhz.xml", 0, NULL, 0, 0);
    try_open("cpu model too long", "longmodel.xml", 0, NULL, 0, 0);
    printf("test:///default with a callback:\n");
    virConnectAuth def_auth = { both, 2, callback, &right };
    virConnectPtr dc = virConnectOpenAuth("test:///default", &def_auth, 0);
    if (dc) {
        list_domains(dc, "  list");
        show_node_info(dc);
        virConnectClose(dc);
    } else {
        show_error_in_dir("  open failed");
    }

    /* A file with <auth>. */
    try_open("auth, virConnectOpen", "auth.xml", 0, NULL, 0, 0);
    try_open("auth, virConnectOpenReadOnly", "auth.xml", 1, NULL, VIR_CONNECT_RO, 0);
    try_open("auth, OpenAuth with NULL auth", "auth.xml", 1, NULL, 0, 0);
    open_with("auth, right answers", "auth.xml", &right, both, 2);
    open_with("auth, right answers, NOECHOPROMPT", "auth.xml", &right, noecho, 2);
    struct script shortlen = { "alice", "secret", 0, 1 };
    open_with("auth, right answers, short resultlen", "auth.xml", &shortlen, both, 2);
    struct script wrongpw = { "alice", "wrong", 0, 0 };
    open_with("auth, wrong password", "auth.xml", &wrongpw, both, 2);
    struct script nouser = { "mallory", "secret", 0, 0 };
    open_with("auth, unknown user", "auth.xml", &nouser, both, 2);
    struct script bob = { "bob", NULL, 0, 0 };
    open_with("auth, user without password", "auth.xml", &bob, both, 2);
    struct script nameless = { NULL, "secret", 0, 0 };
    open_with("auth, callback gives no name", "auth.xml", &nameless, both, 2);
    struct script nopw = { "alice", NULL, 0, 0 };
    open_with("auth, callback gives no password", "auth.xml", &nopw, both, 2);
    struct script emptypw = { "alice", "", 0, 0 };
    open_with("auth, empty password", "auth.xml", &emptypw, both, 2);
    struct script fail_name = { "alice", "secret", VIR_CRED_AUTHNAME, 0 };
    open_with("auth, callback fails on the name", "auth.xml", &fail_name, both, 2);
    struct script fail_pw = { "alice", "secret", VIR_CRED_PASSPHRASE, 0 };
    open_with("auth, callback fails on the password", "auth.xml", &fail_pw, both, 2);
    open_with("auth, only AUTHNAME offered", "auth.xml", &right, name_only, 1);
    open_with("auth, only AUTHNAME offered, user without password", "auth.xml", &bob, name_only, 1);
    open_with("auth, only PASSPHRASE offered", "auth.xml", &right, pass_only, 1);
    open_with("auth, neither offered", "auth.xml", &right, other, 2);
    open_with("auth, no credential types", "auth.xml", &right, NULL, 0);
    virConnectAuth nocb = { both, 2, NULL, &right };
    (void)nocb; /* the reference calls a NULL callback: not probed */

    /* Connections to the same file: each has a state of its own. */
    virConnectPtr a = try_open("shared? first", "noauth.xml", 0, NULL, 0, 1);
    virConnectPtr b = try_open("shared? second", "noauth.xml", 0, NULL, 0, 1);
    if (a && b) {
        virDomainPtr d = virDomainLookupByName(a, "inline1");
        printf("destroy inline1 on the first: %d\n", virDomainDestroy(d));
        virDomainFree(d);
        virDomainPtr n = virDomainDefineXML(a, "<domain type='test'><name>extra</name><memory>1024</memory>"
                                               "<os><type>hvm</type></os></domain>");
        printf("define extra on the first: %s\n", n ? "ok" : "failed");
        if (n)
            virDomainFree(n);
        list_domains(a, "first");
        list_domains(b, "second");
    }
    if (a)
        virConnectClose(a);
    if (b)
        virConnectClose(b);
    virConnectPtr again = try_open("reopened after both closed", "noauth.xml", 0, NULL, 0, 0);
    (void)again;

    const char *names[] = { "auth.xml", "sub/dom2.xml", "noauth.xml", "malformed.xml", "notnode.xml",
                            "empty.xml", "badref.xml", "badcpu.xml", "badmem.xml", "nouser.xml",
                            "baddomain.xml", "sub/broken.xml", "sub/wrongroot.xml", "badref2.xml",
                            "badref3.xml", "sub/up.xml", "topology.xml",
                            "badmhz.xml", "longmodel.xml" };
    for (size_t i = 0; i < sizeof names / sizeof *names; i++) {
        char path[512];
        snprintf(path, sizeof path, "%s/%s", dir, names[i]);
        unlink(path);
    }
    rmdir(sub);
    rmdir(dir);
    return 0;
}
