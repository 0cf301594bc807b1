//! The programme's charts, drawn by the server as SVG like the map: the activities' timeline
//! (one row per activity, the planned span as a pale bar, the actual span as a dark one over it
//! — to today while it runs —, the late ones in red, and today's line), and the indicators'
//! small trend lines.

use time::Date;

/// One row of the timeline.
#[derive(Debug, Clone, PartialEq)]
pub struct Bar {
    pub label: String,
    pub planned: (Date, Date),
    /// Started, and finished (None: still running).
    pub actual: Option<(Date, Option<Date>)>,
    pub late: bool,
}

pub(crate) fn esc(s: &str) -> String {
    s.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}

/// The SVG of the bars between their earliest and latest days (and today), with a year tick on
/// each 1 January. `title` names the chart for screen readers.
pub fn svg(bars: &[Bar], today: Date, title: &str, today_label: &str) -> String {
    const W: f64 = 760.0;
    const LABEL: f64 = 250.0;
    const ROW: f64 = 20.0;
    const TOP: f64 = 22.0;
    let Some(first) = bars
        .iter()
        .map(|b| b.planned.0)
        .chain(bars.iter().filter_map(|b| b.actual.map(|a| a.0)))
        .min()
    else {
        return String::new();
    };
    let last = bars
        .iter()
        .map(|b| b.planned.1)
        .chain(bars.iter().filter_map(|b| b.actual.and_then(|a| a.1)))
        .chain(std::iter::once(today))
        .max()
        .unwrap_or(today);
    let days = (last - first).whole_days().max(1) as f64;
    let x = |d: Date| LABEL + (W - LABEL - 8.0) * ((d - first).whole_days() as f64) / days;
    let height = TOP + ROW * bars.len() as f64 + 6.0;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {height}\" class=\"chart timeline\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    // A tick and the year on each 1 January of the span.
    for year in first.year()..=last.year() {
        let Ok(jan) = Date::from_calendar_date(year, time::Month::January, 1) else {
            continue;
        };
        if jan < first {
            continue;
        }
        let xj = x(jan);
        out.push_str(&format!(
            "<line x1=\"{xj:.1}\" y1=\"{}\" x2=\"{xj:.1}\" y2=\"{height}\" stroke=\"#ddd\"/><text x=\"{xj:.1}\" y=\"12\" font-size=\"11\" text-anchor=\"middle\">{year}</text>",
            TOP - 4.0
        ));
    }
    for (i, b) in bars.iter().enumerate() {
        let y = TOP + ROW * i as f64;
        let label: String = b.label.chars().take(38).collect();
        out.push_str(&format!(
            "<text x=\"4\" y=\"{:.1}\" font-size=\"11\">{}</text>",
            y + 13.0,
            esc(&label)
        ));
        let (p0, p1) = (x(b.planned.0), x(b.planned.1));
        out.push_str(&format!(
            "<rect x=\"{p0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"12\" fill=\"#c9dcd5\"><title>{}</title></rect>",
            y + 3.0,
            (p1 - p0).max(2.0),
            esc(&format!("{} : {} → {}", b.label, b.planned.0, b.planned.1))
        ));
        if let Some((start, end)) = b.actual {
            let end = end.unwrap_or(today).max(start);
            let (a0, a1) = (x(start), x(end));
            let colour = if b.late { "#a33a1d" } else { "#0b5d4b" };
            out.push_str(&format!(
                "<rect x=\"{a0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"6\" fill=\"{colour}\"/>",
                y + 6.0,
                (a1 - a0).max(2.0)
            ));
        } else if b.late {
            out.push_str(&format!(
                "<rect x=\"{p0:.1}\" y=\"{:.1}\" width=\"{:.1}\" height=\"12\" fill=\"none\" stroke=\"#a33a1d\"/>",
                y + 3.0,
                (p1 - p0).max(2.0)
            ));
        }
    }
    let xt = x(today);
    out.push_str(&format!(
        "<line x1=\"{xt:.1}\" y1=\"{}\" x2=\"{xt:.1}\" y2=\"{height}\" stroke=\"#1f5fa8\" stroke-width=\"2\" class=\"today\"/><text x=\"{xt:.1}\" y=\"{:.1}\" font-size=\"11\" fill=\"#1f5fa8\" text-anchor=\"end\">{}</text>",
        TOP - 4.0,
        TOP - 6.0,
        esc(today_label)
    ));
    out.push_str("</svg>");
    out
}

