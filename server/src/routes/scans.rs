//! `POST /v1/scans`, `GET /v1/scans`, `GET /v1/scans/{id}`.

use axum::Json;
use axum::extract::{Path, State};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};
use utoipa::{IntoParams, ToSchema};

use super::{ApiJson, ApiQuery, check_text, page_limit, parse_include};
use super::{IdCursor, finish_page, id_cursor};
use crate::AppState;
use crate::auth::AuthContext;
use crate::error::{ApiError, ApiResult, ErrorEnvelope};
use crate::store::{FindingRow, NewFinding, NewScan, ScanRow};

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
pub enum RiskLevel {
    Critical,
    High,
    Medium,
    Low,
    #[default]
    Info,
}

#[derive(Debug, Clone, Copy, Default, Serialize, Deserialize, ToSchema, PartialEq, Eq)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    Critical,
    High,
    Medium,
    Low,
    #[default]
    Info,
}

fn enum_str<T: Serialize>(v: &T) -> String {
    serde_json::to_value(v)
        .ok()
        .and_then(|v| v.as_str().map(str::to_owned))
        .unwrap_or_default()
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct FindingInput {
    pub severity: Severity,
    /// Short label, e.g. "RSA-2048 public key" (1–512 characters).
    pub title: String,
    /// Optional longer detail (at most 8192 characters).
    pub description: Option<String>,
    /// Optional supporting data (at most 16384 characters).
    pub evidence: Option<String>,
}

#[derive(Debug, Deserialize, ToSchema)]
#[serde(rename_all = "camelCase", deny_unknown_fields)]
pub struct CreateScanRequest {
    /// `url`, `repo`, `k8s`, `cloud` or your own type (1–64 characters).
    #[serde(rename = "type")]
    #[schema(example = "url")]
    pub scan_type: String,
    /// Human-readable identifier: hostname, repo URL, cluster (1–2048 characters).
    #[schema(example = "example.com")]
    pub target: String,
    /// Aggregate score, 0–100.
    #[schema(example = 85, minimum = 0, maximum = 100)]
    pub risk_score: f64,
    pub risk_level: RiskLevel,
    /// Zero or more findings (at most 1000).
    #[serde(default)]
    pub findings: Vec<FindingInput>,
    /// Where the scan came from; defaults to `sdk`.
    pub source: Option<String>,
    /// Free-form key/value object (at most 16 KiB as JSON).
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Map<String, Value>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Finding {
    /// `fnd_…`; the TLS rollover routes reference findings by this id.
    pub id: String,
    pub severity: Severity,
    pub title: String,
    pub description: Option<String>,
    pub evidence: Option<String>,
}

/// A scan with its findings (`POST /v1/scans`, `GET /v1/scans/{id}`).
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct Scan {
    /// `scan_` + ULID: sortable by creation.
    #[schema(example = "scan_01JDQ3ZQ8J6V8X4K5N2M7P9R1T")]
    pub id: String,
    /// Dashboard permalink.
    pub url: String,
    #[serde(rename = "type")]
    pub scan_type: String,
    pub target: String,
    #[schema(value_type = f64)]
    pub risk_score: Value,
    pub risk_level: RiskLevel,
    pub source: String,
    #[schema(value_type = Object)]
    pub metadata: Value,
    pub findings: Vec<Finding>,
    /// RFC 3339 UTC, millisecond precision.
    pub created_at: String,
}

/// A scan in a list: no findings or metadata unless asked for with `?include=`.
#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanSummary {
    pub id: String,
    pub url: String,
    #[serde(rename = "type")]
    pub scan_type: String,
    pub target: String,
    #[schema(value_type = f64)]
    pub risk_score: Value,
    pub risk_level: RiskLevel,
    pub source: String,
    pub created_at: String,
    /// With `include=metadata` (or `all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    #[schema(value_type = Option<Object>)]
    pub metadata: Option<Value>,
    /// With `include=findings` (or `all`).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub findings: Option<Vec<Finding>>,
}

#[derive(Debug, Serialize, ToSchema)]
#[serde(rename_all = "camelCase")]
pub struct ScanList {
    pub data: Vec<ScanSummary>,
    /// Pass as `cursor` for the next page; `null` at the end.
    pub next_cursor: Option<String>,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Page size, 1–100 (default 50).
    pub limit: Option<i64>,
    /// Opaque cursor from a previous `nextCursor`.
    pub cursor: Option<String>,
    /// Extra fields per scan, comma-separated: `findings`, `metadata`, or `all`.
    pub include: Option<String>,
}

/// Scores are numbers; whole numbers are written without a fraction (`85`, not `85.0`).
fn score_value(score: f64) -> Value {
    if score.fract() == 0.0 {
        Value::from(score as i64)
    } else {
        serde_json::Number::from_f64(score).map_or(Value::Null, Value::Number)
    }
}

fn parse_enum<T: for<'de> Deserialize<'de> + Default>(s: &str) -> T {
    serde_json::from_value(Value::String(s.to_owned())).unwrap_or_default()
}

fn permalink(state: &AppState, id: &str) -> String {
    format!(
        "{}/scans/{id}",
        state.config.dashboard_url.trim_end_matches('/')
    )
}

fn to_finding(f: FindingRow) -> Finding {
    Finding {
        id: f.id,
        severity: parse_enum(&f.severity),
        title: f.title,
        description: f.description,
        evidence: f.evidence,
    }
}

fn to_scan(state: &AppState, s: ScanRow, findings: Vec<FindingRow>) -> Scan {
    Scan {
        url: permalink(state, &s.id),
        id: s.id,
        scan_type: s.scan_type,
        target: s.target,
        risk_score: score_value(s.risk_score),
        risk_level: parse_enum(&s.risk_level),
        source: s.source,
        metadata: s.metadata,
        findings: findings.into_iter().map(to_finding).collect(),
        created_at: s.created_at,
    }
}

fn validate(req: CreateScanRequest) -> Result<NewScan, ApiError> {
    check_text("type", &req.scan_type, 64)?;
    check_text("target", &req.target, 2048)?;
    if !req.risk_score.is_finite() || !(0.0..=100.0).contains(&req.risk_score) {
        return Err(ApiError::validation("riskScore must be between 0 and 100."));
    }
    let source = req.source.unwrap_or_else(|| "sdk".to_owned());
    check_text("source", &source, 64)?;
    if req.findings.len() > 1000 {
        return Err(ApiError::validation(
            "findings may hold at most 1000 items.",
        ));
    }
    let metadata = Value::Object(req.metadata.unwrap_or_default());
    if serde_json::to_vec(&metadata).map_or(0, |v| v.len()) > 16 * 1024 {
        return Err(ApiError::validation(
            "metadata must be at most 16 KiB as JSON.",
        ));
    }
    let mut findings = Vec::with_capacity(req.findings.len());
    for (i, f) in req.findings.into_iter().enumerate() {
        check_text(&format!("findings[{i}].title"), &f.title, 512)?;
        if f.description
            .as_ref()
            .is_some_and(|d| d.chars().count() > 8192)
        {
            return Err(ApiError::validation(format!(
                "findings[{i}].description must be at most 8192 characters."
            )));
        }
        if f.evidence
            .as_ref()
            .is_some_and(|e| e.chars().count() > 16384)
        {
            return Err(ApiError::validation(format!(
                "findings[{i}].evidence must be at most 16384 characters."
            )));
        }
        findings.push(NewFinding {
            severity: enum_str(&f.severity),
            title: f.title,
            description: f.description,
            evidence: f.evidence,
        });
    }
    Ok(NewScan {
        scan_type: req.scan_type,
        target: req.target,
        risk_score: req.risk_score,
        risk_level: enum_str(&req.risk_level),
        source,
        metadata,
        findings,
    })
}

/// Submit a scan result. Submitting the same type + target twice makes two records.
#[utoipa::path(post, path = "/v1/scans", tag = "scans", request_body = CreateScanRequest,
    security(("bearer" = []), ("apiKey" = [])),
    params(("Idempotency-Key" = Option<String>, Header, description = "Replay-safe retries")),
    responses(
        (status = 200, description = "The stored scan", body = Scan),
        (status = 400, description = "Validation failed", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing scans:write", body = ErrorEnvelope),
        (status = 409, description = "Idempotency-Key reused", body = ErrorEnvelope),
        (status = 413, description = "Body too large", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub async fn create_scan(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiJson(req): ApiJson<CreateScanRequest>,
) -> ApiResult<Json<Scan>> {
    auth.require("scans:write")?;
    let scan = validate(req)?;
    let (row, findings) = state.store.insert_scan(&auth.org_id, scan).await?;
    tracing::info!(scan_id = %row.id, findings = findings.len(), "scan stored");
    Ok(Json(to_scan(&state, row, findings)))
}

/// List scans, newest first, with keyset pagination (pages never reorder).
#[utoipa::path(get, path = "/v1/scans", tag = "scans", params(ListParams),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "A page of scans", body = ScanList),
        (status = 400, description = "Bad limit or cursor", body = ErrorEnvelope),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing scans:read", body = ErrorEnvelope),
        (status = 429, description = "Rate limited", body = ErrorEnvelope),
    ))]
pub async fn list_scans(
    State(state): State<AppState>,
    auth: AuthContext,
    ApiQuery(params): ApiQuery<ListParams>,
) -> ApiResult<Json<ScanList>> {
    auth.require("scans:read")?;
    let limit = page_limit(params.limit)?;
    let include = parse_include(params.include.as_deref(), &["findings", "metadata"])?;
    let before = id_cursor(params.cursor.as_deref(), "scan")?;
    let mut rows = state
        .store
        .list_scans(&auth.org_id, before.as_deref(), limit)
        .await?;
    let next_cursor = finish_page(&mut rows, limit, |r| IdCursor { id: r.id.clone() });
    let mut data = Vec::with_capacity(rows.len());
    for s in rows {
        let findings = if include.contains(&"findings") {
            let rows = state.store.scan_findings(&s.id).await?;
            Some(rows.into_iter().map(to_finding).collect())
        } else {
            None
        };
        data.push(ScanSummary {
            url: permalink(&state, &s.id),
            id: s.id,
            scan_type: s.scan_type,
            target: s.target,
            risk_score: score_value(s.risk_score),
            risk_level: parse_enum(&s.risk_level),
            source: s.source,
            created_at: s.created_at,
            metadata: include.contains(&"metadata").then_some(s.metadata),
            findings,
        });
    }
    Ok(Json(ScanList { data, next_cursor }))
}

/// Fetch one scan with all its findings.
#[utoipa::path(get, path = "/v1/scans/{id}", tag = "scans",
    params(("id" = String, Path, description = "scan_…")),
    security(("bearer" = []), ("apiKey" = [])),
    responses(
        (status = 200, description = "The scan", body = Scan),
        (status = 401, description = "Bad or missing API key", body = ErrorEnvelope),
        (status = 403, description = "Missing scans:read", body = ErrorEnvelope),
        (status = 404, description = "No such scan in your organisation", body = ErrorEnvelope),
    ))]
pub async fn get_scan(
    State(state): State<AppState>,
    auth: AuthContext,
    Path(id): Path<String>,
) -> ApiResult<Json<Scan>> {
    auth.require("scans:read")?;
    let (row, findings) = state
        .store
        .get_scan(&auth.org_id, &id)
        .await?
        .ok_or_else(|| ApiError::not_found("Scan"))?;
    Ok(Json(to_scan(&state, row, findings)))
}
