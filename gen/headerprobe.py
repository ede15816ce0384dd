#!/usr/bin/env python3
"""Writes the header-equality probes from libvirt-api.xml (libvirt 9.0).

    python3 gen/headerprobe.py [-o DIR] [API_XML]      (DIR defaults to build/headers)

Each file is compiled once against Debian's <libvirt/*.h> and once against ours (tests/headers.sh):

  probe.c    prints every enum constant (value and C type), every enum typedef (size, type),
             sizeof/alignof of every struct and typedef and offsetof/sizeof of every field,
             every macro's value (strings with %s and their sizeof, numbers with their C type,
             function-like macros exercised). The two outputs must be equal, with and without
             -DVIR_ENUM_SENTINELS. It also #errors when a macro is not a macro or an enum
             constant is one.
  protos.c   C11 _Static_asserts: every function's type (&fn) is compatible with the prototype
             spelled from libvirt-api.xml; likewise every callback typedef, every pointer and
             struct typedef (struct tags included), every struct field's type and the variable
             virConnectAuthPtrDefault. Compiling against both proves the prototypes are the same.
  protos.cc  the same in C++ with std::is_same (exact types: enums are distinct there) and
             std::is_enum on every enum typedef; it also takes the address of every function so
             that `nm -u` shows whether each has C linkage (extern "C").
  symbols.txt  the names of the public functions and variables, for that check.
"""
import os
import re
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
from apixml import Api  # noqa: E402

TOP = os.path.dirname(HERE)

# The headers the probes include; `--include H` (repeatable) names others, e.g.
# libvirt/libvirt-admin.h with libvirt-admin-api.xml.
INCLUDES = ["libvirt/libvirt.h", "libvirt/virterror.h"]


def include_lines():
    return [f"#include <{h}>" for h in INCLUDES]

# Where libvirt-api.xml's type text is not what libvirt 9.0's headers declare, the header wins
# (checked one by one against /usr/include/libvirt/*.h): (function or functype, argument or
# "return") -> the header's type. Empty while libvirt-api.xml 9.0 agrees with the headers.
API_XML_TYPE_FIXES = {
}