/// A small trend line of a series (a value per quarter; a gap where there is none), with the
/// target as a dashed line when set. Empty when the series has no value.
pub fn spark(values: &[Option<f64>], target: Option<f64>, title: &str) -> String {
    const W: f64 = 160.0;
    const H: f64 = 40.0;
    let known: Vec<f64> = values.iter().flatten().copied().collect();
    if known.is_empty() {
        return String::new();
    }
    let top = known
        .iter()
        .copied()
        .chain(target)
        .fold(0.0_f64, f64::max)
        .max(1e-9);
    let step = W / (values.len().max(2) - 1) as f64;
    let y = |v: f64| H - 4.0 - (H - 8.0) * v / top;
    let mut out = format!(
        "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 {W} {H}\" class=\"spark\" role=\"img\" aria-label=\"{}\">",
        esc(title)
    );
    if let Some(t) = target {
        out.push_str(&format!(
            "<line x1=\"0\" y1=\"{ty:.1}\" x2=\"{W}\" y2=\"{ty:.1}\" stroke=\"#8a5a00\" stroke-dasharray=\"4 3\"/>",
            ty = y(t)
        ));
    }
    // One polyline per run of known values; a lone value is a dot.
    let mut run: Vec<String> = Vec::new();
    let flush = |run: &mut Vec<String>, out: &mut String| {
        if run.len() > 1 {
            out.push_str(&format!(
                "<polyline points=\"{}\" fill=\"none\" stroke=\"#0b5d4b\" stroke-width=\"2\"/>",
                run.join(" ")
            ));
        }
        run.clear();
    };
    for (i, v) in values.iter().enumerate() {
        match v {
            Some(v) => {
                let (px, py) = (step * i as f64, y(*v));
                run.push(format!("{px:.1},{py:.1}"));
                out.push_str(&format!(
                    "<circle cx=\"{px:.1}\" cy=\"{py:.1}\" r=\"2.5\" fill=\"#0b5d4b\"/>"
                ));
            }
            None => flush(&mut run, &mut out),
        }
    }
    flush(&mut run, &mut out);
    out.push_str("</svg>");
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use time::macros::date;

    #[test]
    fn each_activity_is_a_row_with_its_spans_and_today_is_drawn() {
        let bars = vec![
            Bar {
                label: "A1 Diagnostic conjoint".into(),
                planned: (date!(2017 - 01 - 30), date!(2017 - 06 - 30)),
                actual: Some((date!(2017 - 02 - 01), Some(date!(2017 - 07 - 15)))),
                late: true,
            },
            Bar {
                label: "B2 <Vedettes>".into(),
                planned: (date!(2018 - 01 - 01), date!(2019 - 07 - 12)),
                actual: None,
                late: false,
            },
        ];
        let s = svg(&bars, date!(2019 - 01 - 01), "Calendrier", "aujourd'hui");
        assert!(s.starts_with("<svg") && s.ends_with("</svg>"));
        assert_eq!(s.matches("<text x=\"4\"").count(), 2, "a label per row");
        assert!(s.contains("&lt;Vedettes&gt;"), "labels escaped");
        assert!(s.contains("#a33a1d"), "the late one in red");
        assert!(s.contains("class=\"today\""));
        // Years 2018 and 2019 start inside the span: their ticks are drawn (2017 starts before).
        assert!(s.contains(">2018<") && s.contains(">2019<") && !s.contains(">2017<"));
        assert_eq!(svg(&[], date!(2019 - 01 - 01), "x", "y"), "");
    }

    #[test]
    fn a_trend_line_breaks_where_a_quarter_has_no_value() {
        let s = spark(
            &[Some(1.0), Some(2.0), None, Some(3.0), Some(2.0)],
            Some(4.0),
            "t",
        );
        assert_eq!(s.matches("<polyline").count(), 2);
        assert_eq!(s.matches("<circle").count(), 4);
        assert!(s.contains("stroke-dasharray"), "the target");
        assert_eq!(spark(&[None, None], None, "t"), "");
    }
}
