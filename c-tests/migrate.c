/* Migration's public functions on test:///default (issue 18): the public layer's checks of the
 * handles, read-only connections and flags, then the answers of a driver that does not migrate.
 * Differential: the same output as Debian's libvirt 9.0. (A NULL dconn is not passed to
 * virDomainMigrate3: the reference crashes on it.) */
#include "common.h"

static void show_ptr(const char *what, virDomainPtr r)
{
    printf("%s: %s\n", what, r ? "domain" : "NULL");
    show_error(what);
    if (r)
        virDomainFree(r);
}

static void show_int(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    show_error(what);
}

static void migrate_legacy(const char *tag, virDomainPtr d, virConnectPtr dconn, unsigned long flags)
{
    char what[128];
    snprintf(what, sizeof(what), "Migrate %s flags=0x%lx", tag, flags);
    show_ptr(what, virDomainMigrate(d, dconn, flags, NULL, NULL, 0));
    snprintf(what, sizeof(what), "Migrate2 %s flags=0x%lx", tag, flags);
    show_ptr(what, virDomainMigrate2(d, dconn, NULL, flags, NULL, NULL, 0));
    snprintf(what, sizeof(what), "Migrate2 dxml %s flags=0x%lx", tag, flags);
    show_ptr(what, virDomainMigrate2(d, dconn, "<domain/>", flags, "b", "tcp:h", 5));
}

static void migrate3(const char *tag, virDomainPtr d, virConnectPtr dconn, unsigned int flags)
{
    char what[128];
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    snprintf(what, sizeof(what), "Migrate3 %s flags=0x%x", tag, flags);
    show_ptr(what, virDomainMigrate3(d, dconn, NULL, 0, flags));
    virTypedParamsAddString(&params, &n, &max, VIR_MIGRATE_PARAM_URI, "tcp:127.0.0.1");
    snprintf(what, sizeof(what), "Migrate3 uri %s flags=0x%x", tag, flags);
    show_ptr(what, virDomainMigrate3(d, dconn, params, n, flags));
    virTypedParamsAddInt(&params, &n, &max, VIR_MIGRATE_PARAM_COMPRESSION_MT_LEVEL, 1);
    snprintf(what, sizeof(what), "Migrate3 extended %s flags=0x%x", tag, flags);
    show_ptr(what, virDomainMigrate3(d, dconn, params, n, flags));
    virTypedParamsFree(params, n);
}

static void to_uri(const char *tag, virDomainPtr d, unsigned long flags)
{
    char what[128];
    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    snprintf(what, sizeof(what), "ToURI %s flags=0x%lx", tag, flags);
    show_int(what, virDomainMigrateToURI(d, "test://elsewhere/default", flags, NULL, 0));
    snprintf(what, sizeof(what), "ToURI null %s flags=0x%lx", tag, flags);
    show_int(what, virDomainMigrateToURI(d, NULL, flags, NULL, 0));
    snprintf(what, sizeof(what), "ToURI2 %s flags=0x%lx", tag, flags);
    show_int(what, virDomainMigrateToURI2(d, "test://elsewhere/default", "tcp:h", NULL, flags, "b", 1));
    snprintf(what, sizeof(what), "ToURI2 null %s flags=0x%lx", tag, flags);
    show_int(what, virDomainMigrateToURI2(d, NULL, NULL, NULL, flags, NULL, 0));
    virTypedParamsAddString(&params, &n, &max, VIR_MIGRATE_PARAM_URI, "tcp:127.0.0.1");
    snprintf(what, sizeof(what), "ToURI3 %s flags=0x%lx", tag, flags);
    show_int(what, virDomainMigrateToURI3(d, "test://elsewhere/default", params, n, flags));
    snprintf(what, sizeof(what), "ToURI3 null %s flags=0x%lx", tag, flags);
    show_int(what, virDomainMigrateToURI3(d, NULL, NULL, 0, flags));
    virTypedParamsFree(params, n);
}

static const unsigned long FLAG_CASES[] = {
    0,
    VIR_MIGRATE_LIVE,
    VIR_MIGRATE_PEER2PEER,
    VIR_MIGRATE_PEER2PEER | VIR_MIGRATE_TUNNELLED,
    VIR_MIGRATE_TUNNELLED,
    VIR_MIGRATE_NON_SHARED_DISK | VIR_MIGRATE_NON_SHARED_INC,
    VIR_MIGRATE_OFFLINE,
    VIR_MIGRATE_OFFLINE | VIR_MIGRATE_PEER2PEER,
    VIR_MIGRATE_CHANGE_PROTECTION,
    VIR_MIGRATE_CHANGE_PROTECTION | VIR_MIGRATE_PEER2PEER,
    VIR_MIGRATE_PERSIST_DEST | VIR_MIGRATE_UNDEFINE_SOURCE,
};

int main(void)
{
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen("test:///default");
    virConnectPtr c2 = virConnectOpen("test:///default");
    virConnectPtr ro = virConnectOpenReadOnly("test:///default");
    if (!c || !c2 || !ro)
        return 1;
    virDomainPtr d = virDomainLookupByName(c, "test");
    virDomainPtr rod = virDomainLookupByName(ro, "test");

    /* NULL and read-only handles. */
    migrate_legacy("null-domain", NULL, c2, 0);
    migrate3("null-domain", NULL, c2, 0);
    to_uri("null-domain", NULL, 0);
    migrate_legacy("null-dconn", d, NULL, 0);
    migrate_legacy("ro-source", rod, c2, 0);
    migrate3("ro-source", rod, c2, 0);
    to_uri("ro-source", rod, 0);
    migrate_legacy("ro-dconn", d, ro, 0);
    migrate3("ro-dconn", d, ro, 0);

    /* A domain that is gone. */
    virDomainPtr gone = virDomainCreateXML(c, "<domain type='test'><name>gone</name><memory>1024</memory>"
                                              "<os><type>hvm</type></os></domain>", 0);
    virDomainDestroy(gone);
    migrate_legacy("stale", gone, c2, 0);
    migrate3("stale", gone, c2, 0);
    to_uri("stale", gone, 0);
    virDomainFree(gone);

    /* Flags, on a driver that does not migrate. */
    for (size_t i = 0; i < sizeof(FLAG_CASES) / sizeof(FLAG_CASES[0]); i++) {
        migrate_legacy("live", d, c2, FLAG_CASES[i]);
        migrate3("live", d, c2, (unsigned int)FLAG_CASES[i]);
        to_uri("live", d, FLAG_CASES[i]);
    }
    /* The same connection on both sides. */
    migrate_legacy("same-conn", d, c, 0);
    migrate3("same-conn", d, c, 0);

    virDomainFree(d);
    virDomainFree(rod);
    virConnectClose(ro);
    virConnectClose(c2);
    virConnectClose(c);
    return 0;
}
