//! Charts as SVG drawn on the server by `plotters` (its SVG backend: presentation
//! attributes, no `style` attributes and no script, so the pages' CSP holds; text is
//! escaped by the backend). The result is inlined in the page with `role="img"` and a
//! label; each chart's numbers are also in a table next to it.

use plotters::prelude::*;

use crate::store::RiskBucket;

const INK: RGBColor = RGBColor(0x1f, 0x29, 0x37);
const GRID: RGBColor = RGBColor(0xd1, 0xd5, 0xdb);
const LINE: RGBColor = RGBColor(0xb4, 0x23, 0x18);

/// Why a chart could not be drawn (logged; the page shows its table instead).
#[derive(Debug, thiserror::Error)]
#[error("chart: {0}")]
pub(crate) struct ChartError(String);

fn chart_err<E: std::fmt::Display>(e: E) -> ChartError {
    ChartError(e.to_string())
}

/// Minimal XML attribute escaping for the label we add to the root element.
fn attr(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// Give the root `<svg>` an accessible name.
fn labelled(svg: String, label: &str) -> String {
    svg.replacen(
        "<svg ",
        &format!(
            "<svg role=\"img\" aria-label=\"{}\" focusable=\"false\" ",
            attr(label)
        ),
        1,
    )
}

/// A bucket's label on the x axis: the day (`11-22`), or the hour or minute of it.
fn short_label(bucket: &str) -> String {
    match bucket.len() {
        10 => bucket.get(5..).unwrap_or(bucket).to_owned(),
        13 => format!("{}h", bucket.get(5..).unwrap_or(bucket).replace('T', " ")),
        _ => bucket.get(5..).unwrap_or(bucket).replace('T', " "),
    }
}

/// Mean risk score per time bucket, 0–100, as a line with points; `label` names it.
pub(crate) fn risk_over_time(buckets: &[RiskBucket], label: &str) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (720, 260)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_err)?;
        let n = buckets.len().max(1);
        // One bucket sits in the middle; more spread over the width.
        let (x_lo, x_hi) = if n == 1 {
            (-1.0, 1.0)
        } else {
            (-0.25, n as f64 - 0.75)
        };
        let mut chart = ChartBuilder::on(&root)
            .margin(12)
            .x_label_area_size(32)
            .y_label_area_size(44)
            .build_cartesian_2d(x_lo..x_hi, 0f64..100f64)
            .map_err(chart_err)?;
        let labels: Vec<String> = buckets.iter().map(|b| short_label(&b.bucket)).collect();
        let label_of = |x: &f64| {
            let i = x.round();
            if (x - i).abs() > 0.01 || i < 0.0 {
                return String::new();
            }
            labels.get(i as usize).cloned().unwrap_or_default()
        };
        chart
            .configure_mesh()
            .x_labels(n.min(8))
            .y_labels(6)
            .x_label_formatter(&label_of)
            .y_label_formatter(&|y| format!("{y:.0}"))
            .y_desc("mean risk score")
            .axis_style(INK)
            .light_line_style(WHITE)
            .bold_line_style(GRID)
            .label_style(("sans-serif", 13).into_font().color(&INK))
            .axis_desc_style(("sans-serif", 13).into_font().color(&INK))
            .draw()
            .map_err(chart_err)?;
        let points: Vec<(f64, f64)> = buckets
            .iter()
            .enumerate()
            .map(|(i, b)| (i as f64, b.mean_risk))
            .collect();
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                LINE.stroke_width(2),
            ))
            .map_err(chart_err)?;
        chart
            .draw_series(points.iter().map(|p| Circle::new(*p, 4, LINE.filled())))
            .map_err(chart_err)?;
        root.present().map_err(chart_err)?;
    }
    Ok(labelled(svg, label))
}

/// A small line of risk scores, oldest first (a target's trend).
pub(crate) fn sparkline(scores: &[f64], label: &str) -> Result<String, ChartError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (160, 36)).into_drawing_area();
        let x_max = (scores.len() as f64 - 1.0).max(1.0);
        let mut chart = ChartBuilder::on(&root)
            .margin(4)
            .build_cartesian_2d(0f64..x_max, 0f64..100f64)
            .map_err(chart_err)?;
        let points: Vec<(f64, f64)> = scores
            .iter()
            .enumerate()
            .map(|(i, s)| (i as f64, *s))
            .collect();
        chart
            .draw_series(LineSeries::new(
                points.iter().copied(),
                LINE.stroke_width(2),
            ))
            .map_err(chart_err)?;
        if let Some(last) = points.last() {
            chart
                .draw_series(std::iter::once(Circle::new(*last, 3, LINE.filled())))
                .map_err(chart_err)?;
        }
        root.present().map_err(chart_err)?;
    }
    Ok(labelled(svg, label))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bucket(b: &str, risk: f64) -> RiskBucket {
        RiskBucket {
            bucket: b.into(),
            scans: 1,
            mean_risk: risk,
        }
    }

    #[test]
    fn charts_are_svg_without_style_attributes_or_script() {
        let svg = risk_over_time(
            &[bucket("2026-11-20", 80.0), bucket("2026-11-21", 40.0)],
            "Mean risk score",
        )
        .unwrap();
        assert!(svg.starts_with("<svg role=\"img\" aria-label=\"Mean risk score"));
        assert!(svg.contains("<polyline") || svg.contains("<path"), "{svg}");
        assert!(svg.contains("11-20") && svg.contains("11-21"), "{svg}");
        for forbidden in ["style=", "<script", "<style", "href="] {
            assert!(!svg.contains(forbidden), "{forbidden} in {svg}");
        }
        let spark = sparkline(&[90.0], "trend \"<x>\"").unwrap();
        assert!(spark.contains("aria-label=\"trend &quot;&lt;x&gt;&quot;\""));
        assert!(!spark.contains("style="));
        // Nothing to draw is still a valid (empty) chart.
        assert!(risk_over_time(&[], "none").unwrap().contains("</svg>"));
    }

    #[test]
    fn bucket_labels_shorten() {
        assert_eq!(short_label("2026-11-22"), "11-22");
        assert_eq!(short_label("2026-11-22T06"), "11-22 06h");
        assert_eq!(short_label("2026-11-22T06:30"), "11-22 06:30");
    }
}
