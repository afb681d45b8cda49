// Compile-time checks of the public types (tsc --noEmit --strict; never run).
import {
  PostQ,
  PostQError,
  PostQRateLimitError,
  PostQConnectionError,
  SealKey,
  seal,
  verifyLedgerChain,
  verifyCheckpoint,
  verifyInclusion,
  verifyConsistency,
  type WitnessResult,
  type SignedCheckpoint,
  type Page,
  type ScanSummary,
  type RolloverCreated,
  type AuditEntry,
} from "@postq/sdk";

export async function typeChecks(pq: PostQ): Promise<void> {
  const page: Page<ScanSummary> = await pq.scans.list({ limit: 10 });
  const next: string | null = page.nextCursor;
  void next;
  const created: RolloverCreated = await pq.rollovers.create({ findingId: "fnd_1", hostname: "a.example" });
  const key: string = created.privateKeyPem;
  void key;
  await pq.rollovers.transition(created.id, "observation");
  // @ts-expect-error not a rollover status
  await pq.rollovers.transition(created.id, "done");
  // @ts-expect-error riskLevel is a closed set
  await pq.scans.submit({ type: "url", target: "x", riskScore: 1, riskLevel: "Severe" });
  // @ts-expect-error keyId and publicKey are exclusive ways to verify
  await pq.verify({ payload: "x", signature: "s", offline: true, keyId: "hk_1" });
  const rows: AuditEntry[] = [];
  for await (const row of pq.audit.listAll({ since: new Date(0) })) rows.push(row);
  verifyLedgerChain(rows, { complete: true });
  const witnessed: WitnessResult = await pq.audit.witness();
  const again = await pq.audit.witness({ state: witnessed.state, ledgerKey: witnessed.ledgerKey });
  const outcome: "first" | "unchanged" | "extended" = again.outcome;
  void outcome;
  // @ts-expect-error outcome is a closed set
  const wrong: typeof again.outcome = "forked";
  void wrong;
  const held: SignedCheckpoint = verifyCheckpoint(again.ledgerKey, again.checkpoint);
  const proof = await pq.audit.inclusionProof({ seq: 1, treeSize: held.treeSize });
  verifyInclusion(rows[0], proof, { state: again.state });
  verifyInclusion(rows[0], proof, { ledgerKey: again.ledgerKey, checkpoint: held });
  // @ts-expect-error a state, or a ledger key with a checkpoint: not a state with a key
  verifyInclusion(rows[0], proof, { state: again.state, ledgerKey: again.ledgerKey });
  if (again.previous) verifyConsistency(again.ledgerKey, again.previous, held);
  const sk = SealKey.generate();
  const opened: Buffer = sk.open(seal(sk.publicKey, "secret", { aad: "cred_1" }), { aad: "cred_1" });
  void opened;
  try {
    await pq.health({ headers: { "X-PostQ-Fault": "status=429" }, maxRetries: 0 });
  } catch (e) {
    if (e instanceof PostQRateLimitError) {
      const s: number | undefined = e.retryAfter;
      void s;
    } else if (e instanceof PostQConnectionError || e instanceof PostQError) {
      const c: string = e.code;
      void c;
    }
  }
}
