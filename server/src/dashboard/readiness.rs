//! The quantum-readiness score of the overview (docs/dashboard.md, "Readiness score").
//!
//! Four shares, each in 0..=1, over what the organisation's data shows:
//!
//! | component | weight | share |
//! |---|---|---|
//! | endpoints | 40 | targets whose newest scan reports a key-exchange code, that negotiate a PQ hybrid group (`KX-PQ-HYBRID`) |
//! | certificates | 30 | targets whose newest scan reports a certificate/key code, that are hybrid-bound or post-quantum (`CERT-HYBRID-BOUND`, `PQ-KEY`) rather than only quantum-vulnerable |
//! | keys | 10 | managed signing keys that are hybrid (ML-DSA-65 + Ed25519) |
//! | rollovers | 20 | hybrid TLS rollovers that reached `completed` (rolled-back ones count against) |
//!
//! score = round(100 × Σ weight·share ÷ Σ weight), over the components that have data
//! (a component with nothing to measure is left out, not counted as 0 or 1); no
//! component with data → no score.

/// Key-exchange codes: a target reporting any of these is an endpoint.
pub(crate) const KX_CODES: [&str; 3] = ["KX-PQ-HYBRID", "KX-PQ-NOT-PREFERRED", "KX-NOT-PQ"];
/// …and it negotiates a post-quantum hybrid group when it reports this one.
pub(crate) const KX_PQ_CODES: [&str; 1] = ["KX-PQ-HYBRID"];
/// Certificate and key codes: quantum-vulnerable keys, and what makes a target safe.
pub(crate) const CERT_CODES: [&str; 8] = [
    "RSA-WEAK",
    "RSA-2048",
    "RSA-QV",
    "ECC-WEAK",
    "ECC-QV",
    "DSA-WEAK",
    "CERT-HYBRID-BOUND",
    "PQ-KEY",
];
/// A target reporting one of these is counted post-quantum for its certificates.
pub(crate) const CERT_PQ_CODES: [&str; 2] = ["CERT-HYBRID-BOUND", "PQ-KEY"];

/// A count of things and how many of them are good.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Ratio {
    pub(crate) good: u64,
    pub(crate) of: u64,
}

impl Ratio {
    pub(crate) fn new(good: u64, of: u64) -> Self {
        Self {
            good: good.min(of),
            of,
        }
    }

    fn share(self) -> Option<f64> {
        (self.of > 0).then(|| self.good as f64 / self.of as f64)
    }
}

/// What the score is computed from; `None` where the caller's scopes do not show it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub(crate) struct Inputs {
    pub(crate) endpoints: Ratio,
    pub(crate) certificates: Ratio,
    pub(crate) keys: Option<Ratio>,
    pub(crate) rollovers: Option<Ratio>,
}

/// One line of the score's breakdown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Component {
    pub(crate) name: &'static str,
    pub(crate) weight: u32,
    pub(crate) ratio: Option<Ratio>,
    /// 0–100, when there is data.
    pub(crate) percent: Option<u32>,
    pub(crate) meaning: &'static str,
}

/// The score and its breakdown.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Readiness {
    /// 0–100, or `None` when no component has data.
    pub(crate) score: Option<u32>,
    pub(crate) components: Vec<Component>,
}

fn percent(share: f64) -> u32 {
    (share * 100.0).round().clamp(0.0, 100.0) as u32
}

/// The score of `inputs` (the formula in the module docs).
pub(crate) fn score(inputs: &Inputs) -> Readiness {
    let parts = [
        (
            "Endpoints with PQ hybrid key exchange",
            40,
            Some(inputs.endpoints),
            "targets whose newest scan reports a key exchange, negotiating a hybrid ML-KEM group",
        ),
        (
            "Certificates not only quantum-vulnerable",
            30,
            Some(inputs.certificates),
            "targets whose newest scan reports certificates or keys, with a hybrid-bound certificate or a post-quantum key",
        ),
        (
            "Hybrid signing keys",
            10,
            inputs.keys,
            "managed signing keys that are ML-DSA-65 + Ed25519",
        ),
        (
            "Rollovers completed",
            20,
            inputs.rollovers,
            "hybrid TLS rollovers in completed (rolled back ones count against)",
        ),
    ];
    let mut weighted = 0.0;
    let mut weights = 0u32;
    let components = parts
        .into_iter()
        .map(|(name, weight, ratio, meaning)| {
            let share = ratio.and_then(Ratio::share);
            if let Some(s) = share {
                weighted += f64::from(weight) * s;
                weights += weight;
            }
            Component {
                name,
                weight,
                ratio,
                percent: share.map(percent),
                meaning,
            }
        })
        .collect();
    Readiness {
        score: (weights > 0).then(|| percent(weighted / f64::from(weights))),
        components,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_data_no_score() {
        let r = score(&Inputs::default());
        assert_eq!(r.score, None);
        assert!(r.components.iter().all(|c| c.percent.is_none()));
    }

    #[test]
    fn weights_apply_over_components_with_data() {
        // Endpoints 1/4 (weight 40) and keys 2/2 (weight 10): (40·0.25 + 10·1) / 50 = 0.4.
        let r = score(&Inputs {
            endpoints: Ratio::new(1, 4),
            certificates: Ratio::default(),
            keys: Some(Ratio::new(2, 2)),
            rollovers: None,
        });
        assert_eq!(r.score, Some(40));
        assert_eq!(r.components[0].percent, Some(25));
        assert_eq!(r.components[1].percent, None);
        assert_eq!(r.components[2].percent, Some(100));
    }

    #[test]
    fn everything_good_is_100_and_nothing_good_is_0() {
        let all = |good| Inputs {
            endpoints: Ratio::new(good, 3),
            certificates: Ratio::new(good, 3),
            keys: Some(Ratio::new(good, 3)),
            rollovers: Some(Ratio::new(good, 3)),
        };
        assert_eq!(score(&all(3)).score, Some(100));
        assert_eq!(score(&all(0)).score, Some(0));
        // A rolled-back rollover counts against: 1 completed of 2.
        let r = score(&Inputs {
            rollovers: Some(Ratio::new(1, 2)),
            ..Inputs::default()
        });
        assert_eq!(r.score, Some(50));
    }

    #[test]
    fn ratios_never_exceed_one() {
        assert_eq!(Ratio::new(5, 3), Ratio { good: 3, of: 3 });
    }
}
