//! The checkpoint body (C2SP `tlog-checkpoint`, `docs/formats.md` §7): origin, tree size
//! and root hash, one per line.

use std::fmt;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

use super::tree::NodeHash;
use crate::{Error, Result};

/// Longest origin accepted.
pub const ORIGIN_LIMIT: usize = 255;

/// The name of one organisation's log: `<log name>/audit/<orgId>`. Printable ASCII
/// without `+`, so it is also a valid signed-note key name.
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct Origin(String);

impl Origin {
    /// Check an origin read from elsewhere (a checkpoint, a key, a state file).
    pub fn new(text: &str) -> Result<Self> {
        let printable = text
            .bytes()
            .all(|b| (0x21..=0x7e).contains(&b) && b != b'+');
        if text.is_empty() || text.len() > ORIGIN_LIMIT || !printable {
            return Err(Error::input(
                "origin",
                format!(
                    "must be 1-{ORIGIN_LIMIT} printable ASCII characters without spaces or '+'"
                ),
            ));
        }
        Ok(Origin(text.to_owned()))
    }

    /// The origin of an organisation's ledger on the server called `log_name`.
    pub fn for_org(log_name: &str, org_id: &str) -> Result<Self> {
        crate::hybrid::check_key_id(org_id).map_err(|_| {
            Error::input(
                "organisation id",
                "must be 1-128 characters of [A-Za-z0-9_.:-]",
            )
        })?;
        if log_name.is_empty() || log_name.ends_with('/') {
            return Err(Error::input(
                "log name",
                "must be a non-empty name such as a host name",
            ));
        }
        Origin::new(&format!("{log_name}/audit/{org_id}"))
    }

    /// The text.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl Serialize for Origin {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        serializer.serialize_str(&self.0)
    }
}

impl<'de> Deserialize<'de> for Origin {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        let text = std::borrow::Cow::<'de, str>::deserialize(deserializer)?;
        Origin::new(&text).map_err(serde::de::Error::custom)
    }
}

/// A tree head: the log, its size and its root. Unsigned; see [`super::LedgerKey`] for
/// signing and verifying.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Checkpoint {
    /// Which log.
    pub origin: Origin,
    /// Number of leaves (rows).
    pub size: u64,
    /// `MTH` at that size.
    pub root: NodeHash,
}

impl Checkpoint {
    /// The note text: `origin\nsize\nb64(root)\n`.
    pub fn body(&self) -> String {
        format!("{}\n{}\n{}\n", self.origin, self.size, self.root)
    }

    /// Parse a note text strictly: exactly the three lines, no extension lines.
    pub fn parse_body(text: &str) -> Result<Self> {
        const WHAT: &str = "checkpoint";
        let lines = text
            .strip_suffix('\n')
            .ok_or_else(|| Error::input(WHAT, "must end in a newline"))?;
        let mut lines = lines.split('\n');
        let (Some(origin), Some(size), Some(root), None) =
            (lines.next(), lines.next(), lines.next(), lines.next())
        else {
            return Err(Error::input(
                WHAT,
                "must be exactly three lines: origin, tree size, root hash",
            ));
        };
        let canonical_number = size == "0" || (!size.starts_with('0') && !size.is_empty());
        if !canonical_number || !size.bytes().all(|b| b.is_ascii_digit()) {
            return Err(Error::input(
                WHAT,
                "tree size must be a decimal without leading zeros",
            ));
        }
        let size = size
            .parse::<u64>()
            .map_err(|_| Error::input(WHAT, "tree size does not fit 64 bits"))?;
        Ok(Checkpoint {
            origin: Origin::new(origin)?,
            size,
            root: NodeHash::from_base64(root)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn body_round_trips_and_bad_bodies_are_refused() {
        let checkpoint = Checkpoint {
            origin: Origin::for_org("postq.example", "org_acme").unwrap(),
            size: 11,
            root: NodeHash::empty_tree(),
        };
        let body = checkpoint.body();
        assert_eq!(
            body,
            "postq.example/audit/org_acme\n11\n47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=\n"
        );
        assert_eq!(Checkpoint::parse_body(&body).unwrap(), checkpoint);
        let root = "47DEQpj8HBSa+/TImW+5JCeuQeRkm5NMpJWZG3hSuFU=";
        for bad in [
            format!("o\n11\n{root}"),
            format!("o\n011\n{root}\n"),
            format!("o\n+11\n{root}\n"),
            format!("o\n\n{root}\n"),
            format!("o\n18446744073709551616\n{root}\n"),
            format!("o\n11\n{root}\nextension\n"),
            "o\n11\nAAAA\n".to_owned(),
            format!("o o\n11\n{root}\n"),
            format!("\n11\n{root}\n"),
        ] {
            assert!(Checkpoint::parse_body(&bad).is_err(), "{bad:?}");
        }
        assert!(Checkpoint::parse_body(&format!("o\n0\n{root}\n")).is_ok());
        assert!(Origin::for_org("postq.example", "org acme").is_err());
        assert!(Origin::new("a+b").is_err());
    }
}
