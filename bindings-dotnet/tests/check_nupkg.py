"""Checks a PostQClient .nupkg built by pack.sh: the zip layout NuGet expects, the
nuspec fields, and that the managed and native payloads are real (a PE assembly named
PostQ, its XML docs, an ELF shared object exporting the C ABI).
    python3 check_nupkg.py PostQClient.X.Y.Z.nupkg"""
import sys
import xml.etree.ElementTree as ET
import zipfile

path = sys.argv[1]
NS = {"n": "http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd"}
with zipfile.ZipFile(path) as z:
    names = set(z.namelist())
    expected = {
        "[Content_Types].xml",
        "_rels/.rels",
        "PostQClient.nuspec",
        "lib/netstandard2.0/PostQ.dll",
        "lib/netstandard2.0/PostQ.xml",
        "runtimes/linux-x64/native/libpostq_ffi.so",
    }
    assert names == expected, f"layout: {sorted(names ^ expected)} differ"
    meta = ET.fromstring(z.read("PostQClient.nuspec")).find("n:metadata", NS)
    assert meta is not None, "nuspec has no metadata"
    field = lambda name: (meta.findtext(f"n:{name}", namespaces=NS) or "").strip()
    assert field("id") == "PostQClient", field("id")
    assert field("version") and path.endswith(f".{field('version')}.nupkg"), field("version")
    assert field("authors") and field("description"), "authors/description"
    assert field("license") == "Apache-2.0", field("license")
    groups = meta.findall("n:dependencies/n:group", NS)
    assert [g.get("targetFramework") for g in groups] == [".NETStandard2.0"], "target framework"
    dll = z.read("lib/netstandard2.0/PostQ.dll")
    assert dll[:2] == b"MZ" and b"PostQ" in dll and b"PostQClient" in dll, "not the PostQ assembly"
    docs = ET.fromstring(z.read("lib/netstandard2.0/PostQ.xml"))
    assert docs.findtext("assembly/name") == "PostQ", "XML docs of another assembly"
    assert any(m.get("name") == "T:PostQ.PostQClient" for m in docs.iter("member")), "PostQClient undocumented"
    native = z.read("runtimes/linux-x64/native/libpostq_ffi.so")
    assert native[:4] == b"\x7fELF" and b"postq_call" in native and b"postq_buffer_free" in native, "native library"
print(f"ok   {path}: {len(names)} entries, nuspec {field('id')} {field('version')}")
