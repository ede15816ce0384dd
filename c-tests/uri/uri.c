/* URI probe: each line of the corpus (argv[1]) opened with virConnectOpen. Prints what
 * virConnectGetURI answers, or the error (code, domain, message). `@ROOT@` in a line is replaced
 * by argv[2] (a scratch directory for qemu:///embed roots); `(null)` means virConnectOpen(NULL). */
#include <libvirt/libvirt.h>
#include <libvirt/virterror.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void quiet(void *opaque, virErrorPtr err) {
    (void)opaque;
    (void)err;
}

/* `line` with every `@ROOT@` replaced by `root`, into out (truncated to size). */
static void substitute(const char *line, const char *root, char *out, size_t size) {
    const char *marker = "@ROOT@";
    size_t used = 0;
    while (*line && used + 1 < size) {
        if (strncmp(line, marker, strlen(marker)) == 0) {
            used += (size_t)snprintf(out + used, size - used, "%s", root);
            if (used >= size)
                used = size - 1;
            line += strlen(marker);
        } else {
            out[used++] = *line++;
        }
    }
    out[used] = '\0';
}

static void probe(const char *uri) {
    virConnectPtr conn = virConnectOpen(uri);
    if (!conn) {
        virErrorPtr e = virGetLastError();
        if (e)
            printf("error code=%d domain=%d msg=%s\n", e->code, e->domain, e->message);
        else
            printf("error (none set)\n");
        return;
    }
    char *text = virConnectGetURI(conn);
    printf("open uri=%s\n", text ? text : "(null)");
    free(text);
    virConnectClose(conn);
}

int main(int argc, char **argv) {
    if (argc < 3) {
        fprintf(stderr, "usage: %s CORPUS ROOT\n", argv[0]);
        return 2;
    }
    setvbuf(stdout, NULL, _IONBF, 0);
    virSetErrorFunc(NULL, quiet);
    if (virEventRegisterDefaultImpl() < 0)
        return 2;
    FILE *corpus = fopen(argv[1], "r");
    if (!corpus)
        return 2;
    char line[4096], uri[8192];
    while (fgets(line, sizeof(line), corpus)) {
        line[strcspn(line, "\n")] = '\0';
        if (line[0] == '#' || line[0] == '\0')
            continue;
        substitute(line, argv[2], uri, sizeof(uri));
        printf("[%s] ", line);
        if (strcmp(line, "(null)") == 0)
            probe(NULL);
        else if (strcmp(line, "(empty)") == 0)
            probe("");
        else
            probe(uri);
    }
    fclose(corpus);
    return 0;
}
