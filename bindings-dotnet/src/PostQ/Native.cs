using System;
using System.Runtime.InteropServices;
using System.Text;

namespace PostQ
{
    /// <summary>A buffer owned by the native library (<c>PostqBuffer</c> in postq.h).</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeBuffer
    {
        public IntPtr Ptr;
        public UIntPtr Len;
    }

    /// <summary>A verification verdict (<c>PostqVerdict</c>): each field 0 or 1.</summary>
    [StructLayout(LayoutKind.Sequential)]
    internal struct NativeVerdict
    {
        public byte Ok;
        public byte ClassicalOk;
        public byte PqOk;
    }

    /// <summary>The completion callback of postq.h (<c>PostqCallback</c>).</summary>
    [UnmanagedFunctionPointer(CallingConvention.Cdecl)]
    internal delegate void NativeCallback(IntPtr userData, int status, IntPtr json, UIntPtr jsonLen, IntPtr bytes, UIntPtr bytesLen);

    /// <summary>
    /// The C ABI of <c>libpostq_ffi.so</c> (bindings-dotnet/ffi/postq.h), one declaration
    /// per function. Strings are UTF-8 byte arrays with explicit lengths.
    /// </summary>
    internal static class NativeMethods
    {
        private const string Lib = "postq_ffi";

        internal const int Ok = 0;
        internal const int Error = 1;
        internal const int Cancelled = 2;
        internal const int End = 3;

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern IntPtr postq_version();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void postq_buffer_free(ref NativeBuffer buffer);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_client_new(byte[] options, UIntPtr optionsLen, out ClientHandle client, ref NativeBuffer error);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void postq_client_free(IntPtr client);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_client_base_url(ClientHandle client, ref NativeBuffer output);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern ulong postq_call(ClientHandle client, byte[] command, UIntPtr commandLen, IntPtr payload, UIntPtr payloadLen,
            byte[] options, UIntPtr optionsLen, NativeCallback callback, IntPtr userData);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_cancel(ulong callId);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern UIntPtr postq_pending_calls();

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern long postq_shutdown(uint graceMs);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_stream_open(ClientHandle client, byte[] command, UIntPtr commandLen, byte[] options, UIntPtr optionsLen,
            out StreamHandle stream, ref NativeBuffer error);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern ulong postq_stream_next(StreamHandle stream, NativeCallback callback, IntPtr userData);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void postq_stream_free(IntPtr stream);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_verify_offline(byte[] publicKey, UIntPtr publicKeyLen, byte[] payload, UIntPtr payloadLen,
            byte[] signature, UIntPtr signatureLen, out NativeVerdict verdict, ref NativeBuffer error);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_public_key_parse(byte[] text, UIntPtr textLen, out PublicKeyHandle key, ref NativeBuffer error);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_public_key_info(PublicKeyHandle key, ref NativeBuffer output);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_public_key_verify(PublicKeyHandle key, byte[] payload, UIntPtr payloadLen, byte[] signature, UIntPtr signatureLen,
            out NativeVerdict verdict, ref NativeBuffer error);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void postq_public_key_free(IntPtr key);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_verify_certificate(byte[] certificate, UIntPtr certificateLen, byte[] hostname, UIntPtr hostnameLen,
            byte[] at, UIntPtr atLen, ref NativeBuffer output);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_verify_ledger(byte[] rows, UIntPtr rowsLen, byte complete, ref NativeBuffer output);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_seal(byte[] recipient, UIntPtr recipientLen, byte[] plaintext, UIntPtr plaintextLen,
            byte[] aad, UIntPtr aadLen, ref NativeBuffer output);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_seal_key_generate(out SealKeyHandle key, ref NativeBuffer error);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_seal_key_from_seed(byte[] seed, UIntPtr seedLen, out SealKeyHandle key, ref NativeBuffer error);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_seal_key_public(SealKeyHandle key, ref NativeBuffer output);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_seal_key_fingerprint(SealKeyHandle key, ref NativeBuffer output);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_seal_key_export_seed(SealKeyHandle key, ref NativeBuffer output);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_seal_key_open(SealKeyHandle key, byte[] envelope, UIntPtr envelopeLen, byte base64,
            byte[] aad, UIntPtr aadLen, ref NativeBuffer output);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern void postq_seal_key_free(IntPtr key);

