/* Client code as people write it for libvirt 9.0, compiled (not run) by tests/headers.sh as C and
 * as C++, against Debian's headers and against ours, with -Wall -Wextra -Werror. Every construct
 * here compiles against the reference; ours must accept it unchanged.
 *
 * virterror.h comes first on purpose: on its own it must bring in libvirt.h, as libvirt's does. */
#include <libvirt/virterror.h>
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#if !LIBVIR_CHECK_VERSION(9, 0, 0) || LIBVIR_CHECK_VERSION(9, 0, 1)
# error "LIBVIR_CHECK_VERSION must say 9.0.0"
#endif
#if LIBVIR_VERSION_NUMBER != 9000000
# error "LIBVIR_VERSION_NUMBER must be 9000000"
#endif
#if !defined(VIR_DOMAIN_EVENT_CALLBACK) || !defined(VIR_UUID_BUFLEN) || !defined(VIR_DEPRECATED)
# error "macros missing"
#endif

#define UNUSED(x) (void)(x)

/* A typed array sized by the header's macros, at file scope: they must be constant expressions. */
static char uuid_strings[4][VIR_UUID_STRING_BUFLEN];
static unsigned char uuids[4][VIR_UUID_BUFLEN];
typedef char field_is_80[sizeof(((virTypedParameter *)0)->field) == 80 ? 1 : -1];
typedef char info_is_40[sizeof(virDomainInfo) == 40 ? 1 : -1];
typedef char error_is_80[sizeof(virError) == 80 ? 1 : -1];

static const char *state_name(virDomainState st)
{
    /* All of virDomainState, no default: -Wswitch checks the enum's members. */
    switch (st) {
    case VIR_DOMAIN_NOSTATE: return "nostate";
    case VIR_DOMAIN_RUNNING: return "running";
    case VIR_DOMAIN_BLOCKED: return "blocked";
    case VIR_DOMAIN_PAUSED: return "paused";
    case VIR_DOMAIN_SHUTDOWN: return "shutdown";
    case VIR_DOMAIN_SHUTOFF: return "shutoff";
    case VIR_DOMAIN_CRASHED: return "crashed";
    case VIR_DOMAIN_PMSUSPENDED: return "pmsuspended";
#ifdef VIR_ENUM_SENTINELS
    case VIR_DOMAIN_LAST: break;
#endif
    }
    return "?";
}

static int lifecycle_cb(virConnectPtr conn, virDomainPtr dom, int event, int detail, void *opaque)
{
    UNUSED(conn);
    UNUSED(opaque);
    switch ((virDomainEventType)event) {
    case VIR_DOMAIN_EVENT_STARTED:
        if (detail == VIR_DOMAIN_EVENT_STARTED_BOOTED)
            printf("%s booted\n", virDomainGetName(dom));
        break;
    case VIR_DOMAIN_EVENT_STOPPED:
        if (detail == VIR_DOMAIN_EVENT_STOPPED_DESTROYED)
            printf("destroyed\n");
        break;
    default:
        break;
    }
    return 0;
}

static void generic_cb(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    UNUSED(conn);
    UNUSED(dom);
    UNUSED(opaque);
}

static void reboot_cb(virConnectPtr conn, virDomainPtr dom, void *opaque)
{
    generic_cb(conn, dom, opaque);
}

static void error_cb(void *userdata, virErrorPtr err)
{
    UNUSED(userdata);
    if (err->level == VIR_ERR_ERROR && err->domain == VIR_FROM_DOMAIN && err->code == VIR_ERR_NO_DOMAIN)
        fprintf(stderr, "%s\n", err->message ? err->message : "");
}

static int auth_cb(virConnectCredentialPtr cred, unsigned int ncred, void *cbdata)
{
    unsigned int i;
    UNUSED(cbdata);
    for (i = 0; i < ncred; i++) {
        if (cred[i].type == VIR_CRED_AUTHNAME) {
            cred[i].result = strdup("user");
            cred[i].resultlen = (unsigned int)strlen(cred[i].result);
        }
    }
    return 0;
}

static void free_cb(void *opaque)
{
    free(opaque);
}

