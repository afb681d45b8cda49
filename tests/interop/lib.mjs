// Independent implementation of the postq wire formats (docs/formats.md), written
// against the spec only, on top of noble + @peculiar/x509 + asn1js. Shares no code
// with the Rust core. Used by verify-vectors.test.mjs and gen-noble.mjs.

// @peculiar/x509 (tsyringe) needs a Reflect metadata polyfill loaded first.
import 'reflect-metadata';
import { ml_dsa65 } from '@noble/post-quantum/ml-dsa.js';
import { ml_kem768 } from '@noble/post-quantum/ml-kem.js';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { p256 } from '@noble/curves/nist.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { hkdf } from '@noble/hashes/hkdf.js';
import { gcm } from '@noble/ciphers/aes.js';
import * as asn1js from 'asn1js';
import { X509Certificate } from '@peculiar/x509';
import { domainToASCII } from 'node:url';

// ---------------------------------------------------------------- encodings

export const te = new TextEncoder();
// fatal: invalid UTF-8 throws; ignoreBOM: a leading U+FEFF is kept (and JSON.parse then refuses it)
export const td = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export const hex = (b) => Buffer.from(b).toString('hex');
export function unhex(s) {
  if (typeof s !== 'string' || !/^([0-9a-f]{2})*$/.test(s)) throw new Error(`bad hex: ${String(s).slice(0, 40)}`);
  return new Uint8Array(Buffer.from(s, 'hex'));
}
export const b64 = (b) => Buffer.from(b).toString('base64');
export const b64url = (b) => Buffer.from(b).toString('base64url');

/** RFC 4648 §4 base64 with padding, strict: alphabet, padding, canonical trailing bits. */
export function unb64(s) {
  if (typeof s !== 'string') throw new Error('base64: not a string');
  if (s.length % 4 !== 0 || !/^[A-Za-z0-9+/]*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/.test(s))
    throw new Error('base64: invalid alphabet or padding');
  const out = Buffer.from(s, 'base64');
  if (out.toString('base64') !== s) throw new Error('base64: non-canonical');
  return new Uint8Array(out);
}

/** RFC 4648 §5 base64url without padding, strict. */
export function unb64url(s) {
  if (typeof s !== 'string' || !/^[A-Za-z0-9_-]*$/.test(s) || s.length % 4 === 1)
    throw new Error('base64url: invalid');
  const out = Buffer.from(s, 'base64url');
  if (out.toString('base64url') !== s) throw new Error('base64url: non-canonical');
  return new Uint8Array(out);
}

export const concat = (...parts) => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let o = 0;
  for (const p of parts) { out.set(p, o); o += p.length; }
  return out;
};
export const bytesEq = (a, b) => a.length === b.length && Buffer.from(a).equals(Buffer.from(b));

/** Byte-order comparison of two strings (as UTF-8), for sorting. */
export const byteCmp = (a, b) => Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));

/** Returns the object's own keys in order (JSON.parse preserves member order for non-index keys). */
const keysOf = (o) => Object.keys(o);

export class FormatError extends Error {
  constructor(kind, msg) { super(`${kind}: ${msg}`); this.kind = kind; }
}

// ---------------------------------------------------------------- §1 hybrid public key

export const ALG = 'mldsa65+ed25519';
export const KEYID_RE = /^[A-Za-z0-9_.:-]{1,128}$/;
export const MLDSA_PK_LEN = 1952, MLDSA_SIG_LEN = 3309, ED_PK_LEN = 32, ED_SIG_LEN = 64;

export function encodePublicKey({ keyId, version, mldsa65, ed25519: ed }) {
  return JSON.stringify({ v: 1, alg: ALG, keyId, version, mldsa65: b64(mldsa65), ed25519: b64(ed) });
}

