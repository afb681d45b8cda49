#!/usr/bin/env python3
"""C# models from the shared schema (schema/postq.schema.json) for the .NET binding.

    python3 bindings-dotnet/codegen/generate_csharp.py SCHEMA OUT.cs

Why a small script and not a well-kept generator: NJsonSchema needs the .NET SDK and
NuGet (neither is on the build machines), and quicktype writes C# only for
Newtonsoft.Json or System.Text.Json, neither of which Mono or netstandard2.0 has without
NuGet; none emits the DataContract attributes DataContractJsonSerializer (present on both
Mono and .NET) reads. The schema is flat and regular ($defs of objects, string enums,
allOf for extension, oneOf-null for optional), so the mapping below is short:

- object $def -> `[DataContract] public partial class` with `[DataMember(Name = "camelCase")]`
  PascalCase properties; `required` -> `IsRequired = true`, else nullable and
  `EmitDefaultValue = false`; `allOf [Base, {...}]` -> a subclass of Base.
- string enum -> `enum` with `[EnumMember(Value = "wire")]`; DataContractJsonSerializer
  writes enums as numbers, so each enum property has a private string twin that is the
  data member (`WireEnum` converts).
- string maps -> `Dictionary<string, string>` with a private JSON-text twin, as free-form
  values: DataContractJsonSerializer reading a dictionary aborts the PyPI CoreCLR 3.1
  runtime on a machine without OpenSSL 1.x (see JsonText.cs).
- free-form JSON (`{}` or `additionalProperties: {}`) -> `object` /
  `IDictionary<string, object>` with a private JSON-text twin marked `[FreeFormJson]`
  (the codec swaps it for the raw JSON, see Json.cs).
- `x-secret` fields never appear in `ToString()`.
- command argument structs and options (`*Args`, `NoArgs`, `ClientOptions`,
  `CallOptions`, `ErrorInfo`) are `internal`: the client builds them.
- only types reachable from the commands, their results and the offline results are
  emitted; the op names become constants of `Ops`.
"""
import json
import re
import sys

ROOTS_EXTRA = [
    "ErrorInfo", "ClientOptions", "CallOptions", "PublicKeyInfo", "ArtifactInfo",
    "SidecarReport", "ChainReport", "LedgerEntry", "ErrorKind", "VerifyResult",
]
INTERNAL = {"NoArgs", "ClientOptions", "CallOptions", "ErrorInfo"}


def pascal(name):
    parts = re.split(r"[_\-.+\s]+", name)
    return "".join(p[:1].upper() + p[1:] for p in parts if p)


def ref_name(ref):
    return ref.rsplit("/", 1)[-1]


def doc_lines(text, indent):
    if not text:
        return []
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    text = re.sub(r"`([^`]+)`", r"<c>\1</c>", text)
    lines = text.strip().splitlines()
    out = [f"{indent}/// <summary>"]
    out += [f"{indent}/// {line}".rstrip() for line in lines]
    out.append(f"{indent}/// </summary>")
    return out


