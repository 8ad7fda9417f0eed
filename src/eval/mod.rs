//! Stage three of the pipeline: tips → one decision per loaded campaign.
//!
//! The evaluator runs only a checked [`Model`]. For each tip it puts the text in normal form
//! once, scans it once with one automaton built from every literal of every campaign, then
//! decides for each campaign in model order: out of window, out of scope, excluded by the first
//! clause that fires, accepted (with evidence, departments, priority and due dates), or no
//! match. It reads no files and prints nothing; the reporter's identity never enters a
//! decision.

mod approx;
pub mod calendar;
mod condition;
mod decision;
mod duplicate;
pub mod encoding;
mod input;
mod json;
mod matching;
mod output;
mod record;
mod scan;
mod sheet;
mod stream;
mod suggest;
mod tip;

use crate::lang::{Lang, Text};
use crate::model::{Campaign, DeadlineKind, Model, Priority, Route};
use crate::text::{Normalized, normalize};

pub use decision::{
    AreaMatch, Assigned, CategoryMatch, Decision, Due, DutyDue, Evidence, Explanation, Outcome,
    Repeat, ScopeReason, Similarity, Suggestion, SymptomMatch,
};
pub use duplicate::{DuplicateIndex, MAX_REPEATS, Seen, Signature, reporter_key, subject_key};
pub use input::{DEFAULT_MAX_RECORD_BYTES, Format, InputError, Kept, Raw, Records, Row};
pub use output::{Disclosure, decided_line, disclosed, error_line};
pub use record::{CsvLayout, Decoder, RecordError, day_of};
pub use sheet::Sheet;
pub use stream::{Item, Options, RepeatIndex, Stopped, Stream, remember};
pub use tip::{Reporter, Subject, Tip};

use condition::Facts;
use matching::TextView;
use scan::{Hit, LiteralSet, Scanner};

/// Decides tips against every campaign of a model.
pub struct Evaluator<'m> {
    model: &'m Model,
    scanner: Scanner,
    suggester: suggest::Suggester,
    /// For each campaign, each symptom in scheme order: its rule as a set of literals when the
    /// rule is only "one of these", which most symptoms are.
    literal_sets: Vec<Vec<Option<LiteralSet>>>,
    /// Each campaign's subject kinds in normal form, so that 黨員幹部 is 党员干部.
    kinds: Vec<Vec<String>>,
    /// The lowest similarity any `duplicate` condition asks for; `None` when none does.
    duplicate_threshold: Option<f64>,
    /// The language of the reasons in decisions.
    lang: Lang,
}

/// A tip's text in normal form, the hits of the scan and the signature for the repeat search,
/// ready for [`Evaluator::decide`]. Its buffers are kept from one tip to the next.
#[derive(Debug, Default, Clone)]
pub struct Prepared {
    normalized: Normalized,
    hits: Vec<Hit>,
    present: Vec<u64>,
    signer: duplicate::Signer,
    signature: Option<Signature>,
}

impl Prepared {
    /// The text in normal form.
    pub fn normalized(&self) -> &Normalized {
        &self.normalized
    }

    /// The signature of the text, when the evaluator looks for repeats; taken, so that it
    /// can be handed to a [`RepeatIndex`] without a copy.
    pub fn take_signature(&mut self) -> Option<Signature> {
        self.signature.take()
    }
}