/** Parse the published public-key JSON strictly. Returns raw key bytes + ids. */
export function parsePublicKey(text) {
  if (te.encode(text).length > 8192) throw new FormatError('invalid_key', 'over 8 KiB');
  const o = JSON.parse(text);
  const want = ['v', 'alg', 'keyId', 'version', 'mldsa65', 'ed25519'];
  if (o === null || typeof o !== 'object' || Array.isArray(o) || keysOf(o).join() !== want.join())
    throw new FormatError('invalid_key', `fields ${JSON.stringify(o && keysOf(o))}`);
  if (o.v !== 1 || o.alg !== ALG) throw new FormatError('invalid_key', 'v/alg');
  if (typeof o.keyId !== 'string' || !KEYID_RE.test(o.keyId)) throw new FormatError('invalid_key', 'keyId');
  if (!Number.isInteger(o.version) || o.version < 1) throw new FormatError('invalid_key', 'version');
  const mldsa65 = unb64(o.mldsa65), ed = unb64(o.ed25519);
  if (mldsa65.length !== MLDSA_PK_LEN || ed.length !== ED_PK_LEN) throw new FormatError('invalid_key', 'lengths');
  return { keyId: o.keyId, version: o.version, mldsa65, ed25519: ed, compact: JSON.stringify(o) === text };
}

export function encodeJwks({ keyId, version, mldsa65, ed25519: ed }) {
  const kid = `${keyId}#v${version}`;
  return JSON.stringify({ keys: [
    { kty: 'AKP', alg: 'ML-DSA-65', pub: b64url(mldsa65), kid, use: 'sig' },
    { kty: 'OKP', crv: 'Ed25519', x: b64url(ed), kid, use: 'sig' },
  ] });
}

/** Parse a JWK Set per formats.md §1 "JWK form". */
export function parseJwks(text) {
  if (te.encode(text).length > 8192) throw new FormatError('invalid_key', 'over 8 KiB');
  const o = JSON.parse(text);
  if (!o || !Array.isArray(o.keys) || o.keys.length !== 2) throw new FormatError('invalid_key', 'need 2 keys');
  const akp = o.keys.filter((k) => k.kty === 'AKP');
  const okp = o.keys.filter((k) => k.kty === 'OKP');
  if (akp.length !== 1 || okp.length !== 1) throw new FormatError('invalid_key', 'need one AKP and one OKP');
  const [a] = akp, [e] = okp;
  if (a.alg !== 'ML-DSA-65' || e.crv !== 'Ed25519') throw new FormatError('invalid_key', 'alg/crv');
  if ('priv' in a || 'd' in e) throw new FormatError('invalid_key', 'private member');
  if (a.kid !== e.kid || typeof a.kid !== 'string') throw new FormatError('invalid_key', 'kid');
  const m = /^(.+)#v([1-9][0-9]*)$/.exec(a.kid);
  if (!m || !KEYID_RE.test(m[1])) throw new FormatError('invalid_key', 'kid form');
  const mldsa65 = unb64url(a.pub), ed = unb64url(e.x);
  if (mldsa65.length !== MLDSA_PK_LEN || ed.length !== ED_PK_LEN) throw new FormatError('invalid_key', 'lengths');
  return { keyId: m[1], version: Number(m[2]), mldsa65, ed25519: ed, use: [a.use, e.use] };
}

export const fingerprint = (pk) => hex(sha256(concat(pk.mldsa65, pk.ed25519)));

/** 64-byte hybrid seed = ξ (ML-DSA-65) ‖ Ed25519 secret → key pair, with noble. */
export function keyFromSeed(seed) {
  if (seed.length !== 64) throw new Error('seed must be 64 bytes');
  const xi = seed.slice(0, 32), edSk = seed.slice(32, 64);
  const { publicKey, secretKey } = ml_dsa65.keygen(xi);
  return { mldsaPk: publicKey, mldsaSk: secretKey, edPk: ed25519.getPublicKey(edSk), edSk };
}

// ---------------------------------------------------------------- §2 composite signature

