using System;
using System.Collections.Generic;
using System.Globalization;
using System.Runtime.InteropServices;
using System.Runtime.Serialization;
using System.Threading;
using System.Threading.Tasks;

namespace PostQ
{
    /// <summary>
    /// How to build a <see cref="PostQClient"/>. Unset values come from the environment
    /// (<c>POSTQ_API_KEY</c>, <c>POSTQ_BASE_URL</c>) and the core's defaults; the rules are
    /// the common layer's (the attempt timeout never exceeds <see cref="Timeout"/>).
    /// </summary>
    public sealed class PostQClientOptions
    {
        /// <summary><c>pq_live_…</c> (default <c>POSTQ_API_KEY</c>). Never shown by <see cref="ToString"/>.</summary>
        public string ApiKey { get; set; }

        /// <summary>Default <c>POSTQ_BASE_URL</c>, else <c>https://api.postq.dev</c>; plain <c>http://</c> only for loopback.</summary>
        public string BaseUrl { get; set; }

        /// <summary>Retries after the first attempt (default 2): connection errors, timeouts, 408, 429, 5xx.</summary>
        public int? MaxRetries { get; set; }

        /// <summary>A whole call including retries (default 180 s).</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>One attempt including the body (default 60 s).</summary>
        public TimeSpan? AttemptTimeout { get; set; }

        /// <summary>Establishing a connection (default 10 s).</summary>
        public TimeSpan? ConnectTimeout { get; set; }

        /// <summary>The first backoff step (default 0.5 s; doubles, jittered).</summary>
        public TimeSpan? InitialBackoff { get; set; }

        /// <summary>The longest <c>Retry-After</c> honoured (default 60 s); longer fails fast.</summary>
        public TimeSpan? MaxRetryAfter { get; set; }

        /// <summary>Headers sent with every request.</summary>
        public IDictionary<string, string> DefaultHeaders { get; set; }

        /// <summary>The options without the API key.</summary>
        public override string ToString() =>
            "PostQClientOptions { BaseUrl = " + ModelText.Of(BaseUrl) + ", ApiKey = " + (ApiKey == null ? "null" : "[redacted]")
            + ", MaxRetries = " + ModelText.Of(MaxRetries) + ", Timeout = " + ModelText.Of(Timeout) + " }";

        internal ClientOptions ToWire() => new ClientOptions
        {
            ApiKey = ApiKey,
            BaseUrl = BaseUrl,
            MaxRetries = MaxRetries,
            Timeout = Seconds(Timeout),
            AttemptTimeout = Seconds(AttemptTimeout),
            ConnectTimeout = Seconds(ConnectTimeout),
            InitialBackoff = Seconds(InitialBackoff),
            MaxRetryAfter = Seconds(MaxRetryAfter),
            DefaultHeaders = DefaultHeaders == null ? null : new Dictionary<string, string>(DefaultHeaders),
            UserAgent = "postq-dotnet/" + PostQRuntime.Version,
        };

        internal static double? Seconds(TimeSpan? t) => t.HasValue ? t.Value.TotalSeconds : (double?)null;
    }

    /// <summary>Per-call overrides (the last argument of every call).</summary>
    public sealed class PostQCallOptions
    {
        /// <summary>Retries for this call.</summary>
        public int? MaxRetries { get; set; }

        /// <summary>This whole call, including retries.</summary>
        public TimeSpan? Timeout { get; set; }

        /// <summary>Use this <c>Idempotency-Key</c> (writes) instead of a generated one.</summary>
        public string IdempotencyKey { get; set; }

        /// <summary>Extra request headers (added to the client's default headers).</summary>
        public IDictionary<string, string> Headers { get; set; }

        internal byte[] ToJson() => Json.Serialize(new CallOptions
        {
            MaxRetries = MaxRetries,
            Timeout = PostQClientOptions.Seconds(Timeout),
            IdempotencyKey = IdempotencyKey,
            Headers = Headers == null ? null : new Dictionary<string, string>(Headers),
        });
    }

    /// <summary>What <see cref="PostQClient.SignAsync"/> signs.</summary>
    public sealed class SignRequest
    {
        /// <summary>The managed key (<c>hk_…</c>); its latest version signs.</summary>
        public string KeyId { get; set; }

        /// <summary>The bytes to sign (passed to the library without a copy).</summary>
        public byte[] Payload { get; set; }

