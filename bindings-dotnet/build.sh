#!/usr/bin/env bash
# Compile the C# library with Mono's mcs (C# 7.2; no .NET SDK needed): PostQ.dll and
# its XML docs into OUT_DIR. PostQClient.csproj builds the same sources with `dotnet`.
#   bash bindings-dotnet/build.sh OUT_DIR
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
OUT="${1:?usage: build.sh OUT_DIR}"
mkdir -p "$OUT"
mcs -langversion:7.2 -warnaserror -target:library -optimize+ \
  -doc:"$OUT/PostQ.xml" -out:"$OUT/PostQ.dll" \
  -r:System.Runtime.Serialization.dll -r:System.Xml.Linq.dll -r:System.Xml.dll \
  "$HERE"/src/PostQ/*.cs