impl<'m> Evaluator<'m> {
    /// Builds the automaton and tables for `model`.
    pub fn new(model: &'m Model) -> Evaluator<'m> {
        let kinds = model
            .campaigns
            .iter()
            .map(|c| c.scope.subjects.iter().map(|k| normalize(k)).collect())
            .collect();
        let mut rules = Vec::new();
        for campaign in &model.campaigns {
            let conditions = campaign
                .exclusions
                .iter()
                .map(|e| &e.condition)
                .chain(campaign.priorities.iter().filter_map(|p| p.when.as_ref()))
                .chain(campaign.deadlines.iter().filter_map(|d| d.when.as_ref()));
            for condition in conditions {
                collect_rules(condition, &mut rules);
            }
        }
        let duplicate_threshold = rules.iter().map(|r| r.similarity).reduce(f64::min);
        let scanner = Scanner::new(model);
        let literal_sets = model
            .campaigns
            .iter()
            .enumerate()
            .map(|(c, campaign)| {
                campaign
                    .areas
                    .iter()
                    .flat_map(|area| &area.categories)
                    .flat_map(|category| &category.symptoms)
                    .map(|symptom| scanner.literal_set(c, &symptom.rule))
                    .collect()
            })
            .collect();
        Evaluator {
            model,
            scanner,
            suggester: suggest::Suggester::new(model),
            literal_sets,
            kinds,
            duplicate_threshold,
            lang: Lang::En,
        }
    }

    /// Gives the reasons in decisions in `lang` (English unless asked).
    pub fn with_lang(mut self, lang: Lang) -> Evaluator<'m> {
        self.lang = lang;
        self
    }

    /// The language of the reasons in decisions.
    pub fn lang(&self) -> Lang {
        self.lang
    }

    /// The lowest similarity at which a tip counts as a repeat for some campaign, or `None`
    /// when no campaign looks for repeats (and no signatures need computing).
    pub fn duplicate_threshold(&self) -> Option<f64> {
        self.duplicate_threshold
    }

    /// Puts a tip's text in normal form, scans it and signs it, in one pass, reusing
    /// `prepared`'s buffers. The text is scanned only when some campaign takes the tip in
    /// (its window and scope): no decision of the others reads what a scan finds. It is
    /// signed whenever some campaign looks for repeats, since a later tip may repeat it.
    pub fn prepare(&self, tip: &Tip, prepared: &mut Prepared) {
        let Prepared {
            normalized,
            hits,
            present,
            signer,
            signature,
        } = prepared;
        hits.clear();
        signer.clear();
        let signs = self.duplicate_threshold.is_some();
        let scan = if self.admitted_anywhere(tip) {
            self.scanner.start()
        } else {
            None
        };
        // One loop for each combination, so that no character asks which work it is for.
        match (scan, signs) {
            (Some(mut scan), true) => normalized.fill_with(&tip.text, |c| {
                scan.push(c, hits);
                signer.push(c);
            }),
            (Some(mut scan), false) => normalized.fill_with(&tip.text, |c| scan.push(c, hits)),
            (None, true) => normalized.fill_with(&tip.text, |c| signer.push(c)),
            (None, false) => normalized.fill(&tip.text),
        }
        self.scanner.finish(hits, present);
        *signature = signs.then(|| signer.finish());
    }

    /// Whether some campaign takes the tip in: its window holds the day received and its
    /// scope the subject.
    fn admitted_anywhere(&self, tip: &Tip) -> bool {
        self.model
            .campaigns
            .iter()
            .enumerate()
            .any(|(index, campaign)| {
                in_window(campaign, tip) && self.scope_problem(index, campaign, tip).is_none()
            })
    }

