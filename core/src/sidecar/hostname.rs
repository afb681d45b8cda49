//! One spelling per DNS name, so bindings are stable: lowercase IDNA A-labels. Every
//! hostname rule of postq lives here.

use crate::{Error, Result};

/// Normalise a DNS name: IDNA A-label (punycode) form, lowercase, no trailing dot.
/// A leading `*.` wildcard label is kept. A name that ends in a number (`127.0.0.1`,
/// `0x7f.1`, `127.1`, `2130706433`, `example.0x10`) is refused: `inet_aton` and
/// browsers (the WHATWG URL host parser) read it as an IPv4 address, never a DNS name.
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
    if ends_in_a_number(&ascii) {
        return Err(Error::input(
            "hostname",
            format!(
                "`{}` is an IPv4 address, not a DNS name",
                name.escape_debug()
            ),
        ));
    }
    Ok(format!("{wildcard}{ascii}"))
}

/// The WHATWG URL standard's "ends in a number" check: the last label is decimal
/// digits, or `0x`/`0X` followed by hex digits. Such a host is parsed as IPv4 (in any
/// of `inet_aton`'s decimal, octal and hex forms) by browsers and resolvers alike.
fn ends_in_a_number(ascii_host: &str) -> bool {
    let last = ascii_host.rsplit('.').next().unwrap_or("");
    if !last.is_empty() && last.bytes().all(|b| b.is_ascii_digit()) {
        return true;
    }
    last.strip_prefix("0x")
        .or_else(|| last.strip_prefix("0X"))
        .is_some_and(|hex| hex.bytes().all(|b| b.is_ascii_hexdigit()))
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

    #[test]
    fn every_numeric_ipv4_form_is_refused() {
        for ip in [
            "127.0.0.1",
            "127.0.0.1.",
            "0x7f.1",
            "0X7F.0.0.1",
            "127.1",
            "0177.0.0.1",
            "2130706433",
            "0x7f000001",
            "017700000001",
            "127.0.1",
            "1.2.3.0x4",
            "0x",
            "1.2.3.08",
            "example.123",
            "example.0x10",
            "\u{ff11}\u{ff12}\u{ff17}.\u{ff10}.\u{ff10}.\u{ff11}",
        ] {
            assert!(normalize_hostname(ip).is_err(), "{ip}");
        }
        for name in [
            "0x7f.example",
            "127-0-0-1.example",
            "1.example",
            "a.b0x1",
            "x0x1",
        ] {
            assert!(normalize_hostname(name).is_ok(), "{name}");
        }
    }
}
