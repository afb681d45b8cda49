using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading.Tasks;

namespace PostQ.Tests
{
    /// <summary>Every resource call against the reference server.</summary>
    public static class ApiTests
    {
        private static PostQClient Pq => Env.Client;

        [Test]
        public static async Task Health_and_options_from_the_environment()
        {
            Assert.Equal("ok", (await Pq.HealthAsync()).Status, "health");
            // run-tests.sh exports POSTQ_API_KEY / POSTQ_BASE_URL: a bare client uses them.
            using (var fromEnv = new PostQClient())
            {
                Assert.Equal(Env.BaseUrl, fromEnv.BaseUrl.TrimEnd('/'), "base URL from POSTQ_BASE_URL");
                Assert.True((await fromEnv.HybridKeys.ListAsync(new ListQuery { Limit = 1 })).Data != null, "POSTQ_API_KEY authenticates");
            }
            var options = new PostQClientOptions { ApiKey = "pq_live_secret_value", BaseUrl = Env.BaseUrl };
            Assert.True(!options.ToString().Contains("secret_value"), "options ToString hides the API key");
            Assert.True(!Pq.ToString().Contains(Env.AdminKey), "client ToString hides the API key");
        }

        [Test]
        public static async Task Ingest_kubernetes_records_one_k8s_scan_from_the_agent()
        {
            var cluster = Env.Unique("prod-east");
            var report = new IngestKubernetesRequest
            {
                ClusterName = cluster,
                AgentVersion = "postq-agent 0.1.0",
                RiskScore = 55,
                RiskLevel = RiskLevel.High,
                Findings = new List<KubernetesFinding>
                {
                    new KubernetesFinding
                    {
                        Severity = Severity.High,
                        Code = "K8S-MTLS-PERMISSIVE",
                        Title = "K8S-MTLS-PERMISSIVE: PeerAuthentication sets mTLS PERMISSIVE",
                        Object = new KubernetesObjectRef { Namespace = "istio-system", Kind = "PeerAuthentication", Name = "default", Field = "spec.mtls.mode" },
                    },
                },
            };
            var scan = await Pq.Ingest.KubernetesAsync(report);
            Assert.True(scan.Type == "k8s" && scan.Source == "agent" && scan.Target == cluster, "a k8s scan from the agent: " + scan);
            Assert.Equal("istio-system/PeerAuthentication/default spec.mtls.mode", scan.Findings[0].Evidence, "evidence names the object");
        }

        [Test]
        public static async Task The_reference_snippet_in_csharp_7_2()
        {
            var payload = Encoding.UTF8.GetBytes("release-1.2.3.tar.gz digest");
            var key = await Pq.HybridKeys.CreateAsync(new CreateKeyRequest { Name = "release-signing" });
            var sig = await Pq.SignAsync(new SignRequest { KeyId = key.Id, Payload = payload });
            var result = await Pq.VerifyAsync(new VerifyRequest { KeyId = key.Id, Payload = payload, Signature = sig.Signature });
            Assert.True(result.Ok && result.ClassicalOk && result.PqOk, "the snippet verifies");
            var tampered = await Pq.VerifyAsync(new VerifyRequest { KeyId = key.Id, Payload = Encoding.UTF8.GetBytes("other"), Signature = sig.Signature });
            Assert.True(!tampered.Ok, "another payload does not verify");
        }

