// The .NET benchmark (bench/run.sh runs it under Mono and CoreCLR next to the Rust
// figures): offline hybrid verification per second through PostQOffline.Verify (key
// parsed per call) and PostQPublicKey.Verify (parsed once), and sequential
// Scans.SubmitAsync round trips per second. Prints one JSON line.
//   Bench.exe HYBRID_VECTORS_JSON BASE_URL API_KEY SECONDS SUBMITS
using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using PostQ;

internal static class Bench
{
    private static int Main(string[] args) => Run(args).GetAwaiter().GetResult();

    private static double Rate(double seconds, Action call)
    {
        for (var i = 0; i < 50; i++) call();
        var watch = Stopwatch.StartNew();
        long n = 0;
        while (watch.Elapsed.TotalSeconds < seconds)
        {
            for (var i = 0; i < 20; i++) call();
            n += 20;
        }
        return n / watch.Elapsed.TotalSeconds;
    }

    private static byte[] Hex(string s) => Enumerable.Range(0, s.Length / 2).Select(i => Convert.ToByte(s.Substring(i * 2, 2), 16)).ToArray();

    private static async Task<int> Run(string[] args)
    {
        var doc = (IDictionary<string, object>)JsonTree.Read(File.ReadAllText(args[0]));
        var vector = (IDictionary<string, object>)((IList<object>)doc["valid"])[0];
        var key = ((IList<object>)doc["keys"]).Cast<IDictionary<string, object>>().First(k => (string)k["name"] == (string)vector["key"]);
        var publicKey = (string)key["publicKey"];
        var payload = Hex((string)vector["payload"]);
        var signature = (string)vector["signature"];
        var seconds = double.Parse(args[3], CultureInfo.InvariantCulture);
        var submits = int.Parse(args[4], CultureInfo.InvariantCulture);

        var perCall = Rate(seconds, () =>
        {
            if (!PostQOffline.Verify(publicKey, payload, signature).Ok) throw new InvalidOperationException("the vector does not verify");
        });
        double parsedRate;
        using (var parsed = new PostQPublicKey(publicKey))
            parsedRate = Rate(seconds, () => parsed.Verify(payload, signature));

        double submitRate;
        using (var pq = new PostQClient(new PostQClientOptions { ApiKey = args[2], BaseUrl = args[1] }))
        {
            var scan = new CreateScanRequest
            {
                Type = "url",
                Target = "example.com",
                RiskScore = 85,
                RiskLevel = RiskLevel.High,
                Findings = new List<FindingInput> { new FindingInput { Severity = Severity.High, Title = "RSA-2048 public key" } },
            };
            for (var i = 0; i < 20; i++) await pq.Scans.SubmitAsync(scan);
            var watch = Stopwatch.StartNew();
            for (var i = 0; i < submits; i++) await pq.Scans.SubmitAsync(scan);
            submitRate = submits / watch.Elapsed.TotalSeconds;
        }
        PostQRuntime.Shutdown(TimeSpan.FromSeconds(5));
        // (Mono misreads "{2:F1}}}": the closing brace is appended instead.)
        Console.WriteLine(string.Format(CultureInfo.InvariantCulture,
            "{{\"verifyPerSec\":{0:F1},\"parsedKeyVerifyPerSec\":{1:F1},\"submitPerSec\":{2:F1}", perCall, parsedRate, submitRate) + "}");
        return 0;
    }
}
