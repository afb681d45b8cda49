//! ConfigMaps: certificates and keys pasted into `data` or `binaryData`, which escape
//! audits that look at Secrets only. ConfigMaps are not secret (readable with `get
//! configmaps`, not encrypted at rest), so a private key here is exposed.

use super::{context, data_entries};
use crate::scan::classify::{classify_material, might_hold_material};
use crate::scan::k8s::{K8sScanner, Object};

pub(in crate::scan::k8s) fn scan(scanner: &mut K8sScanner, object: &Object) -> bool {
    for (key, bytes) in data_entries(object, &["binaryData"], &["data"]) {
        let Ok(bytes) = bytes else {
            continue;
        };
        // DER starts with a SEQUENCE tag; most values are neither that nor text with
        // key material markers, and cost one search.
        if bytes.first() != Some(&0x30) && !might_hold_material(&bytes) {
            continue;
        }
        let ctx = context(scanner, object, &key, "in a ConfigMap");
        let found = classify_material(&bytes, Some(&key), &ctx);
        scanner.findings.extend(found.findings);
        scanner.assets.extend(found.assets);
    }
    true
}
