"""Reads libvirt-api.xml (Debian's libvirt-dev) into plain Python data for the generators."""
import os
import xml.etree.ElementTree as ET

DEFAULT_API_XML = "/usr/share/libvirt/api/libvirt-api.xml"


def api_xml_path():
    return os.environ.get("LIBVIRT_API_XML", DEFAULT_API_XML)


class Api:
    def __init__(self, path=None):
        root = ET.parse(path or api_xml_path()).getroot()
        sym = root.find("symbols")
        self.functions = sym.findall("function")
        self.functypes = sym.findall("functype")
        self.enums = sym.findall("enum")
        self.structs = sym.findall("struct")
        self.typedefs = sym.findall("typedef")
        self.macros = sym.findall("macro")
        self.variables = sym.findall("variable")

    @staticmethod
    def args(fn):
        return [(a.get("name"), a.get("type")) for a in fn.findall("arg")]

    @staticmethod
    def ret(fn):
        return fn.find("return").get("type")


def reexec_main(count, child_setup):
    """The `main` of a probe program: with an argument it runs that one case (after
    `child_setup`, C lines); without, it runs every case in a fresh process (re-exec), so one
    crash cannot hide another, and reports the cases that died."""
    return [
        "/* Each case runs in a fresh process (re-exec), so one crash cannot hide another. */",
        "int main(int argc, char **argv) {",
        "  setvbuf(stdout, NULL, _IONBF, 0);",
        "  if (argc > 1) {",
        *["    " + line for line in child_setup],
        "    call(atoi(argv[1])); return 0;",
        "  }",
        f"  for (int i = 0; i < {count}; i++) {{",
        "    pid_t p = fork();",
        "    if (p == 0) {",
        "      char n[16]; snprintf(n, sizeof(n), \"%d\", i);",
        "      execl(\"/proc/self/exe\", argv[0], n, (char *)NULL); _exit(127);",
        "    }",
        "    int st = 0; waitpid(p, &st, 0);",
        "    if (!WIFEXITED(st)) printf(\"case %d died with signal %d\\n\", i, WTERMSIG(st));",
        "  }",
        "  return 0;",
        "}",
    ]