export const PREFIX = te.encode('CompositeAlgorithmSignatures2025');
export const LABEL = te.encode('COMPSIG-MLDSA65-Ed25519-SHA512');

/** M' = Prefix ‖ Label ‖ len(ctx) ‖ ctx ‖ SHA-512(M) */
export function messageRepresentative(payload, ctx = new Uint8Array(0)) {
  if (ctx.length > 255) throw new Error('ctx > 255');
  return concat(PREFIX, LABEL, Uint8Array.of(ctx.length), ctx, sha512(payload));
}

export function encodeEnvelope({ keyId, keyVersion, mldsa65, ed25519: ed }) {
  return b64(te.encode(JSON.stringify({ v: 1, alg: ALG, keyId, keyVersion, mldsa65: b64(mldsa65), ed25519: b64(ed) })));
}

/** Strict envelope parser (§2 "Parsing"). Throws FormatError('invalid_signature'), or
 * FormatError('unsupported_version') for a `v` or `alg` this version does not know. */
export function parseEnvelope(s) {
  const fail = (m) => { throw new FormatError('invalid_signature', m); };
  if (typeof s !== 'string') fail('not a string');
  if (te.encode(s).length > 16384) fail('over 16 KiB');
  let raw, text, o;
  try { raw = unb64(s); } catch (e) { fail(e.message); }
  try { text = td.decode(raw); o = JSON.parse(text); } catch (e) { fail(`json: ${e.message}`); }
  const want = ['v', 'alg', 'keyId', 'keyVersion', 'mldsa65', 'ed25519'];
  if (o === null || typeof o !== 'object' || Array.isArray(o)) fail('not an object');
  // JSON.parse silently keeps the last of duplicate members and reads 1.0 as 1: check the text.
  const memberNames = text.match(/"(?:[^"\\]|\\.)*"\s*:/g) ?? [];
  if (memberNames.length !== want.length) fail(`${memberNames.length} members (duplicates?)`);
  for (const n of ['v', 'keyVersion'])
    if (!new RegExp(`"${n}"\\s*:\\s*[0-9]+\\s*[,}]`).test(text)) fail(`${n} is not an integer literal`);
  const keys = keysOf(o);
  if ([...keys].sort().join() !== [...want].sort().join()) fail(`fields ${JSON.stringify(keys)}`);
  if (o.v !== 1) throw new FormatError('unsupported_version', `v ${o.v}`);
  if (o.alg !== ALG) throw new FormatError('unsupported_version', `alg ${o.alg}`);
  if (typeof o.keyId !== 'string' || !KEYID_RE.test(o.keyId)) fail('keyId');
  if (!Number.isInteger(o.keyVersion) || o.keyVersion < 1) fail('keyVersion');
  let mldsa65, ed;
  try { mldsa65 = unb64(o.mldsa65); ed = unb64(o.ed25519); } catch (e) { fail(e.message); }
  if (mldsa65.length !== MLDSA_SIG_LEN) fail(`mldsa65 length ${mldsa65.length}`);
  if (ed.length !== ED_SIG_LEN) fail(`ed25519 length ${ed.length}`);
  return {
    keyId: o.keyId, keyVersion: o.keyVersion, mldsa65, ed25519: ed,
    text, fieldOrder: keys, compact: JSON.stringify(o) === text,
  };
}

/** Ed25519 verification with the strictness of ed25519-dalek's verify_strict. */
export function ed25519VerifyStrict(sig, msg, pk) {
  let ok = ed25519.verify(sig, msg, pk, { zip215: false });
  // noble's strict mode rejects a small-order A; verify_strict also rejects small-order R.
  try { if (ed25519.Point.fromBytes(sig.subarray(0, 32), false).isSmallOrder()) ok = false; } catch { ok = false; }
  return ok;
}