        /// <summary>The request (the payload by length only).</summary>
        public override string ToString() => "SignRequest { KeyId = " + ModelText.Of(KeyId) + ", Payload = " + (Payload == null ? "null" : Payload.Length + " bytes") + " }";
    }

    /// <summary>What <see cref="PostQClient.VerifyAsync"/> checks: exactly one of <see cref="KeyId"/> and <see cref="PublicKey"/>.</summary>
    public sealed class VerifyRequest
    {
        /// <summary>Verify against a managed key (any version at or above its minimum)…</summary>
        public string KeyId { get; set; }

        /// <summary>…or against a published public key (JSON or JWK Set), on the server.</summary>
        public string PublicKey { get; set; }

        /// <summary>The signed bytes.</summary>
        public byte[] Payload { get; set; }

        /// <summary>The composite signature (base64 envelope).</summary>
        public string Signature { get; set; }

        /// <summary>The request (the payload by length only).</summary>
        public override string ToString() => "VerifyRequest { KeyId = " + ModelText.Of(KeyId) + ", Payload = " + (Payload == null ? "null" : Payload.Length + " bytes") + " }";
    }

    /// <summary>One page of a list, newest or oldest first as the list defines.</summary>
    [DataContract(Name = "Page", Namespace = "")]
    public sealed class Page<T>
    {
        /// <summary>The items.</summary>
        [DataMember(Name = "data", IsRequired = true)]
        public List<T> Data { get; set; }

        /// <summary>Pass as <c>Cursor</c> for the next page; null on the last page.</summary>
        [DataMember(Name = "nextCursor", EmitDefaultValue = false)]
        public string NextCursor { get; set; }

        /// <summary>The item count and cursor.</summary>
        public override string ToString() => "Page { Data = " + (Data == null ? 0 : Data.Count) + " items, NextCursor = " + ModelText.Of(NextCursor) + " }";
    }

    /// <summary>A downloaded rollover artifact.</summary>
    public sealed class Artifact
    {
        internal Artifact(ArtifactInfo info, byte[] body)
        {
            FileName = info.FileName;
            ContentType = info.ContentType;
            Body = body ?? new byte[0];
        }

        /// <summary>Safe file name (<c>postq-&lt;hostname&gt;-&lt;artifact&gt;</c>).</summary>
        public string FileName { get; }

        /// <summary><c>Content-Type</c>.</summary>
        public string ContentType { get; }

        /// <summary>The bytes.</summary>
        public byte[] Body { get; }

        /// <summary>Name, type and size.</summary>
        public override string ToString() => "Artifact { FileName = " + ModelText.Of(FileName) + ", ContentType = " + ModelText.Of(ContentType) + ", Body = " + Body.Length + " bytes }";
    }

    /// <summary>The process-wide native runtime of postq.</summary>
    public static class PostQRuntime
    {
        private static int hooked;

        /// <summary>The version of the native library.</summary>
        public static string Version
        {
            get
            {
                var ptr = NativeMethods.postq_version();
                var bytes = new List<byte>();
                for (var i = 0; ; i++)
                {
                    var b = Marshal.ReadByte(ptr, i);
                    if (b == 0) break;
                    bytes.Add(b);
                }
                return System.Text.Encoding.UTF8.GetString(bytes.ToArray());
            }
        }

        /// <summary>Calls whose completion has not yet been delivered.</summary>
        public static long PendingCalls => (long)NativeMethods.postq_pending_calls().ToUInt64();

        /// <summary>
        /// Cancel every call, wait up to <paramref name="grace"/> until each one's Task has
        /// been completed, then stop the native runtime threads. Runs by itself at process
        /// exit; a later call starts a fresh runtime. Returns the calls still outstanding.
        /// </summary>
        public static long Shutdown(TimeSpan grace)
        {
            var ms = (uint)Math.Max(0, Math.Min(uint.MaxValue, grace.TotalMilliseconds));
            var left = NativeMethods.postq_shutdown(ms);
            if (left < 0) throw new InvalidOperationException("PostQRuntime.Shutdown cannot run inside a postq callback");
            return left;
        }

        internal static void HookProcessExit()
        {
            if (Interlocked.Exchange(ref hooked, 1) != 0) return;
            AppDomain.CurrentDomain.ProcessExit += (sender, args) =>
            {
                try
                {
                    Shutdown(TimeSpan.FromSeconds(2));
                }
                catch (Exception)
                {
                    // exiting anyway
                }
            };
        }
    }

