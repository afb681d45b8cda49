using System;

namespace PostQ
{
    /// <summary>A hybrid verification verdict: both halves are always checked.</summary>
    public struct Verdict
    {
        internal Verdict(NativeVerdict v)
        {
            Ok = v.Ok != 0;
            ClassicalOk = v.ClassicalOk != 0;
            PqOk = v.PqOk != 0;
        }

        /// <summary><c>ClassicalOk &amp;&amp; PqOk</c>.</summary>
        public bool Ok { get; }

        /// <summary>The Ed25519 half verified.</summary>
        public bool ClassicalOk { get; }

        /// <summary>The ML-DSA-65 half verified.</summary>
        public bool PqOk { get; }

        /// <summary>The three flags.</summary>
        public override string ToString() => "Verdict { Ok = " + Ok + ", ClassicalOk = " + ClassicalOk + ", PqOk = " + PqOk + " }";
    }

    /// <summary>
    /// Offline checks: no network, no API key, synchronous on the caller's thread. A wrong
    /// signature is a negative <see cref="Verdict"/>; a malformed one throws
    /// <see cref="PostQException"/> (<c>invalid_signature</c>, <c>key_mismatch</c>, …).
    /// </summary>
    public static class PostQOffline
    {
        /// <summary>Verify a composite signature (base64 envelope) over <paramref name="payload"/> against a published public key (JSON or JWK Set).</summary>
        public static Verdict Verify(string publicKey, byte[] payload, string signature)
        {
            var key = Utf8.Bytes(publicKey ?? throw new PostQValidationException("publicKey is required"));
            var sig = Utf8.Bytes(signature ?? throw new PostQValidationException("signature is required"));
            payload = payload ?? throw new PostQValidationException("payload is required");
            var error = default(NativeBuffer);
            NativeVerdict verdict;
            var status = NativeMethods.postq_verify_offline(key, Utf8.Len(key), payload, Utf8.Len(payload), sig, Utf8.Len(sig), out verdict, ref error);
            NativeResult.Check(status, ref error);
            return new Verdict(verdict);
        }

        /// <summary>Verify a hybrid certificate's ML-DSA-65 sidecar (PEM or DER); <paramref name="hostname"/> must be bound when given; <paramref name="at"/> judges validity then instead of now.</summary>
        public static SidecarReport VerifyCertificate(byte[] certificate, string hostname = null, DateTimeOffset? at = null)
        {
            certificate = certificate ?? throw new PostQValidationException("certificate is required");
            var host = Utf8.Bytes(hostname);
            var when = Utf8.Bytes(Invariant.Text(at));
            var output = default(NativeBuffer);
            var status = NativeMethods.postq_verify_certificate(certificate, Utf8.Len(certificate), host, Utf8.Len(host), when, Utf8.Len(when), ref output);
            return Json.Deserialize<SidecarReport>(NativeResult.Text(status, ref output));
        }

        /// <summary>Verify ledger rows (a JSON array of entries, ascending <c>seq</c>); <paramref name="complete"/> also requires <c>seq</c> 1, 2, 3 … without gaps.</summary>
        public static ChainReport VerifyLedger(string rowsJson, bool complete = false)
        {
            var rows = Utf8.Bytes(rowsJson ?? throw new PostQValidationException("rowsJson is required"));
            var output = default(NativeBuffer);
            var status = NativeMethods.postq_verify_ledger(rows, Utf8.Len(rows), complete ? (byte)1 : (byte)0, ref output);
            return Json.Deserialize<ChainReport>(NativeResult.Text(status, ref output));
        }

        /// <summary>Seal <paramref name="plaintext"/> to a recipient's public key (base64) as a base64 <c>pqseal-v1</c> envelope.</summary>
        public static string Seal(string recipientPublicKey, byte[] plaintext, byte[] aad = null)
        {
            var recipient = Utf8.Bytes(recipientPublicKey ?? throw new PostQValidationException("recipientPublicKey is required"));
            plaintext = plaintext ?? throw new PostQValidationException("plaintext is required");
            var output = default(NativeBuffer);
            var status = NativeMethods.postq_seal(recipient, Utf8.Len(recipient), plaintext, Utf8.Len(plaintext), aad, Utf8.Len(aad), ref output);
            return NativeResult.Text(status, ref output);
        }

        /// <summary>The command names of the common layer (what the binding's tests must cover).</summary>
        internal static string[] Operations()
        {
            var output = default(NativeBuffer);
            var status = NativeMethods.postq_operations(ref output);
            return Json.Deserialize<string[]>(NativeResult.Text(status, ref output));
        }
    }

