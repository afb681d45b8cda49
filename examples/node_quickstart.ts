// postq Node quickstart (TypeScript): the PostQ API reference's snippets, typed against @postq/sdk.
// Run against a local reference server:
//   cargo run -p postq-server -- --memory          # prints the admin key and address
//   export POSTQ_API_KEY=pq_live_… POSTQ_BASE_URL=http://127.0.0.1:8787
// Type-checked by bindings-node/test/typecheck.test.mjs (tsc --noEmit --strict).
import {
  PostQ,
  PostQError,
  PostQRateLimitError,
  verifyOffline,
  verifyCertificate,
  type Scan,
  type VerifyResult,
} from "@postq/sdk";

async function main(): Promise<void> {
  const pq = new PostQ({ apiKey: process.env.POSTQ_API_KEY!, baseUrl: process.env.POSTQ_BASE_URL });

  // 1. Submit a scan.
  const result: Scan = await pq.scans.submit({
    type: "url",
    target: "example.com",
    riskScore: 85,
    riskLevel: "High",
    findings: [{ severity: "high", title: "RSA-2048 public key" }],
  });
  console.log(result.url);

  // Every scan, newest first, page by page.
  for await (const scan of pq.scans.listAll({ limit: 50 })) {
    console.log(scan.id, scan.riskLevel, scan.target);
  }

  // 2. A managed hybrid signing key (ML-DSA-65 + Ed25519).
  const key = await pq.hybridKeys.create({ name: "release-signing", algorithm: "mldsa65+ed25519" });

  // 3. Sign and verify.
  const { signature } = await pq.sign({ keyId: key.id, payload: new TextEncoder().encode("ship it") });
  const r: VerifyResult = await pq.verify({ keyId: key.id, payload: "ship it", signature });
  console.log(r.ok, r.classicalOk, r.pqOk);

  // 4. Offline, against the published public key: no network, no API key.
  const offline = verifyOffline({ publicKey: key.publicKey, payload: Buffer.from("ship it"), signature });
  console.log("offline ok:", offline.ok);

  // 5. Errors are classes.
  try {
    await pq.scans.get("scan_does_not_exist");
  } catch (e) {
    if (e instanceof PostQRateLimitError) console.log("retry after", e.retryAfter, "s");
    else if (e instanceof PostQError) console.log(e.status, e.code, e.requestId);
    else throw e;
  }

  // 6. The audit ledger verifies offline.
  const chain = await pq.audit.verifyChain();
  console.log("audit chain ok:", chain.ok, "rows:", chain.rows);

  // 7. A hybrid TLS certificate's sidecar, checked offline.
  const pem: string | undefined = process.env.POSTQ_CERT_PEM;
  if (pem) {
    const report = verifyCertificate(pem, { hostname: "app.contoso.example" });
    console.log("sidecar ok:", report.ok, report.failure ?? "");
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exitCode = 1;
});
