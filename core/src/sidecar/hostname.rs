//! One spelling per DNS name, so bindings are stable: lowercase IDNA A-labels.

use crate::{Error, Result};

/// Normalise a DNS name: IDNA A-label (punycode) form, lowercase, no trailing dot.
/// A leading `*.` wildcard label is kept.
pub fn normalize_hostname(name: &str) -> Result<String> {
    let trimmed = name.trim().trim_end_matches('.');
    let (wildcard, rest) = match trimmed.strip_prefix("*.") {
        Some(rest) => ("*.", rest),
        None => ("", trimmed),
    };
    if rest.is_empty() || rest.len() > 253 {
        return Err(Error::input("hostname", "must be 1-253 characters"));
    }
    let ascii = idna::domain_to_ascii_strict(rest).map_err(|_| {
        Error::input(
            "hostname",
            format!("`{}` is not a valid DNS name", name.escape_debug()),
        )
    })?;
    Ok(format!("{wildcard}{ascii}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercases_and_punycodes() {
        assert_eq!(
            normalize_hostname("App.Contoso.Example.").unwrap(),
            "app.contoso.example"
        );
        assert_eq!(
            normalize_hostname("bücher.example").unwrap(),
            "xn--bcher-kva.example"
        );
        assert_eq!(
            normalize_hostname("*.Example.com").unwrap(),
            "*.example.com"
        );
        assert!(normalize_hostname("").is_err());
        assert!(normalize_hostname("bad host").is_err());
    }
}
