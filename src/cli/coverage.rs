//! `rectify coverage`: how the loaded rules cover a corpus of tips.
//!
//! The tips run through the same stream as `rectify eval`; each decided tip becomes an
//! observation for [`rectify::coverage::Coverage`], and the counts are printed at the end, as
//! a table for a person or as one JSON document.

use std::fmt::Write as _;
use std::io::{self, Write};
use std::path::PathBuf;

use rectify::coverage::{Coverage, Observation, Observer, Report};
use rectify::eval::{DEFAULT_MAX_RECORD_BYTES, Decoder, DuplicateIndex, Evaluator, Item, Options};
use rectify::eval::{Stopped, Stream};
use rectify::lang::Text;

use super::load::checked_model;
use super::render::fatal;
use super::terminal;
use super::tips::{Reading, open_tips};
use super::{Status, say};

/// Count how often each symptom and literal fires over a corpus of tips.
///
/// Runs every tip through the loaded campaigns as `rectify eval` does, then shows, for each
/// campaign: how many tips it accepted, excluded or matched with nothing; how often each
/// symptom fired and each of its literals and approximate phrases gave evidence; the symptoms
/// that never fired; and the tips no rule accepted, grouped by the category they are most
/// like, with the phrases frequent among them that no rule of that category holds.
///
/// Exit status: 0 when all is well; 1 when some records were malformed, or fewer tips than
/// --fail-under asks for were accepted; 2 when nothing could run.
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A scheme file, or a directory to search for *.scheme, *.vocab and *.holidays files; a
    /// .scheme named alone brings the *.vocab files beside it. Repeatable.
    #[arg(long = "scheme", short = 's', required = true, value_name = "PATH")]
    schemes: Vec<PathBuf>,

    /// A calendar file (`节假日安排` blocks); repeatable.
    #[arg(long = "calendar", value_name = "FILE")]
    calendars: Vec<PathBuf>,

    /// The tips: a file, or `-` or nothing for standard input.
    #[arg(value_name = "TIPS")]
    tips: Option<PathBuf>,

    #[command(flatten)]
    reading: Reading,

    /// Output format: `table` (for a person) or `json` (one document).
    #[arg(long, value_enum, default_value_t = CoverageFormat::Table)]
    format: CoverageFormat,

    /// Exit with status 1 when fewer than this percentage of the decoded tips are accepted by
    /// some campaign: a regression gate for an office's own corpus.
    #[arg(long, value_name = "PERCENT", value_parser = percent)]
    fail_under: Option<f64>,

    /// The longest record read, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = DEFAULT_MAX_RECORD_BYTES, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1 << 30))]
    max_record_bytes: usize,

    /// Worker threads; the counts are the same whatever the number.
    #[arg(long, short = 'j', default_value_t = 1, value_parser = clap::value_parser!(u16).range(1..=256))]
    jobs: u16,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
enum CoverageFormat {
    Table,
    Json,
}

fn percent(text: &str) -> Result<f64, String> {
    match text.parse::<f64>() {
        Ok(p) if (0.0..=100.0).contains(&p) => Ok(p),
        _ => Err(format!("`{text}` is not a percentage from 0 to 100")),
    }
}

enum Counted {
    Decided(Box<Observation>),
    /// Where and why, for standard error.
    Malformed(String),
}

/// Malformed records named on standard error; the rest are only counted.
const NAMED_MALFORMED: usize = 20;

