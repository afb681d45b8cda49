//! The risk score of one scanned target (`docs/scanning.md` "Risk score").
//!
//! `riskLevel` is the highest finding severity (Info when there is none).
//! `riskScore` = min(100, W(worst) + Σ W(other findings) / 10), with
//! W(critical) = 90, W(high) = 70, W(medium) = 40, W(low) = 15, W(info) = 0:
//! the worst finding sets the band and every further problem nudges the score up, so
//! two targets with the same worst finding still sort by how much else is wrong.

use super::{Finding, Severity};

/// The weight of one finding.
pub fn weight(severity: Severity) -> f64 {
    match severity {
        Severity::Critical => 90.0,
        Severity::High => 70.0,
        Severity::Medium => 40.0,
        Severity::Low => 15.0,
        Severity::Info => 0.0,
    }
}

/// The highest severity among the findings (Info when empty).
pub fn risk_level(findings: &[Finding]) -> Severity {
    findings
        .iter()
        .map(|f| f.severity)
        .max()
        .unwrap_or(Severity::Info)
}

/// 0–100, one decimal.
pub fn risk_score(findings: &[Finding]) -> f64 {
    let mut weights: Vec<f64> = findings.iter().map(|f| weight(f.severity)).collect();
    weights.sort_by(|a, b| b.total_cmp(a));
    let Some((worst, rest)) = weights.split_first() else {
        return 0.0;
    };
    let score = worst + rest.iter().sum::<f64>() / 10.0;
    (score.min(100.0) * 10.0).round() / 10.0
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::scan::{FindingCode, Location};

    fn f(code: FindingCode) -> Finding {
        Finding::new(
            code,
            "",
            "",
            Location::Named {
                name: "t".to_owned(),
            },
        )
    }

    #[test]
    fn formula() {
        assert_eq!(risk_score(&[]), 0.0);
        assert_eq!(risk_level(&[]), Severity::Info);
        assert_eq!(risk_score(&[f(FindingCode::KxPqHybrid)]), 0.0);
        assert_eq!(risk_score(&[f(FindingCode::Rsa2048)]), 70.0);
        let mixed = [
            f(FindingCode::Rsa2048),
            f(FindingCode::KxNotPq),
            f(FindingCode::CertSelfSigned),
        ];
        assert_eq!(risk_score(&mixed), 81.0); // 70 + (70 + 40) / 10
        assert_eq!(risk_level(&mixed), Severity::High);
        let worst = [
            f(FindingCode::Tls10Min),
            f(FindingCode::CertExpired),
            f(FindingCode::RsaWeak),
        ];
        assert_eq!(risk_score(&worst), 100.0);
        assert_eq!(risk_level(&worst), Severity::Critical);
    }
}
