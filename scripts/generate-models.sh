#!/usr/bin/env bash
# The one schema and what is generated from it (docs/bindings.md):
#   schema/postq.schema.json                      cargo run -p postq-bindings-common --bin postq-schema
#   bindings-python/python/postq/_generated.py    datamodel-code-generator (frozen dataclasses)
#   bindings-node/types.generated.d.ts            json-schema-to-typescript
#   bindings-dotnet/src/PostQ/Models.g.cs         bindings-dotnet/codegen/generate_csharp.py (DataContract classes)
# With --check (CI), everything is generated into a temporary directory and compared
# with the committed files: any difference fails with the diff.
#   bash scripts/generate-models.sh [--check]
set -euo pipefail
ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$ROOT"

CHECK=0
if [ "${1:-}" = "--check" ]; then CHECK=1; fi

SCHEMA=schema/postq.schema.json
PY_MODELS=bindings-python/python/postq/_generated.py
TS_MODELS=bindings-node/types.generated.d.ts
CS_MODELS=bindings-dotnet/src/PostQ/Models.g.cs
DMCG_VERSION=0.89.0

OUT="$ROOT"
if [ "$CHECK" = 1 ]; then
  OUT="$(mktemp -d)"
  trap 'rm -rf "$OUT"' EXIT
  mkdir -p "$OUT/schema" "$OUT/bindings-python/python/postq" "$OUT/bindings-node" "$OUT/bindings-dotnet/src/PostQ"
fi

echo "== schema ($SCHEMA)"
cargo run -q -p postq-bindings-common --bin postq-schema > "$OUT/$SCHEMA"

echo "== Python models ($PY_MODELS, datamodel-code-generator $DMCG_VERSION)"
VENV=bindings-python/.venv
if [ ! -x "$VENV/bin/python" ]; then
  python3 -m venv "$VENV"
fi
if ! "$VENV/bin/datamodel-codegen" --version 2>/dev/null | grep -qx "datamodel-codegen $DMCG_VERSION"; then
  "$VENV/bin/python" -m pip install -q --disable-pip-version-check "datamodel-code-generator==$DMCG_VERSION"
fi
# Frozen dataclasses over the thin codec (postq._codec.Model); snake_case attributes
# (the codec maps them back to camelCase); Literal types for enums; the template in
# bindings-python/codegen keeps secret fields out of repr().
"$VENV/bin/datamodel-codegen" \
  --input "$OUT/$SCHEMA" --input-file-type jsonschema \
  --output "$OUT/$PY_MODELS" \
  --output-model-type dataclasses.dataclass --frozen-dataclasses \
  --base-class postq._codec.Model \
  --snake-case-field --use-title-as-name --use-default --use-schema-description \
  --enum-field-as-literal all \
  --target-python-version 3.10 --no-use-union-operator --no-use-standard-collections \
  --field-extra-keys-without-x-prefix x-secret \
  --custom-template-dir bindings-python/codegen \
  --additional-imports dataclasses.field \
  --disable-timestamp --formatters builtin

echo "== TypeScript declarations ($TS_MODELS, json-schema-to-typescript)"
if [ ! -x bindings-node/node_modules/.bin/json2ts ]; then
  (cd bindings-node && npm install --no-audit --no-fund --loglevel=error)
fi
bindings-node/node_modules/.bin/json2ts \
  --input "$OUT/$SCHEMA" --output "$OUT/$TS_MODELS" \
  --unreachableDefinitions --additionalProperties=false --format=false

echo "== C# models ($CS_MODELS, bindings-dotnet/codegen/generate_csharp.py)"
# No maintained generator emits DataContract classes without the .NET SDK; the script
# says why and what it maps.
python3 bindings-dotnet/codegen/generate_csharp.py "$OUT/$SCHEMA" "$OUT/$CS_MODELS"

if [ "$CHECK" = 1 ]; then
  status=0
  for file in "$SCHEMA" "$PY_MODELS" "$TS_MODELS" "$CS_MODELS"; do
    if ! diff -u "$file" "$OUT/$file"; then
      echo "STALE: $file differs from what the schema generates (run: bash scripts/generate-models.sh)"
      status=1
    fi
  done
  [ "$status" = 0 ] && echo "generated models are up to date"
  exit "$status"
fi