pub fn run(args: Args) -> Status {
    let (_, model) = match checked_model(&[args.schemes.clone(), args.calendars.clone()].concat()) {
        Ok(loaded) => loaded,
        Err(status) => return status,
    };
    let evaluator = Evaluator::new(&model).with_lang(super::lang());
    let decoder = Decoder::new(&model);
    let records = match open_tips(
        args.tips.as_deref(),
        &args.reading,
        &decoder,
        args.max_record_bytes,
    ) {
        Ok((records, _)) => records,
        Err(message) => {
            fatal(message);
            return Status::Failure;
        }
    };
    let mut index = DuplicateIndex::new();
    let options = Options {
        jobs: args.jobs.into(),
        explain: false,
    };
    let mut stream = match Stream::new(&evaluator, &decoder, &mut index, options) {
        Ok(stream) => stream,
        Err(error) => {
            fatal(super::eval::threads_failed(args.jobs, &error));
            return Status::Failure;
        }
    };
    let observer = Observer::new(&model);
    let mut coverage = Coverage::new(&observer);
    let render = |item: Item| match item {
        Item::Decided { tip, decisions, .. } => {
            Counted::Decided(Box::new(observer.observe(tip, decisions)))
        }
        Item::Malformed(error) => {
            let mut at = say(Text::new("coverage.at_line").with("line", error.line));
            if let Some(column) = error.column {
                at.push_str(&say(Text::new("coverage.at_column").with("column", column)));
            }
            if let (Some(sheet), Some(cell)) = (&error.sheet, error.cell_reference()) {
                at.push_str(&say(Text::new("coverage.at_cell")
                    .with("sheet", terminal::cell(sheet).into_owned())
                    .with("cell", cell)));
            }
            if let Some(id) = &error.id {
                at.push_str(&say(
                    Text::new("coverage.at_tip").with("tip", terminal::cell(id).into_owned())
                ));
            }
            Counted::Malformed(format!(
                "{at}: {}",
                terminal::cell(&say(error.message.clone()))
            ))
        }
    };
    let mut malformed: Vec<String> = Vec::new();
    let result = stream.run(records, render, |batch: Vec<Counted>| {
        for seen in batch {
            match seen {
                Counted::Decided(observation) => coverage.add(*observation),
                Counted::Malformed(problem) => {
                    coverage.add_malformed();
                    if malformed.len() < NAMED_MALFORMED {
                        malformed.push(problem);
                    }
                }
            }
        }
        Ok::<(), io::Error>(())
    });
    if let Err(Stopped::Input(error)) = result {
        fatal(error.text());
        return Status::Failure;
    }
    let report = coverage.report();
    let text = match args.format {
        CoverageFormat::Json => match serde_json::to_string_pretty(&report) {
            Ok(json) => json + "\n",
            Err(error) => {
                fatal(Text::new("coverage.write_failed").with("error", error.to_string()));
                return Status::Failure;
            }
        },
        CoverageFormat::Table => table(&report),
    };
    if let Err(error) = io::stdout().lock().write_all(text.as_bytes()) {
        fatal(Text::new("coverage.write_failed").with("error", error.to_string()));
        return Status::Failure;
    }
    let mut stderr = io::stderr().lock();
    for problem in &malformed {
        let line = Text::new("coverage.malformed").with("problem", problem.as_str());
        let _ = writeln!(stderr, "{}", say(line));
    }
    if report.malformed > malformed.len() {
        let more =
            Text::new("coverage.malformed_more").with("more", report.malformed - malformed.len());
        let _ = writeln!(stderr, "{}", say(more));
    }
    let mut below = false;
    if let Some(least) = args.fail_under {
        match coverage.accepted_percent() {
            None => {
                below = true;
                let line = Text::new("coverage.none_decoded").with("least", least);
                let _ = writeln!(stderr, "{}", say(line));
            }
            Some(share) if share < least => {
                below = true;
                // As many decimals as it takes to show the share below the bound: 45.45% is
                // not the 45.5% it falls short of.
                let mut decimals = 2;
                while decimals < 6
                    && format!("{share:.decimals$}")
                        .parse::<f64>()
                        .unwrap_or(share)
                        >= least
                {
                    decimals += 1;
                }
                let line = Text::new("coverage.below")
                    .with("share", format!("{share:.decimals$}"))
                    .with("least", least);
                let _ = writeln!(stderr, "{}", say(line));
            }
            Some(_) => {}
        }
    }
    if below || report.malformed > 0 {
        Status::Problems
    } else {
        Status::Ok
    }
}