        [Test]
        public static async Task Hybrid_keys_every_call_and_offline_verification()
        {
            var key = await Pq.HybridKeys.CreateAsync(new CreateKeyRequest { Name = Env.Unique("k") });
            Assert.True(key.Id.StartsWith("hk_") && key.Version == 1, "created");
            Assert.Equal(key.Id, (await Pq.HybridKeys.GetAsync(key.Id)).Id, "get");
            Assert.True((await Pq.HybridKeys.ListAsync(new ListQuery { Limit = 100 })).Data.Any(k => k.Id == key.Id), "list");
            using (var all = Pq.HybridKeys.ListAll(new ListQuery { Limit = 2 }))
                Assert.True((await all.ToListAsync()).Any(k => k.Id == key.Id), "list_all pages");

            var payload = new byte[] { 0, 1, 2, 255 };
            var sig = await Pq.SignAsync(new SignRequest { KeyId = key.Id, Payload = payload });
            var published = await Pq.HybridKeys.PublicKeyAsync(key.Id);
            Assert.Equal(key.Id, published.KeyId, "public_key");
            Assert.True(PostQOffline.Verify(published.Json, payload, sig.Signature).Ok, "offline verify with the published key");
            using (var parsed = new PostQPublicKey(published.Jwk))
            {
                Assert.Equal(published.Fingerprint, parsed.Info.Fingerprint, "a JWK Set parses to the same key");
                var verdict = parsed.Verify(new byte[] { 9 }, sig.Signature);
                Assert.True(!verdict.Ok && !verdict.ClassicalOk && !verdict.PqOk, "a changed payload is a negative verdict");
            }

            var rotated = await Pq.HybridKeys.RotateAsync(key.Id);
            Assert.Equal(2, rotated.Version, "rotate");
            Assert.True((await Pq.VerifyAsync(new VerifyRequest { KeyId = key.Id, Payload = payload, Signature = sig.Signature })).Ok, "v1 still verifies");
            var raised = await Pq.HybridKeys.UpdateAsync(key.Id, new UpdateKeyRequest { MinVersion = 2 });
            Assert.Equal(2, raised.MinVersion, "update");
            var old = await Pq.VerifyAsync(new VerifyRequest { KeyId = key.Id, Payload = payload, Signature = sig.Signature });
            Assert.True(!old.Ok, "below the minimum version no longer verifies");
            var byPublished = await Pq.VerifyAsync(new VerifyRequest { PublicKey = published.Json, Payload = payload, Signature = sig.Signature });
            Assert.True(byPublished.Ok, "server verify against a published key");
        }

        internal static CreateScanRequest ScanRequest(string target, string title = "App Service allows TLS-1.0-MIN") => new CreateScanRequest
        {
            Type = "cloud",
            Target = target,
            RiskScore = 70,
            RiskLevel = RiskLevel.High,
            Findings = new List<FindingInput> { new FindingInput { Severity = Severity.High, Title = title } },
        };

        [Test]
        public static async Task Scans_submit_list_get_and_page_through_all()
        {
            await Pq.Scans.SubmitAsync(ScanRequest(Env.Unique("older")));
            var scan = await Pq.Scans.SubmitAsync(ScanRequest(Env.Unique("azure:contoso")));
            Assert.True(scan.Id.StartsWith("scan_") && scan.RiskLevel == RiskLevel.High && scan.Findings.Count == 1, "submitted");
            Assert.Equal(Severity.High, scan.Findings[0].Severity, "enum round trip");
            var got = await Pq.Scans.GetAsync(scan.Id);
            Assert.Equal(scan.Target, got.Target, "get");
            var page = await Pq.Scans.ListAsync(new ListQuery { Limit = 1 });
            Assert.Equal(scan.Id, page.Data[0].Id, "list is newest first");
            Assert.True(page.NextCursor != null, "a cursor to the next page");
            using (var all = Pq.Scans.ListAll(new ListQuery { Limit = 1 }))
            {
                var ids = new List<string>();
                while (ids.Count < 3 && await all.MoveNextAsync()) ids.Add(all.Current.Id);
                Assert.True(ids.Contains(scan.Id) && ids.Distinct().Count() == ids.Count, "the pager walks pages of one");
            }
        }

