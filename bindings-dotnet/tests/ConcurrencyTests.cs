using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;

namespace PostQ.Tests
{
    /// <summary>Many calls at once, garbage collection during calls, dispose and cancellation mid-call.</summary>
    public static class ConcurrencyTests
    {
        private static PostQCallOptions Slow(int ms) =>
            new PostQCallOptions { MaxRetries = 0, Headers = new Dictionary<string, string> { { "X-PostQ-Fault", "delay=" + ms } } };

        [Test]
        public static async Task A_thousand_concurrent_calls_with_forced_gcs()
        {
            using (var pq = Env.NewClient(Env.AdminKey))
            {
                var stop = 0;
                // Collect continuously while callbacks arrive: a collected delegate or an
                // unpinned payload would crash CoreCLR here.
                var collector = Task.Run(() =>
                {
                    while (Volatile.Read(ref stop) == 0)
                    {
                        GC.Collect();
                        GC.WaitForPendingFinalizers();
                        Thread.Sleep(5);
                    }
                });
                var payload = new byte[] { 1, 2, 3 };
                var key = await pq.HybridKeys.CreateAsync(new CreateKeyRequest { Name = Env.Unique("concurrent") });
                var calls = Enumerable.Range(0, 1000).Select(i => i % 50 == 0
                    ? (Task)pq.SignAsync(new SignRequest { KeyId = key.Id, Payload = payload })
                    : pq.HealthAsync()).ToArray();
                await Task.WhenAll(calls);
                Volatile.Write(ref stop, 1);
                await collector;
                Assert.True(calls.All(c => c.Status == TaskStatus.RanToCompletion), "all 1000 completed");
                Assert.Equal(0L, await Env.NoPendingCalls(), "nothing pending");
            }
        }

        [Test]
        public static async Task Dispose_with_calls_in_flight()
        {
            var pq = Env.NewClient(Env.AdminKey);
            var inFlight = Enumerable.Range(0, 8).Select(_ => pq.Scans.ListAsync(null, Slow(3000))).ToArray();
            await Task.Delay(100);
            pq.Dispose();
            foreach (var call in inFlight)
                await Assert.Throws<ObjectDisposedException>(() => call, "an in-flight call of a disposed client");
            Assert.True(pq.IsDisposed, "disposed");
            await Assert.Throws<ObjectDisposedException>(() => pq.HealthAsync(), "a call after dispose");
            Assert.Equal(0L, await Env.NoPendingCalls(), "every callback ran");
        }

        [Test]
        public static async Task Cancellation_mid_call_and_before()
        {
            var pq = Env.Client;
            using (var cts = new CancellationTokenSource())
            {
                var started = DateTime.UtcNow;
                var call = pq.Scans.ListAsync(null, Slow(3000), cts.Token);
                cts.CancelAfter(150);
                var cancelled = await Assert.Throws<TaskCanceledException>(() => call, "cancelled mid-call");
                Assert.True(cancelled.CancellationToken == cts.Token, "with the caller's token");
                Assert.True(DateTime.UtcNow - started < TimeSpan.FromSeconds(2), "promptly");
            }
            using (var cts = new CancellationTokenSource())
            {
                cts.Cancel();
                await Assert.Throws<TaskCanceledException>(() => pq.HealthAsync(null, cts.Token), "cancelled before the call");
            }
            using (var all = pq.Scans.ListAll(null, Slow(3000)))
            using (var cts = new CancellationTokenSource(150))
                await Assert.Throws<TaskCanceledException>(() => all.MoveNextAsync(cts.Token), "a pager step cancels");
            Assert.Equal("ok", (await pq.HealthAsync()).Status, "the client still works");
        }
    }
}
