/* virTypedParams* and the info-struct free functions, compared with libvirt 9.0: every add, get and
 * free; type mismatches, missing and too-long names, duplicates, AddFromString parsing for each
 * type, string lists, NULL arguments, which calls reset the last error, and how often the error
 * function hears about a failure. Memory is the C allocator's: run under valgrind it must be clean. */
#include "common.h"

static int dispatched;
static void count_errors(void *u, virErrorPtr e)
{
    (void)u;
    (void)e;
    dispatched++;
}

/* A known last error to see whether a call resets it. */
static void preset(void)
{
    virDomainGetName(NULL);
}

static void show_param(const char *what, virTypedParameterPtr p)
{
    if (!p) {
        printf("%s: (no parameter)\n", what);
        return;
    }
    printf("%s: field='%s' type=%d ", what, p->field, p->type);
    switch (p->type) {
    case VIR_TYPED_PARAM_INT: printf("i=%d\n", p->value.i); break;
    case VIR_TYPED_PARAM_UINT: printf("ui=%u\n", p->value.ui); break;
    case VIR_TYPED_PARAM_LLONG: printf("l=%lld\n", p->value.l); break;
    case VIR_TYPED_PARAM_ULLONG: printf("ul=%llu\n", p->value.ul); break;
    case VIR_TYPED_PARAM_DOUBLE: printf("d=%.17g\n", p->value.d); break;
    case VIR_TYPED_PARAM_BOOLEAN: printf("b=%d\n", p->value.b); break;
    case VIR_TYPED_PARAM_STRING: printf("s=%s\n", p->value.s ? p->value.s : "(NULL)"); break;
    default: printf("(other)\n");
    }
}

/* Every getter on one name, with a value pointer and without. */
static void get_all(virTypedParameterPtr p, int n, const char *name)
{
    char what[160];
    int i = -7, b = -7, r;
    unsigned int ui = 7;
    long long l = -7;
    unsigned long long ul = 7;
    double d = -7.5;
    const char *s = "unset";

    r = virTypedParamsGetInt(p, n, name, &i);
    snprintf(what, sizeof(what), "GetInt(%s) r=%d i=%d", name ? name : "NULL", r, i);
    show_error(what);
    r = virTypedParamsGetUInt(p, n, name, &ui);
    snprintf(what, sizeof(what), "GetUInt(%s) r=%d ui=%u", name ? name : "NULL", r, ui);
    show_error(what);
    r = virTypedParamsGetLLong(p, n, name, &l);
    snprintf(what, sizeof(what), "GetLLong(%s) r=%d l=%lld", name ? name : "NULL", r, l);
    show_error(what);
    r = virTypedParamsGetULLong(p, n, name, &ul);
    snprintf(what, sizeof(what), "GetULLong(%s) r=%d ul=%llu", name ? name : "NULL", r, ul);
    show_error(what);
    r = virTypedParamsGetDouble(p, n, name, &d);
    snprintf(what, sizeof(what), "GetDouble(%s) r=%d d=%.17g", name ? name : "NULL", r, d);
    show_error(what);
    r = virTypedParamsGetBoolean(p, n, name, &b);
    snprintf(what, sizeof(what), "GetBoolean(%s) r=%d b=%d", name ? name : "NULL", r, b);
    show_error(what);
    r = virTypedParamsGetString(p, n, name, &s);
    snprintf(what, sizeof(what), "GetString(%s) r=%d s=%s", name ? name : "NULL", r,
             s ? s : "(NULL)");
    show_error(what);
    printf("  without value: int=%d uint=%d llong=%d ullong=%d double=%d boolean=%d string=%d\n",
           virTypedParamsGetInt(p, n, name, NULL), virTypedParamsGetUInt(p, n, name, NULL),
           virTypedParamsGetLLong(p, n, name, NULL), virTypedParamsGetULLong(p, n, name, NULL),
           virTypedParamsGetDouble(p, n, name, NULL), virTypedParamsGetBoolean(p, n, name, NULL),
           virTypedParamsGetString(p, n, name, NULL));
}

