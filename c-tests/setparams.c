/* The public layer's checks of a setter's typed parameters (virTypedParameterValidateSet, asked
 * of the driver whether it takes strings), on every setter of test:///default, compared with
 * libvirt 9.0 (c-tests/run.sh) and through a daemon (tests/remote.sh): a NULL string, a string
 * where the driver's own check refuses its type, a field name without its end, and no
 * parameters where the setter accepts none. */
#include "common.h"

static void show(const char *what, int r)
{
    virErrorPtr e = virGetLastError();
    printf("%s: %d", what, r);
    if (r < 0 && e)
        printf(" code=%d domain=%d msg=%s", e->code, e->domain, e->message);
    printf("\n");
}

int main(void)
{
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen("test:///default");
    virDomainPtr d = virDomainLookupByName(c, "test");
    virTypedParameter p[1];
    memset(p, 0, sizeof p);
    strcpy(p[0].field, "weight");
    p[0].type = VIR_TYPED_PARAM_STRING;
    p[0].value.s = NULL;
    show("sched", virDomainSetSchedulerParameters(d, p, 1));
    show("schedflags", virDomainSetSchedulerParametersFlags(d, p, 1, 0));
    show("blkio", virDomainSetBlkioParameters(d, p, 1, 0));
    show("memory", virDomainSetMemoryParameters(d, p, 1, 0));
    show("numa", virDomainSetNumaParameters(d, p, 1, 0));
    show("iface", virDomainSetInterfaceParameters(d, "vnet0", p, 1, 0));
    show("blkiotune", virDomainSetBlockIoTune(d, "vda", p, 1, 0));
    show("perf", virDomainSetPerfEvents(d, p, 1, 0));
    show("iothread", virDomainSetIOThreadParams(d, 1, p, 1, 0));
    show("launchsec", virDomainSetLaunchSecurityState(d, p, 1, 0));
    show("nodemem", virNodeSetMemoryParameters(c, p, 1, 0));
    /* Not virDomainBlockCopy or virDomainSaveParams, which make no such check: through a
     * daemon libvirt 9.0's client then fails to encode the NULL string, where ours sends an
     * empty one. */
    show("migrate3", virDomainMigrate3(d, c, p, 1, 0) ? 0 : -1);
    show("touri3", virDomainMigrateToURI3(d, "test:///default", p, 1, 0));
    /* no parameters */
    strcpy(p[0].field, "weight");
    p[0].type = VIR_TYPED_PARAM_UINT;
    p[0].value.ui = 5;
    show("blkio0", virDomainSetBlkioParameters(d, p, 0, 0));
    show("nodemem0", virNodeSetMemoryParameters(c, p, 0, 0));
    show("sched0", virDomainSetSchedulerParametersFlags(d, p, 0, 0));
    show("memory0", virDomainSetMemoryParameters(d, p, 0, 0));
    /* a string the driver's own check refuses */
    p[0].type = VIR_TYPED_PARAM_STRING;
    p[0].value.s = (char *)"x";
    show("sched str", virDomainSetSchedulerParametersFlags(d, p, 1, 0));
    /* a long field name */
    memset(p[0].field, 'a', VIR_TYPED_PARAM_FIELD_LENGTH);
    p[0].type = VIR_TYPED_PARAM_UINT;
    show("sched long", virDomainSetSchedulerParametersFlags(d, p, 1, 0));
    show("memory long", virDomainSetMemoryParameters(d, p, 1, 0));
    virDomainFree(d);
    virConnectClose(c);
    return 0;
}
