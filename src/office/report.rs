//! The report: one self-contained HTML file an office reads on screen or prints on A4 — per
//! campaign, tips by outcome, by category, by lead department, by region and by week; the
//! deadlines falling due in the next two weeks; the repeats; the tips nothing matched, with
//! the categories they are most like.
//!
//! The page loads nothing: its style sheet is inline and its charts are inline SVG, each
//! `<svg data-chart>` carrying its numbers on its bars (`data-label`, `data-value`). It holds
//! counts, tip ids, dates, categories, departments and division codes — never a tip's text,
//! a subject's name or anything of the reporter. Memory holds counts and at most
//! [`LISTED`] rows of each list, whatever the number of tips.

use std::collections::BTreeMap;
use std::fmt::Write as _;

use chrono::{Datelike, Days, Duration, NaiveDate};

use crate::eval::{Decision, Outcome, RecordError, Tip};
use crate::lang::{Lang, Text};
use crate::model::{Model, Region};

/// Rows kept of each list (deadlines, repeats, tips nothing matched); the rest are counted.
pub const LISTED: usize = 200;

/// Bars drawn in a chart of categories, departments or regions; the rest are summed in one.
const BARS: usize = 20;

/// Weeks a chart of tips by week spans at most: three years.
const WEEKS: usize = 157;

/// Days ahead that a deadline is listed for.
const AHEAD_DAYS: u64 = 14;

/// What the report keeps of one tip: nothing that names a person.
#[derive(Debug, Clone)]
pub struct Observed {
    tip: String,
    received: NaiveDate,
    region: Option<String>,
    campaigns: Vec<Seen>,
}

#[derive(Debug, Clone)]
struct Seen {
    outcome: &'static str,
    categories: Vec<String>,
    lead: Vec<String>,
    handle: Option<NaiveDate>,
    reply: Option<NaiveDate>,
    repeats: Option<(String, f64)>,
    suggestions: Vec<String>,
}

/// What the report needs of a decided tip.
pub fn observe(tip: &Tip, decisions: &[Decision]) -> Observed {
    Observed {
        tip: tip.id.clone(),
        received: tip.received,
        region: tip.subject.region.as_ref().map(|r| r.code().to_string()),
        campaigns: decisions.iter().map(seen).collect(),
    }
}

fn seen(decision: &Decision) -> Seen {
    let mut seen = Seen {
        outcome: decision.outcome.name(),
        categories: Vec::new(),
        lead: Vec::new(),
        handle: None,
        reply: None,
        repeats: None,
        suggestions: Vec::new(),
    };
    match &decision.outcome {
        Outcome::Accepted {
            matches,
            departments,
            due,
            ..
        } => {
            seen.categories = matches
                .iter()
                .flat_map(|a| &a.categories)
                .map(|c| c.title.to_string())
                .collect();
            seen.lead = departments
                .iter()
                .filter(|d| d.role == "lead")
                .map(|d| d.name.to_string())
                .collect();
            seen.handle = due.handle;
            seen.reply = due.reply;
        }
        Outcome::Excluded {
            repeats: Some(repeat),
            ..
        } => seen.repeats = Some((repeat.tip.clone(), repeat.similarity)),
        Outcome::NoMatch { suggestions } => {
            seen.suggestions = suggestions.iter().map(|s| s.title.to_string()).collect();
        }
        _ => {}
    }
    seen
}

/// What the report keeps of a record that could not be decoded: where it is and what is
/// wrong, never its content.
#[derive(Debug, Clone)]
pub struct Rejected {
    line: usize,
    place: String,
    tip: String,
    error: String,
}

/// What the report needs of a malformed record, its message in `lang`.
pub fn reject(error: &RecordError, lang: Lang) -> Rejected {
    let place = match (&error.sheet, error.cell_reference()) {
        (Some(sheet), Some(cell)) => format!("{sheet}!{cell}"),
        (Some(sheet), None) => sheet.to_string(),
        (None, _) => String::new(),
    };
    Rejected {
        line: error.line,
        place,
        tip: error.id.clone().unwrap_or_default(),
        error: error.message.render(lang),
    }
}