static void adds_of_each_type(void)
{
    virTypedParameterPtr p = NULL;
    int n = 0, m = 0, r;
    printf("== adds of each type\n");
    r = virTypedParamsAddInt(&p, &n, &m, "int", -42);
    printf("AddInt r=%d n=%d m=%d\n", r, n, m);
    r = virTypedParamsAddUInt(&p, &n, &m, "uint", 4000000000u);
    printf("AddUInt r=%d n=%d m=%d\n", r, n, m);
    r = virTypedParamsAddLLong(&p, &n, &m, "llong", -9000000000000LL);
    printf("AddLLong r=%d n=%d m=%d\n", r, n, m);
    r = virTypedParamsAddULLong(&p, &n, &m, "ullong", 18000000000000000000ULL);
    printf("AddULLong r=%d n=%d m=%d\n", r, n, m);
    r = virTypedParamsAddDouble(&p, &n, &m, "double", 3.25);
    printf("AddDouble r=%d n=%d m=%d\n", r, n, m);
    r = virTypedParamsAddBoolean(&p, &n, &m, "boolean", 5);
    printf("AddBoolean r=%d n=%d m=%d\n", r, n, m);
    r = virTypedParamsAddString(&p, &n, &m, "string", "hello");
    printf("AddString r=%d n=%d m=%d\n", r, n, m);
    r = virTypedParamsAddString(&p, &n, &m, "nullstring", NULL);
    printf("AddString(NULL value) r=%d n=%d m=%d\n", r, n, m);
    show_error("after adds");
    for (int i = 0; i < n; i++)
        show_param("  param", &p[i]);

    printf("== gets (every getter on every type: mismatches)\n");
    const char *names[] = {"int", "uint", "llong", "ullong", "double", "boolean", "string",
                           "nullstring", "missing", "", NULL};
    for (int i = 0; names[i]; i++)
        get_all(p, n, names[i]);
    get_all(p, n, NULL);
    get_all(NULL, n, "int");
    get_all(p, 0, "int");
    get_all(p, 3, "double"); /* beyond nparams: missing */

    printf("== virTypedParamsGet\n");
    virTypedParameterPtr q = virTypedParamsGet(p, n, "double");
    printf("Get(double) index=%d\n", q ? (int)(q - p) : -1);
    printf("Get(missing)=%s\n", virTypedParamsGet(p, n, "missing") ? "ptr" : "NULL");
    printf("Get(NULL params)=%s\n", virTypedParamsGet(NULL, n, "int") ? "ptr" : "NULL");
    printf("Get(NULL name)=%s\n", virTypedParamsGet(p, n, NULL) ? "ptr" : "NULL");
    printf("Get(n=0)=%s\n", virTypedParamsGet(p, 0, "int") ? "ptr" : "NULL");

    printf("== boolean normalisation and odd types\n");
    p[5].value.b = 2;
    get_all(p, n, "boolean");
    int saved = p[0].type;
    int odd[] = {0, 8, 99, -3};
    for (int i = 0; i < 4; i++) {
        p[0].type = odd[i];
        printf("type=%d\n", odd[i]);
        get_all(p, n, "int");
    }
    p[0].type = saved;

    printf("== clear keeps the array, NULLs the strings\n");
    virTypedParamsClear(p, n);
    const char *s = "unset";
    r = virTypedParamsGetString(p, n, "string", &s);
    printf("GetString after Clear r=%d s=%s\n", r, s ? s : "(NULL)");
    r = virTypedParamsGetInt(p, n, "int", NULL);
    printf("GetInt after Clear r=%d\n", r);
    virTypedParamsFree(p, n);
}

