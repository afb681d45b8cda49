#[allow(clippy::unwrap_used, clippy::expect_used)]
pub mod vectors;
