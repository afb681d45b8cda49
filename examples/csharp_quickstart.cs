// postq quickstart (C#, 7.2 as Mono's mcs accepts it): submit a scan, sign with a hybrid
// ML-DSA-65 + Ed25519 key, verify on the server and offline, and check the audit chain.
//
// Run it against the reference server:
//
//     cargo run -p postq-server -- --memory          # prints an admin key and the URL
//     export POSTQ_API_KEY=pq_live_…  POSTQ_BASE_URL=http://127.0.0.1:8787
//     cargo build -p postq-ffi && bash bindings-dotnet/build.sh out
//     mcs -langversion:7.2 -r:out/PostQ.dll -out:out/Quickstart.exe examples/csharp_quickstart.cs
//     LD_LIBRARY_PATH=target/debug mono out/Quickstart.exe
using System;
using System.Collections.Generic;
using System.Text;
using System.Threading.Tasks;
using PostQ;

internal static class Quickstart
{
    private static int Main() => Run().GetAwaiter().GetResult();

    private static async Task<int> Run()
    {
        using (var pq = new PostQClient()) // POSTQ_API_KEY, POSTQ_BASE_URL
        {
            var scan = await pq.Scans.SubmitAsync(new CreateScanRequest
            {
                Type = "url",
                Target = "example.com",
                RiskScore = 85,
                RiskLevel = RiskLevel.High,
                Findings = new List<FindingInput> { new FindingInput { Severity = Severity.High, Title = "RSA-2048 public key" } },
            });
            Console.WriteLine("scan " + scan.Id + ": " + scan.Url);

            var payload = Encoding.UTF8.GetBytes("ship it");
            var key = await pq.HybridKeys.CreateAsync(new CreateKeyRequest { Name = "release-signing" });
            var sig = await pq.SignAsync(new SignRequest { KeyId = key.Id, Payload = payload });
            var result = await pq.VerifyAsync(new VerifyRequest { KeyId = key.Id, Payload = payload, Signature = sig.Signature });
            Console.WriteLine("key " + key.Id + " signed; server verify ok=" + result.Ok);

            // Anyone holding the published public key verifies offline, no API call.
            var offline = PostQOffline.Verify(key.PublicKey, payload, sig.Signature);
            Console.WriteLine("offline: ok=" + offline.Ok + " (Ed25519 " + offline.ClassicalOk + ", ML-DSA-65 " + offline.PqOk + ")");

            try
            {
                await pq.Scans.GetAsync("scan_01ZZZZZZZZZZZZZZZZZZZZZZZZ");
            }
            catch (PostQNotFoundException e)
            {
                Console.WriteLine("not found as expected: " + e.Code + " (request " + e.RequestId + ")");
            }

            var chain = await pq.Audit.VerifyChainAsync();
            Console.WriteLine("audit chain ok=" + chain.Ok + " over " + chain.Rows + " rows");
            return result.Ok && offline.Ok && chain.Ok ? 0 : 1;
        }
    }
}