static void growth(void)
{
    virTypedParameterPtr p = NULL;
    int n = 0, m = 0;
    char name[16];
    printf("== growth of maxparams\n");
    for (int i = 0; i < 30; i++) {
        snprintf(name, sizeof(name), "p%d", i);
        int r = virTypedParamsAddULLong(&p, &n, &m, name, (unsigned long long)i * 1000);
        printf("%d:r=%d n=%d m=%d ", i, r, n, m);
    }
    printf("\n");
    unsigned long long v = 0;
    printf("GetULLong(p17)=%d v=%llu\n", virTypedParamsGetULLong(p, n, "p17", &v), v);
    virTypedParamsFree(p, n);

    /* The caller's own allocation, with room to spare: no growth. */
    p = calloc(4, sizeof(*p));
    n = 0;
    m = 4;
    for (int i = 0; i < 6; i++) {
        snprintf(name, sizeof(name), "q%d", i);
        int r = virTypedParamsAddInt(&p, &n, &m, name, i);
        printf("own %d:r=%d n=%d m=%d\n", i, r, n, m);
    }
    virTypedParamsFree(p, n);
}

static void names(void)
{
    virTypedParameterPtr p = NULL;
    int n = 0, m = 0, r;
    char n79[80], n80[81], n200[201];
    memset(n79, 'a', 79);
    n79[79] = 0;
    memset(n80, 'b', 80);
    n80[80] = 0;
    memset(n200, 'c', 200);
    n200[200] = 0;
    printf("== field name lengths\n");
    r = virTypedParamsAddInt(&p, &n, &m, n79, 1);
    printf("79 chars r=%d n=%d m=%d\n", r, n, m);
    show_error("AddInt(79)");
    r = virTypedParamsAddInt(&p, &n, &m, n80, 1);
    printf("80 chars r=%d n=%d m=%d\n", r, n, m);
    show_error("AddInt(80)");
    r = virTypedParamsAddUInt(&p, &n, &m, n200, 1);
    show_error("AddUInt(200)");
    r = virTypedParamsAddLLong(&p, &n, &m, n80, 1);
    show_error("AddLLong(80)");
    r = virTypedParamsAddULLong(&p, &n, &m, n80, 1);
    show_error("AddULLong(80)");
    r = virTypedParamsAddDouble(&p, &n, &m, n80, 1);
    show_error("AddDouble(80)");
    r = virTypedParamsAddBoolean(&p, &n, &m, n80, 1);
    show_error("AddBoolean(80)");
    r = virTypedParamsAddString(&p, &n, &m, n80, "x");
    show_error("AddString(80)");
    r = virTypedParamsAddFromString(&p, &n, &m, n80, VIR_TYPED_PARAM_INT, "1");
    show_error("AddFromString(80)");
    r = virTypedParamsAddFromString(&p, &n, &m, n80, VIR_TYPED_PARAM_INT, "bad");
    show_error("AddFromString(80, bad number)");
    r = virTypedParamsAddFromString(&p, &n, &m, n80, 42, "1");
    show_error("AddFromString(80, bad type)");
    r = virTypedParamsAddFromString(&p, &n, &m, n80, VIR_TYPED_PARAM_INT, NULL);
    show_error("AddFromString(80, NULL value)");
    printf("after failures r=%d n=%d m=%d\n", r, n, m);
    printf("GetInt(79)=%d Get(80)=%s\n", virTypedParamsGetInt(p, n, n79, NULL),
           virTypedParamsGet(p, n, n80) ? "ptr" : "NULL");

    printf("== duplicates\n");
    r = virTypedParamsAddInt(&p, &n, &m, "dup", 1);
    printf("first r=%d n=%d\n", r, n);
    r = virTypedParamsAddInt(&p, &n, &m, "dup", 2);
    printf("second r=%d n=%d\n", r, n);
    show_error("AddInt(dup)");
    r = virTypedParamsAddString(&p, &n, &m, "dup", "three");
    printf("third (string) r=%d n=%d\n", r, n);
    show_error("AddString(dup)");
    int v = 0;
    r = virTypedParamsGetInt(p, n, "dup", &v);
    printf("GetInt(dup) r=%d v=%d\n", r, v);
    const char *s = NULL;
    r = virTypedParamsGetString(p, n, "dup", &s);
    show_error("GetString(dup)");
    virTypedParameterPtr q = virTypedParamsGet(p, n, "dup");
    printf("Get(dup) index=%d\n", q ? (int)(q - p) : -1);
    virTypedParamsFree(p, n);

    printf("== NULL names on a fresh array\n");
    p = NULL;
    n = m = 0;
    r = virTypedParamsAddInt(&p, &n, &m, NULL, 5);
    printf("AddInt(NULL name) r=%d n=%d m=%d\n", r, n, m);
    show_error("AddInt(NULL name)");
    if (r == 0)
        show_param("  param", &p[0]);
    r = virTypedParamsAddFromString(&p, &n, &m, NULL, VIR_TYPED_PARAM_BOOLEAN, "maybe");
    show_error("AddFromString(NULL name, bad boolean)");
    r = virTypedParamsAddFromString(&p, &n, &m, NULL, 77, "1");
    show_error("AddFromString(NULL name, bad type)");
    r = virTypedParamsAddFromString(&p, &n, &m, NULL, VIR_TYPED_PARAM_INT, NULL);
    show_error("AddFromString(NULL name, NULL value)");
    virTypedParamsFree(p, n);
}

