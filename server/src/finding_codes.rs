//! The compatibility rule for findings from clients that predate finding codes: a
//! finding submitted without `code` whose title holds one of the rollover codes
//! (`TLS-1.0-MIN`, `TLS-1.1-MIN`, `HTTPS-NOT-ENFORCED`) as a whole token gets that
//! code. "App Service allows TLS-1.0-MIN" → `TLS-1.0-MIN`; "XTLS-1.0-MINX" → none.
//! The same rule back-fills findings stored before codes existed.

use postq::api::ROLLOVER_ELIGIBLE_CODES;

/// Characters that belong to a code-like token; anything else separates tokens.
fn is_token_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_')
}

/// The first rollover code the title holds as a whole token (any case; a token's
/// trailing full stops are sentence punctuation, not part of it).
pub(crate) fn code_from_title(title: &str) -> Option<&'static str> {
    title
        .split(|c: char| !is_token_char(c))
        .map(|token| token.trim_end_matches('.'))
        .find_map(|token| {
            ROLLOVER_ELIGIBLE_CODES
                .iter()
                .find(|code| code.eq_ignore_ascii_case(token))
                .copied()
        })
}

#[cfg(test)]
mod tests {
    use super::code_from_title;

    #[test]
    fn whole_tokens_only() {
        for (title, code) in [
            ("App Service allows TLS-1.0-MIN", Some("TLS-1.0-MIN")),
            ("TLS-1.1-MIN", Some("TLS-1.1-MIN")),
            (
                "https-not-enforced on app.contoso.example",
                Some("HTTPS-NOT-ENFORCED"),
            ),
            ("Minimum TLS is TLS-1.0-MIN.", Some("TLS-1.0-MIN")),
            ("(TLS-1.1-MIN) legacy clients", Some("TLS-1.1-MIN")),
            ("XTLS-1.0-MINX", None),
            ("TLS-1.0-MINIMUM", None),
            ("TLS-1.0-MIN-X", None),
            ("pre_TLS-1.0-MIN", None),
            ("RSA-2048 public key", None),
            ("", None),
        ] {
            assert_eq!(code_from_title(title), code, "{title}");
        }
    }

    #[test]
    fn the_first_code_wins() {
        assert_eq!(
            code_from_title("HTTPS-NOT-ENFORCED and TLS-1.0-MIN"),
            Some("HTTPS-NOT-ENFORCED")
        );
    }
}
