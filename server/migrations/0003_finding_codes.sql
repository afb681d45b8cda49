-- Machine-readable finding codes (e.g. TLS-1.0-MIN, PQ-KEX-MISSING): stored as sent,
-- or, for findings from clients that predate codes, taken from the title by the
-- compatibility rule (a known rollover code as a whole token of the title; see
-- server/src/finding_codes.rs). Rows stored before this migration get their codes the
-- same way once, at the next start (Store::backfill_finding_codes), because the rule
-- is Rust, not SQL. TLS rollover eligibility reads this column only.
ALTER TABLE findings ADD COLUMN code TEXT;
