// The dashboard in a real browser: Debian's chromium driven by playwright-core against
// the real reference server (the postq-server binary, a fresh data dir), axe-core run in
// every page, a screenshot of every page. Run by run.sh (which installs what it needs).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawn, execFileSync } from "node:child_process";
import { mkdtempSync, mkdirSync, readFileSync, rmSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { chromium } from "playwright-core";

const require = createRequire(import.meta.url);
const AXE_SOURCE = readFileSync(require.resolve("axe-core/axe.min.js"), "utf8");
const SERVER_BIN = process.env.POSTQ_SERVER_BIN;
const SHOTS = process.env.POSTQ_SCREENSHOTS || join(tmpdir(), "postq-dashboard-screenshots");
const CHROMIUM = process.env.POSTQ_CHROMIUM || "/usr/bin/chromium";
// The flags that work on this kind of machine (root, no network but loopback).
const FLAGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];
const XSS = "<script>alert(1)</script>";

let server, dataDir, base, admin, reader, browser;
const seeded = {};

/** Start the server binary on a free port and read its bootstrap key and address. */
function startServer() {
  dataDir = mkdtempSync(join(tmpdir(), "postq-dash-"));
  const child = spawn(SERVER_BIN, [
    "--data-dir", dataDir, "--listen", "127.0.0.1:0",
    "--rate-limits", "scans_write=1000,read=5000,write=1000",
  ], { stdio: ["ignore", "pipe", "inherit"], env: { ...process.env, POSTQ_SERVER_LOG: "warn" } });
  return new Promise((resolve, reject) => {
    let out = "";
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const key = out.match(/shown once:\n(pq_live_[0-9a-f]+)/);
      const url = out.match(/listening on (http:\/\/127\.0\.0\.1:\d+)/);
      if (key && url) {
        clearTimeout(timer);
        resolve({ child, key: key[1], url: url[1] });
      }
    });
    child.on("exit", (code) => reject(new Error(`server exited ${code}:\n${out}`)));
  });
}