    /// <summary>A published hybrid public key parsed once, for verifying many signatures.</summary>
    public sealed class PostQPublicKey : IDisposable
    {
        private readonly PublicKeyHandle handle;

        /// <summary>Parse a published key (JSON or JWK Set); malformed keys throw.</summary>
        public PostQPublicKey(string published)
        {
            var text = Utf8.Bytes(published ?? throw new PostQValidationException("published is required"));
            var error = default(NativeBuffer);
            var status = NativeMethods.postq_public_key_parse(text, Utf8.Len(text), out handle, ref error);
            if (status != NativeMethods.Ok) handle.Dispose();
            NativeResult.Check(status, ref error);
        }

        /// <summary>The key's id, version, fingerprint and encodings.</summary>
        public PublicKeyInfo Info
        {
            get
            {
                var output = default(NativeBuffer);
                var status = NativeMethods.postq_public_key_info(handle, ref output);
                return Json.Deserialize<PublicKeyInfo>(NativeResult.Text(status, ref output));
            }
        }

        /// <summary>Verify a signature envelope over <paramref name="payload"/>.</summary>
        public Verdict Verify(byte[] payload, string signature)
        {
            payload = payload ?? throw new PostQValidationException("payload is required");
            var sig = Utf8.Bytes(signature ?? throw new PostQValidationException("signature is required"));
            var error = default(NativeBuffer);
            NativeVerdict verdict;
            var status = NativeMethods.postq_public_key_verify(handle, payload, Utf8.Len(payload), sig, Utf8.Len(sig), out verdict, ref error);
            NativeResult.Check(status, ref error);
            return new Verdict(verdict);
        }

        /// <summary>Frees the native key.</summary>
        public void Dispose() => handle.Dispose();
    }

    /// <summary>A <c>pqseal-v1</c> recipient key pair (ML-KEM-768 + X25519); the secret stays in native memory and is zeroized on dispose.</summary>
    public sealed class PostQSealKey : IDisposable
    {
        private readonly SealKeyHandle handle;

        private PostQSealKey(SealKeyHandle handle)
        {
            this.handle = handle;
        }

        /// <summary>A fresh key pair.</summary>
        public static PostQSealKey Generate()
        {
            var error = default(NativeBuffer);
            SealKeyHandle handle;
            var status = NativeMethods.postq_seal_key_generate(out handle, ref error);
            if (status != NativeMethods.Ok) handle.Dispose();
            NativeResult.Check(status, ref error);
            return new PostQSealKey(handle);
        }

        /// <summary>A key pair from its 96-byte seed.</summary>
        public static PostQSealKey FromSeed(byte[] seed)
        {
            seed = seed ?? throw new PostQValidationException("seed is required");
            var error = default(NativeBuffer);
            SealKeyHandle handle;
            var status = NativeMethods.postq_seal_key_from_seed(seed, Utf8.Len(seed), out handle, ref error);
            if (status != NativeMethods.Ok) handle.Dispose();
            NativeResult.Check(status, ref error);
            return new PostQSealKey(handle);
        }

        /// <summary>The public key, base64.</summary>
        public string PublicKey
        {
            get
            {
                var output = default(NativeBuffer);
                return NativeResult.Text(NativeMethods.postq_seal_key_public(handle, ref output), ref output);
            }
        }

        /// <summary>SHA-256 of the public key, hex.</summary>
        public string Fingerprint
        {
            get
            {
                var output = default(NativeBuffer);
                return NativeResult.Text(NativeMethods.postq_seal_key_fingerprint(handle, ref output), ref output);
            }
        }

        /// <summary>The 96-byte secret seed (handle with care).</summary>
        public byte[] ExportSeed()
        {
            var output = default(NativeBuffer);
            return NativeResult.Bytes(NativeMethods.postq_seal_key_export_seed(handle, ref output), ref output);
        }

        /// <summary>Open a base64 envelope sealed to this key with the same <paramref name="aad"/>; tampering or a wrong key throws (<c>seal_open_failed</c>).</summary>
        public byte[] Open(string envelope, byte[] aad = null)
        {
            var text = Utf8.Bytes(envelope ?? throw new PostQValidationException("envelope is required"));
            var output = default(NativeBuffer);
            var status = NativeMethods.postq_seal_key_open(handle, text, Utf8.Len(text), 1, aad, Utf8.Len(aad), ref output);
            return NativeResult.Bytes(status, ref output);
        }

        /// <summary>The fingerprint only.</summary>
        public override string ToString() => "PostQSealKey { Fingerprint = " + Fingerprint + " }";

        /// <summary>Zeroizes and frees the native key.</summary>
        public void Dispose() => handle.Dispose();
    }
}
