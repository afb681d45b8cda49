//! The dashboard over real HTTP: sessions (cookie attributes, rotation, expiry by
//! revocation, one-time links), CSRF on every form post, escaping of user data, the
//! security headers, scopes deciding pages and buttons (forged posts refused), rate
//! limits, permalinks, and a rollover started, moved and rolled back from the pages.
//! The browser-level tests (real Chromium, axe-core) are server/tests/browser/.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use std::time::Duration;

use common::{Api, Reply};
use postq_server::{Config, RateLimits};
use reqwest::header::{COOKIE, LOCATION, SET_COOKIE};
use serde_json::{Value, json};

const CSP: &str = "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/// A browser without JavaScript: follows no redirects, keeps the session cookie.
struct Browser {
    http: reqwest::Client,
    base: String,
    session: Option<String>,
}

fn set_cookies(r: &Reply) -> Vec<String> {
    r.headers
        .get_all(SET_COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .map(str::to_owned)
        .collect()
}

/// `name=value` of the first `Set-Cookie` for `name`.
fn cookie_value(r: &Reply, name: &str) -> Option<String> {
    set_cookies(r).into_iter().find_map(|c| {
        let first = c.split(';').next()?.to_owned();
        let (k, v) = first.split_once('=')?;
        (k == name).then(|| v.to_owned())
    })
}

/// The value of the first `name="csrf"` field of a page.
fn csrf_of(html: &str) -> String {
    let marker = "name=\"csrf\" value=\"";
    let start = html.find(marker).expect("a csrf field") + marker.len();
    html[start..]
        .split('"')
        .next()
        .expect("csrf value")
        .to_owned()
}

impl Browser {
    fn new(api: &Api) -> Self {
        Self {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .timeout(Duration::from_secs(30))
                .no_proxy()
                .build()
                .unwrap(),
            base: api.base.clone(),
            session: None,
        }
    }

    fn cookie_header(&self, extra: Option<&str>) -> Option<String> {
        let mut parts: Vec<String> = Vec::new();
        if let Some(s) = &self.session {
            parts.push(format!("postq_session={s}"));
        }
        if let Some(e) = extra {
            parts.push(e.to_owned());
        }
        (!parts.is_empty()).then(|| parts.join("; "))
    }

    async fn get(&self, path: &str) -> Reply {
        let mut req = self.http.get(format!("{}{path}", self.base));
        if let Some(c) = self.cookie_header(None) {
            req = req.header(COOKIE, c);
        }
        common::reply(req.send().await.unwrap()).await
    }

    async fn post(&self, path: &str, form: &[(&str, &str)], headers: &[(&str, &str)]) -> Reply {
        self.post_with_cookie(path, form, headers, None).await
    }

    async fn post_with_cookie(
        &self,
        path: &str,
        form: &[(&str, &str)],
        headers: &[(&str, &str)],
        extra_cookie: Option<&str>,
    ) -> Reply {
        let mut req = self
            .http
            .post(format!("{}{path}", self.base))
            .header("content-type", "application/x-www-form-urlencoded")
            .body(serde_urlencoded_pairs(form));
        if let Some(c) = self.cookie_header(extra_cookie) {
            req = req.header(COOKIE, c);
        }
        for (n, v) in headers {
            req = req.header(*n, *v);
        }
        common::reply(req.send().await.unwrap()).await
    }

    /// Sign in through the form; returns the `POST /signin` reply.
    async fn sign_in(&mut self, key: &str) -> Reply {
        let form = self.get("/signin").await;
        assert_eq!(form.status, 200, "{}", form.text);
        let token = cookie_value(&form, "postq_signin").expect("sign-in form cookie");
        let csrf = csrf_of(&form.text);
        assert_eq!(csrf, token);
        let r = self
            .post_with_cookie(
                "/signin",
                &[("api_key", key), ("csrf", &csrf), ("next", "/")],
                &[],
                Some(&format!("postq_signin={token}")),
            )
            .await;
        if let Some(s) = cookie_value(&r, "postq_session").filter(|s| !s.is_empty()) {
            self.session = Some(s);
        }
        r
    }

    /// A page's CSRF token (from its sign-out form).
    async fn csrf(&self) -> String {
        csrf_of(&self.get("/").await.text)
    }
}

fn serde_urlencoded_pairs(form: &[(&str, &str)]) -> String {
    form.iter()
        .map(|(k, v)| format!("{}={}", percent_encode(k), percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-_.~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

fn location(r: &Reply) -> String {
    r.headers
        .get(LOCATION)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default()
        .to_owned()
}

#[track_caller]
fn assert_page(r: &Reply, status: u16) {
    assert_eq!(r.status, status, "{}", r.text);
    assert_eq!(
        r.header("content-type").as_deref(),
        Some("text/html; charset=utf-8"),
        "{}",
        r.text
    );
}

async fn submit(api: &Api, key: &str, body: &Value) -> Value {
    api.post(key, "/v1/scans", body).await.ok().clone()
}

fn cloud_scan(target: &str) -> Value {
    json!({
        "type": "cloud", "target": target, "riskScore": 72, "riskLevel": "High",
        "findings": [
            {"severity": "critical", "title": "TLS 1.0 accepted", "code": "TLS-1.0-MIN",
             "evidence": "minTlsVersion=1.0"},
            {"severity": "medium", "title": "RSA-2048 certificate", "code": "RSA-2048"}
        ]
    })
}

#[tokio::test]
async fn sign_in_sets_a_strict_http_only_session_rotated_at_every_sign_in() {
    let api = Api::memory().await;
    let mut b = Browser::new(&api);

    let bad = b
        .sign_in("pq_live_000000000000000000000000000000000000000000000000")
        .await;
    assert_page(&bad, 401);
    assert!(bad.text.contains("Invalid or expired API key."));
    assert!(cookie_value(&bad, "postq_session").is_none());
    assert!(
        !bad.text.contains("pq_live_0000"),
        "the key is never echoed"
    );

    let ok = b.sign_in(&api.admin).await;
    assert_eq!(ok.status, 303, "{}", ok.text);
    assert_eq!(location(&ok), "/");
    let set = set_cookies(&ok)
        .into_iter()
        .find(|c| c.starts_with("postq_session="))
        .unwrap();
    assert!(
        set.contains("; HttpOnly") && set.contains("; SameSite=Strict") && set.contains("; Path=/"),
        "{set}"
    );
    assert!(!set.contains("Secure"), "plain http: no Secure ({set})");
    let first = b.session.clone().unwrap();
    assert_eq!(first.len(), 64);

    let overview = b.get("/").await;
    assert_page(&overview, 200);
    assert!(overview.text.contains("<h1>Overview</h1>"));
    // Neither the API key nor the session token is ever in a page.
    assert!(!overview.text.contains(&api.admin));
    assert!(!overview.text.contains(&first));

    // Signing in again (with the old cookie) gives a new token and ends the old one.
    let again = b.sign_in(&api.admin).await;
    assert_eq!(again.status, 303);
    let second = b.session.clone().unwrap();
    assert_ne!(first, second);
    let stale = Browser {
        session: Some(first),
        ..Browser::new(&api)
    };
    let r = stale.get("/").await;
    assert_eq!(r.status, 303);
    assert!(location(&r).starts_with("/signin"));
    assert!(
        set_cookies(&r)
            .iter()
            .any(|c| c.starts_with("postq_session=;") && c.contains("Max-Age=0"))
    );
    api.shutdown().await;
}

#[tokio::test]
async fn signed_out_pages_redirect_to_sign_in_and_back() {
    let api = Api::memory().await;
    let b = Browser::new(&api);
    let r = b.get("/scans/scan_01JA?x=1").await;
    assert_eq!(r.status, 303);
    assert_eq!(location(&r), "/signin?next=%2Fscans%2Fscan_01JA%3Fx%3D1");
    // A post without a session is sent to sign in too, never run.
    let r = b.post("/signout", &[("csrf", "x")], &[]).await;
    assert_eq!(r.status, 303);
    // `next` cannot leave the site.
    let mut b = Browser::new(&api);
    let form = b.get("/signin?next=//evil.example/").await;
    assert!(
        form.text.contains("name=\"next\" value=\"/\""),
        "{}",
        form.text
    );
    let token = cookie_value(&form, "postq_signin").unwrap();
    let r = b
        .post_with_cookie(
            "/signin",
            &[
                ("api_key", &api.admin),
                ("csrf", &token),
                ("next", "https://evil.example/"),
            ],
            &[],
            Some(&format!("postq_signin={token}")),
        )
        .await;
    assert_eq!(location(&r), "/");
    // A sign-in form post without its token cookie is refused.
    b.session = None;
    let r = b
        .post("/signin", &[("api_key", &api.admin), ("csrf", &token)], &[])
        .await;
    assert_page(&r, 403);
    assert!(cookie_value(&r, "postq_session").is_none());
    api.shutdown().await;
}

#[tokio::test]
async fn every_form_post_needs_the_sessions_csrf_token() {
    let api = Api::memory().await;
    let mut alice = Browser::new(&api);
    alice.sign_in(&api.admin).await;
    let mut bob = Browser::new(&api);
    bob.sign_in(&api.key("default", &["scans:read"]).await)
        .await;
    let bobs = bob.csrf().await;
    let alices = alice.csrf().await;
    assert_ne!(alices, bobs);

    for (form, headers) in [
        (vec![], vec![]),
        (vec![("csrf", "")], vec![]),
        (vec![("csrf", bobs.as_str())], vec![]),
        (
            vec![("csrf", alices.as_str())],
            vec![("origin", "http://evil.example")],
        ),
        (
            vec![("csrf", alices.as_str())],
            vec![("sec-fetch-site", "cross-site")],
        ),
    ] {
        let r = alice.post("/signout", &form, &headers).await;
        assert_page(&r, 403);
        assert!(alice.get("/").await.status == 200, "still signed in");
    }
    let host = api.base.trim_start_matches("http://").to_owned();
    let origin = format!("http://{host}");
    let r = alice
        .post("/signout", &[("csrf", &alices)], &[("origin", &origin)])
        .await;
    assert_eq!(r.status, 303);
    assert_eq!(location(&r), "/signin");
    assert!(set_cookies(&r).iter().any(|c| c.contains("Max-Age=0")));
    let after = alice.get("/").await;
    assert_eq!(after.status, 303, "the session ended on the server");
    api.shutdown().await;
}

#[tokio::test]
async fn user_data_is_escaped_everywhere() {
    let api = Api::memory().await;
    let payload = "<script>alert(1)</script>";
    let attr = "\"><img src=x onerror=alert(2)>";
    let scan = submit(
        &api,
        &api.admin,
        &json!({
            "type": "url", "target": payload, "riskScore": 90, "riskLevel": "Critical",
            "findings": [{"severity": "high", "title": attr, "description": payload,
                          "evidence": "</pre><script>alert(3)</script>"}],
            "metadata": {"note": payload}
        }),
    )
    .await;
    let mut b = Browser::new(&api);
    b.sign_in(&api.admin).await;
    let id = scan["id"].as_str().unwrap();
    for path in [
        format!("/scans/{id}"),
        "/".to_owned(),
        "/targets".to_owned(),
        format!(
            "/targets/history?type=url&target={}",
            percent_encode(payload)
        ),
    ] {
        let r = b.get(&path).await;
        assert_page(&r, 200);
        assert!(!r.text.contains("<script"), "{path}: {}", r.text);
        assert!(!r.text.contains("<img src=x"), "{path}");
        assert!(
            r.text.contains("&#60;script&#62;alert(1)&#60;/script&#62;"),
            "{path}: {}",
            r.text
        );
    }
    api.shutdown().await;
}

#[tokio::test]
async fn every_dashboard_response_carries_the_security_headers() {
    let api = Api::memory().await;
    let mut b = Browser::new(&api);
    b.sign_in(&api.admin).await;
    for path in [
        "/signin",
        "/",
        "/targets",
        "/scans/scan_nope",
        "/static/dashboard.css",
        "/audit",
    ] {
        let r = b.get(path).await;
        assert_eq!(
            r.header("content-security-policy").as_deref(),
            Some(CSP),
            "{path}"
        );
        assert_eq!(
            r.header("x-frame-options").as_deref(),
            Some("DENY"),
            "{path}"
        );
        assert_eq!(
            r.header("x-content-type-options").as_deref(),
            Some("nosniff")
        );
        assert_eq!(r.header("referrer-policy").as_deref(), Some("same-origin"));
        if path.ends_with(".css") {
            assert_eq!(
                r.header("content-type").as_deref(),
                Some("text/css; charset=utf-8")
            );
        } else {
            assert_eq!(
                r.header("cache-control").as_deref(),
                Some("no-store"),
                "{path}"
            );
            // No inline script or style anywhere: the CSP would refuse them.
            for bad in ["<script", "<style", " style=\"", " onclick=", " onerror="] {
                assert!(!r.text.contains(bad), "{path}: {bad}");
            }
        }
    }
    let missing = b.get("/scans/scan_nope").await;
    assert_page(&missing, 404);
    assert!(missing.text.contains("Scan not found."));
    api.shutdown().await;
}

#[tokio::test]
async fn scopes_decide_pages_buttons_and_forged_posts() {
    let api = Api::memory().await;
    let scan = submit(&api, &api.admin, &cloud_scan("azure:contoso")).await;
    let finding = scan["findings"][0]["id"].as_str().unwrap().to_owned();
    let scan_id = scan["id"].as_str().unwrap().to_owned();
    let created = api
        .post(
            &api.admin,
            "/v1/mitigations/tls-rollover",
            &json!({"findingId": finding, "hostname": "app.contoso.example"}),
        )
        .await;
    let rollover = created.ok()["id"].as_str().unwrap().to_owned();

    // The default read scopes: everything visible, nothing movable.
    let mut reader = Browser::new(&api);
    reader.sign_in(&api.key("default", &[]).await).await;
    let page = reader.get(&format!("/scans/{scan_id}")).await;
    assert_page(&page, 200);
    assert!(!page.text.contains("Hybrid TLS rollover</button>"));
    assert!(page.text.contains("lacks <code>rollover:write</code>"));
    let page = reader.get(&format!("/rollovers/{rollover}")).await;
    assert_page(&page, 200);
    assert!(!page.text.contains("Move to") && !page.text.contains("Roll back"));
    // A forged post with the reader's own valid CSRF token: the API's scope check says no.
    let csrf = reader.csrf().await;
    for path in [
        format!("/rollovers/{rollover}/transition"),
        format!("/rollovers/{rollover}/rollback"),
        format!("/scans/{scan_id}/findings/{finding}/rollover"),
    ] {
        let r = reader
            .post(
                &path,
                &[
                    ("csrf", &csrf),
                    ("to", "observation"),
                    ("hostname", "x.example"),
                ],
                &[],
            )
            .await;
        assert_page(&r, 403);
        assert!(
            r.text.contains("lacks the `sign:write` scope"),
            "{}",
            r.text
        );
    }
    let now = api
        .get(
            &api.admin,
            &format!("/v1/mitigations/tls-rollover/{rollover}"),
        )
        .await;
    assert_eq!(now.ok()["status"], "planned");
    // The vault page needs vault:read, refused as the API refuses it (and recorded).
    let r = reader.get("/vault").await;
    assert_page(&r, 403);
    assert!(r.text.contains("Access denied."));
    let denied = api
        .get(&api.admin, "/v1/audit?eventType=vault.denied")
        .await;
    assert_eq!(denied.ok()["data"].as_array().unwrap().len(), 1);

    // A key with rollover:write (and nothing about signing) sees and uses the buttons.
    let mut mover = Browser::new(&api);
    mover
        .sign_in(
            &api.key(
                "default",
                &["scans:read", "rollover:read", "rollover:write"],
            )
            .await,
        )
        .await;
    let page = mover.get(&format!("/rollovers/{rollover}")).await;
    assert!(page.text.contains("Move to observation"), "{}", page.text);
    // Pages the key cannot read are not linked, and answer 403.
    assert!(!page.text.contains("href=\"/keys\""));
    assert_page(&mover.get("/keys").await, 403);
    api.shutdown().await;
}

#[tokio::test]
async fn a_rollover_starts_moves_and_rolls_back_from_the_pages() {
    let api = Api::memory().await;
    let scan = submit(&api, &api.admin, &cloud_scan("azure:contoso")).await;
    let scan_id = scan["id"].as_str().unwrap();
    let weak = scan["findings"][0]["id"].as_str().unwrap();
    let other = scan["findings"][1]["id"].as_str().unwrap();
    let mut b = Browser::new(&api);
    b.sign_in(&api.admin).await;

    let page = b.get(&format!("/scans/{scan_id}")).await;
    let action = format!("/scans/{scan_id}/findings/{weak}/rollover");
    assert!(
        page.text.contains(&format!("action=\"{action}\"")),
        "{}",
        page.text
    );
    assert!(
        !page.text.contains(&format!("findings/{other}/rollover")),
        "RSA-2048 is not eligible"
    );
    let csrf = csrf_of(&page.text);

    // Not eligible, and not a finding of this scan: refused like the API refuses.
    let r = b
        .post(
            &format!("/scans/{scan_id}/findings/{other}/rollover"),
            &[("csrf", &csrf), ("hostname", "a.example")],
            &[],
        )
        .await;
    assert_page(&r, 400);
    let r = b
        .post(
            &format!("/scans/{scan_id}/findings/fnd_01JAAAAAAAAAAAAAAAAAAAAAAA/rollover"),
            &[("csrf", &csrf), ("hostname", "a.example")],
            &[],
        )
        .await;
    assert_page(&r, 404);

    let bundle = b
        .post(
            &action,
            &[
                ("csrf", &csrf),
                ("hostname", "App.Contoso.Example"),
                ("observation_window_hours", ""),
            ],
            &[],
        )
        .await;
    assert_page(&bundle, 200);
    assert_eq!(
        bundle.header("cache-control").as_deref(),
        Some("no-store, max-age=0")
    );
    assert!(bundle.text.contains("-----BEGIN PRIVATE KEY-----"));
    assert!(bundle.text.contains("shown once"));
    assert!(bundle.text.contains("download=\"postq-hybrid.key\""));
    assert!(bundle.text.contains("download=\"bundle.sh\""));
    let list = api.get(&api.admin, "/v1/mitigations/tls-rollover").await;
    let rollover = list.ok()["data"][0].clone();
    let id = rollover["id"].as_str().unwrap().to_owned();
    assert_eq!(rollover["hostname"], "app.contoso.example");

    // Its page: the state machine, the next step and a rollback; never the key again.
    let page = b.get(&format!("/rollovers/{id}")).await;
    assert!(page.text.contains("Move to observation"));
    assert!(!page.text.contains("PRIVATE KEY"));
    let csrf = csrf_of(&page.text);
    let r = b
        .post(
            &format!("/rollovers/{id}/transition"),
            &[("csrf", &csrf), ("to", "observation")],
            &[],
        )
        .await;
    assert_eq!(r.status, 303, "{}", r.text);
    assert_eq!(location(&r), format!("/rollovers/{id}"));
    // The same step again is the API's 409, naming the current status.
    let r = b
        .post(
            &format!("/rollovers/{id}/transition"),
            &[("csrf", &csrf), ("to", "observation")],
            &[],
        )
        .await;
    assert_page(&r, 409);
    assert!(r.text.contains("Current status: observation"), "{}", r.text);
    let page = b.get(&format!("/rollovers/{id}")).await;
    assert!(page.text.contains("Move to cutover"));
    let r = b
        .post(
            &format!("/rollovers/{id}/rollback"),
            &[("csrf", &csrf)],
            &[],
        )
        .await;
    assert_eq!(r.status, 303);
    let page = b.get(&format!("/rollovers/{id}")).await;
    assert!(page.text.contains("id=\"current-status\">rolled_back<"));
    assert!(!page.text.contains("Move to") && !page.text.contains(">Roll back<"));

    // Artifacts download as files; the ledger has every step, and its badge says so.
    let r = b
        .get(&format!("/rollovers/{id}/download?artifact=rollback.sh"))
        .await;
    assert_eq!(r.status, 200);
    assert!(
        r.header("content-disposition")
            .unwrap()
            .contains("attachment")
    );
    let audit = b.get("/audit").await;
    assert!(audit.text.contains("Chain verified"), "{}", audit.text);
    assert!(audit.text.contains("Checkpoint verified"), "{}", audit.text);
    for event in [
        "rollover.create",
        "rollover.transition",
        "rollover.rollback",
    ] {
        assert!(audit.text.contains(event), "{event}");
    }
    api.shutdown().await;
}

#[tokio::test]
async fn overview_targets_keys_and_vault_show_the_organisations_data() {
    let api = Api::memory().await;
    let kx = |target: &str, code: &str, risk: u32, level: &str| {
        json!({"type": "url", "target": target, "riskScore": risk, "riskLevel": level,
               "findings": [{"severity": "info", "title": code, "code": code}]})
    };
    submit(&api, &api.admin, &kx("a.example", "KX-NOT-PQ", 80, "High")).await;
    submit(
        &api,
        &api.admin,
        &kx("a.example", "KX-PQ-HYBRID", 10, "Low"),
    )
    .await;
    submit(&api, &api.admin, &kx("b.example", "KX-NOT-PQ", 85, "High")).await;
    let other_org = api.key("other", &["scans:write"]).await;
    submit(
        &api,
        &other_org,
        &kx("secret.example", "KX-NOT-PQ", 99, "Critical"),
    )
    .await;
    let key = api
        .post(&api.admin, "/v1/keys", &json!({"name": "release-signing"}))
        .await;
    let key_id = key.ok()["id"].as_str().unwrap().to_owned();
    api.post(&api.admin, "/v1/vault/credentials",
        &json!({"name": "stripe", "credentialType": "api_key", "values": {"secret": "sk_live_do_not_show"}}))
        .await
        .ok();

    let mut b = Browser::new(&api);
    b.sign_in(&api.admin).await;
    let o = b.get("/").await;
    assert_page(&o, 200);
    // a.example's newest scan negotiates a hybrid group, b.example's does not: 1 of 2.
    assert!(o.text.contains("50% (1 of 2)"), "{}", o.text);
    // Keys: 1 of 1 hybrid; (40·0.5 + 10·1) / 50 = 60.
    assert!(
        o.text.contains("<span class=\"score-value\">60</span>"),
        "{}",
        o.text
    );
    assert!(
        o.text
            .contains("1 target whose newest scan is Critical or High")
    );
    assert!(
        o.text
            .contains("<svg role=\"img\" aria-label=\"Mean risk score")
    );
    assert!(
        !o.text.contains("secret.example"),
        "another organisation's data"
    );

    let t = b.get("/targets").await;
    assert!(
        t.text.contains("2 scans") && t.text.contains("1 scan<"),
        "{}",
        t.text
    );
    assert!(
        t.text
            .contains("aria-label=\"Risk trend of the last 2 scans\"")
    );
    assert!(!t.text.contains("secret.example"));

    let k = b.get(&format!("/keys/{key_id}")).await;
    assert!(
        k.text
            .contains(&format!("/keys/{key_id}/public?format=jwk&#38;version=1")),
        "{}",
        k.text
    );
    let jwk = b
        .get(&format!("/keys/{key_id}/public?format=jwk&version=1"))
        .await;
    assert_eq!(jwk.status, 200);
    assert!(
        jwk.header("content-disposition")
            .unwrap()
            .contains(&format!("{key_id}-v1.jwks.json"))
    );
    assert!(jwk.body["keys"].is_array());

    let v = b.get("/vault").await;
    assert_page(&v, 200);
    assert!(v.text.contains("stripe") && v.text.contains("secret"));
    assert!(
        !v.text.contains("sk_live_do_not_show"),
        "values never reach the page"
    );
    api.shutdown().await;
}

#[tokio::test]
async fn pages_share_the_apis_rate_limits() {
    let api = Api::start(Config {
        rate_limits: RateLimits {
            scans_write: 100,
            read: 3,
            write: 100,
        },
        ..Config::in_memory()
    })
    .await;
    let mut b = Browser::new(&api);
    b.sign_in(&api.admin).await;
    for _ in 0..3 {
        assert_eq!(b.get("/").await.status, 200);
    }
    let limited = b.get("/targets").await;
    assert_page(&limited, 429);
    assert!(limited.header("retry-after").is_some());
    // The same bucket as the API's reads with that key.
    api.get(&api.admin, "/v1/scans")
        .await
        .assert_error(429, "rate_limited");
    api.shutdown().await;
}

#[tokio::test]
async fn permalinks_point_at_the_dashboard_and_https_makes_cookies_secure() {
    let api = Api::memory().await;
    let scan = submit(&api, &api.admin, &common::scan_body("example.com")).await;
    let url = scan["url"].as_str().unwrap();
    assert_eq!(
        url,
        format!("{}/scans/{}", api.base, scan["id"].as_str().unwrap())
    );
    let mut b = Browser::new(&api);
    b.sign_in(&api.admin).await;
    let page = b.get(url.trim_start_matches(&api.base)).await;
    assert_page(&page, 200);
    assert!(page.text.contains("example.com"));
    api.shutdown().await;

    let api = Api::start(Config {
        dashboard_url: Some("https://dash.example/".into()),
        ..Config::in_memory()
    })
    .await;
    let scan = submit(&api, &api.admin, &common::scan_body("example.com")).await;
    assert!(
        scan["url"]
            .as_str()
            .unwrap()
            .starts_with("https://dash.example/scans/scan_")
    );
    let form = Browser::new(&api).get("/signin").await;
    let set = set_cookies(&form).join("\n");
    assert!(
        set.starts_with("__Host-postq_signin=") && set.contains("; Secure"),
        "{set}"
    );
    api.shutdown().await;
}

#[tokio::test]
async fn one_time_links_sign_in_once_and_revoked_keys_end_sessions() {
    let api = Api::memory().await;
    let key = api
        .running
        .create_api_key("default", &["scans:read"])
        .await
        .unwrap();
    let link = api.running.signin_link(&key.key).await.unwrap();
    assert!(link.starts_with(&format!("{}/signin/link?token=", api.base)));
    assert!(api.running.signin_link("pq_live_nope").await.is_err());
    let path = link.trim_start_matches(&api.base).to_owned();
    let b = Browser::new(&api);
    let first = b.get(&path).await;
    assert_eq!(first.status, 303);
    assert_eq!(location(&first), "/");
    let session = cookie_value(&first, "postq_session").unwrap();
    let again = b.get(&path).await;
    assert_page(&again, 401);
    assert!(again.text.contains("already used"));

    let signed_in = Browser {
        session: Some(session),
        ..Browser::new(&api)
    };
    assert_eq!(signed_in.get("/").await.status, 200);
    api.running.revoke_api_key(&key.id).await.unwrap();
    let r = signed_in.get("/").await;
    assert_eq!(r.status, 303, "a revoked key's session ends");
    api.shutdown().await;
}

#[tokio::test]
async fn the_audit_badge_shows_a_tampered_chain() {
    let dir = tempfile::tempdir().unwrap();
    let api = Api::start(Config::with_data_dir(dir.path())).await;
    let admin = api.admin.clone();
    for name in ["a", "b", "c"] {
        api.post(&admin, "/v1/keys", &json!({"name": name}))
            .await
            .ok();
    }
    let mut b = Browser::new(&api);
    b.sign_in(&admin).await;
    let audit = b.get("/audit").await;
    assert!(audit.text.contains("Chain verified") && audit.text.contains("Checkpoint verified"));
    api.shutdown().await;

    // Rewrite a row in SQLite behind the server's back.
    let pool = sqlx::sqlite::SqlitePoolOptions::new()
        .max_connections(1)
        .connect_with(
            sqlx::sqlite::SqliteConnectOptions::new().filename(dir.path().join("postq.db")),
        )
        .await
        .unwrap();
    let n = sqlx::query("UPDATE ledger SET actor = 'apikey:someone-else' WHERE seq = 2")
        .execute(&pool)
        .await
        .unwrap();
    assert_eq!(n.rows_affected(), 1);
    pool.close().await;

    let api = Api::start(Config::with_data_dir(dir.path())).await;
    let mut b = Browser::new(&api);
    b.sign_in(&admin).await;
    let audit = b.get("/audit").await;
    assert_page(&audit, 200);
    assert!(audit.text.contains("Chain broken"), "{}", audit.text);
    assert!(
        audit.text.contains("at seq 2") && audit.text.contains("hash_mismatch"),
        "{}",
        audit.text
    );
    assert!(
        !audit.text.contains("Checkpoint verified"),
        "{}",
        audit.text
    );
    api.shutdown().await;
}