/** AND combiner: both halves always evaluated. */
export function verifyHybrid(envelopeStr, payload, pk) {
  const env = parseEnvelope(envelopeStr);
  if (env.keyId !== pk.keyId || env.keyVersion !== pk.version)
    throw new FormatError('key_mismatch', `${env.keyId}#v${env.keyVersion} vs ${pk.keyId}#v${pk.version}`);
  const mp = messageRepresentative(payload);
  const pqOk = ml_dsa65.verify(env.mldsa65, mp, pk.mldsa65, { context: LABEL });
  const classicalOk = ed25519VerifyStrict(env.ed25519, mp, pk.ed25519);
  return { ok: pqOk && classicalOk, classicalOk, pqOk, env, mp };
}

/** Deterministic hybrid signing with noble (rnd = 0 for ML-DSA; Ed25519 is deterministic). */
export function signHybrid(keys, payload) {
  const mp = messageRepresentative(payload);
  const mldsa = ml_dsa65.sign(mp, keys.mldsaSk, { context: LABEL, extraEntropy: false });
  const ed = ed25519.sign(mp, keys.edSk);
  return { mp, mldsa, ed };
}

// ---------------------------------------------------------------- §3/§4 sidecar

export const SIDECAR_OID = '1.3.9999.42.1';
export const ID_ML_DSA_65 = '2.16.840.1.101.3.4.3.18';
export const ECDSA_SHA256 = '1.2.840.10045.4.3.2';
export const CHECKS = ['extension_present', 'binding_matches', 'classical_key_matches', 'pq_key_matches',
  'pq_signature_ok', 'classical_signature_ok', 'validity_ok', 'hostname_ok'];

/** Hostname normalisation of §3: lowercase, IDNA A-label, no trailing dot. */
export function normHost(h) {
  let s = h.endsWith('.') ? h.slice(0, -1) : h;
  if (/[^\x00-\x7f]/.test(s)) {
    const a = domainToASCII(s);
    if (!a) throw new Error(`IDNA conversion failed for ${h}`);
    s = a;
  }
  return s.toLowerCase();
}

const rfc3339Sec = (d) => {
  if (d.getUTCMilliseconds() !== 0) throw new Error('sub-second certificate time');
  return d.toISOString().replace(/\.000Z$/, 'Z');
};

function derEqualReencode(bytes) {
  const asn = asn1js.fromBER(bytes);
  if (asn.offset === -1) throw new Error(`BER: ${asn.result.error}`);
  if (asn.offset !== bytes.byteLength) throw new Error('trailing bytes');
  return asn.result;
}

/** Parse the PostqHybridSidecar extnValue (§4) with asn1js, strictly. */
export function parseSidecarExt(value) {
  const bytes = new Uint8Array(value);
  if (bytes.length > 16384) throw new Error('extension over 16 KiB');
  const seq = derEqualReencode(bytes);
  if (!(seq instanceof asn1js.Sequence)) throw new Error('not a SEQUENCE');
  // DER check: our re-encoding of the parsed value must give the same bytes.
  if (!bytesEq(new Uint8Array(seq.toBER(false)), bytes)) throw new Error('not DER');
  const v = seq.valueBlock.value;
  if (v.length !== 4) throw new Error(`SEQUENCE has ${v.length} elements`);
  const [oid, pk, sig, binding] = v;
  if (!(oid instanceof asn1js.ObjectIdentifier)) throw new Error('algorithmOid not an OID');
  for (const [x, n] of [[pk, 'pqPublicKey'], [sig, 'pqSignature'], [binding, 'bindingBytes']])
    if (!(x instanceof asn1js.OctetString) || x.idBlock.isConstructed) throw new Error(`${n} not a primitive OCTET STRING`);
  const out = {
    algorithmOid: oid.valueBlock.toString(),
    publicKey: new Uint8Array(pk.valueBlock.valueHexView),
    signature: new Uint8Array(sig.valueBlock.valueHexView),
    binding: new Uint8Array(binding.valueBlock.valueHexView),
  };
  if (out.algorithmOid !== ID_ML_DSA_65) throw new Error(`algorithmOid ${out.algorithmOid}`);
  if (out.publicKey.length !== MLDSA_PK_LEN) throw new Error(`pqPublicKey length ${out.publicKey.length}`);
  if (out.signature.length !== MLDSA_SIG_LEN) throw new Error(`pqSignature length ${out.signature.length}`);
  if (out.binding.length > 8192) throw new Error('binding over 8 KiB');
  return out;
}