# Function-like macros, each exercised by C statements that print what they compute. A new
# function-like macro in libvirt-api.xml without an entry here fails the generator.
MACRO_EXERCISES = {
    "LIBVIR_CHECK_VERSION": [
        'printf("macro LIBVIR_CHECK_VERSION(9,0,0)=%d (9,0,1)=%d (8,10,0)=%d (10,0,0)=%d (0,0,0)=%d\\n", '
        "LIBVIR_CHECK_VERSION(9, 0, 0), LIBVIR_CHECK_VERSION(9, 0, 1), LIBVIR_CHECK_VERSION(8, 10, 0), "
        "LIBVIR_CHECK_VERSION(10, 0, 0), LIBVIR_CHECK_VERSION(0, 0, 0));",
        "#if !LIBVIR_CHECK_VERSION(9, 0, 0) || LIBVIR_CHECK_VERSION(9, 0, 1)",
        '# error "LIBVIR_CHECK_VERSION is not usable in #if"',
        "#endif",
    ],
    "VIR_CPU_MAPLEN": [
        'printf("macro VIR_CPU_MAPLEN(0)=%lld (1)=%lld (8)=%lld (9)=%lld (64)=%lld (65)=%lld\\n", '
        "(long long)VIR_CPU_MAPLEN(0), (long long)VIR_CPU_MAPLEN(1), (long long)VIR_CPU_MAPLEN(8), "
        "(long long)VIR_CPU_MAPLEN(9), (long long)VIR_CPU_MAPLEN(64), (long long)VIR_CPU_MAPLEN(65));",
    ],
    "VIR_USE_CPU": [
        "{ unsigned char m[4] = {0}; VIR_USE_CPU(m, 0); VIR_USE_CPU(m, 9); VIR_USE_CPU(m, 31);",
        '  printf("macro VIR_USE_CPU %02x %02x %02x %02x\\n", m[0], m[1], m[2], m[3]); }',
    ],
    "VIR_UNUSE_CPU": [
        "{ unsigned char m[4] = {0xff, 0xff, 0xff, 0xff}; VIR_UNUSE_CPU(m, 1); VIR_UNUSE_CPU(m, 30);",
        '  printf("macro VIR_UNUSE_CPU %02x %02x %02x %02x\\n", m[0], m[1], m[2], m[3]); }',
    ],
    "VIR_CPU_USED": [
        "{ unsigned char m[2] = {0x05, 0x80};",
        '  printf("macro VIR_CPU_USED %d %d %d %d\\n", !!VIR_CPU_USED(m, 0), !!VIR_CPU_USED(m, 1), '
        "!!VIR_CPU_USED(m, 2), !!VIR_CPU_USED(m, 15)); }",
    ],
    "VIR_GET_CPUMAP": [
        "{ unsigned char m[6] = {1, 2, 3, 4, 5, 6};",
        '  printf("macro VIR_GET_CPUMAP %d %d\\n", (int)(VIR_GET_CPUMAP(m, 2, 1) - m), *VIR_GET_CPUMAP(m, 2, 2)); }',
    ],
    "VIR_CPU_USABLE": [
        "{ unsigned char m[4] = {0x01, 0x00, 0x00, 0x02};",
        '  printf("macro VIR_CPU_USABLE %d %d %d\\n", !!VIR_CPU_USABLE(m, 2, 0, 0), '
        "!!VIR_CPU_USABLE(m, 2, 1, 9), !!VIR_CPU_USABLE(m, 2, 1, 0)); }",
    ],
    "VIR_COPY_CPUMAP": [
        "{ unsigned char m[6] = {1, 2, 3, 4, 5, 6}; unsigned char out[2] = {0};",
        "  VIR_COPY_CPUMAP(m, 2, 2, out);",
        '  printf("macro VIR_COPY_CPUMAP %d %d\\n", out[0], out[1]); }',
    ],
    "VIR_NODEINFO_MAXCPUS": [
        "{ virNodeInfo ni; memset(&ni, 0, sizeof(ni)); ni.nodes = 2; ni.sockets = 3; ni.cores = 4; ni.threads = 5;",
        '  printf("macro VIR_NODEINFO_MAXCPUS %lld\\n", (long long)VIR_NODEINFO_MAXCPUS(ni)); }',
    ],
}

# NAME_EVENT_CALLBACK(cb) casts cb to the generic callback type of its object.
EVENT_CALLBACK_TYPES = {
    "VIR_DOMAIN_EVENT_CALLBACK": ("virConnectDomainEventGenericCallback", "virDomainPtr"),
    "VIR_NETWORK_EVENT_CALLBACK": ("virConnectNetworkEventGenericCallback", "virNetworkPtr"),
    "VIR_NODE_DEVICE_EVENT_CALLBACK": ("virConnectNodeDeviceEventGenericCallback", "virNodeDevicePtr"),
    "VIR_SECRET_EVENT_CALLBACK": ("virConnectSecretEventGenericCallback", "virSecretPtr"),
    "VIR_STORAGE_POOL_EVENT_CALLBACK": ("virConnectStoragePoolEventGenericCallback", "virStoragePoolPtr"),
}

C_TYPE_NAME = (
    "#define TYPE_NAME(x) _Generic((x), char: \"char\", signed char: \"signed char\", "
    "unsigned char: \"unsigned char\", short: \"short\", unsigned short: \"unsigned short\", "
    "int: \"int\", unsigned int: \"unsigned int\", long: \"long\", unsigned long: \"unsigned long\", "
    "long long: \"long long\", unsigned long long: \"unsigned long long\", double: \"double\", "
    "default: \"other\")"
)


def c_ident(s):
    return re.sub(r"\W", "_", s)


def arg_type(owner, name, ctype):
    return API_XML_TYPE_FIXES.get((owner, name), ctype)


def fn_pointer_type(owner):
    """RET (*)(ARGS) for a function or functype element, from libvirt-api.xml."""
    ret = arg_type(owner.get("name"), "return", Api.ret(owner))
    args = [arg_type(owner.get("name"), n, t) for n, t in Api.args(owner)]
    return f"{ret} (*)({', '.join(args) if args else 'void'})"


