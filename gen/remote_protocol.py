#!/usr/bin/env python3
"""Generate rpc/src/protocol.rs from libvirt 9.0's RPC protocol description.

The inputs are libvirt's own XDR files, checked in as the protocol's description (as
libvirt-api.xml is for the API): gen/reference/remote_protocol.x and qemu_protocol.x, from
Debian's libvirt 9.0.0 source package. The output holds, for the remote and qemu programs:

- the protocol's constants (`const X = N;`, the enums' values) as Rust constants;
- every procedure number (`enum remote_procedure`, `enum qemu_procedure`) in `proc`/`qemu_proc`;
- every structure and the typed-parameter union as a Rust type with an XDR encoder and a
  bounds-checked decoder over the driver's own codec (`xdr::Enc`, `xdr::Dec`).

usage: gen/remote_protocol.py [--check]   (--check: fail when the checked-in output differs)
It also generates src/driver/remote/generated.rs, the remote driver's family traits (see below).
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUTS = ["gen/reference/remote_protocol.x", "gen/reference/qemu_protocol.x"]
OUTPUT = "rpc/src/protocol.rs"
# libvirt-admin's program (admin_protocol.x, libvirt 9.0.0's), in a module of its own.
ADMIN_INPUT = "gen/reference/admin_protocol.x"
ADMIN_OUTPUT = "rpc/src/admin_protocol.rs"

# Constants the .x files take from libvirt's C headers (libvirt.h, libvirt-common.h).
EXTERNAL = {
    "VIR_UUID_BUFLEN": 16,
    "VIR_SECURITY_MODEL_BUFLEN": 256 + 1,
    "VIR_SECURITY_LABEL_BUFLEN": 4096 + 1,
    "VIR_SECURITY_DOI_BUFLEN": 256 + 1,
    "VIR_TYPED_PARAM_INT": 1,
    "VIR_TYPED_PARAM_UINT": 2,
    "VIR_TYPED_PARAM_LLONG": 3,
    "VIR_TYPED_PARAM_ULLONG": 4,
    "VIR_TYPED_PARAM_DOUBLE": 5,
    "VIR_TYPED_PARAM_BOOLEAN": 6,
    "VIR_TYPED_PARAM_STRING": 7,
}

RUST_KEYWORDS = {"type", "ref", "match", "fn", "mod", "use", "impl", "in", "loop", "move",
                 "self", "struct", "enum", "trait", "where", "let", "const", "static", "crate"}

# XDR base types: (Rust type, encoder call, decoder call).
BASE = {
    "int": ("i32", "e.i32({v});", "d.i32()?"),
    "unsigned int": ("u32", "e.u32({v});", "d.u32()?"),
    "hyper": ("i64", "e.u64({v} as u64);", "d.u64()? as i64"),
    "unsigned hyper": ("u64", "e.u64({v});", "d.u64()?"),
    # XDR's char, short and their unsigned forms travel as 4-byte integers.
    "char": ("i8", "e.i32({v} as i32);", "d.i32()? as i8"),
    "unsigned char": ("u8", "e.u32({v} as u32);", "d.u32()? as u8"),
    "short": ("i16", "e.i32({v} as i32);", "d.i32()? as i16"),
    "unsigned short": ("u16", "e.u32({v} as u32);", "d.u32()? as u16"),
    "double": ("f64", "e.u64({v}.to_bits());", "f64::from_bits(d.u64()?)"),
    "remote_nonnull_string": ("String", "e.string(&{v});", "d.string()?"),
    "remote_uuid": ("[u8; 16]", "e.fixed(&{v});", "d.uuid()?"),
    "admin_nonnull_string": ("String", "e.string(&{v});", "d.string()?"),
}


def strip_comments(text):
    text = re.sub(r"/\*.*?\*/", "", text, flags=re.S)
    return "\n".join(l for l in text.splitlines() if not l.lstrip().startswith("%"))


def camel(name):
    for prefix in ("remote_", "qemu_"):
        if name.startswith(prefix) and prefix == "remote_":
            name = name[len(prefix):]
            break
    return "".join(p[:1].upper() + p[1:] for p in name.split("_") if p)


def field_name(name):
    return "r#" + name if name in RUST_KEYWORDS else name


class Protocol:
    def __init__(self):
        self.consts = {}          # name -> value (ordered)
        self.const_order = []
        self.enums = {}           # enum name -> [(member, value)]
        self.typedefs = {}        # name -> (base, kind, size) kind: pointer|fixed|var|plain
        self.structs = []         # (name, [fields])
        self.unions = []          # (name, discriminant, [(case value, field)])
        self.names = set()

    def value(self, token):
        if re.fullmatch(r"-?\d+", token):
            return int(token)
        if re.fullmatch(r"0x[0-9a-fA-F]+", token):
            return int(token, 16)
        if token in self.consts:
            return self.consts[token]
        if token in EXTERNAL:
            return EXTERNAL[token]
        raise SystemExit(f"remote_protocol.py: unknown constant {token}")

    def add_const(self, name, value):
        if name not in self.consts:
            self.const_order.append(name)
        self.consts[name] = value

    def parse(self, text):
        text = strip_comments(text)
        pos = 0
        pattern = re.compile(
            r"\s*(?:(const)\s+(\w+)\s*=\s*([\w-]+)\s*;"
            r"|(typedef)\s+([^;]+);"
            r"|(enum)\s+(\w+)\s*\{([^}]*)\}\s*;"
            r"|(struct)\s+(\w+)\s*\{([^}]*)\}\s*;"
            r"|(union)\s+(\w+)\s+switch\s*\(\s*int\s+(\w+)\s*\)\s*\{([^}]*)\}\s*;)",
            re.S)
        while True:
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            m = pattern.match(text, pos)
            if not m:
                raise SystemExit("remote_protocol.py: cannot parse at: " + text[pos:pos + 80])
            pos = m.end()
            if m.group(1):
                self.add_const(m.group(2), self.value(m.group(3)))
            elif m.group(4):
                self.parse_typedef(m.group(5))
            elif m.group(6):
                members = []
                nxt = 0
                for item in m.group(8).split(","):
                    item = item.strip()
                    if not item:
                        continue
                    if "=" in item:
                        k, v = (s.strip() for s in item.split("=", 1))
                        nxt = self.value(v)
                    else:
                        k = item
                    members.append((k, nxt))
                    self.add_const(k, nxt)
                    nxt += 1
                self.enums[m.group(7)] = members
            elif m.group(9):
                fields = [self.parse_decl(f) for f in m.group(11).split(";") if f.strip()]
                self.structs.append((m.group(10), fields))
                self.names.add(m.group(10))
            else:
                cases = []
                for c in re.finditer(r"case\s+(\w+)\s*:\s*([^;]+);", m.group(15)):
                    cases.append((self.value(c.group(1)), self.parse_decl(c.group(2))))
                self.unions.append((m.group(13), m.group(14), cases))
                self.names.add(m.group(13))

    def parse_typedef(self, decl):
        f = self.parse_decl(decl)
        self.typedefs[f["name"]] = f

    def parse_decl(self, decl):
        decl = " ".join(decl.split())
        m = re.fullmatch(r"((?:unsigned )?\w+)\s*(\*?)\s*(\w+)\s*(?:\[(\w+)\]|<(\w*)>)?", decl)
        if not m:
            raise SystemExit(f"remote_protocol.py: cannot parse declaration '{decl}'")
        base, ptr, name, fixed, var = m.groups()
        if ptr:
            kind, size = "pointer", None
        elif fixed:
            kind, size = "fixed", self.value(fixed)
        elif var is not None:
            kind, size = "var", (self.value(var) if var else None)
        else:
            kind, size = "plain", None
        return {"base": base, "kind": kind, "size": size, "name": name,
                "bound": var if var else fixed}


# What one output file holds: its header and its procedure enums (enum, prefix, Rust module).
REMOTE_OUTPUT_SPEC = (
    ["// Generated by gen/remote_protocol.py from gen/reference/remote_protocol.x and",
     "// qemu_protocol.x (libvirt 9.0.0): do not edit.",
     "//! libvirt 9.0's RPC protocol for the remote and qemu programs: constants, procedure",
     "//! numbers, and every argument, reply and event structure with its XDR encoder and",
     "//! bounds-checked decoder."],
    (("remote_procedure", "REMOTE_PROC_", "proc"), ("qemu_procedure", "QEMU_PROC_", "qemu_proc")),
)
ADMIN_OUTPUT_SPEC = (
    ["// Generated by gen/remote_protocol.py from gen/reference/admin_protocol.x (libvirt 9.0.0):",
     "// do not edit.",
     "//! libvirt 9.0's admin program (libvirt-admin.so.0 to a daemon's admin socket): constants,",
     "//! procedure numbers, and every argument and reply structure with its XDR encoder and",
     "//! bounds-checked decoder."],
    (("admin_procedure", "ADMIN_PROC_", "admin_proc"),),
)


class Emitter:
    def __init__(self, proto, spec=REMOTE_OUTPUT_SPEC):
        self.p = proto
        self.header, self.proc_enums = spec

    def resolve(self, base):
        """A named type as one the emitter knows: a typedef is looked through."""
        if base in BASE or base in self.p.names:
            return base
        if base in self.p.enums:
            return "int"
        raise SystemExit(f"remote_protocol.py: unknown type {base}")

    def rust_type(self, f):
        base, kind = f["base"], f["kind"]
        if base in self.p.typedefs and base not in BASE:
            t = self.p.typedefs[base]
            inner = self.rust_type(t)
            if kind == "plain":
                return inner
            if kind == "pointer":
                return f"Option<{inner}>"
            return f"Vec<{inner}>"
        if base == "opaque":
            return "Vec<u8>"
        if base == "string":
            return "String"
        elem = BASE[self.resolve(base)][0] if self.resolve(base) in BASE else camel(base)
        if kind == "plain":
            return elem
        if kind == "pointer":
            return f"Option<Box<{elem}>>" if elem not in ("String",) and base in self.p.names else f"Option<{elem}>"
        return f"Vec<{elem}>"

    def bound(self, f):
        b = f["bound"]
        if b is None:
            return "u32::MAX as usize"
        if re.fullmatch(r"\d+", b):
            return b
        return b if b in self.p.consts else str(self.p.value(b))

    def encode(self, f, v, depth=0):
        """Rust statements encoding the value `v` (an expression) of declaration `f`."""
        base, kind = f["base"], f["kind"]
        x = f"x{depth}"
        if base in self.p.typedefs and base not in BASE:
            t = dict(self.p.typedefs[base])
            if kind == "plain":
                return self.encode(t, v, depth)
            if kind == "pointer":
                return (f"match &{v} {{ Some({x}) => {{ e.bool(true); {self.encode(t, '(*' + x + ')', depth + 1)} }}"
                        f" None => {{ e.bool(false); }} }}")
            raise SystemExit("remote_protocol.py: arrays of typedefs are not used")
        if base == "opaque":
            if kind == "fixed":
                return f"e.fixed(&{v});"
            return f"e.bytes(&{v});"
        if base == "string":
            return f"e.string(&{v});"
        if kind == "plain":
            return self.encode_one(base, v)
        if kind == "pointer":
            return (f"match &{v} {{ Some({x}) => {{ e.bool(true); {self.encode_one(base, '(*' + x + ')')} }}"
                    f" None => {{ e.bool(false); }} }}")
        head = f"e.u32({v}.len() as u32); " if kind == "var" else ""
        return f"{head}for {x} in {v}.iter() {{ {self.encode_one(base, '(*' + x + ')')} }}"

    def encode_one(self, base, v):
        r = self.resolve(base)
        if r in BASE:
            return BASE[r][1].format(v=v)
        return f"{v}.encode(e);"

    def decode(self, f, depth=0):
        """A Rust expression decoding declaration `f`."""
        base, kind = f["base"], f["kind"]
        if base in self.p.typedefs and base not in BASE:
            t = self.p.typedefs[base]
            if kind == "plain":
                return self.decode(t, depth)
            if kind == "pointer":
                return f"if d.bool()? {{ Some({self.decode(t, depth + 1)}) }} else {{ None }}"
            raise SystemExit("remote_protocol.py: arrays of typedefs are not used")
        if base == "opaque":
            if kind == "fixed":
                return f"d.fixed({f['size']})?.to_vec()"
            return f"{{ let n = d.count({self.bound(f)} as usize)?; d.fixed(n)?.to_vec() }}"
        if base == "string":
            return "d.string()?"
        one = self.decode_one(base)
        if kind == "plain":
            return one
        if kind == "pointer":
            boxed = f"Box::new({one})" if self.resolve(base) not in BASE else one
            return f"if d.bool()? {{ Some({boxed}) }} else {{ None }}"
        if kind == "fixed":
            return f"(0..{f['size']}).map(|_| Ok({one})).collect::<Result<Vec<_>>>()?"
        return (f"{{ let n = d.count({self.bound(f)} as usize)?;"
                f" (0..n).map(|_| Ok({one})).collect::<Result<Vec<_>>>()? }}")

    def decode_one(self, base):
        r = self.resolve(base)
        if r in BASE:
            return BASE[r][2]
        return f"{camel(base)}::decode(d)?"

    def emit(self):
        p = self.p
        out = self.header + [
            "#![allow(dead_code, clippy::all, non_camel_case_types, non_snake_case, unused_parens)]",
            "",
            "use crate::xdr::{Dec, Enc, Xdr};",
            "use crate::Result;",
            "",
        ]
        procs = {e for e, _, _ in self.proc_enums}
        enum_members = {k for e, ms in p.enums.items() if e not in procs for k, _ in ms}
        proc_members = {k for e in procs for k, _ in p.enums.get(e, [])}
        for name in p.const_order:
            if name in proc_members:
                continue
            value = p.consts[name]
            ty = "i32" if name in enum_members else "u32"
            out.append(f"pub const {name}: {ty} = {value};")
        out.append("")
        for e, prefix, mod in self.proc_enums:
            out.append(f"/// The {e} numbers, without the `{prefix}` prefix.")
            out.append(f"pub mod {mod} {{")
            for k, v in p.enums.get(e, []):
                out.append(f"    pub const {k[len(prefix):]}: i32 = {v};")
            out.append("}")
            out.append("")
        for name, disc, cases in p.unions:
            t = camel(name)
            out.append("#[derive(Debug, Clone, PartialEq)]")
            out.append(f"pub enum {t} {{")
            for value, f in cases:
                out.append(f"    Case{value}({self.rust_type(f)}),")
            out.append("}")
            out.append(f"impl Xdr for {t} {{")
            out.append("    fn encode(&self, e: &mut Enc) {")
            out.append("        match self {")
            for value, f in cases:
                out.append(f"            {t}::Case{value}(v) => {{ e.i32({value}); {self.encode(f, '(*v)')} }}")
            out.append("        }")
            out.append("    }")
            out.append("    fn decode(d: &mut Dec) -> Result<Self> {")
            out.append("        Ok(match d.i32()? {")
            for value, f in cases:
                out.append(f"            {value} => {t}::Case{value}({self.decode(f)}),")
            out.append("            _ => return Err(super::xdr::malformed()),")
            out.append("        })")
            out.append("    }")
            out.append("}")
            out.append("")
        for name, fields in p.structs:
            t = camel(name)
            out.append("#[derive(Debug, Clone, PartialEq)]")
            out.append(f"pub struct {t} {{")
            for f in fields:
                out.append(f"    pub {field_name(f['name'])}: {self.rust_type(f)},")
            out.append("}")
            out.append(f"impl Xdr for {t} {{")
            out.append("    fn encode(&self, e: &mut Enc) {")
            if not fields:
                out.append("        let _ = e;")
            for f in fields:
                out.append(f"        {self.encode(f, 'self.' + field_name(f['name']))}")
            out.append("    }")
            out.append("    fn decode(d: &mut Dec) -> Result<Self> {")
            if not fields:
                out.append("        let _ = d;")
            out.append(f"        Ok({t} {{")
            for f in fields:
                out.append(f"            {field_name(f['name'])}: {self.decode(f)},")
            out.append("        })")
            out.append("    }")
            out.append("}")
            out.append("")
        return "\n".join(out)


# ---------------------------------------------------------------------------------------------
# The remote driver's family trait implementations (src/driver/remote/generated.rs).
#
# Every method of the family traits (src/driver/family/*.rs) whose default body names a public
# function (`unsupported(VIR_FROM_X, "virName")`) is forwarded to the procedure of the same name
# (virNetworkGetXMLDesc -> REMOTE_PROC_NETWORK_GET_XML_DESC): its parameters fill the argument
# structure's fields in order (ToWire), the reply's field (or the whole reply) becomes the return
# value (FromWire). A method written by hand is a function of the same name in
# src/driver/remote/manual.rs, which the generated method calls. A method with no procedure, or
# whose shape does not fit, keeps its default (not supported) and is listed in the output's header.

FAMILY_DIR = "src/driver/family"
MANUAL = "src/driver/remote/manual.rs"
FORWARD_OUTPUT = "src/driver/remote/generated.rs"

# Trait methods whose procedure is not the one their default body names.
METHOD_PROC = {
    "create": "DOMAIN_CREATE_WITH_FLAGS",
    "nodedev_caps": "NODE_DEVICE_LIST_CAPS",
    "nodedev_parent": "NODE_DEVICE_GET_PARENT",
    # Its default is the local host's name, which a local driver answers.
    "hostname": "CONNECT_GET_HOSTNAME",
}

# Methods whose default (a local driver's) answers from another method; the daemon has a
# procedure of its own for them, which the reference's client sends (issue 18).
RSIMPLE_METHOD_PROC = {
    "domain_count_active": "CONNECT_NUM_OF_DOMAINS",
    "domain_count_defined": "CONNECT_NUM_OF_DEFINED_DOMAINS",
    "network_count_active": "CONNECT_NUM_OF_NETWORKS",
    "network_count_defined": "CONNECT_NUM_OF_DEFINED_NETWORKS",
    "iface_count_active": "CONNECT_NUM_OF_INTERFACES",
    "iface_count_defined": "CONNECT_NUM_OF_DEFINED_INTERFACES",
    "pool_count_active": "CONNECT_NUM_OF_STORAGE_POOLS",
    "pool_count_defined": "CONNECT_NUM_OF_DEFINED_STORAGE_POOLS",
    "pool_volume_count": "STORAGE_POOL_NUM_OF_VOLUMES",
    "secret_count": "CONNECT_NUM_OF_SECRETS",
    "domain_max_memory": "DOMAIN_GET_MAX_MEMORY",
    "network_create_xml": "NETWORK_CREATE_XML",
    "network_define_xml": "NETWORK_DEFINE_XML",
    "lib_version": "CONNECT_GET_LIB_VERSION",
    "supports_feature": "CONNECT_SUPPORTS_FEATURE",
}
METHOD_PROC.update(RSIMPLE_METHOD_PROC)

# The reference's public layer checks these arguments before any driver (ours leaves them to
# the driver): the same checks, before the call.
PRECHECK = {
    "domain_memory_parameters": 'check_live_config_exclusive("virDomainGetMemoryParameters", flags)?;',
    "domain_blkio_parameters": 'check_live_config_exclusive("virDomainGetBlkioParameters", flags)?;',
    "domain_block_io_tune": 'check_live_config_exclusive("virDomainGetBlockIoTune", flags)?;',
    "domain_vcpus_flags": 'check_live_config_exclusive("virDomainGetVcpusFlags", flags)?;',
    "node_cells_free_memory": "check_cells_range(start_cell, max_cells)?;",
    "node_cpu_stats": "check_cpu_num(cpu)?;",
    "node_memory_stats": "check_cell_num(cell)?;",
    "domain_iothread_info": 'check_live_config_exclusive("virDomainGetIOThreadInfo", flags)?;',
    "domain_send_key": "check_send_key(codeset, keycodes.len())?;",
}

# The reference's public layer adds VIR_TYPED_PARAM_STRING_OKAY to the flags of these getters
# (the remote driver takes string parameters).
STRING_OKAY = {
    "domain_memory_parameters", "domain_numa_parameters", "domain_blkio_parameters",
    "domain_scheduler_parameters_flags", "domain_block_stats_flags",
    "domain_interface_parameters", "domain_block_io_tune",
    "node_memory_parameters",
}

# Trait methods not forwarded (yet), and why.
NOT_FORWARDED = {}

# Calls that stop the domain whenever they succeed: the caller's handle loses its id, as the
# reference's client's does.
ALWAYS_STOPS = {"domain_managed_save", "domain_save", "domain_save_flags"}

# Methods that count what a listing method lists (`*_count_all*` beside `*_list_all*`): the same
# procedure with need_results 0, the reply's `ret` the answer, as the reference's client sends
# when the caller passes no array.
def counted_listing(method):
    return method.replace("count_all", "list_all") if "count_all" in method else None


# Argument fields the public function has no parameter for: what the reference's client sends.
# `{bound}` is the reply list's bound in remote_protocol.x.
FILLERS = {
    "need_results": "1",
    "maxnames": "protocol::{bound} as _",
    "maxids": "protocol::{bound} as _",
    "maxuuids": "protocol::{bound} as _",
    "maxerrors": "protocol::{bound} as _",
    "nparams": "protocol::{bound} as _",
    "need_map": "1",
    "need_online": "1",
}

# Argument structures that name two parameters of the trait (the domain, then the moment; the
# network, then the port).
PAIRED = {"remote_nonnull_domain_snapshot", "remote_nonnull_domain_checkpoint",
          "remote_nonnull_network_port"}

# Parameter types that are the caller's context, never sent.
LOCAL_ONLY = {"Caller"}


def block(text, open_at):
    """The text between the brace at `open_at` and its match, and the index after it."""
    depth = 0
    for i in range(open_at, len(text)):
        c = text[i]
        if c == "{":
            depth += 1
        elif c == "}":
            depth -= 1
            if depth == 0:
                return text[open_at + 1:i], i + 1
    raise SystemExit("remote_protocol.py: unbalanced braces")


def split_top(s):
    """`s` split at the commas outside brackets."""
    parts, depth, cur = [], 0, ""
    for c in s:
        if c in "<([":
            depth += 1
        elif c in ">)]":
            depth -= 1
        if c == "," and depth == 0:
            parts.append(cur)
            cur = ""
        else:
            cur += c
    parts.append(cur)
    return [" ".join(p.split()) for p in parts if p.strip()]


def local_type(t):
    """A type as the generated module names it (module paths of the family files dropped)."""
    return re.sub(r"\b(?:super|self)::(?:\w+::)*", "", t)


def parse_trait_methods(body):
    """(name, [(param, type)], return type or None, default body or None) of a trait body."""
    methods = []
    pos = 0
    while True:
        m = re.compile(r"\bfn\s+(\w+)\s*\(").search(body, pos)
        if not m:
            return methods
        depth, i = 0, m.end() - 1
        while True:
            if body[i] == "(":
                depth += 1
            elif body[i] == ")":
                depth -= 1
                if depth == 0:
                    break
            i += 1
        params = split_top(body[m.end():i])
        rest = re.compile(r"\s*(?:->\s*([^{;]+?))?\s*([{;])").match(body, i + 1)
        ret = " ".join(rest.group(1).split()) if rest.group(1) else None
        default = None
        pos = rest.end()
        if rest.group(2) == "{":
            default, pos = block(body, rest.end() - 1)
        plist = []
        for prm in params:
            if prm in ("&self", "&mut self", "self"):
                continue
            name, ty = (s.strip() for s in prm.split(":", 1))
            name = name.lstrip("_") or "arg"
            if name in RUST_KEYWORDS:
                name += "_"
            plist.append((name, local_type(ty)))
        methods.append((m.group(1), plist, local_type(ret) if ret else None, default))


def parse_traits():
    traits = []
    for fn in sorted(os.listdir(os.path.join(TOP, FAMILY_DIR))):
        if not fn.endswith(".rs"):
            continue
        with open(os.path.join(TOP, FAMILY_DIR, fn)) as fh:
            text = fh.read()
        for m in re.finditer(r"pub trait (\w+Driver)\b[^{]*\{", text):
            body, _ = block(text, m.end() - 1)
            traits.append((m.group(1), parse_trait_methods(body)))
    return traits


def manual_functions():
    with open(os.path.join(TOP, MANUAL)) as fh:
        return set(re.findall(r"pub\(super\) fn (\w+)", fh.read()))


def hand_written_procedures():
    """The procedures the remote driver's hand-written files call (as `remote:NAME`)."""
    found = set()
    folder = os.path.dirname(os.path.join(TOP, FORWARD_OUTPUT))
    for fn in sorted(os.listdir(folder)):
        if fn.endswith(".rs") and fn != os.path.basename(FORWARD_OUTPUT):
            with open(os.path.join(folder, fn)) as fh:
                text = fh.read()
            found |= {"remote:" + p for p in re.findall(r"\bproc::([A-Z0-9_]+)", text)}
            found |= {"qemu:" + p for p in re.findall(r"\bqemu_proc::([A-Z0-9_]+)", text)}
    return found