static void from_string(void)
{
    static const char *vals[] = {
        "0", "1", "-1", "+5", " 7", "7 ", "\t8", "\n9", "", "-", "0x10", "010", "1e3",
        "2147483647", "2147483648", "-2147483648", "-2147483649", "4294967295", "4294967296",
        "-4294967295", "-4294967296", "-0", "9223372036854775807", "9223372036854775808",
        "-9223372036854775808", "-9223372036854775809", "18446744073709551615",
        "18446744073709551616", "-18446744073709551615", "1.5", "inf", "-inf", "nan", "infinity",
        "1e309", "1e-400", "1e-310", "0x1p3", ".5", "5.", "1,5", "TRUE", "True", "tRuE", "false",
        "FALSE", "yes", "no", "00", "01", " 1", "1 ", "\xff", "abc", "12abc", NULL};
    static const int types[] = {VIR_TYPED_PARAM_INT,    VIR_TYPED_PARAM_UINT,
                                VIR_TYPED_PARAM_LLONG,  VIR_TYPED_PARAM_ULLONG,
                                VIR_TYPED_PARAM_DOUBLE, VIR_TYPED_PARAM_BOOLEAN,
                                VIR_TYPED_PARAM_STRING, 0, 8, -1, 99};
    printf("== AddFromString\n");
    for (size_t t = 0; t < sizeof(types) / sizeof(types[0]); t++) {
        for (int i = 0; vals[i]; i++) {
            virTypedParameterPtr p = NULL;
            int n = 0, m = 0;
            char what[160];
            int r = virTypedParamsAddFromString(&p, &n, &m, "f", types[t], vals[i]);
            snprintf(what, sizeof(what), "type=%d '%s' r=%d n=%d m=%d", types[t], vals[i], r, n,
                     m);
            if (r == 0)
                show_param(what, &p[0]);
            else
                show_error(what);
            virTypedParamsFree(p, n);
        }
        virTypedParameterPtr p = NULL;
        int n = 0, m = 0;
        int r = virTypedParamsAddFromString(&p, &n, &m, "f", types[t], NULL);
        printf("type=%d NULL value r=%d n=%d m=%d ", types[t], r, n, m);
        show_error("");
        virTypedParamsFree(p, n);
    }

    /* A string parameter is a copy, and gets find it. */
    virTypedParameterPtr p = NULL;
    int n = 0, m = 0;
    char buf[8] = "copy";
    virTypedParamsAddFromString(&p, &n, &m, "s", VIR_TYPED_PARAM_STRING, buf);
    virTypedParamsAddFromString(&p, &n, &m, "b", VIR_TYPED_PARAM_BOOLEAN, "TRUE");
    virTypedParamsAddFromString(&p, &n, &m, "d", VIR_TYPED_PARAM_DOUBLE, "-2.5e-3");
    buf[0] = 'X';
    get_all(p, n, "s");
    get_all(p, n, "b");
    get_all(p, n, "d");
    virTypedParamsFree(p, n);
}

