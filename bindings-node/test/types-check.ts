// Compile-time checks of the public types (tsc --noEmit --strict; never run).
import {
  PostQ,
  PostQError,
  PostQRateLimitError,
  PostQConnectionError,
  SealKey,
  seal,
  verifyLedgerChain,
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