def norm(name):
    return re.sub(r"[^a-z0-9]", "", name.lower())


class Forwarder:
    def __init__(self, proto):
        self.p = proto
        self.structs = dict(proto.structs)
        self.procs = {k[len("REMOTE_PROC_"):]: v for k, v in proto.enums["remote_procedure"]}
        self.by_public = {norm(k): k for k in self.procs}
        # libvirt-qemu's functions (virDomainQemuMonitorCommand -> QEMU_PROC_DOMAIN_MONITOR_COMMAND).
        self.qemu_procs = {k[len("QEMU_PROC_"):]: v for k, v in proto.enums["qemu_procedure"]}
        self.by_qemu_public = {norm(k.replace("DOMAIN_", "DOMAIN_QEMU_", 1)): k
                               for k in self.qemu_procs}
        self.skipped = []   # (method, why)
        self.forwarded = set()

    def procedure(self, method, default):
        if method in METHOD_PROC:
            return METHOD_PROC[method]
        if default is None:
            return None
        m = re.search(r'unsupported\(\s*\w+\s*,\s*"vir(\w+)"', default)
        if not m:
            return None
        public = norm(m.group(1))
        if public in self.by_qemu_public:
            return "QEMU:" + self.by_qemu_public[public]
        return self.by_public.get(public)

    def list_bound(self, ret_fields):
        for f in ret_fields or []:
            if f["kind"] == "var" and f["bound"] and not f["bound"].isdigit():
                return f["bound"]
        return None

    def body(self, method, params, ret, proc, count_only=False):
        """The generated body of `method`, or None (with the reason kept) when it does not fit."""
        prefix, call, consts = "remote", "self.rpc", "proc"
        if proc.startswith("QEMU:"):
            proc = proc[len("QEMU:"):]
            prefix, call, consts = "qemu", "self.rpc_qemu", "qemu_proc"
        args_name = f"{prefix}_{proc.lower()}_args"
        ret_name = f"{prefix}_{proc.lower()}_ret"
        arg_fields = self.structs.get(args_name, [])
        ret_fields = self.structs.get(ret_name)
        sent = [(n, t) for n, t in params if t not in LOCAL_ONLY]
        has_flags = any(n == "flags" for n, _ in sent)
        inits = []
        queue = list(sent)
        for i, f in enumerate(arg_fields):
            name = f["name"]
            # A field is filled in only where the parameters left are too few for the fields.
            wanted = sum(2 if g["base"] in PAIRED else 1 for g in arg_fields[i:]
                         if has_flags or g["name"] != "flags")
            if name in FILLERS and len(queue) < wanted:
                bound = self.list_bound(ret_fields)
                if "{bound}" in FILLERS[name] and not bound:
                    return self.skip(method, f"no list bound for {name}")
                filler = "0" if count_only and name == "need_results" else FILLERS[name]
                inits.append((name, filler.format(bound=bound)))
                continue
            if name == "flags" and not has_flags:
                inits.append((name, "0"))
                continue
            if f["base"] in PAIRED and f["kind"] == "plain":
                if len(queue) < 2:
                    return self.skip(method, f"{proc}: too few parameters")
                (a, _), (b, _) = queue[0], queue[1]
                queue = queue[2:]
                inits.append((name, f"ToWire::to_wire(({a}, {b}))"))
                continue
            if not queue:
                return self.skip(method, f"{proc}: argument '{name}' has no parameter")
            a, _ = queue.pop(0)
            if name == "flags" and method in STRING_OKAY:
                a = f"{a} | TypedParameterFlags::OKAY.bits()"
            if f["base"] == "remote_typed_param" and f["kind"] == "var" and f["bound"] and not f["bound"].isdigit():
                # The reference's client counts typed parameters against the limit first.
                a = f"within_limit({a}, protocol::{f['bound']})?"
            inits.append((name, f"ToWire::to_wire({a})"))
        if queue:
            return self.skip(method, f"{proc}: parameters {[n for n, _ in queue]} have no field")
        if ret is None or not ret.startswith("Result<"):
            return self.skip(method, "does not answer a Result")
        lines = [PRECHECK[method]] if method in PRECHECK else []
        if arg_fields:
            fields = ", ".join(f"{field_name(n)}: {v}" for n, v in inits)
            lines.append(f"let args = protocol::{camel(args_name)} {{ {fields} }};")
            argref = "&args"
        else:
            argref = "&()"
        if ret_fields is None:
            lines.append(f"{call}::<_, ()>({consts}::{proc}, {argref})?;")
            lines.append("Ok(Stopped(true))" if method in ALWAYS_STOPS else "FromWire::from_wire(())")
        elif count_only:
            lines.append(f"let r: protocol::{camel(ret_name)} = {call}({consts}::{proc}, {argref})?;")
            lines.append("Ok(r.ret as i32)")
        else:
            lines.append(f"let r: protocol::{camel(ret_name)} = {call}({consts}::{proc}, {argref})?;")
            # A list's count (`ret`) beside the list is the list's length.
            kept = [f for f in ret_fields if not (f["name"] == "ret" and len(ret_fields) == 2)]
            if len(kept) == 1:
                lines.append(f"FromWire::from_wire(r.{field_name(kept[0]['name'])})")
            else:
                # Several fields as a tuple: one conversion serves every reply of that shape.
                fields = ", ".join(f"r.{field_name(f['name'])}" for f in kept)
                lines.append(f"FromWire::from_wire(({fields}))")
        if any(n == "flags" for n, _ in sent) and not any(f["name"] == "flags" for f in arg_fields):
            return self.skip(method, f"{proc} takes no flags")
        self.forwarded.add(f"{prefix}:{proc}")
        return "\n".join(lines)

    def skip(self, method, why):
        self.skipped.append((method, why))
        return None

    def emit(self, traits, manual):
        out = [
            "// Generated by gen/remote_protocol.py from the family traits (src/driver/family/*.rs)",
            "// and gen/reference/remote_protocol.x: do not edit.",
            "//! The remote driver's family traits: each method forwards to its procedure, or calls",
            "//! its hand-written function in manual.rs.",
            "#![allow(clippy::all, unused_imports)]",
            "",
            "use super::convert::{within_limit, FromWire, ToWire};",
            "use super::{manual, RemoteDriver};",
            "use crate::api::TypedParameterFlags;",
            "use crate::domain::*;",
            "use crate::driver::family::*;",
            "use crate::driver::*;",
            "use crate::error::Result;",
            "use crate::event::Bus;",
            "use oxvirt_rpc::protocol::{self, proc, qemu_proc};",
            "use std::ffi::CStr;",
            "use std::sync::Arc;",
            "",
        ]
        impls = []
        unforwarded = []
        for trait, methods in traits:
            items = []
            defaults = {name: default for name, _, _, default in methods}
            for name, params, ret, default in methods:
                # The caller's context is not sent: unused in a forwarded method.
                unused = set() if name in manual else {n for n, t in params if t in LOCAL_ONLY}
                sig = ", ".join(["&self"] + [f"{'_' if n in unused else ''}{n}: {t}"
                                             for n, t in params])
                head = f"fn {name}({sig})" + (f" -> {ret}" if ret else "")
                if name in manual:
                    call = ", ".join(["self"] + [n for n, _ in params])
                    items.append(f"{head} {{ manual::{name}({call}) }}")
                    continue
                if name in NOT_FORWARDED:
                    unforwarded.append(f"{name} ({NOT_FORWARDED[name]})")
                    continue
                listing = counted_listing(name)
                if listing in defaults:
                    proc = self.procedure(listing, defaults[listing])
                    body = proc and self.body(name, params, ret, proc, count_only=True)
                    if body:
                        items.append(f"{head} {{\n{body}\n}}")
                    continue
                proc = self.procedure(name, default)
                if proc is None:
                    if default is not None and "unsupported(" in default:
                        unforwarded.append(f"{name} (no procedure)")
                    continue
                body = self.body(name, params, ret, proc)
                if body is None:
                    continue
                items.append(f"{head} {{\n{body}\n}}")
            impls.append(f"impl {trait} for RemoteDriver {{\n" + "\n\n".join(items) + "\n}\n")
        unforwarded += [f"{m} ({why})" for m, why in self.skipped]
        total = len(self.procs) + len(self.qemu_procs)
        by_hand = hand_written_procedures()
        both = self.forwarded | by_hand
        out.insert(4, f"//! Procedures forwarded: {len(both)} of {total} (remote_protocol.x and"
                   f" qemu_protocol.x): {len(self.forwarded)} generated here, the others by hand.")
        if unforwarded:
            out.insert(5, "//! Trait methods left unsupported: " + "; ".join(sorted(unforwarded)) + ".")
        return "\n".join(out + impls)