/** Certificate fields read with asn1js directly from the DER (second, independent reader). */
function rawTbsFields(der) {
  const cert = derEqualReencode(der);
  const [tbs, sigAlg, sigVal] = cert.valueBlock.value;
  let i = 0;
  const t = tbs.valueBlock.value;
  if (t[0].idBlock.tagClass === 3 && t[0].idBlock.tagNumber === 0) i = 1; // [0] version
  const serial = t[i];
  const validity = t[i + 3];
  const spki = t[i + 5];
  const toDate = (x) => x.toDate();
  return {
    tbsDer: new Uint8Array(tbs.toBER(false)),
    serialBytes: new Uint8Array(serial.valueBlock.valueHexView),
    notBefore: toDate(validity.valueBlock.value[0]),
    notAfter: toDate(validity.valueBlock.value[1]),
    spkiDer: new Uint8Array(spki.toBER(false)),
    sigAlgOid: sigAlg.valueBlock.value[0].valueBlock.toString(),
    signatureValue: new Uint8Array(sigVal.valueBlock.valueHexView),
  };
}

const serialHex = (bytes) => {
  if (bytes.length && bytes[0] & 0x80) throw new Error('negative serial');
  const h = hex(bytes).replace(/^0+/, '');
  return h === '' ? '0' : h;
};

/** Re-derive the canonical binding (§3) from the certificate's own fields. */
export function deriveBinding(cert, pqPub) {
  const cns = cert.subjectName.getField('CN');
  if (cns.length !== 1) throw new Error(`subject has ${cns.length} CNs`);
  const san = cert.getExtension('2.5.29.17');
  let alt = [];
  if (san) {
    // @peculiar/x509 returns a SubjectAlternativeNameExtension for 2.5.29.17
    alt = san.names.items.filter((n) => n.type === 'dns').map((n) => normHost(n.value));
  }
  alt = [...new Set(alt)].sort(byteCmp);
  const der = new Uint8Array(cert.rawData);
  const raw = rawTbsFields(der);
  return JSON.stringify({
    v: 1,
    alg: 'ML-DSA-65',
    hostname: normHost(cns[0]),
    altNames: alt,
    serial: serialHex(raw.serialBytes),
    notBefore: rfc3339Sec(cert.notBefore),
    notAfter: rfc3339Sec(cert.notAfter),
    classicalPub: b64(new Uint8Array(cert.publicKey.rawData)),
    pqPub: b64(pqPub),
  });
}

/**
 * Verify a minted certificate per §4 "Verification". Runs every check, returns
 * { ok, failure, checks, ... }. `at` is a Date, `hostname` a string or null.
 */
