/* What a daemon needs as the caller gave it (the test driver through
 * test+unix:///default?socket=S, argv[1]; read-only as well): virNodeGetCPUStats and
 * virNodeGetMemoryStats with the caller's count (0 asks how many, a count too small, the right
 * one, more), virDomainGetDiskErrors with the caller's maxerrors, virDomainGetCPUStats in each
 * shape, virDomainGetSecurityLabelList, virNodeGetFreePages with its page sizes,
 * virNodeAllocPages, virDomainBlockCopy, virDomainBlockCommit and virDomainGetTime's outputs
 * when it fails. Differential: Debian's client
 * and ours, each on a fresh daemon. */
#include "../common.h"

static void show(const char *what, int r)
{
    printf("%s: %d\n", what, r);
    if (r < 0)
        show_error(what);
}

static void node_cpu_stats(virConnectPtr c, int cpu, int n, int with_array)
{
    virNodeCPUStats p[8];
    memset(p, 0, sizeof p);
    int r = virNodeGetCPUStats(c, cpu, with_array ? p : NULL, &n, 0);
    printf("cpustats(cpu=%d array=%d)=%d n=%d:", cpu, with_array, r, n);
    for (int i = 0; r == 0 && with_array && i < n && i < 8; i++)
        printf(" %s=%llu", p[i].field, p[i].value);
    putchar('\n');
    if (r < 0)
        show_error("cpustats");
}

static void node_memory_stats(virConnectPtr c, int cell, int n, int with_array)
{
    virNodeMemoryStats p[8];
    memset(p, 0, sizeof p);
    int r = virNodeGetMemoryStats(c, cell, with_array ? p : NULL, &n, 0);
    printf("memstats(cell=%d array=%d)=%d n=%d\n", cell, with_array, r, n);
    if (r < 0)
        show_error("memstats");
}

static void node_calls(virConnectPtr c)
{
    node_cpu_stats(c, VIR_NODE_CPU_STATS_ALL_CPUS, 0, 0);
    node_cpu_stats(c, VIR_NODE_CPU_STATS_ALL_CPUS, 0, 1);
    node_cpu_stats(c, VIR_NODE_CPU_STATS_ALL_CPUS, 2, 1);
    node_cpu_stats(c, VIR_NODE_CPU_STATS_ALL_CPUS, 4, 1);
    node_cpu_stats(c, VIR_NODE_CPU_STATS_ALL_CPUS, 8, 1);
    node_cpu_stats(c, 3, 1, 1);
    node_cpu_stats(c, 0, -1, 1);
    node_cpu_stats(c, -2, 4, 1);
    int n = 4;
    show("cpustats(NULL nparams)", virNodeGetCPUStats(c, 0, NULL, NULL, 0));
    show("cpustats(flags 2)", virNodeGetCPUStats(c, 0, NULL, &n, 2));
    node_memory_stats(c, VIR_NODE_MEMORY_STATS_ALL_CELLS, 0, 0);
    node_memory_stats(c, VIR_NODE_MEMORY_STATS_ALL_CELLS, 0, 1);
    node_memory_stats(c, 0, 4, 1);
    node_memory_stats(c, -2, 4, 1);
    node_memory_stats(c, 0, -1, 1);

    unsigned int pages[2] = {4, 2048};
    unsigned long long counts[8];
    memset(counts, 0, sizeof counts);
    int r = virNodeGetFreePages(c, 2, pages, 0, 2, counts, 0);
    printf("freepages=%d:", r);
    for (int i = 0; r > 0 && i < 4; i++)
        printf(" %llu", counts[i]);
    putchar('\n');
    if (r < 0)
        show_error("freepages");
    show("freepages(NULL pages)", virNodeGetFreePages(c, 2, NULL, 0, 2, counts, 0));
    show("freepages(cells 0)", virNodeGetFreePages(c, 2, pages, 0, 0, counts, 0));
    show("freepages(NULL counts)", virNodeGetFreePages(c, 2, pages, 0, 2, NULL, 0));
    show("freepages(too many)", virNodeGetFreePages(c, 2, pages, 0, 600, counts, 0));
    show("freepages(flags 1)", virNodeGetFreePages(c, 2, pages, 0, 1, counts, 1));

    unsigned long long want[2] = {10, 1};
    show("allocpages", virNodeAllocPages(c, 2, pages, want, 0, 1, 0));
    show("allocpages(npages 0)", virNodeAllocPages(c, 0, pages, want, 0, 1, 0));
    show("allocpages(NULL sizes)", virNodeAllocPages(c, 2, NULL, want, 0, 1, 0));
    show("allocpages(NULL counts)", virNodeAllocPages(c, 2, pages, NULL, 0, 1, 0));
    show("allocpages(cells 0)", virNodeAllocPages(c, 2, pages, want, 0, 0, 0));
    static unsigned int many_sizes[2000];
    static unsigned long long many_counts[2000];
    show("allocpages(too many)", virNodeAllocPages(c, 2000, many_sizes, many_counts, 0, 1, 0));
}

static void disk_errors(virDomainPtr d, int with_array, unsigned int max)
{
    virDomainDiskError errs[4];
    memset(errs, 0, sizeof errs);
    int r = virDomainGetDiskErrors(d, with_array ? errs : NULL, max, 0);
    printf("diskerrors(array=%d max=%u)=%d", with_array, max, r);
    for (int i = 0; with_array && i < r && i < 4; i++) {
        printf(" %s:%d", errs[i].disk, errs[i].error);
        free(errs[i].disk);
    }
    putchar('\n');
    if (r < 0)
        show_error("diskerrors");
}

