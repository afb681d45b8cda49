using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Threading.Tasks;

namespace PostQ.Tests
{
    /// <summary>Every exception class, from real server responses (fault injection for 429/5xx, drops and delays).</summary>
    public static class ErrorTests
    {
        private static PostQClient Pq => Env.Client;

        private static PostQCallOptions Fault(string spec, int retries = 0) =>
            new PostQCallOptions { MaxRetries = retries, Headers = new Dictionary<string, string> { { "X-PostQ-Fault", spec } } };

        [Test]
        public static Task The_kind_table_covers_every_error_kind()
        {
            var kinds = Enum.GetValues(typeof(ErrorKind)).Cast<ErrorKind>().ToList();
            Assert.True(kinds.All(k => Errors.Kinds.Contains(k)), "every ErrorKind maps to an exception class");
            return Task.FromResult(0);
        }

        [Test]
        public static async Task Auth_permission_not_found()
        {
            using (var wrong = Env.NewClient("pq_live_wrong_key"))
            {
                var auth = await Assert.Throws<PostQAuthException>(() => wrong.Scans.ListAsync(), "wrong key");
                Assert.True(auth.Status == 401 && auth.RequestId != null, "401 with a request id");
            }
            using (var reader = Env.NewClient(Env.MintKey("scans:read")))
            {
                var denied = await Assert.Throws<PostQPermissionException>(() => reader.Scans.SubmitAsync(ApiTests.ScanRequest("denied.example")), "missing scope");
                Assert.Equal("insufficient_scope", denied.Code, "code");
                Assert.Equal(403, denied.Status, "status");
            }
            var missing = await Assert.Throws<PostQNotFoundException>(() => Pq.Scans.GetAsync("scan_01ZZZZZZZZZZZZZZZZZZZZZZZZ"), "no such scan");
            Assert.Equal(404, missing.Status, "status");
        }

        [Test]
        public static async Task Conflict_on_a_reused_idempotency_key_and_the_base_class_for_400()
        {
            var fixedKey = new PostQCallOptions { IdempotencyKey = "idem-" + Guid.NewGuid() };
            var first = await Pq.Scans.SubmitAsync(ApiTests.ScanRequest("conflict.example"), fixedKey);
            Assert.Equal(first.Id, (await Pq.Scans.SubmitAsync(ApiTests.ScanRequest("conflict.example"), fixedKey)).Id, "same body replays");
            var conflict = await Assert.Throws<PostQConflictException>(() => Pq.Scans.SubmitAsync(ApiTests.ScanRequest("another.example"), fixedKey), "another body");
            Assert.Equal("idempotency_key_reused", conflict.Code, "code");
            var bad = await Assert.Throws<PostQException>(() => Pq.Scans.ListAsync(new ListQuery { Cursor = "not-a-cursor" }), "a bad cursor is the base class");
            Assert.Equal(400, bad.Status, "status");
        }

        [Test]
        public static async Task Rate_limit_server_connection_timeout()
        {
            var limited = await Assert.Throws<PostQRateLimitException>(() => Pq.Scans.ListAsync(null, Fault("status=429")), "429");
            Assert.True(limited.Status == 429 && limited.RetryAfter == TimeSpan.FromSeconds(1) && limited.RequestId != null, "Retry-After and request id");
            var server = await Assert.Throws<PostQServerException>(() => Pq.HybridKeys.ListAsync(null, Fault("status=503")), "503");
            Assert.Equal(503, server.Status, "status");
            var dropped = await Assert.Throws<PostQConnectionException>(() => Pq.Scans.ListAsync(null, Fault("drop")), "dropped connection");
            Assert.Equal("connection_error", dropped.Code, "code");

            var watch = Stopwatch.StartNew();
            var slow = Fault("delay=3000");
            slow.Timeout = TimeSpan.FromMilliseconds(300);
            var timeout = await Assert.Throws<PostQTimeoutException>(() => Pq.Scans.ListAsync(null, slow), "timeout");
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(2.5) && timeout is PostQConnectionException, "fast, and a connection exception");

            // Retries: one injected 503 is retried away.
            var scan = await Pq.Scans.SubmitAsync(ApiTests.ScanRequest("retry.example"), Fault("status=503,times=1", retries: 2));
            Assert.Equal("retry.example", scan.Target, "retried");

            var listener = new TcpListener(IPAddress.Loopback, 0);
            listener.Start();
            var port = ((IPEndPoint)listener.LocalEndpoint).Port;
            listener.Stop();
            using (var refused = new PostQClient(new PostQClientOptions { ApiKey = "pq_live_x", BaseUrl = "http://127.0.0.1:" + port, MaxRetries = 0 }))
                await Assert.Throws<PostQConnectionException>(() => refused.HealthAsync(), "connection refused");
        }

        [Test]
        public static async Task Validation_is_local_and_never_echoes_values()
        {
            Assert.Throws<PostQValidationException>(() => new PostQClient(new PostQClientOptions { Timeout = TimeSpan.FromSeconds(-1), BaseUrl = Env.BaseUrl }), "a negative timeout");
            var bad = ApiTests.ScanRequest("x");
            bad.RiskScore = 150;
            var e = await Assert.Throws<PostQValidationException>(() => Pq.Scans.SubmitAsync(bad), "risk score out of range");
            Assert.True(e.Status == null && e.Code == "invalid_input", "local");
            await Assert.Throws<PostQValidationException>(() => Pq.Scans.GetAsync("../../etc/passwd"), "a path in an id");
            var sig = await Assert.Throws<PostQValidationException>(() => Pq.VerifyAsync(new VerifyRequest { KeyId = "hk_x", Payload = new byte[1], Signature = "not-a-signature" }), "a malformed signature");
            Assert.Equal("invalid_signature", sig.Code, "code");
            var secret = "sk_live_must_not_echo";
            var vault = await Assert.Throws<PostQValidationException>(() => Pq.Vault.SealAsync(new SealRequest { Name = "", CredentialType = "api_key", Values = new Dictionary<string, string> { { "", secret } } }), "a bad vault request");
            Assert.True(!vault.Message.Contains(secret), "the value is not in the message");
        }
    }
}