def field_decl_type(ftype):
    """`char field[N]` -> `char[N]`; anything else unchanged."""
    m = re.fullmatch(r"(.+?)\s*\b\w+\[(\w+)\]", ftype)
    return f"{m.group(1)}[{m.group(2)}]" if m else ftype


def struct_fields(s):
    """(access path, C type) of every field, union members as value.i."""
    out = []
    for f in s.findall("field"):
        if f.get("type") == "union":
            for u in f.find("union").findall("field"):
                out.append((f"{f.get('name')}.{u.get('name')}", u.get("type")))
        else:
            out.append((f.get("name"), field_decl_type(f.get("type"))))
    return out


def enum_groups(api):
    groups = {}
    for e in api.enums:
        groups.setdefault(e.get("type"), []).append(e.get("name"))
    return groups


def sentinels(api):
    """*_LAST names that are the highest value of their enum: libvirt's VIR_ENUM_SENTINELS.
    (VIR_NETWORK_UPDATE_COMMAND_ADD_LAST is an ordinary value.)"""
    raw = {e.get("name"): e.get("value") for e in api.enums}

    def value(n):
        v = raw[n]
        return int(v, 0) if re.fullmatch(r"-?(0x)?[0-9a-fA-F]+", v) else value(v)
    out = set()
    for names in enum_groups(api).values():
        out |= {n for n in names if n.endswith("_LAST") and all(value(n) >= value(o) for o in names)}
    return out


