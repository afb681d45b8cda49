#!/usr/bin/env bash
# Independent interop checks of postq's wire formats (see tests/interop/README.md).
# Usage (from anywhere): bash tests/interop/run.sh      — exits non-zero on any failure.
set -euo pipefail
HERE="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
VECTORS="${POSTQ_VECTORS_DIR:-$HERE/../vectors}"
cd "$HERE"

echo "== npm install (tests/interop)"
npm install --no-audit --no-fund --loglevel=error

echo "== openssl x509 -text on the minted certificate (sidecar.json, first valid case)"
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
node -e '
  const fs = require("fs");
  const d = JSON.parse(fs.readFileSync(process.argv[1], "utf8"));
  const c = d.certificates.find((c) => c.expected && c.expected.ok);
  if (!c) { console.error("sidecar.json has no valid certificate"); process.exit(1); }
  fs.writeFileSync(process.argv[2], c.pem);
' "$VECTORS/sidecar.json" "$tmp/minted.pem"
openssl x509 -in "$tmp/minted.pem" -noout -text > "$tmp/minted.txt"
if ! grep -q '1\.3\.9999\.42\.1' "$tmp/minted.txt"; then
  echo "FAIL: openssl does not show extension 1.3.9999.42.1"; cat "$tmp/minted.txt"; exit 1
fi
if grep -q '1\.3\.9999\.42\.1: *critical' "$tmp/minted.txt"; then
  echo "FAIL: extension 1.3.9999.42.1 is marked critical"; exit 1
fi
grep '1\.3\.9999\.42\.1' "$tmp/minted.txt" | head -1
echo "ok: openssl parses the minted certificate and shows 1.3.9999.42.1 (non-critical)"
echo "== node --test (noble / @peculiar/x509 / asn1js against tests/vectors)"
# last, so the output ends with node's test summary
node --test --test-timeout=60000
