#!/usr/bin/env bash
# Assemble the NuGet package PostQClient.<version>.nupkg without the .NET SDK. A .nupkg is
# a zip (OPC): the .nuspec, [Content_Types].xml, _rels/.rels, the managed assembly with
# its XML docs under lib/netstandard2.0/, and the native library per runtime identifier
# under runtimes/<rid>/native/. `dotnet pack PostQClient.csproj` makes the same layout.
#   bash bindings-dotnet/pack.sh OUT_DIR [BUILD_DIR]
# BUILD_DIR holds PostQ.dll + PostQ.xml (default: build them with build.sh); the native
# library is POSTQ_FFI_LIB or target/{release,debug}/libpostq_ffi.so.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT="$(cd "$HERE/.." && pwd)"
OUT="${1:?usage: pack.sh OUT_DIR [BUILD_DIR]}"
BUILD="${2:-}"
mkdir -p "$OUT"
if [ -z "$BUILD" ]; then
  BUILD="$(mktemp -d)"
  trap 'rm -rf "$BUILD"' EXIT
  bash "$HERE/build.sh" "$BUILD"
fi
TARGET="${CARGO_TARGET_DIR:-$ROOT/target}"
NATIVE="${POSTQ_FFI_LIB:-}"
if [ -z "$NATIVE" ]; then
  for profile in release debug; do
    if [ -f "$TARGET/$profile/libpostq_ffi.so" ]; then NATIVE="$TARGET/$profile/libpostq_ffi.so"; break; fi
  done
fi
[ -f "$NATIVE" ] || { echo "no libpostq_ffi.so: cargo build -p postq-ffi first" >&2; exit 1; }
VERSION="$(sed -n 's/^version = "\(.*\)"/\1/p' "$ROOT/Cargo.toml" | head -1)"

python3 - "$OUT/PostQClient.$VERSION.nupkg" "$VERSION" "$BUILD" "$NATIVE" <<'PY'
import sys, zipfile
out, version, build, native = sys.argv[1:5]
nuspec = f"""<?xml version="1.0" encoding="utf-8"?>
<package xmlns="http://schemas.microsoft.com/packaging/2013/05/nuspec.xsd">
  <metadata>
    <id>PostQClient</id>
    <version>{version}</version>
    <authors>postq</authors>
    <license type="expression">Apache-2.0</license>
    <projectUrl>https://github.com/postq/postq</projectUrl>
    <description>The postq post-quantum security SDK for .NET: scans, hybrid ML-DSA-65 + Ed25519 signing keys, the credential vault, TLS rollovers and the audit ledger, over the native postq library.</description>
    <tags>post-quantum ml-dsa ml-kem signing security</tags>
    <dependencies>
      <group targetFramework=".NETStandard2.0" />
    </dependencies>
  </metadata>
</package>
"""
content_types = """<?xml version="1.0" encoding="utf-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
  <Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml" />
  <Default Extension="nuspec" ContentType="application/octet" />
  <Default Extension="dll" ContentType="application/octet" />
  <Default Extension="xml" ContentType="application/octet" />
  <Default Extension="so" ContentType="application/octet" />
</Types>
"""
rels = """<?xml version="1.0" encoding="utf-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
  <Relationship Type="http://schemas.microsoft.com/packaging/2010/07/manifest" Target="/PostQClient.nuspec" Id="R0" />
</Relationships>
"""
with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as z:
    z.writestr("[Content_Types].xml", content_types)
    z.writestr("_rels/.rels", rels)
    z.writestr("PostQClient.nuspec", nuspec)
    z.write(f"{build}/PostQ.dll", "lib/netstandard2.0/PostQ.dll")
    z.write(f"{build}/PostQ.xml", "lib/netstandard2.0/PostQ.xml")
    z.write(native, "runtimes/linux-x64/native/libpostq_ffi.so")
print(out)
PY