/// The report for a person. Every id, title, term and tip id passes through
/// [`terminal::cell`]: a scheme or a tip may hold escape sequences.
fn table(report: &Report) -> String {
    let cell = |text: &str| terminal::cell(text).into_owned();
    let mut out = String::new();
    let heading = match report.accepted_percent {
        Some(share) => Text::new("coverage.heading")
            .with("tips", report.tips)
            .with("malformed", report.malformed)
            .with("accepted", report.accepted)
            .with("decoded", report.decoded)
            .with("share", format!("{share:.1}")),
        None => Text::new("coverage.heading_none")
            .with("tips", report.tips)
            .with("malformed", report.malformed),
    };
    let _ = writeln!(out, "{}", say(heading));
    for campaign in &report.campaigns {
        let line = Text::new("coverage.campaign")
            .with("campaign", cell(campaign.campaign))
            .with("considered", campaign.considered)
            .with("accepted", campaign.accepted)
            .with("excluded", campaign.excluded)
            .with("no_match", campaign.no_match)
            .with("out_of_window", campaign.out_of_window)
            .with("out_of_scope", campaign.out_of_scope);
        let _ = writeln!(out, "\n{}", say(line));
        if campaign.considered == 0 {
            continue;
        }
        if !campaign.excluded_by.is_empty() {
            let clauses: Vec<String> = campaign
                .excluded_by
                .iter()
                .map(|e| format!("{} {}", cell(e.exclusion), e.tips))
                .collect();
            let line = Text::new("coverage.excluded_by").with("clauses", clauses.join("、"));
            let _ = writeln!(out, "  {}", say(line));
        }
        let _ = writeln!(out, "  {}", say(Text::new("coverage.symptoms_header")));
        for symptom in campaign.symptoms.iter().filter(|s| s.fired > 0) {
            let terms: Vec<String> = symptom
                .terms
                .iter()
                .map(|t| format!("{} {}", cell(&t.term), t.fired))
                .collect();
            let _ = writeln!(
                out,
                "  {:>5}  {}/{}/{} · {}",
                symptom.fired,
                cell(symptom.area),
                cell(symptom.category),
                cell(symptom.symptom),
                terms.join("、")
            );
        }
        if !campaign.never_fired.is_empty() {
            let never: Vec<_> = campaign.never_fired.iter().map(|s| cell(s)).collect();
            let line = Text::new("coverage.never_fired").with("symptoms", never.join(", "));
            let _ = writeln!(out, "  {}", say(line));
        }
        if campaign.no_match > 0 {
            let _ = writeln!(out, "  {}", say(Text::new("coverage.unmatched_header")));
            for group in &campaign.unmatched {
                let ids: Vec<String> = group.ids.iter().map(|id| cell(id)).collect();
                let more = if (group.tips as usize) > ids.len() {
                    ", …"
                } else {
                    ""
                };
                let tips = Text::new("coverage.group_tips")
                    .with("ids", ids.join(", "))
                    .with("more", more);
                let _ = writeln!(
                    out,
                    "  {:>5}  {}/{} {}\n         {}",
                    group.tips,
                    cell(group.area),
                    cell(group.category),
                    cell(group.title),
                    say(tips)
                );
                if !group.candidates.is_empty() {
                    let candidates: Vec<String> = group
                        .candidates
                        .iter()
                        .map(|c| format!("{} {}", cell(&c.phrase), c.tips))
                        .collect();
                    let line =
                        Text::new("coverage.candidates").with("phrases", candidates.join("、"));
                    let _ = writeln!(out, "         {}", say(line));
                }
            }
            if campaign.unlike > 0 {
                let _ = writeln!(
                    out,
                    "  {:>5}  {}",
                    campaign.unlike,
                    say(Text::new("coverage.unlike"))
                );
            }
        }
    }
    out
}