    /// <summary>
    /// The postq API client. Thread-safe; make one and share it. Every call returns a
    /// Task completed from the native runtime, takes per-call options and a
    /// CancellationToken, and throws a <see cref="PostQException"/> subclass by error
    /// kind. <see cref="Dispose"/> cancels the calls in flight (their Tasks fail with
    /// ObjectDisposedException). The API key stays in native memory.
    /// </summary>
    public sealed class PostQClient : IDisposable, NativeCalls.IOwner
    {
        /// <summary>Raised with each command's op name before it is sent (tests record coverage with it).</summary>
        internal static event Action<string> CommandSent;

        private readonly ClientHandle handle;

        /// <summary>A client configured from the environment only.</summary>
        public PostQClient() : this(new PostQClientOptions()) { }

        /// <summary>A client from options; bad options throw <see cref="PostQValidationException"/>.</summary>
        public PostQClient(PostQClientOptions options)
        {
            var json = Json.Serialize((options ?? new PostQClientOptions()).ToWire());
            var error = default(NativeBuffer);
            var status = NativeMethods.postq_client_new(json, Utf8.Len(json), out handle, ref error);
            Array.Clear(json, 0, json.Length); // it held the API key
            if (status != NativeMethods.Ok)
            {
                handle.Dispose();
                NativeResult.Check(status, ref error);
            }
            PostQRuntime.HookProcessExit();
            Scans = new Scans(this);
            HybridKeys = new HybridKeys(this);
            Vault = new Vault(this);
            Rollovers = new Rollovers(this);
            Audit = new Audit(this);
            Ingest = new Ingest(this);
        }

        /// <summary>Scans: submit, list, get.</summary>
        public Scans Scans { get; }

        /// <summary>Managed hybrid signing keys.</summary>
        public HybridKeys HybridKeys { get; }

        /// <summary>The post-quantum credential vault.</summary>
        public Vault Vault { get; }

        /// <summary>Hybrid TLS rollovers.</summary>
        public Rollovers Rollovers { get; }

        /// <summary>The audit ledger.</summary>
        public Audit Audit { get; }

        /// <summary>Reports from in-cluster agents.</summary>
        public Ingest Ingest { get; }

        /// <summary>Where requests go.</summary>
        public string BaseUrl
        {
            get
            {
                var output = default(NativeBuffer);
                var status = NativeMethods.postq_client_base_url(handle, ref output);
                return NativeResult.Text(status, ref output);
            }
        }

        /// <summary>True once disposed.</summary>
        public bool IsDisposed => handle.IsClosed;