def gen_probe(api):
    out = [
        "/* @generated by gen/headerprobe.py from libvirt-api.xml (libvirt 9.0). Do not edit.",
        " * Prints everything libvirt.h and virterror.h define that has a value or a layout. */",
        *include_lines(),
        "#include <stddef.h>",
        "#include <stdio.h>",
        "#include <string.h>",
        "",
        "/* virError's conn, dom and net are VIR_DEPRECATED: measuring them is fine here. */",
        '#pragma GCC diagnostic ignored "-Wdeprecated-declarations"',
        "",
        C_TYPE_NAME,
        "",
    ]
    # Compile-time: macros are macros, enum constants are not.
    for m in sorted(api.macros, key=lambda m: m.get("name")):
        n = m.get("name")
        out += [f"#ifndef {n}", f'# error "{n} is not a macro"', "#endif"]
    for e in sorted(api.enums, key=lambda e: e.get("name")):
        n = e.get("name")
        out += [f"#ifdef {n}", f'# error "{n} is a macro, libvirt has an enum constant"', "#endif"]
    out.append("")
    # Callbacks for the *_EVENT_CALLBACK macros, with the generic callback's own signature.
    present = {m.get("name") for m in api.macros}
    for mac, (cbtype, objtype) in sorted(EVENT_CALLBACK_TYPES.items()):
        if mac not in present:
            continue
        out.append(f"static void cb_{mac}(virConnectPtr c, {objtype} o, void *opaque) "
                   "{ (void)c; (void)o; (void)opaque; }")
    out += ["", "static void enums(void)", "{"]
    groups = enum_groups(api)
    typedef_enums = {t.get("name") for t in api.typedefs if t.get("type") == "enum"}
    last = sentinels(api)
    for tname in sorted(groups):
        if tname in typedef_enums:
            out.append(f'    printf("enum-type {tname} size=%zu align=%zu type=%s\\n", sizeof({tname}), '
                       f"_Alignof({tname}), TYPE_NAME(({tname})0));")
        for n in sorted(groups[tname]):
            line = f'    printf("enum {n} = %lld (%s, size %zu)\\n", (long long)({n}), TYPE_NAME({n}), sizeof({n}));'
            if n in last:
                out += ["#ifdef VIR_ENUM_SENTINELS", line, "#endif"]
            else:
                out.append(line)
    for tname in sorted(typedef_enums - set(groups)):
        out.append(f'    printf("enum-type {tname} size=%zu\\n", sizeof({tname}));')
    out += ["}", "", "static void structs(void)", "{"]
    for s in sorted(api.structs, key=lambda s: s.get("name")):
        name, tag = s.get("name"), s.get("type")
        if not s.findall("field"):
            continue  # opaque: protos.c checks the tag
        out.append(f'    printf("struct {name} ({tag}) size=%zu align=%zu\\n", sizeof({name}), _Alignof({name}));')
        out.append(f'    printf("struct {tag} size=%zu\\n", sizeof({tag}));')
        for path, _ in struct_fields(s):
            out.append(f'    printf("  field {name}.{path} offset=%zu size=%zu\\n", offsetof({name}, {path}), '
                       f"sizeof((({name} *)0)->{path}));")
    for t in sorted(api.typedefs, key=lambda t: t.get("name")):
        if t.get("type") != "enum":
            out.append(f'    printf("typedef {t.get("name")} size=%zu align=%zu\\n", sizeof({t.get("name")}), '
                       f'_Alignof({t.get("name")}));')
    for ft in sorted(api.functypes, key=lambda f: f.get("name")):
        out.append(f'    printf("functype {ft.get("name")} size=%zu\\n", sizeof({ft.get("name")}));')
    for v in api.variables:
        out.append(f'    printf("variable {v.get("name")} size=%zu\\n", sizeof({v.get("name")}));')
    out += ["}", "", "static void macros(void)", "{"]
    for m in sorted(api.macros, key=lambda m: m.get("name")):
        n = m.get("name")
        raw = (m.get("raw") or "").strip()
        if m.get("string") is not None:
            out.append(f'    printf("macro {n} = \\"%s\\" (sizeof %zu)\\n", {n}, sizeof({n}));')
        elif m.get("params") is not None:
            if n in MACRO_EXERCISES:
                out += ["    " + l if not l.startswith("#") else l for l in MACRO_EXERCISES[n]]
            elif n in EVENT_CALLBACK_TYPES:
                cbtype = EVENT_CALLBACK_TYPES[n][0]
                out.append(f'    printf("macro {n} type-ok=%d same=%d\\n", '
                           f"__builtin_types_compatible_p(__typeof__({n}(cb_{n})), {cbtype}), "
                           f"{n}(cb_{n}) == cb_{n});")
            else:
                sys.exit(f"headerprobe: function-like macro {n} has no exercise in MACRO_EXERCISES")
        elif re.fullmatch(r"_vir\w+", raw):
            out.append(f'    printf("macro {n} -> struct of size %zu\\n", sizeof(struct {n}));')
        else:
            out.append(f'    printf("macro {n} = %lld (%s, size %zu)\\n", (long long)({n}), TYPE_NAME({n}), sizeof({n}));')
    out += ["}", "", "int main(void)", "{", "    enums();", "    structs();", "    macros();",
            "#ifdef VIR_ENUM_SENTINELS", '    printf("sentinels on\\n");', "#endif",
            "    return 0;", "}", ""]
    return "\n".join(out)


def gen_protos_c(api):
    out = [
        "/* @generated by gen/headerprobe.py from libvirt-api.xml (libvirt 9.0). Do not edit.",
        " * Every prototype, callback type, typedef, struct tag and field type, as libvirt-api.xml",
        " * spells it; compiles only when the headers declare exactly compatible types. */",
        *include_lines(),
        "",
        '#pragma GCC diagnostic ignored "-Wdeprecated-declarations"',
        "#define SAME(a, b, what) _Static_assert(__builtin_types_compatible_p(a, b), what)",
        "",
    ]
    for fn in sorted(api.functions, key=lambda f: f.get("name")):
        n = fn.get("name")
        out.append(f'SAME(__typeof__(&{n}), {fn_pointer_type(fn)}, "prototype of {n}");')
    out.append("")
    for ft in sorted(api.functypes, key=lambda f: f.get("name")):
        n = ft.get("name")
        out.append(f'SAME({n}, {fn_pointer_type(ft)}, "callback type {n}");')
    out.append("")
    for v in api.variables:
        out.append(f'SAME(__typeof__({v.get("name")}), {v.get("type")}, "variable {v.get("name")}");')
    out.append("")
    for t in sorted(api.typedefs, key=lambda t: t.get("name")):
        if t.get("type") != "enum":
            out.append(f'SAME({t.get("name")}, {t.get("type")}, "typedef {t.get("name")}");')
    for s in sorted(api.structs, key=lambda s: s.get("name")):
        name, tag = s.get("name"), s.get("type")
        out.append(f'SAME({name}, {tag}, "{name} is {tag}");')
        for path, ftype in struct_fields(s):
            out.append(f'SAME(__typeof__((({name} *)0)->{path}), {ftype}, "field {name}.{path}");')
    out.append("")
    return "\n".join(out)