/// The counts and lists of one campaign.
#[derive(Debug, Default)]
struct Tally {
    id: String,
    title: String,
    issuer: Option<String>,
    jurisdiction: Option<(String, String)>,
    windows: Vec<(NaiveDate, NaiveDate)>,
    tips: usize,
    outcomes: BTreeMap<&'static str, usize>,
    categories: BTreeMap<String, usize>,
    departments: BTreeMap<String, usize>,
    regions: BTreeMap<String, usize>,
    weeks: BTreeMap<NaiveDate, usize>,
    deadlines: Vec<(NaiveDate, String, String, String, &'static str)>,
    deadlines_more: usize,
    repeats: Vec<(String, NaiveDate, String, f64)>,
    repeats_more: usize,
    unmatched: Vec<(String, NaiveDate, String)>,
    unmatched_more: usize,
}

/// A report being gathered, tip by tip.
#[derive(Debug)]
pub struct Report {
    lang: Lang,
    today: NaiveDate,
    tallies: Vec<Tally>,
    decided: usize,
    malformed: usize,
    rejected: Vec<Rejected>,
}

impl Report {
    /// A report on `model`'s campaigns in `lang`, with deadlines counted from `today`.
    pub fn new(model: &Model, lang: Lang, today: NaiveDate) -> Report {
        let tallies = model
            .campaigns
            .iter()
            .map(|c| Tally {
                id: c.id.clone(),
                title: c.title.clone(),
                issuer: c.issuer.clone(),
                jurisdiction: c
                    .jurisdiction
                    .as_ref()
                    .map(|(region, name)| (region.code().to_string(), name.clone())),
                windows: c.windows.iter().map(|w| (w.start, w.end)).collect(),
                ..Tally::default()
            })
            .collect();
        Report {
            lang,
            today,
            tallies,
            decided: 0,
            malformed: 0,
            rejected: Vec::new(),
        }
    }

    /// Counts one decided tip.
    pub fn add(&mut self, observed: &Observed) {
        self.decided += 1;
        let horizon = self.today.checked_add_days(Days::new(AHEAD_DAYS));
        for (tally, seen) in self.tallies.iter_mut().zip(&observed.campaigns) {
            tally.tips += 1;
            *tally.outcomes.entry(seen.outcome).or_default() += 1;
            if seen.outcome != "out_of_window" {
                let monday = observed.received
                    - Duration::days(observed.received.weekday().num_days_from_monday().into());
                *tally.weeks.entry(monday).or_default() += 1;
            }
            if seen.outcome != "accepted" {
                if let Some((earlier, similarity)) = &seen.repeats {
                    if tally.repeats.len() < LISTED {
                        tally.repeats.push((
                            observed.tip.clone(),
                            observed.received,
                            earlier.clone(),
                            *similarity,
                        ));
                    } else {
                        tally.repeats_more += 1;
                    }
                }
                if seen.outcome == "no_match" {
                    if tally.unmatched.len() < LISTED {
                        tally.unmatched.push((
                            observed.tip.clone(),
                            observed.received,
                            seen.suggestions.join("；"),
                        ));
                    } else {
                        tally.unmatched_more += 1;
                    }
                }
                continue;
            }
            for category in &seen.categories {
                *tally.categories.entry(category.clone()).or_default() += 1;
            }
            for department in &seen.lead {
                *tally.departments.entry(department.clone()).or_default() += 1;
            }
            let region = observed.region.clone().unwrap_or_default();
            *tally.regions.entry(region).or_default() += 1;
            for (date, kind) in [(seen.handle, "handle"), (seen.reply, "reply")] {
                let Some(date) = date else { continue };
                if date < self.today || horizon.is_some_and(|h| date > h) {
                    continue;
                }
                let row = (
                    date,
                    observed.tip.clone(),
                    seen.categories.first().cloned().unwrap_or_default(),
                    seen.lead.join("、"),
                    kind,
                );
                keep_earliest(&mut tally.deadlines, &mut tally.deadlines_more, row);
            }
        }
    }

