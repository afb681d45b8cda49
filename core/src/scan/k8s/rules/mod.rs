//! The rules, one module per family of objects. Each `scan`-like function returns
//! whether it examined the object (false: not a kind or type it judges).

pub(super) mod cert_manager;
pub(super) mod configmap;
pub(super) mod ingress;
pub(super) mod mesh;
pub(super) mod secret;

use base64::Engine as _;
use serde_json::Value;

use super::Object;
use crate::scan::classify::ClassifyContext;

/// The context findings about `field` of `object` are made in.
fn context(
    scanner: &super::K8sScanner,
    object: &Object,
    field: &str,
    kept: &'static str,
) -> ClassifyContext {
    let mut ctx = ClassifyContext::new(object.location(Some(field)));
    ctx.now = scanner.now;
    ctx.kept = kept;
    ctx
}

/// The entries of a Secret's or ConfigMap's `data` / `binaryData` (base64) and
/// `stringData` (text), decoded. A value that is not base64 is reported by key.
fn data_entries(
    object: &Object,
    base64_maps: &[&str],
    text_maps: &[&str],
) -> Vec<(String, Result<Vec<u8>, String>)> {
    let mut out = Vec::new();
    for (map, encoded) in base64_maps
        .iter()
        .map(|m| (m, true))
        .chain(text_maps.iter().map(|m| (m, false)))
    {
        let Some(entries) = object.body.get(*map).and_then(Value::as_object) else {
            continue;
        };
        for (key, value) in entries {
            let Some(text) = value.as_str() else {
                out.push((key.clone(), Err(format!("{map}.{key} is not a string"))));
                continue;
            };
            let bytes = if encoded {
                base64::engine::general_purpose::STANDARD
                    .decode(text.trim())
                    .map_err(|_| format!("{map}.{key} is not base64"))
            } else {
                Ok(text.as_bytes().to_vec())
            };
            out.push((key.clone(), bytes));
        }
    }
    out
}
