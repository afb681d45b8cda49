using System;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Tasks;

namespace PostQ
{
    /// <summary>What a native call completed with (its buffers already copied).</summary>
    internal struct NativeCompletion
    {
        public int Status;
        public string Json;
        public byte[] Bytes;
    }

    /// <summary>
    /// Native calls as Tasks. The library completes each call exactly once through one
    /// callback on a runtime thread; the user-data pointer is a GCHandle to the call's
    /// <see cref="Pending"/>, which owns the TaskCompletionSource (continuations run
    /// asynchronously, never on the runtime thread), the pinned payload and the
    /// cancellation registration.
    /// </summary>
    internal static class NativeCalls
    {
        // Kept alive for the life of the process: the library holds its function pointer.
        private static readonly NativeCallback Callback = OnComplete;

        /// <summary>Something that can say it was disposed (a client, a stream).</summary>
        internal interface IOwner
        {
            bool IsDisposed { get; }
        }

        private sealed class Pending
        {
            internal readonly TaskCompletionSource<NativeCompletion> Tcs =
                new TaskCompletionSource<NativeCompletion>(TaskCreationOptions.RunContinuationsAsynchronously);
            internal readonly CancellationToken Token;
            internal readonly IOwner Owner;
            internal GCHandle Self;
            internal GCHandle Pin;
            private CancellationTokenRegistration registration;
            private int completed;

            internal Pending(CancellationToken token, IOwner owner)
            {
                Token = token;
                Owner = owner;
            }

            internal void Watch(ulong callId)
            {
                if (!Token.CanBeCanceled) return;
                var reg = Token.Register(() => NativeMethods.postq_cancel(callId));
                registration = reg;
                // Completed meanwhile: nothing left to cancel.
                if (Volatile.Read(ref completed) != 0) reg.Dispose();
            }

            internal void Complete(NativeCompletion result)
            {
                Volatile.Write(ref completed, 1);
                if (Pin.IsAllocated) Pin.Free();
                registration.Dispose();
                if (result.Status == NativeMethods.Cancelled)
                {
                    if (Token.IsCancellationRequested) Tcs.TrySetCanceled(Token);
                    else if (Owner != null && Owner.IsDisposed) Tcs.TrySetException(new ObjectDisposedException(Owner.GetType().Name, "disposed while the call was in flight"));
                    else Tcs.TrySetCanceled();
                    return;
                }
                Tcs.TrySetResult(result);
            }
        }

        // Runs on a native runtime thread. Nothing may escape it: an exception here would
        // tear down the process.
        private static void OnComplete(IntPtr userData, int status, IntPtr json, UIntPtr jsonLen, IntPtr bytes, UIntPtr bytesLen)
        {
            Pending pending = null;
            try
            {
                var handle = GCHandle.FromIntPtr(userData);
                pending = (Pending)handle.Target;
                handle.Free();
                var result = new NativeCompletion
                {
                    Status = status,
                    Json = json == IntPtr.Zero ? null : Utf8.String(json, jsonLen),
                    Bytes = bytes == IntPtr.Zero ? null : Utf8.Copy(bytes, bytesLen),
                };
                pending.Complete(result);
            }
            catch (Exception e)
            {
                try
                {
                    pending?.Tcs.TrySetException(e);
                }
                catch
                {
                    // nothing more can be done on this thread
                }
            }
        }

        /// <summary>
        /// Start a call: <paramref name="start"/> receives the callback and user data and
        /// returns the native call id. The payload (may be null) stays pinned until the
        /// callback.
        /// </summary>
        internal static Task<NativeCompletion> Start(IOwner owner, byte[] payload, CancellationToken token,
            Func<NativeCallback, IntPtr, IntPtr, ulong> start)
        {
            if (token.IsCancellationRequested) return Task.FromCanceled<NativeCompletion>(token);
            var pending = new Pending(token, owner);
            pending.Self = GCHandle.Alloc(pending);
            var payloadPtr = IntPtr.Zero;
            if (payload != null)
            {
                pending.Pin = GCHandle.Alloc(payload, GCHandleType.Pinned);
                payloadPtr = pending.Pin.AddrOfPinnedObject();
            }
            ulong id;
            try
            {
                id = start(Callback, GCHandle.ToIntPtr(pending.Self), payloadPtr);
            }
            catch
            {
                // The call never reached the library (a disposed handle): no callback comes.
                if (pending.Pin.IsAllocated) pending.Pin.Free();
                pending.Self.Free();
                throw;
            }
            pending.Watch(id);
            return pending.Tcs.Task;
        }
    }
}