    /// Tips decided and records that could not be, so far.
    pub fn counts(&self) -> (usize, usize) {
        (self.decided, self.malformed)
    }

    /// Counts one record that could not be decoded, and lists it among the first [`LISTED`].
    pub fn add_malformed(&mut self, rejected: Rejected) {
        self.malformed += 1;
        if self.rejected.len() < LISTED {
            self.rejected.push(rejected);
        }
    }

    /// The report as one HTML document.
    pub fn html(&self) -> String {
        let lang = self.lang;
        let word = |key: &str| escape(lang.word(key));
        let say = |text: Text| escape(&text.render(lang));
        let mut page = String::with_capacity(64 << 10);
        let _ = write!(
            page,
            "<!DOCTYPE html>\n<html lang=\"{}\">\n<head>\n<meta charset=\"utf-8\">\n\
             <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
             <title>{}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n",
            match lang {
                Lang::Zh => "zh-CN",
                Lang::En => "en",
            },
            word("report.title"),
        );
        let _ = write!(
            page,
            "<header>\n<h1>{}</h1>\n<p class=\"meta\">{}</p>\n</header>\n",
            word("report.title"),
            say(Text::new("report.generated")
                .with("today", self.today.to_string())
                .with("decided", self.decided)
                .with("malformed", self.malformed)),
        );
        if self.malformed > 0 {
            let _ = writeln!(page, "<h3>{}</h3>", word("report.malformed"));
            table(
                &mut page,
                "malformed",
                &[
                    word("report.column.line"),
                    word("report.column.place"),
                    word("report.column.tip"),
                    word("report.column.error"),
                ],
                self.rejected.iter().map(|r| {
                    vec![
                        r.line.to_string(),
                        r.place.clone(),
                        r.tip.clone(),
                        r.error.clone(),
                    ]
                }),
            );
            more(&mut page, self.malformed - self.rejected.len(), lang);
        }
        for tally in &self.tallies {
            self.campaign(&mut page, tally);
        }
        page.push_str("</body>\n</html>\n");
        page
    }