static void cpu_stats(virDomainPtr d, int start, unsigned int ncpus, unsigned int nparams,
                      int with_params)
{
    virTypedParameter p[16];
    memset(p, 0, sizeof p);
    int r = virDomainGetCPUStats(d, with_params ? p : NULL, nparams, start, ncpus, 0);
    printf("domcpustats(start=%d ncpus=%u nparams=%u)=%d", start, ncpus, nparams, r);
    for (unsigned int i = 0; r > 0 && with_params && i < nparams * ncpus && i < 16; i++)
        if (p[i].field[0])
            printf(" [%u]%s=%llu", i, p[i].field, p[i].value.ul);
    putchar('\n');
    if (r < 0)
        show_error("domcpustats");
}

static void domain_calls(virDomainPtr d)
{
    disk_errors(d, 1, 4);
    disk_errors(d, 1, 1);
    disk_errors(d, 1, 0);
    disk_errors(d, 0, 0);
    disk_errors(d, 0, 4);

    cpu_stats(d, -1, 1, 0, 0);
    cpu_stats(d, -1, 1, 3, 1);
    cpu_stats(d, -1, 1, 2, 1);
    cpu_stats(d, 0, 0, 0, 0);
    cpu_stats(d, 0, 2, 2, 1);
    cpu_stats(d, 1, 2, 1, 1);
    cpu_stats(d, 1, 8, 2, 1);
    cpu_stats(d, -1, 2, 3, 1);
    cpu_stats(d, 0, 1, 3, 0);
    cpu_stats(d, 0, 1, 0, 1);
    cpu_stats(d, 0, 1, 20, 1);
    cpu_stats(d, 0, 200, 1, 1);

    virSecurityLabelPtr labels = NULL;
    show("seclabellist", virDomainGetSecurityLabelList(d, &labels));
    free(labels);
    show("seclabellist(NULL)", virDomainGetSecurityLabelList(d, NULL));

    virTypedParameterPtr params = NULL;
    int n = 0, max = 0;
    virTypedParamsAddULLong(&params, &n, &max, VIR_DOMAIN_BLOCK_COPY_BANDWIDTH, 1024);
    const char *dest = "<disk type='file'><source file='/tmp/copy.img'/></disk>";
    show("blockcopy", virDomainBlockCopy(d, "vda", dest, params, n, 0));
    show("blockcopy(no params)", virDomainBlockCopy(d, "vda", dest, NULL, 0, 0));
    show("blockcopy(nparams -1)", virDomainBlockCopy(d, "vda", dest, params, -1, 0));
    show("blockcopy(NULL params)", virDomainBlockCopy(d, "vda", dest, NULL, 1, 0));
    show("blockcopy(NULL disk)", virDomainBlockCopy(d, NULL, dest, params, n, 0));
    show("blockcopy(NULL dest)", virDomainBlockCopy(d, "vda", NULL, params, n, 0));
    virTypedParamsFree(params, n);
    show("blockcommit", virDomainBlockCommit(d, "vda", NULL, NULL, 0, 0));
    show("blockcommit(base)", virDomainBlockCommit(d, "vda", "/b.img", "/t.img", 10, 0));

    /* A failed call leaves the outputs as the client left them. */
    long long sec = -1;
    unsigned int nsec = 7;
    show("gettime", virDomainGetTime(d, &sec, &nsec, 0));
    printf("time=%lld.%u\n", sec, nsec);
    sec = -1, nsec = 7;
    show("gettime(flags 1)", virDomainGetTime(d, &sec, &nsec, 1));
    printf("time=%lld.%u\n", sec, nsec);
}

static void read_only_calls(virConnectPtr c)
{
    virDomainPtr d = virDomainLookupByName(c, "test");
    if (!d) {
        show_error("lookup read-only");
        return;
    }
    disk_errors(d, 1, 4);
    cpu_stats(d, -1, 1, 3, 1);
    node_cpu_stats(c, VIR_NODE_CPU_STATS_ALL_CPUS, 0, 0);
    unsigned int pages[1] = {4};
    unsigned long long want[1] = {1};
    show("allocpages(read-only)", virNodeAllocPages(c, 1, pages, want, 0, 1, 0));
    show("blockcopy(read-only)", virDomainBlockCopy(d, "vda", "<disk/>", NULL, 0, 0));
    virSecurityLabelPtr labels = NULL;
    show("seclabellist(read-only)", virDomainGetSecurityLabelList(d, &labels));
    free(labels);
    virDomainFree(d);
}

int main(int argc, char **argv)
{
    if (argc < 2)
        return 2;
    setvbuf(stdout, NULL, _IOLBF, 0);
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen(argv[1]);
    if (!c) {
        show_error("open");
        return 1;
    }
    node_calls(c);
    virDomainPtr d = virDomainLookupByName(c, "test");
    if (!d) {
        show_error("lookup");
        return 1;
    }
    domain_calls(d);
    show("destroy", virDomainDestroy(d));
    printf("-- inactive\n");
    domain_calls(d);
    virDomainFree(d);
    virConnectClose(c);
    c = virConnectOpenReadOnly(argv[1]);
    if (!c) {
        show_error("open read-only");
        return 1;
    }
    read_only_calls(c);
    virConnectClose(c);
    return 0;
}