def rustfmt(text):
    import subprocess
    return subprocess.run(["rustfmt", "--edition", "2021", "--emit", "stdout"],
                          input=text, capture_output=True, text=True, check=True).stdout


def forward_text(proto):
    return rustfmt(Forwarder(proto).emit(parse_traits(), manual_functions()))

def main():
    proto = Protocol()
    for path in INPUTS:
        with open(os.path.join(TOP, path)) as fh:
            proto.parse(fh.read())
    # The checked-in files are rustfmt's layout of the generator's output.
    admin = Protocol()
    with open(os.path.join(TOP, ADMIN_INPUT)) as fh:
        admin.parse(fh.read())
    outputs = [(OUTPUT, rustfmt(Emitter(proto).emit())), (FORWARD_OUTPUT, forward_text(proto)),
               (ADMIN_OUTPUT, rustfmt(Emitter(admin, ADMIN_OUTPUT_SPEC).emit()))]
    if "--check" in sys.argv[1:]:
        status = 0
        for path, text in outputs:
            with open(os.path.join(TOP, path)) as fh:
                if fh.read() != text:
                    print(f"{path} is not what gen/remote_protocol.py generates: run it",
                          file=sys.stderr)
                    status = 1
        return status
    for path, text in outputs:
        target = os.path.join(TOP, path)
        tmp = target + ".tmp"
        with open(tmp, "w") as fh:
            fh.write(text)
        os.replace(tmp, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