    /// Every campaign's decision on a prepared tip, in model order. `repeats` are the earlier
    /// tips it may repeat, the most similar first; `explain` adds why each rule did or did not
    /// fire.
    pub fn decide<'t>(
        &'t self,
        tip: &'t Tip,
        prepared: &Prepared,
        repeats: &[Repeat],
        explain: bool,
    ) -> Vec<Decision<'t>> {
        self.model
            .campaigns
            .iter()
            .enumerate()
            .map(|(index, campaign)| {
                let text = TextView {
                    original: &tip.text,
                    normalized: &prepared.normalized,
                    hits: &prepared.hits,
                    present: &prepared.present,
                    scanner: &self.scanner,
                    campaign_index: index,
                    campaign,
                    lang: self.lang,
                };
                let facts = Facts {
                    tip,
                    text: &text,
                    repeats,
                };
                let mut trace = explain.then(Vec::new);
                let outcome = self.outcome(index, campaign, &facts, &mut trace);
                Decision {
                    campaign: &campaign.id,
                    outcome,
                    explain: trace.unwrap_or_default(),
                    lang: self.lang,
                }
            })
            .collect()
    }

    fn outcome<'t>(
        &'t self,
        index: usize,
        campaign: &'t Campaign,
        facts: &Facts<'_, 't>,
        trace: &mut Option<Vec<Explanation>>,
    ) -> Outcome<'t> {
        let tip = facts.tip;
        // The rule's name and the reason are built only when a trace is asked for.
        let mut note = |rule: &dyn Fn() -> String, fired: bool, why: &dyn Fn() -> String| {
            if let Some(trace) = trace.as_mut() {
                trace.push(Explanation {
                    rule: rule(),
                    fired,
                    why: why(),
                });
            }
        };

        let in_window = in_window(campaign, tip);
        note(&|| "window".into(), in_window, &|| {
            let windows: Vec<String> = campaign
                .windows
                .iter()
                .map(|w| {
                    Text::new("explain.window_range")
                        .with("start", w.start.to_string())
                        .with("end", w.end.to_string())
                        .render(self.lang)
                })
                .collect();
            Text::new("explain.window")
                .with("received", tip.received.to_string())
                .with("windows", windows.join(", "))
                .render(self.lang)
        });
        if !in_window {
            return Outcome::OutOfWindow {
                windows: &campaign.windows,
            };
        }

        let scope = self.scope_problem(index, campaign, tip);
        note(&|| "scope".into(), scope.is_none(), &|| match &scope {
            Some(reason) => reason.render(self.lang),
            None => self.lang.word("explain.scope_ok").to_string(),
        });
        if let Some(reason) = scope {
            return Outcome::OutOfScope { reason };
        }

        for exclusion in &campaign.exclusions {
            let fired = facts.holds(&exclusion.condition);
            note(&|| format!("exclusion {}", exclusion.id), fired, &|| {
                condition::explain(facts, &exclusion.condition)
            });
            if fired {
                let mut rules = Vec::new();
                collect_rules(&exclusion.condition, &mut rules);
                let repeats = facts.repeat_for(&rules).cloned();
                return Outcome::Excluded {
                    exclusion: &exclusion.id,
                    reason: &exclusion.reason,
                    repeats,
                };
            }
        }

        let mut matches = Vec::new();
        let mut routes: Vec<&Route> = Vec::new();
        let mut literal_sets = self.literal_sets[facts.text.campaign_index].iter();
        for area in &campaign.areas {
            let mut categories = Vec::new();
            for category in &area.categories {
                let mut symptoms = Vec::new();
                for symptom in &category.symptoms {
                    let fired = match literal_sets.next() {
                        Some(Some(set)) => set.any_in(facts.text.present),
                        _ => facts.text.matches(&symptom.rule),
                    };
                    note(&|| format!("symptom {}", symptom.id), fired, &|| {
                        facts.text.explain(&symptom.rule)
                    });
                    if fired {
                        let mut evidence = Vec::new();
                        facts.text.evidence(&symptom.rule, &mut evidence);
                        evidence.sort();
                        evidence.dedup();
                        evidence.truncate(matching::EVIDENCE_LIMIT);
                        symptoms.push(SymptomMatch {
                            symptom: &symptom.id,
                            evidence,
                        });
                    }
                }
                if !symptoms.is_empty() {
                    routes.push(&category.route);
                    categories.push(CategoryMatch {
                        category: &category.id,
                        title: &category.title,
                        symptoms,
                    });
                }
            }
            if !categories.is_empty() {
                matches.push(AreaMatch {
                    area: &area.id,
                    categories,
                });
            }
        }
        if matches.is_empty() {
            return Outcome::NoMatch {
                suggestions: self.suggester.suggest(self.model, facts.text),
            };
        }

        let priority = campaign
            .priorities
            .iter()
            .find(|rule| rule.when.as_ref().is_none_or(|c| facts.holds(c)))
            .map_or(Priority::Normal, |rule| rule.priority);
        let mut due = Due::default();
        for kind in [DeadlineKind::Handle, DeadlineKind::Reply] {
            let rule = campaign
                .deadlines
                .iter()
                .filter(|d| d.kind == kind)
                .find(|d| d.when.as_ref().is_none_or(|c| facts.holds(c)));
            if let Some(rule) = rule {
                let counted = calendar::due(
                    &self.model.calendar,
                    tip.received,
                    rule.days,
                    rule.working_days,
                );
                if let Some(year) = counted.unknown_year
                    && due.provisional.is_none()
                {
                    due.provisional = Some(calendar::provisional_reason(year).render(self.lang));
                }
                let date = counted.date;
                match kind {
                    DeadlineKind::Handle => due.handle = Some(date),
                    DeadlineKind::Reply => due.reply = Some(date),
                }
            }
        }
        let duties = campaign
            .duties
            .iter()
            .map(|duty| DutyDue {
                duty: &duty.id,
                title: &duty.title,
                to: &campaign.departments[duty.recipient].name,
                next: calendar::next_day_of_month(tip.received, duty.day),
            })
            .collect();
        Outcome::Accepted {
            matches,
            departments: assigned(campaign, &routes),
            priority: priority.name(),
            due,
            duties,
        }
    }

    /// Why the tip's subject is outside the campaign's scope, or `None` when it is inside.
    /// A property the tip leaves blank is not held against it: exclusions such as
    /// `missing subject.name` deal with blanks.
    fn scope_problem<'t>(
        &self,
        index: usize,
        campaign: &'t Campaign,
        tip: &'t Tip,
    ) -> Option<ScopeReason<'t>> {
        let scope = &campaign.scope;
        if let Some(kind) = &tip.subject.kind {
            let kinds = &self.kinds[index];
            // A kind already in normal form, as most are, is found without normalising it.
            if !kinds.is_empty() && !kinds.contains(kind) && !kinds.contains(&normalize(kind)) {
                return Some(ScopeReason::Kind {
                    kind,
                    accepted: &scope.subjects,
                });
            }
        }
        if let Some(level) = tip.subject.level
            && !scope.levels.is_empty()
            && !scope.levels.contains(&level)
        {
            return Some(ScopeReason::Level {
                level,
                written: tip.subject.level_written.as_deref(),
                accepted: &scope.levels,
            });
        }
        if let Some(region) = &tip.subject.region
            && !scope.regions.is_empty()
            && !scope.regions.iter().any(|r| r.contains(region))
        {
            return Some(ScopeReason::Region {
                region,
                accepted: &scope.regions,
            });
        }
        None
    }
}