static void string_lists(void)
{
    virTypedParameterPtr p = NULL;
    int n = 0, m = 0, r;
    const char *three[] = {"one", "two", "three", NULL};
    const char *empty[] = {NULL};
    char n80[81];
    memset(n80, 'l', 80);
    n80[80] = 0;
    printf("== AddStringList\n");
    r = virTypedParamsAddStringList(&p, &n, &m, "list", (const char **)three);
    printf("three r=%d n=%d m=%d\n", r, n, m);
    show_error("AddStringList(three)");
    for (int i = 0; i < n; i++)
        show_param("  param", &p[i]);
    r = virTypedParamsAddStringList(&p, &n, &m, "list", NULL);
    printf("NULL list r=%d n=%d m=%d\n", r, n, m);
    r = virTypedParamsAddStringList(&p, &n, &m, n80, (const char **)three);
    printf("too-long name r=%d n=%d m=%d\n", r, n, m);
    show_error("AddStringList(80)");
    r = virTypedParamsAddStringList(&p, &n, &m, NULL, (const char **)three);
    printf("NULL name r=%d n=%d m=%d\n", r, n, m);
    const char *s = NULL;
    r = virTypedParamsGetString(p, n, "list", &s);
    printf("GetString(list) r=%d s=%s\n", r, s);
    /* The empty list fails without an error of its own, and leaves the last one alone. */
    preset();
    r = virTypedParamsAddStringList(&p, &n, &m, "list", (const char **)empty);
    printf("empty list r=%d n=%d m=%d\n", r, n, m);
    show_error("AddStringList(empty) after an error");
    virResetLastError();
    r = virTypedParamsAddStringList(&p, &n, &m, "list", (const char **)empty);
    printf("empty list r=%d\n", r);
    show_error("AddStringList(empty), no previous error");
    virTypedParamsFree(p, n);
}