async function api(method, path, body, key = admin) {
  const res = await fetch(base + path, {
    method,
    headers: { authorization: `Bearer ${key}`, "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = await res.json();
  assert.ok(res.ok, `${method} ${path}: ${res.status} ${JSON.stringify(json)}`);
  return json;
}

async function seed() {
  const kx = (code, risk, level) => ({
    type: "url", target: "example.com", riskScore: risk, riskLevel: level, source: "ci",
    findings: [
      { severity: "high", title: "RSA-2048 public key", code: "RSA-2048", evidence: "CN=example.com, RSA 2048" },
      { severity: level === "Low" ? "info" : "high", title: code, code },
    ],
  });
  await api("POST", "/v1/scans", kx("KX-NOT-PQ", 85, "High"));
  seeded.web = await api("POST", "/v1/scans", kx("KX-PQ-HYBRID", 35, "Low"));
  seeded.cloud = await api("POST", "/v1/scans", {
    type: "cloud", target: "azure:contoso-prod", riskScore: 72, riskLevel: "High", source: "agent",
    findings: [
      { severity: "critical", title: "TLS 1.0 accepted on app.contoso.example", code: "TLS-1.0-MIN",
        description: "The App Service's minimum TLS version is 1.0.", evidence: "minTlsVersion: 1.0" },
      { severity: "medium", title: "RSA-2048 certificate", code: "RSA-2048" },
    ],
  });
  seeded.xss = await api("POST", "/v1/scans", {
    type: "repo", target: XSS, riskScore: 50, riskLevel: "Medium",
    findings: [{ severity: "low", title: `"><img src=x onerror=alert(2)>`, evidence: XSS }],
  });
  seeded.key = await api("POST", "/v1/keys", { name: "release-signing" });
  await api("POST", `/v1/keys/${seeded.key.id}/rotate`, {});
  await api("POST", "/v1/vault/credentials", {
    name: "stripe-production-key", credentialType: "api_key",
    values: { secret: "sk_live_never_on_a_page" }, ttlDays: 90,
  });
}

before(async () => {
  assert.ok(SERVER_BIN, "POSTQ_SERVER_BIN names the postq-server binary (run.sh sets it)");
  mkdirSync(SHOTS, { recursive: true });
  const started = await startServer();
  server = started.child;
  base = started.url;
  admin = started.key;
  reader = execFileSync(SERVER_BIN, ["--data-dir", dataDir, "keys", "create", "--org", "default"], {
    encoding: "utf8", stdio: ["ignore", "pipe", "ignore"],
  }).trim();
  await seed();
  browser = await chromium.launch({ executablePath: CHROMIUM, args: FLAGS, headless: true });
});

after(async () => {
  await browser?.close();
  server?.kill("SIGTERM");
  if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  console.log(`screenshots: ${SHOTS}`);
});

/** A fresh browser context whose pages record CSP violations and dialogs. */
async function newPage() {
  const context = await browser.newContext({ acceptDownloads: true, viewport: { width: 1280, height: 900 } });
  const page = await context.newPage();
  page.problems = [];
  page.on("console", (msg) => {
    if (/Content Security Policy|Refused to/i.test(msg.text())) page.problems.push(`CSP: ${msg.text()}`);
  });
  page.on("pageerror", (err) => page.problems.push(`page error: ${err.message}`));
  page.on("dialog", async (d) => {
    page.problems.push(`dialog: ${d.message()}`);
    await d.dismiss();
  });
  return page;
}

/** axe-core in the page: no serious or critical violations; then a screenshot. */
async function check(page, name) {
  await page.evaluate(AXE_SOURCE);
  const violations = await page.evaluate(async () => {
    // eslint-disable-next-line no-undef
    const result = await axe.run(document, { resultTypes: ["violations"] });
    return result.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map((v) => `${v.id} (${v.impact}): ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
  });
  assert.deepEqual(violations, [], `${name}: accessibility violations`);
  assert.deepEqual(page.problems, [], `${name}: CSP violations, script errors or dialogs`);
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: true });
}

async function signIn(page, key) {
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/signin\?next=/);
  await page.getByLabel("API key", { exact: true }).fill(key);
  await page.getByRole("button", { name: "Sign in" }).click();
  await page.waitForURL(`${base}/`);
}

test("an admin signs in, reads every page, rolls a site over and signs out", async () => {
  const page = await newPage();
  await page.goto(`${base}/signin`);
  await check(page, "01-signin");
  await signIn(page, admin);

  // Overview: findings by severity, the readiness score, the risk chart.
  await assert.doesNotReject(page.getByRole("heading", { name: "Overview", level: 1 }).waitFor());
  assert.match(await page.locator(".score-value").innerText(), /^\d+$/);
  assert.equal(await page.locator('figure.chart svg[role="img"]').count(), 1);
  assert.ok((await page.locator("figure.chart svg polyline, figure.chart svg circle").count()) > 0);
  await check(page, "02-overview");

  // The permalink the API returned opens the scan page.
  await page.goto(seeded.web.url);
  assert.equal(page.url(), seeded.web.url);
  assert.equal(await page.locator("h1").innerText(), "example.com");
  assert.ok(await page.getByText("CN=example.com, RSA 2048").isVisible());
  await check(page, "03-scan");

  // Targets: the two example.com scans are one group with a trend line.
  await page.goto(`${base}/targets`);
  const group = page.locator("section.target", { hasText: "example.com" });
  assert.match(await group.innerText(), /2 scans/);
  assert.equal(await group.locator('.trend svg[role="img"]').count(), 1);
  await check(page, "04-targets");
  await group.getByRole("link", { name: "example.com" }).click();
  await page.waitForURL(/\/targets\/history\?/);
  assert.equal(await page.locator("tbody tr").count(), 2);
  await check(page, "05-target-history");

  // The XSS payload is text, nowhere markup.
  await page.goto(seeded.xss.url);
  assert.equal(await page.locator("h1").innerText(), XSS);
  assert.equal(await page.locator("main script, main img").count(), 0);
  assert.equal(await page.locator("pre.evidence").first().innerText(), XSS);

  // The Hybrid TLS rollover from the eligible finding: the one-shot bundle.
  await page.goto(seeded.cloud.url);
  const weak = page.locator("li.finding", { hasText: "TLS-1.0-MIN" });
  await weak.getByLabel("Hostname").fill("app.contoso.example");
  await weak.getByRole("button", { name: "Hybrid TLS rollover" }).click();
  await page.waitForURL(/\/rollover$/);
  assert.match(await page.locator("h1").innerText(), /app\.contoso\.example/);
  assert.match(await page.locator(".warning").innerText(), /shown once/);
  await check(page, "06-rollover-bundle");
  const [download] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "postq-hybrid.key" }).click(),
  ]);
  assert.equal(download.suggestedFilename(), "postq-hybrid.key");
  const keyPem = readFileSync(await download.path(), "utf8");
  assert.match(keyPem, /^-----BEGIN PRIVATE KEY-----/);
  const [bundleDownload] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "postq-app.contoso.example-bundle.json" }).click(),
  ]);
  const bundle = JSON.parse(readFileSync(await bundleDownload.path(), "utf8"));
  assert.equal(bundle.privateKeyPem, keyPem);
  assert.equal(bundle.hostname, "app.contoso.example");
  assert.ok(bundle.files["bundle.sh"].includes("az "));

  // Its page: the state machine; one step forward, then a rollback.
  await page.getByRole("link", { name: bundle.id }).click();
  await page.waitForURL(`${base}/rollovers/${bundle.id}`);
  assert.equal(await page.locator("#current-status").innerText(), "planned");
  assert.equal(await page.locator('svg.state-machine g.state').count(), 5);
  await page.getByRole("button", { name: "Move to observation" }).click();
  await page.waitForURL(`${base}/rollovers/${bundle.id}`);
  assert.equal(await page.locator("#current-status").innerText(), "observation");
  await check(page, "07-rollover");
  await page.getByRole("button", { name: "Roll back" }).click();
  await page.waitForURL(`${base}/rollovers/${bundle.id}`);
  assert.equal(await page.locator("#current-status").innerText(), "rolled_back");
  assert.equal(await page.getByRole("button", { name: /Move to|Roll back/ }).count(), 0);
  const stored = await api("GET", `/v1/mitigations/tls-rollover/${bundle.id}`);
  assert.equal(stored.status, "rolled_back");
  await page.goto(`${base}/rollovers`);
  await check(page, "08-rollovers");

  // Keys: versions, fingerprints, the public key as a JWK Set.
  await page.goto(`${base}/keys`);
  await check(page, "09-keys");
  await page.getByRole("link", { name: "release-signing" }).click();
  assert.equal(await page.locator("tbody tr").count(), 2);
  const [jwk] = await Promise.all([
    page.waitForEvent("download"),
    page.getByRole("link", { name: "JWK" }).first().click(),
  ]);
  assert.ok(Array.isArray(JSON.parse(readFileSync(await jwk.path(), "utf8")).keys));
  await check(page, "10-key");

  // Vault metadata without values; the audit ledger verified by core's verifier.
  await page.goto(`${base}/vault`);
  assert.match(await page.locator("main").innerText(), /stripe-production-key/);
  assert.doesNotMatch(await page.content(), /sk_live_never_on_a_page/);
  await check(page, "11-vault");
  await page.goto(`${base}/audit`);
  assert.match(await page.locator("#chain-verdict").innerText(), /Chain verified/);
  assert.match(await page.locator("#checkpoint-verdict").innerText(), /Checkpoint verified/);
  await check(page, "12-audit");

  // Sign out: the session is gone.
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.waitForURL(/\/signin$/);
  await page.goto(`${base}/`);
  assert.match(page.url(), /\/signin\?next=/);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});

test("a read-only key sees no buttons and a forged post is refused", async () => {
  const page = await newPage();
  await signIn(page, reader);
  await page.goto(seeded.cloud.url);
  assert.equal(await page.getByRole("button", { name: "Hybrid TLS rollover" }).count(), 0);
  assert.match(await page.locator("main").innerText(), /lacks rollover:write/);
  const finding = seeded.cloud.findings[0].id;
  const { id } = await api("POST", "/v1/mitigations/tls-rollover", { findingId: finding, hostname: "www.contoso.example" });
  await page.goto(`${base}/rollovers/${id}`);
  assert.equal(await page.getByRole("button", { name: /Move to|Roll back/ }).count(), 0);
  await check(page, "13-rollover-read-only");
  // The reader's own valid CSRF token, posted by hand: the scope check answers 403.
  const csrf = await page.locator('input[name="csrf"]').first().inputValue();
  for (const [path, form] of [
    [`/rollovers/${id}/rollback`, { csrf }],
    [`/rollovers/${id}/transition`, { csrf, to: "observation" }],
    [`/scans/${seeded.cloud.id}/findings/${finding}/rollover`, { csrf, hostname: "x.example" }],
  ]) {
    const res = await page.request.post(base + path, { form, maxRedirects: 0 });
    assert.equal(res.status(), 403, `${path}: ${await res.text()}`);
  }
  // …and without the token, 403 before anything else is looked at.
  const res = await page.request.post(`${base}/rollovers/${id}/rollback`, { form: {}, maxRedirects: 0 });
  assert.equal(res.status(), 403);
  assert.deepEqual(page.problems, []);
  await page.context().close();
});