def gen_protos_cc(api):
    out = [
        "// @generated by gen/headerprobe.py from libvirt-api.xml (libvirt 9.0). Do not edit.",
        "// The C++ view: exact types (std::is_same), enum typedefs are enums, and every function",
        "// and variable is referenced, so `nm -u` of the object shows C linkage.",
        *include_lines(),
        "#include <type_traits>",
        "",
        '#pragma GCC diagnostic ignored "-Wdeprecated-declarations"',
        "#define SAME(a, b, what) static_assert(std::is_same<a, b>::value, what)",
        "",
    ]
    for fn in sorted(api.functions, key=lambda f: f.get("name")):
        n = fn.get("name")
        out.append(f'SAME(decltype(&{n}), {fn_pointer_type(fn)}, "prototype of {n}");')
    for ft in sorted(api.functypes, key=lambda f: f.get("name")):
        n = ft.get("name")
        out.append(f'SAME({n}, {fn_pointer_type(ft)}, "callback type {n}");')
    for v in api.variables:
        out.append(f'SAME(decltype({v.get("name")}), {v.get("type")}, "variable {v.get("name")}");')
    for t in sorted(api.typedefs, key=lambda t: t.get("name")):
        if t.get("type") == "enum":
            out.append(f'static_assert(std::is_enum<{t.get("name")}>::value, "{t.get("name")} is an enum");')
        else:
            out.append(f'SAME({t.get("name")}, {t.get("type")}, "typedef {t.get("name")}");')
    for s in sorted(api.structs, key=lambda s: s.get("name")):
        name, tag = s.get("name"), s.get("type")
        out.append(f'SAME({name}, {tag}, "{name} is {tag}");')
        for path, ftype in struct_fields(s):
            ctype = ftype
            out.append(f'SAME(std::remove_reference<decltype((({name} *)0)->{path})>::type, {ctype}, '
                       f'"field {name}.{path}");')
    out += ["", "typedef void (*any_fn)(void);", "extern const any_fn all_functions[];",
            "const any_fn all_functions[] = {"]
    for fn in sorted(api.functions, key=lambda f: f.get("name")):
        out.append(f"    reinterpret_cast<any_fn>(&{fn.get('name')}),")
    out += ["};", "extern const void *const all_variables[];", "const void *const all_variables[] = {"]
    for v in api.variables:
        out.append(f"    &{v.get('name')},")
    out += ["};", ""]
    return "\n".join(out)


def main():
    args = sys.argv[1:]
    outdir = os.path.join(TOP, "build", "headers")
    includes = []
    while "--include" in args:
        i = args.index("--include")
        includes.append(args[i + 1])
        del args[i:i + 2]
    if includes:
        INCLUDES[:] = includes
    if "-o" in args:
        i = args.index("-o")
        outdir = args[i + 1]
        del args[i:i + 2]
    api = Api(args[0] if args else None)
    os.makedirs(outdir, exist_ok=True)
    symbols = sorted(f.get("name") for f in api.functions) + sorted(v.get("name") for v in api.variables)
    for name, text in (("probe.c", gen_probe(api)), ("protos.c", gen_protos_c(api)),
                       ("protos.cc", gen_protos_cc(api)), ("symbols.txt", "\n".join(symbols) + "\n")):
        with open(os.path.join(outdir, name), "w") as f:
            f.write(text)


if __name__ == "__main__":
    main()