/* Which calls reset the thread's last error on entry, and which leave it. */
static void resets(void)
{
    virTypedParameterPtr p = NULL;
    int n = 0, m = 0;
    const char *list[] = {"a", NULL};
    virTypedParamsAddInt(&p, &n, &m, "x", 1);
    printf("== last error on entry\n");
#define RESET_CASE(label, call) \
    do {                        \
        preset();               \
        call;                   \
        show_error(label);      \
    } while (0)
    RESET_CASE("Get(found)", virTypedParamsGet(p, n, "x"));
    RESET_CASE("Get(NULL)", virTypedParamsGet(NULL, 0, NULL));
    RESET_CASE("GetInt(found)", virTypedParamsGetInt(p, n, "x", NULL));
    RESET_CASE("GetInt(missing)", virTypedParamsGetInt(p, n, "y", NULL));
    RESET_CASE("GetInt(NULL)", virTypedParamsGetInt(NULL, 0, NULL, NULL));
    RESET_CASE("GetUInt(NULL)", virTypedParamsGetUInt(NULL, 0, NULL, NULL));
    RESET_CASE("GetLLong(NULL)", virTypedParamsGetLLong(NULL, 0, NULL, NULL));
    RESET_CASE("GetULLong(NULL)", virTypedParamsGetULLong(NULL, 0, NULL, NULL));
    RESET_CASE("GetDouble(NULL)", virTypedParamsGetDouble(NULL, 0, NULL, NULL));
    RESET_CASE("GetBoolean(NULL)", virTypedParamsGetBoolean(NULL, 0, NULL, NULL));
    RESET_CASE("GetString(NULL)", virTypedParamsGetString(NULL, 0, NULL, NULL));
    RESET_CASE("AddInt", virTypedParamsAddInt(&p, &n, &m, "i", 1));
    RESET_CASE("AddUInt", virTypedParamsAddUInt(&p, &n, &m, "u", 1));
    RESET_CASE("AddLLong", virTypedParamsAddLLong(&p, &n, &m, "l", 1));
    RESET_CASE("AddULLong", virTypedParamsAddULLong(&p, &n, &m, "ul", 1));
    RESET_CASE("AddDouble", virTypedParamsAddDouble(&p, &n, &m, "d", 1));
    RESET_CASE("AddBoolean", virTypedParamsAddBoolean(&p, &n, &m, "b", 1));
    RESET_CASE("AddString", virTypedParamsAddString(&p, &n, &m, "s", "v"));
    RESET_CASE("AddFromString", virTypedParamsAddFromString(&p, &n, &m, "fs", 1, "3"));
    RESET_CASE("AddStringList(one)", virTypedParamsAddStringList(&p, &n, &m, "sl", list));
    RESET_CASE("AddStringList(NULL)", virTypedParamsAddStringList(&p, &n, &m, "sl", NULL));
    RESET_CASE("Clear(NULL)", virTypedParamsClear(NULL, 0));
    RESET_CASE("Free(NULL)", virTypedParamsFree(NULL, 0));
    RESET_CASE("Clear", virTypedParamsClear(p, n));
    RESET_CASE("Free", virTypedParamsFree(p, n));
    RESET_CASE("FSInfoFree(NULL)", virDomainFSInfoFree(NULL));
    RESET_CASE("IOThreadInfoFree(NULL)", virDomainIOThreadInfoFree(NULL));
    RESET_CASE("InterfaceFree(NULL)", virDomainInterfaceFree(NULL));
    RESET_CASE("StatsRecordListFree(NULL)", virDomainStatsRecordListFree(NULL));
    RESET_CASE("NetworkDHCPLeaseFree(NULL)", virNetworkDHCPLeaseFree(NULL));
    virDomainStatsRecordPtr *none = calloc(1, sizeof(*none));
    RESET_CASE("StatsRecordListFree(empty)", virDomainStatsRecordListFree(none));
    RESET_CASE("IOThreadInfoFree", virDomainIOThreadInfoFree(calloc(1, sizeof(virDomainIOThreadInfo))));
}