export function verifySidecarCert(pem, { at, hostname }) {
  const checks = Object.fromEntries(CHECKS.map((c) => [c, false]));
  const notes = {};
  const cert = new X509Certificate(pem);
  const der = new Uint8Array(cert.rawData);
  const raw = rawTbsFields(der);

  // cross-check @peculiar/x509's view with the raw asn1js reading
  notes.readersAgree = bytesEq(raw.spkiDer, new Uint8Array(cert.publicKey.rawData))
    && raw.notBefore.getTime() === cert.notBefore.getTime() && raw.notAfter.getTime() === cert.notAfter.getTime()
    && serialHex(raw.serialBytes) === (cert.serialNumber.toLowerCase().replace(/^0+/, '') || '0');

  // 1. extension_present — the PostQ API reference's recipe: cert.getExtension(OID) then parse
  let ext = null;
  try {
    const exts = cert.getExtensions(SIDECAR_OID);
    if (exts.length !== 1) throw new Error(`${exts.length} sidecar extensions`);
    const [e] = exts;
    if (e.critical) throw new Error('critical');
    // "critical absent": the Extension SEQUENCE must have exactly extnID + extnValue
    const extSeq = derEqualReencode(new Uint8Array(e.rawData));
    if (extSeq.valueBlock.value.length !== 2) throw new Error('critical field encoded');
    ext = parseSidecarExt(e.value);
    checks.extension_present = true;
  } catch (e) { notes.extension_present = e.message; }

  let bindingObj = null;
  if (ext) {
    // 2. binding_matches — re-derived from the certificate, byte for byte
    try {
      const derived = te.encode(deriveBinding(cert, ext.publicKey));
      notes.derivedBinding = td.decode(derived);
      checks.binding_matches = bytesEq(derived, ext.binding);
      if (!checks.binding_matches) notes.binding_matches = 'differs';
    } catch (e) { notes.binding_matches = e.message; }
    try { bindingObj = JSON.parse(td.decode(ext.binding)); } catch (e) { notes.bindingParse = e.message; }
    // 3. classical_key_matches
    checks.classical_key_matches = !!bindingObj && bindingObj.classicalPub === b64(raw.spkiDer);
    // 4. pq_key_matches
    checks.pq_key_matches = !!bindingObj && bindingObj.pqPub === b64(ext.publicKey);
    // 5. pq_signature_ok — the PostQ API reference's recipe, noble argument order (sig, msg, publicKey), empty ctx
    checks.pq_signature_ok = ml_dsa65.verify(ext.signature, ext.binding, ext.publicKey);
  }

  // 6. classical_signature_ok — ECDSA P-256 / SHA-256 self-signature, with noble
  try {
    if (raw.sigAlgOid !== ECDSA_SHA256) throw new Error(`sigAlg ${raw.sigAlgOid}`);
    checks.classical_signature_ok = p256.verify(raw.signatureValue, raw.tbsDer, spkiToP256Point(raw.spkiDer), { prehash: true, lowS: false, format: 'der' });
  } catch (e) { notes.classical_signature_ok = e.message; }

  // 7. validity_ok
  const nb = cert.notBefore.getTime(), na = cert.notAfter.getTime(), now = at.getTime();
  checks.validity_ok = nb <= now && now <= na && nb < na;

  // 8. hostname_ok
  if (hostname == null) checks.hostname_ok = true;
  else if (bindingObj) {
    const h = normHost(hostname);
    checks.hostname_ok = bindingObj.hostname === h || (Array.isArray(bindingObj.altNames) && bindingObj.altNames.includes(h));
  }

  const failure = CHECKS.find((c) => !checks[c]) ?? null;
  return { ok: failure === null, failure, checks, notes, cert, ext };
}

function spkiToP256Point(spkiDer) {
  const spki = derEqualReencode(spkiDer);
  const [alg, bits] = spki.valueBlock.value;
  const [algOid, curve] = alg.valueBlock.value;
  if (algOid.valueBlock.toString() !== '1.2.840.10045.2.1') throw new Error('not an EC key');
  if (curve.valueBlock.toString() !== '1.2.840.10045.3.1.7') throw new Error('not P-256');
  return new Uint8Array(bits.valueBlock.valueHexView);
}

// ---------------------------------------------------------------- §5 pqseal-v1

export const SEAL_MAGIC = te.encode('pqseal-v1');
export const SEAL_HEADER_LEN = 9 + 1 + 1088 + 32;

export function sealRecipientFromSeed(seed) {
  if (seed.length !== 96) throw new Error('seal seed must be 96 bytes');
  const { publicKey: ek, secretKey: dk } = ml_kem768.keygen(seed.slice(0, 64));
  const xsk = seed.slice(64, 96);
  const xpk = x25519.getPublicKey(xsk);
  return { publicKey: concat(ek, xpk), dk, xsk };
}