    fn campaign(&self, page: &mut String, tally: &Tally) {
        let lang = self.lang;
        let word = |key: &str| escape(lang.word(key));
        let say = |text: Text| escape(&text.render(lang));
        let _ = write!(
            page,
            "<section class=\"campaign\" data-campaign=\"{}\">\n<h2>{}</h2>\n",
            escape(&tally.id),
            escape(&tally.title)
        );
        let windows: Vec<String> = tally
            .windows
            .iter()
            .map(|(start, end)| format!("{start} – {end}"))
            .collect();
        let mut meta = vec![say(Text::new("report.campaign_meta")
            .with("id", tally.id.as_str())
            .with("tips", tally.tips)
            .with("windows", windows.join("、")))];
        if let Some(issuer) = &tally.issuer {
            meta.push(escape(issuer));
        }
        let _ = writeln!(page, "<p class=\"meta\">{}</p>", meta.join(" · "));
        if tally.tips == 0 {
            let _ = writeln!(
                page,
                "<p class=\"none\">{}</p>",
                word("report.campaign_empty")
            );
            page.push_str("</section>\n");
            return;
        }

        let outcomes: Vec<(String, usize)> = Outcome::NAMES
            .iter()
            .filter_map(|name| {
                let count = *tally.outcomes.get(name)?;
                Some((lang.word(&format!("outcome.{name}")).to_string(), count))
            })
            .collect();
        figure(
            page,
            "outcomes",
            &word("report.by_outcome"),
            &outcomes,
            lang,
        );
        figure(
            page,
            "categories",
            &word("report.by_category"),
            &top(&tally.categories, lang),
            lang,
        );
        figure(
            page,
            "departments",
            &word("report.by_department"),
            &top(&tally.departments, lang),
            lang,
        );
        let regions: BTreeMap<String, usize> = tally
            .regions
            .iter()
            .map(|(code, count)| {
                (
                    region_label(code, tally.jurisdiction.as_ref(), lang),
                    *count,
                )
            })
            .fold(BTreeMap::new(), |mut all, (label, count)| {
                *all.entry(label).or_default() += count;
                all
            });
        figure(
            page,
            "regions",
            &word("report.by_region"),
            &top(&regions, lang),
            lang,
        );
        let weeks = every_week(&tally.weeks);
        columns(page, &word("report.by_week"), &weeks, lang);

        let _ = writeln!(page, "<h3>{}</h3>", word("report.deadlines"));
        if tally.deadlines.is_empty() {
            let _ = writeln!(
                page,
                "<p class=\"none\">{}</p>",
                word("report.deadlines_none")
            );
        } else {
            table(
                page,
                "deadlines",
                &[
                    word("report.column.due"),
                    word("report.column.kind"),
                    word("report.column.tip"),
                    word("report.column.category"),
                    word("report.column.lead"),
                ],
                tally
                    .deadlines
                    .iter()
                    .map(|(date, tip, category, lead, kind)| {
                        vec![
                            date.to_string(),
                            lang.word(&format!("report.due.{kind}")).to_string(),
                            tip.clone(),
                            category.clone(),
                            lead.clone(),
                        ]
                    }),
            );
            more(page, tally.deadlines_more, lang);
        }

        let _ = writeln!(page, "<h3>{}</h3>", word("report.repeats"));
        if tally.repeats.is_empty() {
            let _ = writeln!(
                page,
                "<p class=\"none\">{}</p>",
                word("report.repeats_none")
            );
        } else {
            table(
                page,
                "repeats",
                &[
                    word("report.column.tip"),
                    word("report.column.received"),
                    word("report.column.repeats"),
                    word("report.column.similarity"),
                ],
                tally
                    .repeats
                    .iter()
                    .map(|(tip, received, earlier, similarity)| {
                        vec![
                            tip.clone(),
                            received.to_string(),
                            earlier.clone(),
                            format!("{similarity:.2}"),
                        ]
                    }),
            );
            more(page, tally.repeats_more, lang);
        }

        let _ = writeln!(page, "<h3>{}</h3>", word("report.no_match"));
        if tally.unmatched.is_empty() {
            let _ = writeln!(
                page,
                "<p class=\"none\">{}</p>",
                word("report.no_match_none")
            );
        } else {
            table(
                page,
                "no-match",
                &[
                    word("report.column.tip"),
                    word("report.column.received"),
                    word("report.column.suggested"),
                ],
                tally.unmatched.iter().map(|(tip, received, suggested)| {
                    vec![tip.clone(), received.to_string(), suggested.clone()]
                }),
            );
            more(page, tally.unmatched_more, lang);
        }
        page.push_str("</section>\n");
    }
}

/// The weeks from the first tip's to the last one's, those without tips included, so that the
/// chart's axis runs evenly; at most [`WEEKS`], the latest.
fn every_week(counts: &BTreeMap<NaiveDate, usize>) -> Vec<(String, usize)> {
    let (Some((first, _)), Some((last, _))) = (counts.first_key_value(), counts.last_key_value())
    else {
        return Vec::new();
    };
    let span = ((*last - *first).num_days() / 7) as usize + 1;
    let start = *last - Duration::weeks(span.min(WEEKS) as i64 - 1);
    (0..span.min(WEEKS))
        .map(|week| {
            let monday = start + Duration::weeks(week as i64);
            let count = counts.get(&monday).copied().unwrap_or(0);
            (monday.format("%Y-%m-%d").to_string(), count)
        })
        .collect()
}

/// Keeps the [`LISTED`] earliest rows, in date order (then tip id), counting the rest.
fn keep_earliest<T: Ord>(rows: &mut Vec<T>, more: &mut usize, row: T) {
    let at = rows.binary_search(&row).unwrap_or_else(|at| at);
    if at >= LISTED {
        *more += 1;
        return;
    }
    rows.insert(at, row);
    if rows.len() > LISTED {
        rows.pop();
        *more += 1;
    }
}

/// The [`BARS`] largest counts, largest first (ties by label), and the rest summed.
fn top(counts: &BTreeMap<String, usize>, lang: Lang) -> Vec<(String, usize)> {
    let mut all: Vec<(String, usize)> = counts
        .iter()
        .map(|(label, count)| {
            let label = if label.is_empty() {
                lang.word("report.unknown").to_string()
            } else {
                label.clone()
            };
            (label, *count)
        })
        .collect();
    all.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    if all.len() > BARS {
        let rest: usize = all[BARS - 1..].iter().map(|(_, n)| n).sum();
        all.truncate(BARS - 1);
        all.push((lang.word("report.others").to_string(), rest));
    }
    all
}

/// A division code as the report shows it: with the campaign's own region's name where the
/// code is that region or lies within it (the only names a scheme gives).
fn region_label(code: &str, jurisdiction: Option<&(String, String)>, lang: Lang) -> String {
    if code.is_empty() {
        return String::new();
    }
    let within = |own: &str| match (Region::parse(own), Region::parse(code)) {
        (Some(own), Some(region)) => own.contains(&region),
        _ => false,
    };
    match jurisdiction {
        Some((own, name)) if code == own => format!("{name} {code}"),
        Some((own, name)) if within(own) => Text::new("report.region_within")
            .with("code", code)
            .with("name", name.as_str())
            .render(lang),
        _ => code.to_string(),
    }
}

/// A horizontal bar chart, or a line saying there is nothing to chart.
fn figure(page: &mut String, id: &str, title: &str, bars: &[(String, usize)], lang: Lang) {
    let _ = writeln!(page, "<figure>\n<figcaption>{title}</figcaption>");
    if bars.is_empty() {
        let _ = writeln!(
            page,
            "<p class=\"none\">{}</p>\n</figure>",
            escape(lang.word("report.no_data"))
        );
        return;
    }
    let (label_width, bar_width, row) = (400.0, 400.0, 24.0);
    let height = row * bars.len() as f64 + 8.0;
    let max = bars.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let _ = writeln!(
        page,
        "<svg data-chart=\"{id}\" role=\"img\" aria-label=\"{title}\" viewBox=\"0 0 880 {height}\" \
         width=\"880\" height=\"{height}\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    for (index, (label, count)) in bars.iter().enumerate() {
        let y = 4.0 + row * index as f64;
        let width = (bar_width * *count as f64 / max).max(1.0);
        let short = escape(&shortened(label, 32));
        let label = escape(label);
        let _ = writeln!(
            page,
            "<g><title>{label}: {count}</title>\
             <text x=\"{}\" y=\"{}\" class=\"label\">{}</text>\
             <rect class=\"bar\" data-label=\"{label}\" data-value=\"{count}\" x=\"{label_width}\" \
             y=\"{y}\" width=\"{width:.1}\" height=\"{}\"></rect>\
             <text x=\"{:.1}\" y=\"{}\" class=\"value\">{count}</text></g>",
            label_width - 8.0,
            y + 16.0,
            short,
            row - 6.0,
            label_width + width + 6.0,
            y + 16.0,
        );
    }
    page.push_str("</svg>\n</figure>\n");
}

/// A column chart of counts by week.
fn columns(page: &mut String, title: &str, weeks: &[(String, usize)], lang: Lang) {
    let _ = writeln!(page, "<figure>\n<figcaption>{title}</figcaption>");
    if weeks.is_empty() {
        let _ = writeln!(
            page,
            "<p class=\"none\">{}</p>\n</figure>",
            escape(lang.word("report.no_data"))
        );
        return;
    }
    let (height, base) = (160.0, 150.0);
    let step = (800.0 / weeks.len() as f64).clamp(3.0, 48.0);
    let width = 50.0 + step * weeks.len() as f64;
    let max = weeks.iter().map(|(_, n)| *n).max().unwrap_or(1).max(1) as f64;
    let _ = writeln!(
        page,
        "<svg data-chart=\"weeks\" role=\"img\" aria-label=\"{title}\" viewBox=\"0 0 {width:.0} 190\" \
         width=\"{width:.0}\" height=\"190\" xmlns=\"http://www.w3.org/2000/svg\">"
    );
    // The scale: the largest week's count at the top, a line at the base.
    let _ = writeln!(
        page,
        "<text x=\"{:.0}\" y=\"{:.0}\" class=\"axis\" text-anchor=\"end\">{}</text>\
         <line x1=\"10\" y1=\"{base}\" x2=\"{:.0}\" y2=\"{base}\" class=\"base\"></line>",
        width - 10.0,
        base - (height - 20.0) - 6.0,
        escape(
            &Text::new("report.scale")
                .with("max", max as usize)
                .render(lang)
        ),
        width - 10.0,
    );
    for (index, (monday, count)) in weeks.iter().enumerate() {
        if *count == 0 {
            continue;
        }
        let x = 10.0 + step * index as f64;
        let tall = ((height - 20.0) * *count as f64 / max).max(1.0);
        let wide = (step * 0.8).max(2.0);
        let _ = writeln!(
            page,
            "<g><title>{monday}: {count}</title>\
             <rect class=\"bar\" data-label=\"{monday}\" data-value=\"{count}\" x=\"{x:.1}\" \
             y=\"{:.1}\" width=\"{wide:.1}\" height=\"{tall:.1}\"></rect>",
            base - tall,
        );
        // Each count on its bar, where the bars are wide enough to carry one.
        if wide >= 14.0 {
            let _ = write!(
                page,
                "<text x=\"{:.1}\" y=\"{:.1}\" class=\"value\" text-anchor=\"middle\">{count}</text>",
                x + wide / 2.0,
                base - tall - 3.0,
            );
        }
        page.push_str("</g>\n");
    }
    let first = &weeks[0].0;
    let last = &weeks[weeks.len() - 1].0;
    let _ = writeln!(
        page,
        "<text x=\"10\" y=\"178\" class=\"axis\">{first}</text>\
         <text x=\"{:.0}\" y=\"178\" class=\"axis\" text-anchor=\"end\">{last}</text>",
        width - 10.0
    );
    page.push_str("</svg>\n</figure>\n");
}

fn table(page: &mut String, id: &str, header: &[String], rows: impl Iterator<Item = Vec<String>>) {
    let _ = write!(page, "<table data-list=\"{id}\">\n<thead><tr>");
    for cell in header {
        let _ = write!(page, "<th>{cell}</th>");
    }
    page.push_str("</tr></thead>\n<tbody>\n");
    for row in rows {
        page.push_str("<tr>");
        for cell in row {
            let _ = write!(page, "<td>{}</td>", marked(&cell));
        }
        page.push_str("</tr>\n");
    }
    page.push_str("</tbody>\n</table>\n");
}

fn more(page: &mut String, count: usize, lang: Lang) {
    if count > 0 {
        let _ = writeln!(
            page,
            "<p class=\"more\">{}</p>",
            escape(&Text::new("report.more").with("count", count).render(lang))
        );
    }
}

/// `text` escaped, with the `…` of a message (a name it quotes) set as code.
fn marked(text: &str) -> String {
    let escaped = escape(text);
    let parts: Vec<&str> = escaped.split('`').collect();
    if parts.len().is_multiple_of(2) {
        // An unpaired backtick is only a character.
        return escaped;
    }
    let mut out = String::with_capacity(escaped.len() + 16);
    for (index, part) in parts.iter().enumerate() {
        if index % 2 == 1 {
            let _ = write!(out, "<code>{part}</code>");
        } else {
            out.push_str(part);
        }
    }
    out
}

/// `text` cut to `chars` characters, with an ellipsis when cut.
fn shortened(text: &str, chars: usize) -> String {
    if text.chars().count() <= chars {
        return text.to_string();
    }
    let mut cut: String = text.chars().take(chars - 1).collect();
    cut.push('…');
    cut
}

/// Text safe in HTML content and in a quoted attribute.
fn escape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // A control or a direction override in an id would reorder what the page shows.
            c if c.is_control()
                || matches!(c, '\u{202A}'..='\u{202E}' | '\u{2066}'..='\u{2069}' | '\u{200E}' | '\u{200F}') =>
            {
                let _ = write!(out, "\\u{{{:04X}}}", c as u32);
            }
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = "
:root { color-scheme: light; }
body { font-family: 'Noto Sans CJK SC', 'Source Han Sans SC', 'Microsoft YaHei', 'PingFang SC', sans-serif;
  margin: 24px auto; max-width: 960px; color: #1f2328; line-height: 1.5; padding: 0 16px; }
h1 { font-size: 22px; margin: 0 0 4px; }
h2 { font-size: 18px; border-bottom: 2px solid #2f5597; padding-bottom: 4px; margin-top: 32px; }
h3 { font-size: 15px; margin: 20px 0 6px; }
.meta { color: #57606a; font-size: 13px; margin: 0 0 12px; }
figure { margin: 12px 0 18px; break-inside: avoid; }
figcaption { font-weight: bold; font-size: 14px; margin-bottom: 4px; }
svg { max-width: 100%; height: auto; }
svg .bar { fill: #2f5597; }
svg .label { font-size: 12px; text-anchor: end; fill: #1f2328; }
svg .value, svg .axis { font-size: 11px; fill: #57606a; }
svg .base { stroke: #8c959f; stroke-width: 1; }
td:first-child, td:nth-child(2) { white-space: nowrap; }
table { border-collapse: collapse; width: 100%; font-size: 12px; margin-bottom: 8px; }
th, td { border: 1px solid #d0d7de; padding: 3px 6px; text-align: left; vertical-align: top; }
th { background: #ddebf7; white-space: nowrap; }
code { font-family: inherit; background: #f0f2f4; padding: 0 2px; }
thead { display: table-header-group; }
tr { break-inside: avoid; }
.none, .more { color: #57606a; font-size: 13px; }
@page { size: A4; margin: 15mm 12mm; }
@media print {
  body { margin: 0; max-width: none; padding: 0; }
  section.campaign { break-before: page; }
  h2, h3 { break-after: avoid; }
}
";

#[cfg(test)]
mod tests {
    use super::{LISTED, escape, keep_earliest, region_label, shortened};
    use crate::lang::Lang;

    #[test]
    fn text_is_escaped_for_html() {
        assert_eq!(
            escape("<script>\"a\" & 'b'</script>"),
            "&lt;script&gt;&quot;a&quot; &amp; &#39;b&#39;&lt;/script&gt;"
        );
        assert_eq!(escape("A\u{202E}1\n"), "A\\u{202E}1\\u{000A}");
    }

    #[test]
    fn lists_keep_the_earliest_rows_and_count_the_rest() {
        let (mut rows, mut more) = (Vec::new(), 0);
        for day in (0..LISTED + 5).rev() {
            keep_earliest(&mut rows, &mut more, day);
        }
        assert_eq!(rows.len(), LISTED);
        assert_eq!(rows[0], 0);
        assert_eq!(rows[LISTED - 1], LISTED - 1);
        assert_eq!(more, 5);
    }

    #[test]
    fn codes_in_the_campaigns_region_carry_its_name() {
        let own = ("520203".to_string(), "六枝特区".to_string());
        assert_eq!(
            region_label("520203", Some(&own), Lang::Zh),
            "六枝特区 520203"
        );
        assert!(region_label("520203101", Some(&own), Lang::Zh).contains("六枝特区"));
        assert_eq!(region_label("110101", Some(&own), Lang::Zh), "110101");
        assert_eq!(shortened("一二三四五", 3), "一二…");
    }
}
