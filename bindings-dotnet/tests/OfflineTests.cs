using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace PostQ.Tests
{
    /// <summary>The shared vectors (tests/vectors), offline: no server, no key.</summary>
    public static class OfflineTests
    {
        private static IDictionary<string, object> Load(string name) =>
            (IDictionary<string, object>)JsonTree.Read(File.ReadAllText(Path.Combine(Env.Vectors, name)));

        private static IEnumerable<IDictionary<string, object>> Items(IDictionary<string, object> doc, string key) =>
            ((IList<object>)doc[key]).Cast<IDictionary<string, object>>();

        private static byte[] Hex(object text)
        {
            var s = (string)text;
            var bytes = new byte[s.Length / 2];
            for (var i = 0; i < bytes.Length; i++) bytes[i] = Convert.ToByte(s.Substring(i * 2, 2), 16);
            return bytes;
        }

        [Test]
        public static Task Hybrid_vectors_valid_and_invalid()
        {
            var doc = Load("hybrid.json");
            var keys = Items(doc, "keys").ToDictionary(k => (string)k["name"]);
            var checkedCount = 0;
            foreach (var v in Items(doc, "valid"))
            {
                var key = keys[(string)v["key"]];
                Assert.True(PostQOffline.Verify((string)key["publicKey"], Hex(v["payload"]), (string)v["signature"]).Ok, "valid " + v["name"]);
                Assert.True(PostQOffline.Verify((string)key["jwk"], Hex(v["payload"]), (string)v["signature"]).Ok, "valid via JWK " + v["name"]);
                checkedCount++;
            }
            foreach (var v in Items(doc, "invalid"))
            {
                var key = keys[(string)v["key"]];
                var expected = (IDictionary<string, object>)v["expected"];
                var error = (string)expected["error"];
                if (error != null)
                {
                    var e = Assert.Catches<PostQException>(() => PostQOffline.Verify((string)key["publicKey"], Hex(v["payload"]), (string)v["signature"]), "invalid " + v["name"]);
                    Assert.Equal(error, e.Code, "error code of " + v["name"]);
                }
                else
                {
                    var verdict = PostQOffline.Verify((string)key["publicKey"], Hex(v["payload"]), (string)v["signature"]);
                    Assert.Equal((bool)expected["ok"], verdict.Ok, "ok of " + v["name"]);
                    Assert.Equal((bool)expected["classicalOk"], verdict.ClassicalOk, "classicalOk of " + v["name"]);
                    Assert.Equal((bool)expected["pqOk"], verdict.PqOk, "pqOk of " + v["name"]);
                }
                checkedCount++;
            }
            Assert.True(checkedCount >= 19, "every hybrid vector was checked");
            return Task.FromResult(0);
        }

        [Test]
        public static Task Seal_vectors_open_and_fail_and_a_fresh_round_trip()
        {
            var doc = Load("seal.json");
            var recipients = Items(doc, "recipients").ToDictionary(r => (string)r["name"]);
            var keys = new Dictionary<string, PostQSealKey>();
            try
            {
                foreach (var r in recipients.Values)
                {
                    var key = PostQSealKey.FromSeed(Hex(r["seed"]));
                    Assert.Equal((string)r["publicKey"], key.PublicKey, "the key seed gives the published key");
                    keys[(string)r["name"]] = key;
                }
                foreach (var v in Items(doc, "valid"))
                    Assert.True(keys[(string)v["recipient"]].Open((string)v["envelope"], Hex(v["aad"])).SequenceEqual(Hex(v["plaintext"])), "opens " + v["name"]);
                foreach (var v in Items(doc, "invalid"))
                {
                    var e = Assert.Catches<PostQException>(() => keys[(string)v["recipient"]].Open((string)v["envelope"], Hex(v["aad"])), "fails " + v["name"]);
                    Assert.True(e.Code == "seal_open_failed" || e.Code == "unsupported_version" || e.Code == "invalid_envelope", "code of " + v["name"] + ": " + e.Code);
                }
            }
            finally
            {
                foreach (var k in keys.Values) k.Dispose();
            }

            using (var fresh = PostQSealKey.Generate())
            {
                var secret = Encoding.UTF8.GetBytes("a database password");
                var envelope = PostQOffline.Seal(fresh.PublicKey, secret, Encoding.UTF8.GetBytes("ctx"));
                Assert.True(fresh.Open(envelope, Encoding.UTF8.GetBytes("ctx")).SequenceEqual(secret), "round trip");
                Assert.Equal(96, fresh.ExportSeed().Length, "seed length");
                Assert.True(fresh.ToString().Contains(fresh.Fingerprint) && !fresh.ToString().Contains(fresh.PublicKey), "ToString shows the fingerprint only");
            }
            return Task.FromResult(0);
        }

        [Test]
        public static Task Ledger_vectors()
        {
            var doc = Load("ledger.json");
            var count = 0;
            foreach (var chain in Items(doc, "chains"))
            {
                var expected = (IDictionary<string, object>)chain["expected"];
                var report = PostQOffline.VerifyLedger(JsonTree.Write(chain["rows"]), (bool)expected["complete"]);
                Assert.Equal((bool)expected["ok"], report.Ok, "ok of " + chain["name"]);
                var failedSeq = expected["failedSeq"];
                Assert.Equal(failedSeq == null ? (long?)null : (long)failedSeq, report.FailedSeq, "failedSeq of " + chain["name"]);
                count++;
            }
            Assert.True(count > 0, "ledger vectors ran");
            Assert.Throws<PostQValidationException>(() => PostQOffline.VerifyLedger("[{\"nope\": 1}]"), "malformed rows are a validation error");
            return Task.FromResult(0);
        }

        [Test]
        public static Task Json_trees_read_strictly()
        {
            var tree = (IDictionary<string, object>)JsonTree.Read("{\"s\":\"a\\\"b\\u00e9\\ud83d\\ude00\\n\",\"n\":-12,\"d\":1.5e3,\"l\":[true,false,null,{}],\"big\":123456789012345678901}");
            Assert.Equal("a\"b\u00e9\ud83d\ude00\n", (string)tree["s"], "escapes and a surrogate pair");
            Assert.Equal(-12L, (long)tree["n"], "integer");
            Assert.Equal(1500.0, (double)tree["d"], "exponent");
            Assert.Equal(4, ((IList<object>)tree["l"]).Count, "array");
            Assert.True(tree["big"] is double, "beyond long is a double");
            Assert.Equal("{\"a\":[1,\"x\",null]}", JsonTree.Write(JsonTree.Read(" { \"a\" : [ 1 , \"x\" , null ] } ")), "round trip");
            foreach (var bad in new[] { "", "{", "{\"a\":}", "[1,]", "01", "1.", "\"\\x\"", "\"a", "{} x", "tru", "{\"a\" 1}", "\"\t\"", new string('[', 200) + new string(']', 200) })
            {
                var e = Assert.Catches<PostQException>(() => JsonTree.Read(bad), "malformed: " + bad);
                Assert.Equal("invalid_response", e.Code, "code for " + bad);
            }
            return Task.FromResult(0);
        }
    }
}