        [Test]
        public static async Task Scan_metadata_carries_free_form_json_both_ways()
        {
            // Keys that are not XML names, escapes, a surrogate pair, every JSON kind, nesting.
            var metadata = new Dictionary<string, object>
            {
                ["subscription id"] = "9f0c-\"quoted\"\\ \u00e9\ud83d\ude00\n\u0001",
                [""] = new Dictionary<string, object> { ["1st"] = new List<object> { 1L, -2.5, true, false, null, "x" } },
                ["nested"] = new Dictionary<string, object> { ["deeper"] = new Dictionary<string, object> { ["n"] = 12345678901L } },
                ["empty"] = new Dictionary<string, object>(),
            };
            var request = ScanRequest(Env.Unique("meta"));
            request.Metadata = metadata;
            var submitted = await Pq.Scans.SubmitAsync(request);
            var got = await Pq.Scans.GetAsync(submitted.Id);
            foreach (var scan in new[] { submitted, got })
                Assert.True(SameJson(metadata, scan.Metadata), "metadata as sent: " + JsonTree.Write(scan.Metadata));
            Assert.Equal("{}", JsonTree.Write((await Pq.Scans.SubmitAsync(ScanRequest(Env.Unique("no-meta")))).Metadata), "no metadata reads back empty");
            request.Metadata = new Dictionary<string, object> { ["when"] = DateTime.UtcNow };
            Assert.Catches<PostQValidationException>(() => Pq.Scans.SubmitAsync(request).GetAwaiter().GetResult(), "a value JSON cannot carry");
        }

        // Structural equality of JSON trees (the server may order object keys differently).
        private static bool SameJson(object a, object b)
        {
            if (a is IDictionary<string, object> x && b is IDictionary<string, object> y)
                return x.Count == y.Count && x.All(kv => y.ContainsKey(kv.Key) && SameJson(kv.Value, y[kv.Key]));
            if (a is IList<object> l && b is IList<object> m)
                return l.Count == m.Count && l.Zip(m, SameJson).All(same => same);
            return Equals(a, b);
        }

        [Test]
        public static async Task Vault_seal_unseal_rotate_delete_without_leaking_values()
        {
            const string secret = "sk_live_dotnet_vault_secret";
            var cred = await Pq.Vault.SealAsync(new SealRequest
            {
                Name = Env.Unique("stripe"),
                CredentialType = "api_key",
                Values = new Dictionary<string, string> { { "key", secret } },
                TtlDays = 90,
            });
            Assert.True(cred.Id.StartsWith("cred_") && cred.Version == 1 && cred.Keys.SequenceEqual(new[] { "key" }), "sealed");
            var unsealed = await Pq.Vault.UnsealAsync(cred.Id);
            Assert.Equal(secret, unsealed.Values["key"], "unsealed");
            Assert.True(!unsealed.ToString().Contains(secret), "ToString never shows unsealed values");
            Assert.Equal(2, (await Pq.Vault.RotateAsync(cred.Id)).Version, "rotate");
            Assert.Equal(cred.Id, (await Pq.Vault.ListAsync(new ListQuery { Limit = 1 })).Data[0].Id, "list");
            using (var all = Pq.Vault.ListAll())
                Assert.True((await all.ToListAsync()).Any(c => c.Id == cred.Id), "list_all");
            Assert.True((await Pq.Vault.DeleteAsync(cred.Id)).DeletedValue, "delete");
            // The vault answers a uniform 403 for missing and forbidden credentials.
            var gone = await Assert.Throws<PostQPermissionException>(() => Pq.Vault.UnsealAsync(cred.Id), "deleted is gone");
            Assert.Equal("access_denied", gone.Code, "code");
        }