/* The info structures, filled as a driver would (C allocator), then freed. */
static void info_frees(void)
{
    printf("== info-struct frees\n");
    virDomainFSInfoPtr fs = calloc(1, sizeof(*fs));
    fs->mountpoint = strdup("/");
    fs->name = strdup("sda1");
    fs->fstype = strdup("ext4");
    fs->ndevAlias = 2;
    fs->devAlias = calloc(2, sizeof(char *));
    fs->devAlias[0] = strdup("virtio-disk0");
    fs->devAlias[1] = strdup("virtio-disk1");
    virDomainFSInfoFree(fs);
    show_error("FSInfoFree");
    fs = calloc(1, sizeof(*fs)); /* all NULL, no aliases */
    virDomainFSInfoFree(fs);
    show_error("FSInfoFree(empty)");

    virDomainIOThreadInfoPtr io = calloc(1, sizeof(*io));
    io->iothread_id = 1;
    io->cpumaplen = 2;
    io->cpumap = calloc(2, 1);
    virDomainIOThreadInfoFree(io);
    show_error("IOThreadInfoFree");

    virDomainInterfacePtr ifc = calloc(1, sizeof(*ifc));
    ifc->name = strdup("eth0");
    ifc->hwaddr = strdup("52:54:00:00:00:01");
    ifc->naddrs = 2;
    ifc->addrs = calloc(2, sizeof(*ifc->addrs));
    ifc->addrs[0].addr = strdup("192.168.122.2");
    ifc->addrs[1].addr = strdup("fe80::1");
    virDomainInterfaceFree(ifc);
    show_error("InterfaceFree");
    ifc = calloc(1, sizeof(*ifc));
    virDomainInterfaceFree(ifc);
    show_error("InterfaceFree(empty)");

    virNetworkDHCPLeasePtr lease = calloc(1, sizeof(*lease));
    lease->iface = strdup("virbr0");
    lease->mac = strdup("52:54:00:00:00:01");
    lease->iaid = NULL;
    lease->ipaddr = strdup("192.168.122.2");
    lease->hostname = strdup("guest");
    lease->clientid = strdup("01:52:54:00:00:00:01");
    virNetworkDHCPLeaseFree(lease);
    show_error("NetworkDHCPLeaseFree");

    /* Stats records own their parameters and a domain reference. */
    virConnectPtr c = virConnectOpen("test:///default");
    virDomainStatsRecordPtr *list = calloc(3, sizeof(*list));
    for (int i = 0; i < 2; i++) {
        int m = 0;
        list[i] = calloc(1, sizeof(*list[i]));
        list[i]->dom = virDomainLookupByName(c, "test");
        virTypedParamsAddString(&list[i]->params, &list[i]->nparams, &m, "state.name", "test");
        virTypedParamsAddInt(&list[i]->params, &list[i]->nparams, &m, "state.state", 1);
    }
    dispatched = 0;
    virDomainStatsRecordListFree(list);
    show_error("StatsRecordListFree");
    printf("dispatched=%d\n", dispatched);

    /* A record without a domain: the reference's virDomainFree complains. */
    list = calloc(3, sizeof(*list));
    list[0] = calloc(1, sizeof(*list[0]));
    list[0]->dom = virDomainLookupByName(c, "test");
    list[1] = calloc(1, sizeof(*list[1]));
    dispatched = 0;
    virDomainStatsRecordListFree(list);
    show_error("StatsRecordListFree(NULL dom last)");
    printf("dispatched=%d\n", dispatched);
    /* ... and when a valid record follows, its virDomainFree resets the error again. */
    list = calloc(3, sizeof(*list));
    list[0] = calloc(1, sizeof(*list[0]));
    list[1] = calloc(1, sizeof(*list[1]));
    list[1]->dom = virDomainLookupByName(c, "test");
    dispatched = 0;
    virDomainStatsRecordListFree(list);
    show_error("StatsRecordListFree(NULL dom first)");
    printf("dispatched=%d\n", dispatched);
    printf("close=%d\n", virConnectClose(c));
}

static void dispatch_counts(void)
{
    virTypedParameterPtr p = NULL;
    int n = 0, m = 0;
    const char *two[] = {"a", "b", NULL};
    char n80[81];
    memset(n80, 'd', 80);
    n80[80] = 0;
    printf("== error function calls\n");
    virTypedParamsAddString(&p, &n, &m, "s", "v");
    dispatched = 0;
    virTypedParamsGetInt(p, n, "s", NULL);
    printf("type mismatch: dispatched=%d\n", dispatched);
    dispatched = 0;
    virTypedParamsAddInt(&p, &n, &m, n80, 1);
    printf("too long: dispatched=%d\n", dispatched);
    dispatched = 0;
    virTypedParamsAddFromString(&p, &n, &m, "x", VIR_TYPED_PARAM_DOUBLE, "zz");
    printf("bad double: dispatched=%d\n", dispatched);
    dispatched = 0;
    virTypedParamsAddStringList(&p, &n, &m, n80, two);
    printf("string list: dispatched=%d\n", dispatched);
    dispatched = 0;
    virTypedParamsGetString(p, n, "s", NULL);
    virTypedParamsGet(p, n, "s");
    printf("successes: dispatched=%d\n", dispatched);
    virTypedParamsFree(p, n);
}

int main(void)
{
    setvbuf(stdout, NULL, _IONBF, 0);
    virInitialize();
    virSetErrorFunc(NULL, count_errors);
    adds_of_each_type();
    growth();
    names();
    from_string();
    string_lists();
    resets();
    info_frees();
    dispatch_counts();
    return 0;
}