        [DllImport(Lib, CallingConvention = CallingConvention.Cdecl)]
        internal static extern int postq_operations(ref NativeBuffer output);
    }

    /// <summary>UTF-8 in and out of native memory (netstandard2.0 has no PtrToStringUTF8).</summary>
    internal static class Utf8
    {
        private static readonly UTF8Encoding Strict = new UTF8Encoding(false, true);

        /// <summary>The UTF-8 bytes of a string; null stays null (NULL to the library).</summary>
        internal static byte[] Bytes(string text) => text == null ? null : Strict.GetBytes(text);

        /// <summary>The length of an optional array as <c>size_t</c>.</summary>
        internal static UIntPtr Len(byte[] bytes) => new UIntPtr(bytes == null ? 0u : (uint)bytes.Length);

        /// <summary>Copy native bytes (valid only now) into a managed array.</summary>
        internal static byte[] Copy(IntPtr ptr, UIntPtr len)
        {
            var n = checked((int)len.ToUInt64());
            var bytes = new byte[n];
            if (n > 0) Marshal.Copy(ptr, bytes, 0, n);
            return bytes;
        }

        /// <summary>Decode native UTF-8 (valid only now).</summary>
        internal static string String(IntPtr ptr, UIntPtr len) => Strict.GetString(Copy(ptr, len));

        /// <summary>Copy a returned buffer's bytes and free (zeroize) the native buffer.</summary>
        internal static byte[] Take(ref NativeBuffer buffer)
        {
            try
            {
                return buffer.Ptr == IntPtr.Zero ? new byte[0] : Copy(buffer.Ptr, buffer.Len);
            }
            finally
            {
                NativeMethods.postq_buffer_free(ref buffer);
            }
        }

        /// <summary>A returned buffer as text, freed.</summary>
        internal static string TakeString(ref NativeBuffer buffer) => Strict.GetString(Take(ref buffer));
    }

    /// <summary>Turns a native status + output buffer into a value or the mapped exception.</summary>
    internal static class NativeResult
    {
        /// <summary>The output text on success; on failure the exception for its ErrorInfo.</summary>
        internal static string Text(int status, ref NativeBuffer output)
        {
            var text = Utf8.TakeString(ref output);
            if (status == NativeMethods.Ok) return text;
            throw Errors.FromNative(status, text);
        }

        /// <summary>The output bytes on success.</summary>
        internal static byte[] Bytes(int status, ref NativeBuffer output)
        {
            var bytes = Utf8.Take(ref output);
            if (status == NativeMethods.Ok) return bytes;
            throw Errors.FromNative(status, Encoding.UTF8.GetString(bytes));
        }

        /// <summary>Throws the error held in an error buffer unless the status is OK.</summary>
        internal static void Check(int status, ref NativeBuffer error)
        {
            var text = Utf8.TakeString(ref error);
            if (status != NativeMethods.Ok) throw Errors.FromNative(status, text);
        }
    }

    /// <summary>An owned native client (<c>PostqClient*</c>): freed once, never while a call passes it.</summary>
    internal sealed class ClientHandle : SafeHandle
    {
        private ClientHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid => handle == IntPtr.Zero;
        protected override bool ReleaseHandle()
        {
            NativeMethods.postq_client_free(handle);
            return true;
        }
    }

    /// <summary>An owned native list stream (<c>PostqStream*</c>).</summary>
    internal sealed class StreamHandle : SafeHandle
    {
        private StreamHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid => handle == IntPtr.Zero;
        protected override bool ReleaseHandle()
        {
            NativeMethods.postq_stream_free(handle);
            return true;
        }
    }

    /// <summary>An owned parsed public key (<c>PostqPublicKey*</c>).</summary>
    internal sealed class PublicKeyHandle : SafeHandle
    {
        private PublicKeyHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid => handle == IntPtr.Zero;
        protected override bool ReleaseHandle()
        {
            NativeMethods.postq_public_key_free(handle);
            return true;
        }
    }

    /// <summary>An owned seal key pair (<c>PostqSealKey*</c>); freeing zeroizes the secret.</summary>
    internal sealed class SealKeyHandle : SafeHandle
    {
        private SealKeyHandle() : base(IntPtr.Zero, true) { }
        public override bool IsInvalid => handle == IntPtr.Zero;
        protected override bool ReleaseHandle()
        {
            NativeMethods.postq_seal_key_free(handle);
            return true;
        }
    }
}