        [Test]
        public static async Task Rollovers_create_download_transition_rollback()
        {
            var scan = await Pq.Scans.SubmitAsync(ScanRequest("azure:contoso"));
            var created = await Pq.Rollovers.CreateAsync(new CreateRolloverRequest { FindingId = scan.Findings[0].Id, Hostname = "App.Contoso.Example" });
            Assert.True(created.Id.StartsWith("tlsr_") && created.Status == RolloverStatus.Planned, "created");
            Assert.Equal("app.contoso.example", created.Hostname, "hostname normalised");
            Assert.True(created.PrivateKeyPem.Contains("PRIVATE KEY") && !created.ToString().Contains("PRIVATE KEY"), "the one-shot key never in ToString");

            var report = PostQOffline.VerifyCertificate(Encoding.UTF8.GetBytes(created.CertificatePem), "app.contoso.example");
            Assert.True(report.Ok && report.Failure == null, "the sidecar verifies offline");
            Assert.Equal(SidecarCheck.HostnameOk, PostQOffline.VerifyCertificate(Encoding.UTF8.GetBytes(created.CertificatePem), "evil.example").Failure, "hostname bound");

            Assert.Equal(created.CertificatePem, (await Pq.Rollovers.GetAsync(created.Id)).CertificatePem, "get");
            Assert.Equal(created.Id, (await Pq.Rollovers.ListAsync(new ListQuery { Limit = 1 })).Data[0].Id, "list");
            using (var all = Pq.Rollovers.ListAll())
                Assert.True((await all.ToListAsync()).Any(r => r.Id == created.Id), "list_all");
            var artifact = await Pq.Rollovers.DownloadAsync(created.Id, "site.bicep");
            Assert.True(artifact.Body.Length > 0 && artifact.FileName.Contains("site.bicep"), "download: " + artifact);
            var dir = Path.Combine(Path.GetTempPath(), Env.Unique("postq-dotnet-artifacts"));
            try
            {
                var paths = await Pq.Rollovers.DownloadAllAsync(created.Id, dir);
                Assert.Equal(6, paths.Count, "download_all writes every artifact");
                Assert.True(paths.All(File.Exists), "the files exist");
            }
            finally
            {
                if (Directory.Exists(dir)) Directory.Delete(dir, true);
            }
            foreach (var to in new[] { RolloverStatus.Observation, RolloverStatus.Cutover, RolloverStatus.Completed })
                Assert.Equal(to, (await Pq.Rollovers.TransitionAsync(created.Id, to)).Status, "transition");
            Assert.Equal(RolloverStatus.RolledBack, (await Pq.Rollovers.RollbackAsync(created.Id)).Status, "rollback");
            await Assert.Throws<PostQConflictException>(() => Pq.Rollovers.RollbackAsync(created.Id), "a second rollback conflicts");
        }

        [Test]
        public static async Task Audit_ledger_chain_checkpoint_and_proofs()
        {
            await Pq.HybridKeys.CreateAsync(new CreateKeyRequest { Name = Env.Unique("audited") });
            var page = await Pq.Audit.ListAsync(new AuditQuery { Limit = 5 });
            Assert.True(page.Data.Count > 0, "list");
            var rows = new List<LedgerEntry>();
            using (var all = Pq.Audit.ListAll())
                rows = await all.ToListAsync();
            Assert.True(rows.Count >= page.Data.Count, "list_all");
            var chain = await Pq.Audit.VerifyChainAsync();
            Assert.True(chain.Ok && chain.Rows >= 2, "verify_chain: " + chain);

            var head = await Pq.Audit.CheckpointAsync();
            Assert.True(head.TreeSize >= 2 && head.Checkpoint.Length > 0, "checkpoint");
            Assert.True((await Pq.Audit.LedgerKeyAsync()).Origin.Length > 0, "ledger_key");
            var inclusion = await Pq.Audit.InclusionProofAsync(1, head.TreeSize);
            Assert.True(inclusion.LeafIndex == 0 && inclusion.TreeSize == head.TreeSize, "inclusion_proof");
            var consistency = await Pq.Audit.ConsistencyProofAsync(1, head.TreeSize);
            Assert.Equal(head.TreeSize, consistency.TreeSize2, "consistency_proof");

            var first = await Pq.Audit.WitnessAsync();
            Assert.True(first.Outcome == WitnessOutcome.First && first.KeySource == KeySource.TrustOnFirstUse, "witness starts: " + first);
            await Pq.HybridKeys.CreateAsync(new CreateKeyRequest { Name = Env.Unique("witnessed") });
            var next = await Pq.Audit.WitnessAsync(first.State);
            Assert.True(next.Outcome == WitnessOutcome.Extended && next.Checkpoint.TreeSize > first.Checkpoint.TreeSize, "witness extends: " + next);
        }
    }
}