class Gen:
    def __init__(self, schema):
        self.schema = schema
        self.defs = schema["$defs"]

    # ------------------------------------------------------------------ reachability
    def refs_in(self, node, found):
        if isinstance(node, dict):
            if "$ref" in node:
                found.add(ref_name(node["$ref"]))
            for v in node.values():
                self.refs_in(v, found)
        elif isinstance(node, list):
            for v in node:
                self.refs_in(v, found)

    def reachable(self):
        todo = list(ROOTS_EXTRA)
        for op in self.schema["x-postq-operations"]:
            todo.append(op["args"])
            todo += re.findall(r"[A-Z][A-Za-z0-9]*", op["result"])
        seen = set()
        while todo:
            name = todo.pop()
            if name in seen or name not in self.defs:
                continue
            seen.add(name)
            found = set()
            self.refs_in(self.defs[name], found)
            todo += sorted(found)
        return seen

    # ------------------------------------------------------------------ types
    def kind(self, name):
        d = self.defs[name]
        if "enum" in d:
            return "enum"
        if d.get("type") == "string":
            return "string"  # EventType, NodeHash: strings with rules
        return "class"

    def is_free(self, prop):
        return prop == {} or (set(prop) <= {"description"})

    def csharp_type(self, prop):
        """(type, nullable-wrapped type, enum name or None, free-form kind or None)."""
        if "$ref" in prop:
            return self.ref_type(ref_name(prop["$ref"]))
        if "oneOf" in prop:
            inner = [p for p in prop["oneOf"] if p.get("type") != "null"]
            if len(inner) == 1:
                return self.csharp_type(inner[0])
            raise SystemExit(f"unsupported oneOf: {prop}")
        if self.is_free(prop):
            return ("object", "object", None, "any")
        types = prop.get("type")
        if isinstance(types, list):
            types = [t for t in types if t != "null"][0]
        if types == "string":
            return ("string", "string", None, None)
        if types == "boolean":
            return ("bool", "bool?", None, None)
        if types == "integer":
            t = "int" if prop.get("format") == "int32" else "long"
            return (t, t + "?", None, None)
        if types == "number":
            return ("double", "double?", None, None)
        if types == "array":
            item = self.csharp_type(prop["items"])
            if item[2]:
                return (f"List<{item[0]}>", f"List<{item[0]}>", item[2], "enum-list")
            return (f"List<{item[0]}>", f"List<{item[0]}>", None, None)
        if types == "object":
            extra = prop.get("additionalProperties")
            if extra == {}:
                return ("IDictionary<string, object>", "IDictionary<string, object>", None, "map")
            if isinstance(extra, dict):
                value = self.csharp_type(extra)
                if value[0] == "string":
                    return ("Dictionary<string, string>", "Dictionary<string, string>", None, "string-map")
                return (f"Dictionary<string, {value[0]}>", f"Dictionary<string, {value[0]}>", None, None)
        raise SystemExit(f"unsupported property: {prop}")

    def ref_type(self, name):
        k = self.kind(name)
        if k == "enum":
            return (name, name + "?", name, None)
        if k == "string":
            return ("string", "string", None, None)
        return (name, name, None, None)

    # ------------------------------------------------------------------ emit
    def enum(self, name):
        d = self.defs[name]
        out = doc_lines(d.get("description") or f"`{name}` values.", "    ")
        out.append("    [DataContract(Namespace = \"\")]")
        out.append(f"    public enum {name}")
        out.append("    {")
        for value in d["enum"]:
            out.append(f"        /// <summary><c>{value}</c></summary>")
            out.append(f"        [EnumMember(Value = \"{value}\")]")
            out.append(f"        {pascal(value)},")
        out.append("    }")
        return out

    def klass(self, name, reachable):
        d = self.defs[name]
        base = None
        props = d.get("properties", {})
        required = set(d.get("required", []))
        if "allOf" in d:
            base = ref_name(d["allOf"][0]["$ref"])
            props = d["allOf"][1].get("properties", {})
            required = set(d["allOf"][1].get("required", []))
        access = "internal" if (name in INTERNAL or name.endswith("Args")) else "public"
        out = doc_lines(d.get("description"), "    ")
        out.append(f"    [DataContract(Name = \"{name}\", Namespace = \"\")]")
        out.append(f"    {access} partial class {name}" + (f" : {base}" if base else ""))
        out.append("    {")
        shown = []
        for wire, prop in props.items():
            member = pascal(wire)
            if member == name:
                member += "Value"
            plain, nullable, enum, free = self.csharp_type(prop)
            is_required = wire in required
            secret = bool(prop.get("x-secret")) or bool(prop.get("additionalProperties", {}).get("x-secret") if isinstance(prop.get("additionalProperties"), dict) else False)
            ctype = plain if is_required else nullable
            attrs = [f"Name = \"{wire}\""]
            attrs.append("IsRequired = true" if is_required else "EmitDefaultValue = false")
            data_member = f"[DataMember({', '.join(attrs)})]"
            out += doc_lines(prop.get("description"), "        ")
            if free == "enum-list":
                out.append("        [IgnoreDataMember]")
                out.append(f"        public {ctype} {member} {{ get; set; }}")
                out.append(f"        {data_member}")
                out.append(f"        private List<string> {member}Wire {{ get => WireEnum.ToWireList({member}); set => {member} = WireEnum.FromWireList<{enum}>(value); }}")
            elif enum:
                out.append("        [IgnoreDataMember]")
                out.append(f"        public {ctype} {member} {{ get; set; }}")
                out.append(f"        {data_member}")
                if is_required:
                    out.append(f"        private string {member}Wire {{ get => WireEnum.ToWire({member}); set => {member} = WireEnum.Parse<{enum}>(value); }}")
                else:
                    out.append(f"        private string {member}Wire {{ get => WireEnum.ToWireOrNull({member}); set => {member} = WireEnum.ParseOrNull<{enum}>(value); }}")
            elif free == "string-map":
                out.append("        [IgnoreDataMember]")
                out.append(f"        public {ctype} {member} {{ get; set; }}")
                out.append(f"        {data_member}")
                out.append("        [FreeFormJson]")
                out.append(f"        private string {member}Json {{ get => JsonTree.Write({member}); set => {member} = JsonTree.ReadStringMap(value); }}")
            elif free:
                cast = "(IDictionary<string, object>)" if free == "map" else ""
                out.append("        [IgnoreDataMember]")
                out.append(f"        public {ctype} {member} {{ get; set; }}")
                out.append(f"        {data_member}")
                out.append("        [FreeFormJson]")
                out.append(f"        private string {member}Json {{ get => JsonTree.Write({member}); set => {member} = {cast}JsonTree.Read(value); }}")
            else:
                out.append(f"        {data_member}")
                out.append(f"        public {ctype} {member} {{ get; set; }}")
            out.append("")
            if secret:
                shown.append(f"\"{member} = [redacted]\"")
            elif ctype.startswith(("List<", "Dictionary<", "IDictionary<")):
                shown.append(f"\"{member} = \" + ModelText.Of({member})")
            elif ctype == "object" or (self.defs.get(ctype.rstrip("?"), {}).get("type") == "object"):
                shown.append(f"\"{member} = \" + ModelText.Of({member})")
            else:
                shown.append(f"\"{member} = \" + ModelText.Of({member})")
        if out[-1] == "":
            out.pop()
        # ToString: every field but secrets (also those of the base class).
        modifier = "override"
        parts = " + \", \" + ".join(shown) if shown else "\"\""
        if base:
            out.append("")
            out.append("        /// <summary>The fields, secrets redacted.</summary>")
            out.append(f"        protected override string Fields() => base.Fields() + \", \" + {parts};")
        else:
            out.append("")
            out.append("        /// <summary>The fields, secrets redacted.</summary>")
            out.append(f"        protected virtual string Fields() => {parts};")
            out.append("")
            out.append("        /// <summary>The type and its fields; secret fields are never shown.</summary>")
            out.append(f"        public {modifier} string ToString() => GetType().Name + \" {{ \" + Fields() + \" }}\";")
        out.append("    }")
        return out

    def ops(self):
        out = ["    /// <summary>The command names of the common layer (`op`), from the schema.</summary>"]
        out.append("    internal static class Ops")
        out.append("    {")
        for op in self.schema["x-postq-operations"]:
            out.append(f"        /// <summary><c>{op['name']}</c>: {op['args']} -&gt; {op['result'].replace('<', '&lt;').replace('>', '&gt;')}</summary>")
            out.append(f"        public const string {op['variant']} = \"{op['name']}\";")
        names = ", ".join(op["variant"] for op in self.schema["x-postq-operations"])
        out.append("")
        out.append("        /// <summary>Every command, in schema order.</summary>")
        out.append(f"        public static readonly string[] All = {{ {names} }};")
        out.append("    }")
        return out

    def render(self):
        reachable = self.reachable()
        out = [
            "// <auto-generated>",
            "// Generated by bindings-dotnet/codegen/generate_csharp.py from schema/postq.schema.json.",
            "// Do not edit: run `bash scripts/generate-models.sh`.",
            "// </auto-generated>",
            "#pragma warning disable 1591",
            "using System.Collections.Generic;",
            "using System.Runtime.Serialization;",
            "",
            "namespace PostQ",
            "{",
        ]
        for name in sorted(reachable):
            k = self.kind(name)
            if k == "string":
                continue
            out += self.enum(name) if k == "enum" else self.klass(name, reachable)
            out.append("")
        out += self.ops()
        out.append("}")
        return "\n".join(out) + "\n"


def main():
    if len(sys.argv) != 3:
        raise SystemExit(__doc__)
    with open(sys.argv[1], encoding="utf-8") as f:
        schema = json.load(f)
    text = Gen(schema).render()
    with open(sys.argv[2], "w", encoding="utf-8") as f:
        f.write(text)


if __name__ == "__main__":
    main()