static void handle_cb(int watch, int fd, int events, void *opaque)
{
    UNUSED(watch);
    UNUSED(fd);
    UNUSED(opaque);
    if (events & VIR_EVENT_HANDLE_READABLE)
        printf("readable\n");
}

/* The domain lifecycle callback returns int, the generic type void: GCC's -Wextra flags the
 * cast VIR_DOMAIN_EVENT_CALLBACK makes, with libvirt's headers as with ours. */
#pragma GCC diagnostic ignored "-Wcast-function-type"

int use_libvirt(const char *uri);
int use_libvirt(const char *uri)
{
    int credtypes[] = { VIR_CRED_AUTHNAME, VIR_CRED_PASSPHRASE };
    virConnectAuth auth;
    virConnectPtr conn;
    virDomainPtr *doms = NULL;
    virDomainPtr dom;
    struct _virDomainInfo info;          /* the struct tag, as old code writes it */
    virDomainInfo info2;
    virNodeInfo node;
    virTypedParameterPtr params = NULL;
    int nparams = 0, maxparams = 0, n, i, id;
    unsigned char *cpumap;
    virVcpuInfoPtr vcpus;
    virDomainMemoryStatStruct stats[VIR_DOMAIN_MEMORY_STAT_NR];
    virSchedParameter sched[2];
    struct _virSchedParameter *sp = &sched[0];   /* _virSchedParameter is a macro alias */
    virSecurityLabel label;
    virSecurityModel model;
    virErrorPtr err;
    virError copy;
    unsigned int flags = VIR_DOMAIN_AFFECT_LIVE | VIR_DOMAIN_AFFECT_CONFIG;
    unsigned long long unlimited = VIR_DOMAIN_MEMORY_PARAM_UNLIMITED;

    auth.credtype = credtypes;
    auth.ncredtype = sizeof(credtypes) / sizeof(credtypes[0]);
    auth.cb = auth_cb;
    auth.cbdata = NULL;

    virSetErrorFunc(NULL, error_cb);
    if (virInitialize() < 0 || virEventRegisterDefaultImpl() < 0)
        return -1;
    conn = virConnectOpenAuth(uri, uri ? &auth : virConnectAuthPtrDefault, VIR_CONNECT_RO);
    if (!conn) {
        err = virGetLastError();
        if (err && err->code == VIR_ERR_NO_CONNECT)
            return -1;
        printf("%s\n", virGetLastErrorMessage());
        return -1;
    }

    id = virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_LIFECYCLE,
                                          VIR_DOMAIN_EVENT_CALLBACK(lifecycle_cb), NULL, NULL);
    virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT, reboot_cb, NULL, NULL);
    virConnectDomainEventRegisterAny(conn, NULL, VIR_DOMAIN_EVENT_ID_REBOOT,
                                     VIR_DOMAIN_EVENT_CALLBACK(generic_cb), malloc(1), free_cb);
    virEventAddHandle(0, VIR_EVENT_HANDLE_READABLE | VIR_EVENT_HANDLE_HANGUP, handle_cb, NULL, NULL);

    n = virConnectListAllDomains(conn, &doms, VIR_CONNECT_LIST_DOMAINS_ACTIVE |
                                 VIR_CONNECT_LIST_DOMAINS_INACTIVE);
    for (i = 0; i < n; i++) {
        int state, reason;
        memset(&info, 0, sizeof(info));
        if (virDomainGetInfo(doms[i], &info) == 0)
            printf("%s %lu KiB %hu vcpus %llu ns\n", state_name((virDomainState)info.state),
                   info.maxMem, info.nrVirtCpu, info.cpuTime);
        virDomainGetInfo(doms[i], &info2);
        if (virDomainGetState(doms[i], &state, &reason, 0) == 0 && state == VIR_DOMAIN_PAUSED &&
            reason == VIR_DOMAIN_PAUSED_USER)
            virDomainResume(doms[i]);
        virDomainGetUUID(doms[i], uuids[i % 4]);
        virDomainGetUUIDString(doms[i], uuid_strings[i % 4]);
        virDomainFree(doms[i]);
    }
    free(doms);

    dom = virDomainLookupByName(conn, "test");
    if (dom) {
        virDomainSetMemoryFlags(dom, 1024, flags);
        virDomainShutdownFlags(dom, VIR_DOMAIN_SHUTDOWN_ACPI_POWER_BTN);
        virDomainDestroyFlags(dom, VIR_DOMAIN_DESTROY_GRACEFUL);
        virDomainUndefineFlags(dom, VIR_DOMAIN_UNDEFINE_MANAGED_SAVE | VIR_DOMAIN_UNDEFINE_NVRAM);
        virDomainMemoryStats(dom, stats, VIR_DOMAIN_MEMORY_STAT_NR, 0);
        if (stats[0].tag == VIR_DOMAIN_MEMORY_STAT_RSS)
            printf("rss %llu\n", stats[0].val);

        /* typed parameters: .field, .type, the value union */
        virTypedParamsAddULLong(&params, &nparams, &maxparams, VIR_DOMAIN_MEMORY_HARD_LIMIT, unlimited);
        virTypedParamsAddInt(&params, &nparams, &maxparams, VIR_DOMAIN_SCHEDULER_CPU_SHARES, 3);
        virTypedParamsAddString(&params, &nparams, &maxparams, VIR_MIGRATE_PARAM_DEST_NAME, "x");
        for (i = 0; i < nparams; i++) {
            if (params[i].type == VIR_TYPED_PARAM_INT)
                printf("%s=%d\n", params[i].field, params[i].value.i);
            else if (params[i].type == VIR_TYPED_PARAM_ULLONG)
                printf("%s=%llu\n", params[i].field, params[i].value.ul);
            else if (params[i].type == VIR_TYPED_PARAM_STRING)
                printf("%s=%s\n", params[i].field, params[i].value.s);
            else if (params[i].type == VIR_TYPED_PARAM_BOOLEAN)
                printf("%s=%d\n", params[i].field, params[i].value.b);
        }
        virDomainSetMemoryParameters(dom, params, nparams, VIR_DOMAIN_AFFECT_CURRENT);
        virTypedParamsFree(params, nparams);

        memset(sched, 0, sizeof(sched));
        strncpy(sp->field, VIR_DOMAIN_SCHEDULER_WEIGHT, VIR_DOMAIN_SCHED_FIELD_LENGTH - 1);
        sp->type = VIR_DOMAIN_SCHED_FIELD_UINT;
        sp->value.ui = 256;
        virDomainSetSchedulerParameters(dom, sched, 1);

        if (virNodeGetInfo(conn, &node) == 0) {
            int maxcpus = VIR_NODEINFO_MAXCPUS(node);
            int maplen = VIR_CPU_MAPLEN(maxcpus);
            cpumap = (unsigned char *)calloc((size_t)maplen, 1);
            vcpus = (virVcpuInfoPtr)calloc(4, sizeof(*vcpus));
            if (cpumap && vcpus) {
                VIR_USE_CPU(cpumap, 0);
                VIR_UNUSE_CPU(cpumap, 1);
                virDomainPinVcpu(dom, 0, cpumap, maplen);
                if (virDomainGetVcpus(dom, vcpus, 4, cpumap, maplen) > 0 &&
                    vcpus[0].state == VIR_VCPU_RUNNING && VIR_CPU_USABLE(cpumap, maplen, 0, 0))
                    printf("cpu %d\n", vcpus[0].cpu);
            }
            free(cpumap);
            free(vcpus);
        }
        if (virDomainGetSecurityLabel(dom, &label) == 0 && virNodeGetSecurityModel(conn, &model) == 0)
            printf("%s %s %d\n", model.model, label.label, label.enforcing);
        virDomainFree(dom);
    }

    err = virSaveLastError();
    if (err) {
        memset(&copy, 0, sizeof(copy));
        virCopyLastError(&copy);
        virResetError(&copy);
        virFreeError(err);
    }
    virConnectDomainEventDeregisterAny(conn, id);
    return virConnectClose(conn);
}

int main(int argc, char **argv)
{
    return use_libvirt(argc > 1 ? argv[1] : NULL) < 0;
}
