using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;

namespace PostQ
{
    // The API's resources. Each method is one command of the common layer: it builds the
    // command's (generated) argument model and hands it to the client; nothing else.

    /// <summary>Scans: submit results, list and fetch them.</summary>
    public sealed class Scans
    {
        private readonly PostQClient client;

        internal Scans(PostQClient client)
        {
            this.client = client;
        }

        /// <summary>Submit a scan result (scope <c>scans:write</c>).</summary>
        public Task<Scan> SubmitAsync(CreateScanRequest request, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<CreateScanRequest, Scan>(Ops.ScansSubmit, request, options, cancellationToken);

        /// <summary>One page of scan summaries, newest first.</summary>
        public Task<Page<ScanSummary>> ListAsync(ListQuery query = null, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<ListQuery, Page<ScanSummary>>(Ops.ScansList, query ?? new ListQuery(), options, cancellationToken);

        /// <summary>Every scan summary, page by page as you move.</summary>
        public PostQPager<ScanSummary> ListAll(ListQuery query = null, PostQCallOptions options = null) =>
            client.Stream<ListQuery, ScanSummary>(Ops.ScansListAll, query ?? new ListQuery(), options);

        /// <summary>One scan with its findings.</summary>
        public Task<Scan> GetAsync(string id, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<IdArgs, Scan>(Ops.ScansGet, new IdArgs { Id = id }, options, cancellationToken);
    }

    /// <summary>Managed hybrid (ML-DSA-65 + Ed25519) signing keys.</summary>
    public sealed class HybridKeys
    {
        private readonly PostQClient client;

        internal HybridKeys(PostQClient client)
        {
            this.client = client;
        }

        /// <summary>Create a key (scope <c>keys:write</c>).</summary>
        public Task<HybridKey> CreateAsync(CreateKeyRequest request, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<CreateKeyRequest, HybridKey>(Ops.KeysCreate, request, options, cancellationToken);

        /// <summary>One page of keys.</summary>
        public Task<Page<HybridKey>> ListAsync(ListQuery query = null, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<ListQuery, Page<HybridKey>>(Ops.KeysList, query ?? new ListQuery(), options, cancellationToken);

        /// <summary>Every key, page by page as you move.</summary>
        public PostQPager<HybridKey> ListAll(ListQuery query = null, PostQCallOptions options = null) =>
            client.Stream<ListQuery, HybridKey>(Ops.KeysListAll, query ?? new ListQuery(), options);

        /// <summary>One key.</summary>
        public Task<HybridKey> GetAsync(string id, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<IdArgs, HybridKey>(Ops.KeysGet, new IdArgs { Id = id }, options, cancellationToken);

        /// <summary>A key version's published public key (latest when <paramref name="version"/> is null), for offline verification.</summary>
        public Task<PublicKeyInfo> PublicKeyAsync(string id, int? version = null, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<PublicKeyArgs, PublicKeyInfo>(Ops.KeysPublicKey, new PublicKeyArgs { Id = id, Version = version }, options, cancellationToken);

        /// <summary>Add a new version; older versions keep verifying down to <c>MinVersion</c>.</summary>
        public Task<HybridKey> RotateAsync(string id, RotateKeyRequest request = null, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<RotateKeyArgs, HybridKey>(Ops.KeysRotate, new RotateKeyArgs { Id = id, Request = request ?? new RotateKeyRequest() }, options, cancellationToken);

        /// <summary>Raise the minimum version that still verifies.</summary>
        public Task<HybridKey> UpdateAsync(string id, UpdateKeyRequest request, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<UpdateKeyArgs, HybridKey>(Ops.KeysUpdate, new UpdateKeyArgs { Id = id, Request = request }, options, cancellationToken);
    }

    /// <summary>The post-quantum credential vault. Unsealed values never appear in <c>ToString()</c>.</summary>
    public sealed class Vault
    {
        private readonly PostQClient client;

        internal Vault(PostQClient client)
        {
            this.client = client;
        }

        /// <summary>Seal a credential's values (scope <c>vault:write</c>).</summary>
        public Task<Credential> SealAsync(SealRequest request, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<SealRequest, Credential>(Ops.VaultSeal, request, options, cancellationToken);

        /// <summary>One page of credentials (metadata only).</summary>
        public Task<Page<Credential>> ListAsync(ListQuery query = null, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<ListQuery, Page<Credential>>(Ops.VaultList, query ?? new ListQuery(), options, cancellationToken);

        /// <summary>Every credential, page by page as you move.</summary>
        public PostQPager<Credential> ListAll(ListQuery query = null, PostQCallOptions options = null) =>
            client.Stream<ListQuery, Credential>(Ops.VaultListAll, query ?? new ListQuery(), options);

        /// <summary>Unseal a credential's values (scope <c>vault:unseal</c>; audited).</summary>
        public Task<UnsealedCredential> UnsealAsync(string id, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<IdArgs, UnsealedCredential>(Ops.VaultUnseal, new IdArgs { Id = id }, options, cancellationToken);

        /// <summary>Re-seal under a fresh data key.</summary>
        public Task<Credential> RotateAsync(string id, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<IdArgs, Credential>(Ops.VaultRotate, new IdArgs { Id = id }, options, cancellationToken);

        /// <summary>Delete a credential.</summary>
        public Task<Deleted> DeleteAsync(string id, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<IdArgs, Deleted>(Ops.VaultDelete, new IdArgs { Id = id }, options, cancellationToken);
    }

    /// <summary>Hybrid TLS rollovers. The one-shot private key of a new rollover never appears in <c>ToString()</c>.</summary>
    public sealed class Rollovers
    {
        private readonly PostQClient client;

        internal Rollovers(PostQClient client)
        {
            this.client = client;
        }

        /// <summary>Start a rollover for a host (scope <c>rollovers:write</c>).</summary>
        public Task<RolloverCreated> CreateAsync(CreateRolloverRequest request, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<CreateRolloverRequest, RolloverCreated>(Ops.RolloversCreate, request, options, cancellationToken);

        /// <summary>One page of rollovers.</summary>
        public Task<Page<Rollover>> ListAsync(ListQuery query = null, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<ListQuery, Page<Rollover>>(Ops.RolloversList, query ?? new ListQuery(), options, cancellationToken);

        /// <summary>Every rollover, page by page as you move.</summary>
        public PostQPager<Rollover> ListAll(ListQuery query = null, PostQCallOptions options = null) =>
            client.Stream<ListQuery, Rollover>(Ops.RolloversListAll, query ?? new ListQuery(), options);

        /// <summary>One rollover.</summary>
        public Task<Rollover> GetAsync(string id, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<IdArgs, Rollover>(Ops.RolloversGet, new IdArgs { Id = id }, options, cancellationToken);

        /// <summary>Move to the next status (<c>deploying</c>, <c>observing</c>, <c>completed</c>).</summary>
        public Task<Rollover> TransitionAsync(string id, RolloverStatus to, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<TransitionArgs, Rollover>(Ops.RolloversTransition, new TransitionArgs { Id = id, Request = new TransitionRequest { To = to } }, options, cancellationToken);

        /// <summary>Roll back to the previous certificate.</summary>
        public Task<Rollover> RollbackAsync(string id, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<IdArgs, Rollover>(Ops.RolloversRollback, new IdArgs { Id = id }, options, cancellationToken);

        /// <summary>Download one artifact (<c>certificate</c>, <c>chain</c>, <c>sidecar</c>, …) as bytes.</summary>
        public async Task<Artifact> DownloadAsync(string id, string artifact, PostQCallOptions options = null, CancellationToken cancellationToken = default)
        {
            var done = await client.RunRaw(Ops.RolloversDownload, new DownloadArgs { Id = id, Artifact = artifact }, options, cancellationToken).ConfigureAwait(false);
            return new Artifact(Json.Deserialize<ArtifactInfo>(done.Json), done.Bytes);
        }

        /// <summary>Download every artifact into <paramref name="directory"/>; the paths written.</summary>
        public Task<List<string>> DownloadAllAsync(string id, string directory, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<DownloadAllArgs, List<string>>(Ops.RolloversDownloadAll, new DownloadAllArgs { Id = id, Dir = directory }, options, cancellationToken);
    }

    /// <summary>The tamper-evident audit ledger.</summary>
    public sealed class Audit
    {
        private readonly PostQClient client;

        internal Audit(PostQClient client)
        {
            this.client = client;
        }

        /// <summary>One page of ledger entries.</summary>
        public Task<Page<LedgerEntry>> ListAsync(AuditQuery query = null, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<AuditQuery, Page<LedgerEntry>>(Ops.AuditList, query ?? new AuditQuery(), options, cancellationToken);

        /// <summary>Every ledger entry, page by page as you move.</summary>
        public PostQPager<LedgerEntry> ListAll(AuditQuery query = null, PostQCallOptions options = null) =>
            client.Stream<AuditQuery, LedgerEntry>(Ops.AuditListAll, query ?? new AuditQuery(), options);

        /// <summary>Fetch the entries and verify their hash chain locally.</summary>
        public Task<ChainReport> VerifyChainAsync(AuditQuery query = null, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<AuditQuery, ChainReport>(Ops.AuditVerifyChain, query ?? new AuditQuery(), options, cancellationToken);

        /// <summary>The ledger's latest signed checkpoint.</summary>
        public Task<SignedCheckpoint> CheckpointAsync(PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<NoArgs, SignedCheckpoint>(Ops.AuditCheckpoint, new NoArgs(), options, cancellationToken);

        /// <summary>The key that signs checkpoints.</summary>
        public Task<LedgerKey> LedgerKeyAsync(PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<NoArgs, LedgerKey>(Ops.AuditLedgerKey, new NoArgs(), options, cancellationToken);

        /// <summary>Proof that entry <paramref name="seq"/> is in the tree of <paramref name="treeSize"/> entries.</summary>
        public Task<InclusionProof> InclusionProofAsync(long seq, long treeSize, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<InclusionProofArgs, InclusionProof>(Ops.AuditInclusionProof, new InclusionProofArgs { Seq = seq, TreeSize = treeSize }, options, cancellationToken);

        /// <summary>
        /// Advance a witness of the ledger: verify the latest checkpoint's signatures and
        /// prove it consistent with <paramref name="state"/> (the <c>State</c> a previous call
        /// returned; null starts one, pinning <paramref name="ledgerKey"/> or, when null, the
        /// key the server publishes). A fork or shrink is a <see cref="PostQException"/>.
        /// </summary>
        public Task<WitnessResult> WitnessAsync(string state = null, LedgerKey ledgerKey = null, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<WitnessArgs, WitnessResult>(Ops.AuditWitness, new WitnessArgs { State = state, LedgerKey = ledgerKey }, options, cancellationToken);

        /// <summary>Proof that the tree of <paramref name="treeSize1"/> entries is a prefix of the one of <paramref name="treeSize2"/>.</summary>
        public Task<ConsistencyProof> ConsistencyProofAsync(long treeSize1, long treeSize2, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<ConsistencyProofArgs, ConsistencyProof>(Ops.AuditConsistencyProof, new ConsistencyProofArgs { TreeSize1 = treeSize1, TreeSize2 = treeSize2 }, options, cancellationToken);
    }

    /// <summary>Reports from in-cluster agents.</summary>
    public sealed class Ingest
    {
        private readonly PostQClient client;

        internal Ingest(PostQClient client)
        {
            this.client = client;
        }

        /// <summary>Post one Kubernetes cluster report (what <c>postq agent</c> sends; scope
        /// <c>scans:write</c>): recorded as a <c>k8s</c> scan from the agent. Retries reuse one
        /// idempotency key, so a retry records one scan.</summary>
        public Task<Scan> KubernetesAsync(IngestKubernetesRequest report, PostQCallOptions options = null, CancellationToken cancellationToken = default) =>
            client.Run<IngestKubernetesRequest, Scan>(Ops.IngestKubernetes, report, options, cancellationToken);
    }
}
