/* Writes tests/data/libxml2-uris.tsv: what libxml2 (xmlParseURI, xmlSaveUri) makes of each URI
 * read on stdin, with libvirt 9.0's own rules applied as virURIParse / virURIFormat apply them
 * (IPv6 brackets stripped, no port without a server, the raw query split into parameters).
 * Columns: input, FAIL | OK, scheme, user, server, port, path, raw query, fragment,
 * parameters (name=value|...), the formatted URI; `<null>` for none.
 *   gcc -I/usr/include/libxml2 gen/libxml2_uris.c -lxml2 -o /tmp/libxml2_uris
 *   cut -f1 tests/data/libxml2-uris.tsv | /tmp/libxml2_uris > tests/data/libxml2-uris.tsv.new */
#include <libxml/uri.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char *or_null(const void *s) { return s ? (const char *)s : "<null>"; }

static void print_params(const char *q) {
    while (q && *q) {
        const char *end = strchr(q, '&');
        if (!end)
            end = strchr(q, ';');
        if (!end)
            end = q + strlen(q);
        const char *eq = memchr(q, '=', (size_t)(end - q));
        if (end != q && eq != q) {
            char *name = xmlURIUnescapeString(q, (int)((eq ? eq : end) - q), NULL);
            char *value = eq && eq + 1 != end ? xmlURIUnescapeString(eq + 1, (int)(end - eq - 1), NULL) : NULL;
            printf("%s=%s|", name, value ? value : "");
            free(name);
            free(value);
        }
        q = *end ? end + 1 : end;
    }
}

int main(void) {
    char line[4096];
    while (fgets(line, sizeof line, stdin)) {
        line[strcspn(line, "\n")] = '\0';
        xmlURIPtr u = xmlParseURI(line);
        if (!u) {
            printf("%s\tFAIL\n", line);
            continue;
        }
        char *server = u->server ? strdup(u->server) : NULL;
        size_t n = server ? strlen(server) : 0;
        if (n >= 2 && server[0] == '[' && server[n - 1] == ']' && strchr(server, ':')) {
            memmove(server, server + 1, n - 2);
            server[n - 2] = '\0';
        }
        int port = server && *server ? u->port : 0;
        printf("%s\tOK\t%s\t%s\t%s\t%d\t%s\t%s\t%s\t", line, or_null(u->scheme), or_null(u->user),
               or_null(server), port, or_null(u->path), or_null(u->query_raw), or_null(u->fragment));
        print_params(u->query_raw);
        xmlURI out;
        memset(&out, 0, sizeof out);
        out.scheme = u->scheme;
        out.user = u->user;
        out.server = server;
        out.port = port;
        out.path = u->path;
        out.query_raw = u->query_raw;
        out.fragment = u->fragment;
        char *bracketed = NULL;
        if (server && strchr(server, ':')) {
            bracketed = malloc(strlen(server) + 3);
            sprintf(bracketed, "[%s]", server);
            out.server = bracketed;
        }
        if (!out.server && !out.port)
            out.port = -1;
        xmlChar *text = xmlSaveUri(&out);
        printf("\t%s\n", (char *)text);
        xmlFree(text);
        free(bracketed);
        free(server);
        xmlFreeURI(u);
    }
    return 0;
}