        /// <summary><c>GET /health</c>.</summary>
        public Task<Health> HealthAsync(PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            Run<NoArgs, Health>(Ops.Health, new NoArgs(), options, cancellationToken);

        /// <summary>Sign the payload with a managed key's latest version (scope <c>sign:write</c>).</summary>
        public Task<SignResponse> SignAsync(SignRequest request, PostQCallOptions options = null, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new PostQValidationException("request is required");
            if (request.Payload == null) throw new PostQValidationException("Payload is required");
            return Run<SignArgs, SignResponse>(Ops.Sign, new SignArgs { KeyId = request.KeyId }, options, cancellationToken, request.Payload);
        }

        /// <summary>Verify a composite signature on the server, against <c>KeyId</c> or a published <c>PublicKey</c> (scope <c>sign:read</c>). Offline: <see cref="PostQOffline.Verify"/>.</summary>
        public Task<VerifyResponse> VerifyAsync(VerifyRequest request, PostQCallOptions options = null, CancellationToken cancellationToken = default)
        {
            if (request == null) throw new PostQValidationException("request is required");
            if (request.Payload == null) throw new PostQValidationException("Payload is required");
            var args = new VerifyArgs { KeyId = request.KeyId, PublicKey = request.PublicKey, Signature = request.Signature };
            return Run<VerifyArgs, VerifyResponse>(Ops.Verify, args, options, cancellationToken, request.Payload);
        }

        /// <summary>Cancels the calls in flight and frees the native client.</summary>
        public void Dispose() => handle.Dispose();

        /// <summary>The client without its API key.</summary>
        public override string ToString() => IsDisposed ? "PostQClient { disposed }" : "PostQClient { BaseUrl = " + ModelText.Of(BaseUrl) + " }";

        internal static byte[] Command<TArgs>(string op, TArgs args)
        {
            CommandSent?.Invoke(op);
            return Json.Serialize(new CommandEnvelope<TArgs> { Op = op, Args = args });
        }

        /// <summary>Run one command; the raw completion (JSON and bytes).</summary>
        internal async Task<NativeCompletion> RunRaw<TArgs>(string op, TArgs args, PostQCallOptions options, CancellationToken token, byte[] payload = null)
        {
            var command = Command(op, args);
            var callOptions = options?.ToJson();
            var done = await NativeCalls.Start(this, payload, token, (callback, userData, payloadPtr) =>
                NativeMethods.postq_call(handle, command, Utf8.Len(command), payloadPtr, Utf8.Len(payload),
                    callOptions, Utf8.Len(callOptions), callback, userData)).ConfigureAwait(false);
            if (done.Status != NativeMethods.Ok) throw Errors.FromNative(done.Status, done.Json);
            return done;
        }

        /// <summary>Run one command and read its result.</summary>
        internal async Task<TResult> Run<TArgs, TResult>(string op, TArgs args, PostQCallOptions options, CancellationToken token, byte[] payload = null)
        {
            var done = await RunRaw(op, args, options, token, payload).ConfigureAwait(false);
            return Json.Deserialize<TResult>(done.Json);
        }

        /// <summary>Open a <c>*.list_all</c> command as a pager.</summary>
        internal PostQPager<T> Stream<TArgs, T>(string op, TArgs args, PostQCallOptions options)
        {
            var command = Command(op, args);
            var callOptions = options?.ToJson();
            var error = default(NativeBuffer);
            StreamHandle stream;
            var status = NativeMethods.postq_stream_open(handle, command, Utf8.Len(command), callOptions, Utf8.Len(callOptions), out stream, ref error);
            if (status != NativeMethods.Ok)
            {
                stream.Dispose();
                NativeResult.Check(status, ref error);
            }
            return new PostQPager<T>(stream);
        }
    }

    /// <summary>The wire form of a command: <c>{"op": "…", "args": {…}}</c>.</summary>
    [DataContract(Name = "Command", Namespace = "")]
    internal sealed class CommandEnvelope<TArgs>
    {
        [DataMember(Name = "op", IsRequired = true, Order = 0)]
        public string Op { get; set; }

        [DataMember(Name = "args", IsRequired = true, Order = 1)]
        public TArgs Args { get; set; }
    }

    /// <summary>
    /// Every item of a list, fetched page by page as you move (core's pager):
    /// <c>using (var all = pq.Scans.ListAll()) while (await all.MoveNextAsync()) Use(all.Current);</c>.
    /// Not safe for concurrent MoveNextAsync calls on one pager.
    /// </summary>
    public sealed class PostQPager<T> : IDisposable, NativeCalls.IOwner
    {
        private readonly StreamHandle stream;

        internal PostQPager(StreamHandle stream)
        {
            this.stream = stream;
        }

        /// <summary>The item MoveNextAsync moved to.</summary>
        public T Current { get; private set; }

        /// <summary>True once disposed.</summary>
        public bool IsDisposed => stream.IsClosed;

        /// <summary>Fetch the next item; false at the end. An error ends the pager.</summary>
        public async Task<bool> MoveNextAsync(CancellationToken cancellationToken = default)
        {
            var done = await NativeCalls.Start(this, null, cancellationToken, (callback, userData, unused) =>
                NativeMethods.postq_stream_next(stream, callback, userData)).ConfigureAwait(false);
            if (done.Status == NativeMethods.End)
            {
                Current = default(T);
                return false;
            }
            if (done.Status != NativeMethods.Ok) throw Errors.FromNative(done.Status, done.Json);
            Current = Json.Deserialize<T>(done.Json);
            return true;
        }

        /// <summary>Every remaining item in a list.</summary>
        public async Task<List<T>> ToListAsync(CancellationToken cancellationToken = default)
        {
            var items = new List<T>();
            while (await MoveNextAsync(cancellationToken).ConfigureAwait(false)) items.Add(Current);
            return items;
        }

        /// <summary>Frees the native stream (a pending MoveNextAsync is cancelled).</summary>
        public void Dispose() => stream.Dispose();
    }

    internal static class Invariant
    {
        internal static string Text(DateTimeOffset? at) =>
            at.HasValue ? at.Value.ToUniversalTime().ToString("yyyy-MM-dd'T'HH:mm:ss'Z'", CultureInfo.InvariantCulture) : null;
    }
}
