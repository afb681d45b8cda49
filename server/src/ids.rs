//! Identifiers and timestamps.
//!
//! Ids are a type prefix and a ULID (`scan_01J…`): 26 Crockford base32 characters that
//! sort in creation order. One process-wide generator makes them strictly increasing,
//! even within a millisecond and even if the wall clock steps back (it never goes below
//! the last id it issued, seeded at startup from the newest stored scan).

use std::sync::Mutex;
use time::OffsetDateTime;
use time::format_description::well_known::Rfc3339;
use ulid::Ulid;

static LAST: Mutex<u128> = Mutex::new(0);

/// Never issue an id at or below `seen` (used at startup with the newest stored id).
pub(crate) fn observe(id: &str) {
    if let Some(u) = id
        .rsplit('_')
        .next()
        .and_then(|s| Ulid::from_string(s).ok())
    {
        let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
        if u.0 > *last {
            *last = u.0;
        }
    }
}

/// A new, strictly increasing ULID.
pub(crate) fn ulid() -> Ulid {
    let fresh = Ulid::new().0;
    let mut last = LAST.lock().unwrap_or_else(|p| p.into_inner());
    let next = if fresh > *last {
        fresh
    } else {
        last.saturating_add(1)
    };
    *last = next;
    Ulid(next)
}

/// `prefix_` + a new ULID.
pub(crate) fn new_id(prefix: &str) -> String {
    format!("{prefix}_{}", ulid())
}

/// Whether `id` is `prefix_` followed by a well-formed ULID.
pub(crate) fn is_id(prefix: &str, id: &str) -> bool {
    id.strip_prefix(prefix)
        .and_then(|rest| rest.strip_prefix('_'))
        .is_some_and(|u| u.len() == 26 && Ulid::from_string(u).is_ok())
}

/// RFC 3339 UTC with millisecond precision and `Z`, e.g. `2026-11-22T06:30:00.123Z`.
pub(crate) fn format_ts(t: OffsetDateTime) -> String {
    let t = t.to_offset(time::UtcOffset::UTC);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        t.year(),
        u8::from(t.month()),
        t.day(),
        t.hour(),
        t.minute(),
        t.second(),
        t.millisecond()
    )
}

pub(crate) fn now() -> String {
    format_ts(OffsetDateTime::now_utc())
}

/// Parse an RFC 3339 timestamp given by a client (any offset) into our canonical form.
pub(crate) fn parse_ts(s: &str) -> Option<String> {
    OffsetDateTime::parse(s, &Rfc3339).ok().map(format_ts)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ids_strictly_increase_and_validate() {
        let a = new_id("scan");
        let b = new_id("scan");
        assert!(b > a);
        assert!(is_id("scan", &a));
        assert!(!is_id("scan", "scan_x"));
        assert!(!is_id("hk", &a));
    }

    #[test]
    fn timestamps_are_canonical() {
        assert_eq!(
            parse_ts("2026-11-22T07:30:00.5+01:00").as_deref(),
            Some("2026-11-22T06:30:00.500Z")
        );
        assert!(parse_ts("yesterday").is_none());
    }
}
