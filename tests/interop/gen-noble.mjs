#!/usr/bin/env node
// Makes hybrid signatures WITH NOBLE (not with postq) from fixed seeds and writes
// tests/vectors/noble-hybrid.json in the layout of hybrid.json's `keys` + `valid`
// sections, so the Rust tests can verify signatures made by another implementation.
//
//   cd tests/interop && npm install --no-audit --no-fund && node gen-noble.mjs
//   (node gen-noble.mjs --stdout   prints instead of writing)
//
// Deterministic: seeds are SHA-512 of fixed labels, ML-DSA-65 uses the deterministic
// variant (rnd = 0, `extraEntropy: false`), Ed25519 is deterministic by construction.

import { writeFileSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';
import {
  te, hex, b64, concat, sha512, keyFromSeed, signHybrid, encodePublicKey, encodeJwks,
  encodeEnvelope, fingerprint, PREFIX, LABEL,
} from './lib.mjs';

export const OUT = join(dirname(fileURLToPath(import.meta.url)), '..', 'vectors', 'noble-hybrid.json');

const KEYS = [
  { name: 'noble-key-1', seedLabel: 'postq interop noble key 1', keyId: 'hk_noble_interop', version: 1 },
  { name: 'noble-key-2', seedLabel: 'postq interop noble key 2', keyId: 'hk_noble_interop', version: 2 },
];

const bigPayload = new Uint8Array(4096).map((_, i) => (i * 31 + 7) & 0xff);
const PAYLOADS = [
  { name: 'empty-payload', key: 'noble-key-1', payload: new Uint8Array(0) },
  { name: 'ascii-payload', key: 'noble-key-1', payload: te.encode('hello from @noble/post-quantum') },
  { name: 'json-payload', key: 'noble-key-1', payload: te.encode('{"invoice":"INV-1","amount":1250,"currency":"EUR"}') },
  { name: 'binary-4k-payload', key: 'noble-key-1', payload: bigPayload },
  { name: 'rotated-key-v2', key: 'noble-key-2', payload: te.encode('signed after rotation') },
];

export function generate() {
  const keys = new Map();
  const outKeys = KEYS.map((k) => {
    const seed = sha512(te.encode(k.seedLabel)); // 64 bytes: ξ ‖ Ed25519 secret
    const kp = keyFromSeed(seed);
    const pub = { keyId: k.keyId, version: k.version, mldsa65: kp.mldsaPk, ed25519: kp.edPk };
    keys.set(k.name, { kp, pub });
    return {
      name: k.name,
      seed: hex(seed),
      publicKey: encodePublicKey(pub),
      jwk: encodeJwks(pub),
      fingerprint: fingerprint(pub),
    };
  });
  const valid = PAYLOADS.map((p) => {
    const { kp, pub } = keys.get(p.key);
    const { mp, mldsa, ed } = signHybrid(kp, p.payload);
    return {
      name: p.name,
      key: p.key,
      payload: hex(p.payload),
      messageRepresentative: hex(mp),
      signature: encodeEnvelope({ keyId: pub.keyId, keyVersion: pub.version, mldsa65: mldsa, ed25519: ed }),
      compositeSignature: b64(concat(mldsa, ed)),
    };
  });
  return {
    description: 'Hybrid mldsa65+ed25519 signatures made by tests/interop/gen-noble.mjs with @noble/post-quantum ' +
      'ml_dsa65 (ctx = Label, deterministic rnd = 0) and @noble/curves ed25519 over M\' (docs/formats.md §2), ' +
      'not by postq; same layout as hybrid.json keys + valid.',
    prefix: new TextDecoder().decode(PREFIX),
    label: new TextDecoder().decode(LABEL),
    keys: outKeys,
    valid,
  };
}

export const render = (doc) => JSON.stringify(doc, null, 2) + '\n';

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const text = render(generate());
  if (process.argv.includes('--stdout')) process.stdout.write(text);
  else { mkdirSync(dirname(OUT), { recursive: true }); writeFileSync(OUT, text); console.log(`wrote ${OUT}`); }
}
