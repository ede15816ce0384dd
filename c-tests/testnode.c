/* The test driver's host and connection facts (issue 15): capabilities XML, NUMA cells and their
 * memory, the CPU map, CPU statistics, the security model, maximum vcpus and sysinfo, on
 * test:///default and on a custom node file (which has no NUMA cells), with bad arguments and a
 * read-only connection. */
#include "common.h"
#include <unistd.h>

static void cells(virConnectPtr c, int start, int max)
{
    unsigned long long mem[8] = {0};
    int r = virNodeGetCellsFreeMemory(c, max > 8 ? NULL : mem, start, max);
    printf("cells(%d,%d)=%d:", start, max, r);
    for (int i = 0; i < r; i++)
        printf(" %llu", mem[i]);
    putchar('\n');
    if (r < 0)
        show_error("cells");
}

static void cpu_stats(virConnectPtr c, int cpu, int n, int with_array)
{
    virNodeCPUStats p[8];
    memset(p, 0, sizeof p);
    int r = virNodeGetCPUStats(c, cpu, with_array ? p : NULL, &n, 0);
    printf("cpustats(cpu=%d)=%d n=%d:", cpu, r, n);
    for (int i = 0; r == 0 && with_array && i < n; i++)
        printf(" %s=%llu", p[i].field, p[i].value);
    putchar('\n');
    if (r < 0)
        show_error("cpustats");
}

static void host(virConnectPtr c, const char *what)
{
    printf("== %s\n", what);
    char *s = virConnectGetCapabilities(c);
    printf("%s", s ? s : "(null)\n");
    free(s);
    cells(c, 0, 8);
    cells(c, 1, 8);
    cells(c, 0, 1);
    cells(c, 2, 8);
    cells(c, -1, 8);
    cells(c, 0, 0);
    cells(c, 0, -1);
    cells(c, 0, 9); /* a NULL array */
    printf("free=%llu\n", virNodeGetFreeMemory(c));

    unsigned char *map = NULL;
    unsigned int online = 0;
    int r = virNodeGetCPUMap(c, &map, &online, 0);
    printf("cpumap=%d online=%u map=%02x\n", r, online, map ? map[0] : 0);
    free(map);
    printf("cpumap(no outputs)=%d\n", virNodeGetCPUMap(c, NULL, NULL, 0));
    r = virNodeGetCPUMap(c, NULL, NULL, 1);
    printf("cpumap(flags 1)=%d\n", r);
    if (r < 0)
        show_error("cpumap");

    cpu_stats(c, VIR_NODE_CPU_STATS_ALL_CPUS, 0, 0);
    cpu_stats(c, VIR_NODE_CPU_STATS_ALL_CPUS, 8, 1);
    cpu_stats(c, 3, 2, 1);
    cpu_stats(c, -2, 4, 1);
    cpu_stats(c, 0, -1, 1);
    cpu_stats(c, 0, 0, 1);
    r = virNodeGetCPUStats(c, 0, NULL, NULL, 0);
    printf("cpustats(NULL nparams)=%d\n", r);
    show_error("cpustats");
    int n = 4;
    r = virNodeGetCPUStats(c, 0, NULL, &n, 2);
    printf("cpustats(flags 2)=%d\n", r);
    show_error("cpustats");

    int mn = 0;
    r = virNodeGetMemoryStats(c, -1, NULL, &mn, 0);
    printf("memstats=%d\n", r);
    show_error("memstats");

    virSecurityModel sm;
    memset(&sm, 'x', sizeof sm);
    r = virNodeGetSecurityModel(c, &sm);
    /* Bounded: a failed call leaves the filler unterminated. */
    printf("secmodel=%d model='%.*s' doi='%.*s'\n", r, (int)sizeof sm.model, sm.model,
           (int)sizeof sm.doi, sm.doi);
    r = virNodeGetSecurityModel(c, NULL);
    printf("secmodel(NULL)=%d\n", r);
    show_error("secmodel");

    printf("maxvcpus=%d\n", virConnectGetMaxVcpus(c, NULL));
    printf("maxvcpus(kvm)=%d\n", virConnectGetMaxVcpus(c, "kvm"));
    s = virConnectGetSysinfo(c, 0);
    printf("sysinfo=%s", s ? s : "(null)\n");
    free(s);
    s = virConnectGetSysinfo(c, 1);
    printf("sysinfo(flags 1)=%s\n", s ? s : "(null)");
    show_error("sysinfo");
    free(s);
    printf("secure=%d encrypted=%d\n", virConnectIsSecure(c), virConnectIsEncrypted(c));
}

int main(void)
{
    virSetErrorFunc(NULL, quiet_errors);
    virConnectPtr c = virConnectOpen("test:///default");
    host(c, "default");
    virConnectClose(c);

    c = virConnectOpenReadOnly("test:///default");
    host(c, "default, read-only");
    virConnectClose(c);

    char dir[] = "/tmp/oxvirt-testnode-XXXXXX";
    if (!mkdtemp(dir))
        return 2;
    char path[256], uri[300];
    snprintf(path, sizeof path, "%s/node.xml", dir);
    FILE *f = fopen(path, "w");
    if (!f)
        return 2;
    fputs("<node><cpu><nodes>1</nodes><sockets>1</sockets><cores>2</cores><threads>1</threads>"
          "<mhz>2000</mhz><model>m1</model></cpu><memory>1048576</memory></node>\n", f);
    fclose(f);
    snprintf(uri, sizeof uri, "test://%s", path);
    c = virConnectOpen(uri);
    host(c, "node file");
    virConnectClose(c);
    unlink(path);
    rmdir(dir);
    return 0;
}