/// Whether one of the campaign's windows holds the day the tip was received.
fn in_window(campaign: &Campaign, tip: &Tip) -> bool {
    campaign.windows.iter().any(|w| w.contains(tip.received))
}

/// Departments of the matched categories: every lead first, then those that only co-operate.
fn assigned<'t>(campaign: &'t Campaign, routes: &[&Route]) -> Vec<Assigned<'t>> {
    let mut leads: Vec<usize> = Vec::new();
    let mut with: Vec<usize> = Vec::new();
    for route in routes {
        for &d in &route.lead {
            if !leads.contains(&d) {
                leads.push(d);
            }
        }
    }
    for route in routes {
        for &d in &route.with {
            if !leads.contains(&d) && !with.contains(&d) {
                with.push(d);
            }
        }
    }
    let department = |d: usize, role| Assigned {
        id: &campaign.departments[d].id,
        name: &campaign.departments[d].name,
        role,
    };
    leads
        .into_iter()
        .map(|d| department(d, "lead"))
        .chain(with.into_iter().map(|d| department(d, "with")))
        .collect()
}

fn collect_rules(condition: &crate::model::Condition, out: &mut Vec<crate::model::RepeatRule>) {
    use crate::model::Condition;
    match condition {
        Condition::Duplicate(rule) => out.push(*rule),
        Condition::And(parts) | Condition::Or(parts) => {
            for part in parts {
                collect_rules(part, out);
            }
        }
        Condition::Not(inner) => collect_rules(inner, out),
        _ => {}
    }
}