function sealKeys(recipientPk, header, ssKem, ssX) {
  const salt = sha512(recipientPk);
  const info = concat(te.encode('postq seal v1'), sha512(header));
  const okm = hkdf(sha512, concat(ssKem, ssX), salt, info, 44);
  return { key: okm.slice(0, 32), nonce: okm.slice(32, 44) };
}

/** Open a pqseal-v1 envelope; throws on any failure. */
export function sealOpen(recipient, envelope, aad) {
  if (envelope.length < SEAL_HEADER_LEN + 16) throw new Error('too short');
  if (!bytesEq(envelope.subarray(0, 9), SEAL_MAGIC)) throw new Error('magic');
  if (envelope[9] !== 0x01) throw new Error('suite');
  const header = envelope.subarray(0, SEAL_HEADER_LEN);
  const ctKem = envelope.subarray(10, 10 + 1088);
  const E = envelope.subarray(10 + 1088, SEAL_HEADER_LEN);
  const ssKem = ml_kem768.decapsulate(ctKem, recipient.dk);
  const ssX = x25519.getSharedSecret(recipient.xsk, E);
  if (ssX.every((b) => b === 0)) throw new Error('all-zero x25519 secret');
  const { key, nonce } = sealKeys(recipient.publicKey, header, ssKem, ssX);
  return gcm(key, nonce, concat(header, aad)).decrypt(envelope.subarray(SEAL_HEADER_LEN));
}

// ---------------------------------------------------------------- §6 ledger

export function ledgerCanonical(row) {
  const d = row.details;
  if (d === null || typeof d !== 'object' || Array.isArray(d)) throw new Error('details not an object');
  const details = {};
  for (const k of Object.keys(d).sort(byteCmp)) {
    if (typeof d[k] !== 'string') throw new Error('details value not a string');
    details[k] = d[k];
  }
  // NB: JSON.stringify puts integer-like keys first regardless of insertion order;
  // build the details member by hand so the byte order is always the sorted one.
  const detailsJson = '{' + Object.keys(details).sort(byteCmp)
    .map((k) => JSON.stringify(k) + ':' + JSON.stringify(details[k])).join(',') + '}';
  const head = JSON.stringify({
    seq: row.seq, id: row.id, orgId: row.orgId, eventType: row.eventType, actor: row.actor,
    resourceId: row.resourceId ?? null, occurredAt: row.occurredAt,
  });
  return head.slice(0, -1) + ',"details":' + detailsJson + ',"prevHash":' + JSON.stringify(row.prevHash) + '}';
}

export const ledgerHash = (row) => hex(sha256(te.encode(ledgerCanonical(row))));
export const GENESIS_PREV = '0'.repeat(64);

export function verifyLedger(rows) {
  let prev = null;
  for (const row of rows) {
    if (!Number.isInteger(row.seq) || row.seq < 1) return { ok: false, failedSeq: row.seq ?? null, reason: 'out_of_order' };
    if (ledgerHash(row) !== row.hash) return { ok: false, failedSeq: row.seq, reason: 'hash_mismatch' };
    if (prev && row.seq <= prev.seq) return { ok: false, failedSeq: row.seq, reason: 'out_of_order' };
    if (prev && row.seq === prev.seq + 1 && row.prevHash !== prev.hash)
      return { ok: false, failedSeq: row.seq, reason: 'broken_link' };
    if (row.seq === 1 && row.prevHash !== GENESIS_PREV) return { ok: false, failedSeq: row.seq, reason: 'broken_link' };
    prev = row;
  }
  return { ok: true, failedSeq: null, reason: null };
}

/**
 * A full export (`complete`): verifyLedger plus no gaps from seq 1, so a deleted row is
 * caught. NB: formats.md §6 only says a full export "verifies end to end from the genesis
 * row"; the reason name `missing_row` comes from the Rust core / vectors, not the spec.
 */
