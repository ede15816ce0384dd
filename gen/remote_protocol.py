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
"""
import os
import re
import sys

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
INPUTS = ["gen/reference/remote_protocol.x", "gen/reference/qemu_protocol.x"]
OUTPUT = "rpc/src/protocol.rs"

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


class Emitter:
    def __init__(self, proto):
        self.p = proto

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
        out = [
            "// Generated by gen/remote_protocol.py from gen/reference/remote_protocol.x and",
            "// qemu_protocol.x (libvirt 9.0.0): do not edit.",
            "//! libvirt 9.0's RPC protocol for the remote and qemu programs: constants, procedure",
            "//! numbers, and every argument, reply and event structure with its XDR encoder and",
            "//! bounds-checked decoder.",
            "#![allow(dead_code, clippy::all, non_camel_case_types, non_snake_case, unused_parens)]",
            "",
            "use crate::xdr::{Dec, Enc, Xdr};",
            "use crate::Result;",
            "",
        ]
        procs = {"remote_procedure", "qemu_procedure"}
        enum_members = {k for e, ms in p.enums.items() if e not in procs for k, _ in ms}
        proc_members = {k for e in procs for k, _ in p.enums.get(e, [])}
        for name in p.const_order:
            if name in proc_members:
                continue
            value = p.consts[name]
            ty = "i32" if name in enum_members else "u32"
            out.append(f"pub const {name}: {ty} = {value};")
        out.append("")
        for e, prefix, mod in (("remote_procedure", "REMOTE_PROC_", "proc"),
                               ("qemu_procedure", "QEMU_PROC_", "qemu_proc")):
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


def main():
    proto = Protocol()
    for path in INPUTS:
        with open(os.path.join(TOP, path)) as fh:
            proto.parse(fh.read())
    text = Emitter(proto).emit()
    target = os.path.join(TOP, OUTPUT)
    if "--check" in sys.argv[1:]:
        with open(target) as fh:
            current = fh.read()
        # The checked-in file is rustfmt's layout of the generator's output.
        import subprocess
        formatted = subprocess.run(["rustfmt", "--edition", "2021", "--emit", "stdout"],
                                   input=text, capture_output=True, text=True, check=True).stdout
        if formatted != current:
            print(f"{OUTPUT} is not what gen/remote_protocol.py generates: run it", file=sys.stderr)
            return 1
        return 0
    tmp = target + ".tmp"
    with open(tmp, "w") as fh:
        fh.write(text)
    os.replace(tmp, target)
    return 0


if __name__ == "__main__":
    sys.exit(main())