export function verifyLedgerComplete(rows) {
  const r = verifyLedger(rows);
  if (!r.ok) return r;
  let want = 1;
  for (const row of rows) {
    if (row.seq !== want) return { ok: false, failedSeq: row.seq, reason: 'missing_row' };
    want++;
  }
  return r;
}

export { ml_dsa65, ml_kem768, ed25519, x25519, sha256, sha512, X509Certificate, asn1js };

// ---------------------------------------------------------------- §7 signed checkpoints

export const NOTE_MLDSA_ID = te.encode('postq/signed-note/mldsa65');
export const NOTE_TYPE_ED25519 = Uint8Array.of(0x01);
export const NOTE_TYPE_MLDSA65 = concat(Uint8Array.of(0xff), NOTE_MLDSA_ID);

/** signed-note key ID: SHA-256(name ‖ 0x0A ‖ type ‖ public key)[0:4], big-endian. */
export function noteKeyId(name, type, pk) {
  const d = sha256(concat(te.encode(name), Uint8Array.of(0x0a), type, pk));
  return Buffer.from(d.subarray(0, 4)).readUInt32BE(0);
}

/** vkey = name "+" hex8(key ID) "+" b64(type ‖ public key). */
export function noteVkey(name, type, pk) {
  return `${name}+${noteKeyId(name, type, pk).toString(16).padStart(8, '0')}+${b64(concat(type, pk))}`;
}

/** Leaf hash of the RFC 9162 tree: SHA-256(0x00 ‖ leaf data). */
export const leafHash = (data) => sha256(concat(Uint8Array.of(0x00), data));

/** Splits a signed note: text up to the last blank line, then `— name b64` lines. */
export function parseSignedNote(note) {
  const split = note.lastIndexOf('\n\n');
  if (split < 0 || !note.endsWith('\n')) throw new FormatError('invalid_input', 'not a signed note');
  const text = note.slice(0, split + 1);
  const sigs = note.slice(split + 2, -1).split('\n').map((line) => {
    const m = /^\u2014 (\S+) ([A-Za-z0-9+/=]+)$/.exec(line);
    if (!m) throw new FormatError('invalid_input', `bad signature line ${line.slice(0, 40)}`);
    const raw = unb64(m[2]);
    if (raw.length < 5) throw new FormatError('invalid_input', 'short signature');
    return { name: m[1], keyId: Buffer.from(raw.subarray(0, 4)).readUInt32BE(0), sig: raw.subarray(4) };
  });
  return { text, sigs };
}

/**
 * §7 policy: the body is three lines with the pinned origin, and both the Ed25519 line
 * (strict) and the ML-DSA-65 line (FIPS 204, ctx = the identifier) of the key verify.
 */
export function verifyCheckpoint(note, { origin, edPk, mldsaPk }) {
  const { text, sigs } = parseSignedNote(note);
  const lines = text.slice(0, -1).split('\n');
  if (lines.length !== 3 || !/^(0|[1-9][0-9]*)$/.test(lines[1]) || unb64(lines[2]).length !== 32)
    throw new FormatError('invalid_input', 'not a checkpoint body');
  const msg = te.encode(text);
  const pqName = `${origin}/mldsa65`;
  const edId = noteKeyId(origin, NOTE_TYPE_ED25519, edPk), pqId = noteKeyId(pqName, NOTE_TYPE_MLDSA65, mldsaPk);
  let ed25519Ok = false, mldsa65Ok = false;
  for (const s of sigs) {
    if (s.name === origin && s.keyId === edId) ed25519Ok = s.sig.length === 64 && ed25519VerifyStrict(s.sig, msg, edPk);
    if (s.name === pqName && s.keyId === pqId) mldsa65Ok = ml_dsa65.verify(s.sig, msg, mldsaPk, { context: NOTE_MLDSA_ID });
  }
  const ok = lines[0] === origin && ed25519Ok && mldsa65Ok;
  return { ok, ed25519Ok, mldsa65Ok, origin: lines[0], size: Number(lines[1]), root: lines[2], text, sigs };
}
