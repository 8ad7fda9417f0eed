//! How a model's rules cover a corpus of tips (`rectify coverage`).
//!
//! Fed the decisions of the evaluator one tip at a time, it counts how often each symptom
//! fired and, within each, each literal and approximate phrase that gave evidence; lists the
//! symptoms that never fired; and groups the tips no rule accepted by the category they are
//! most like (the evaluator's first suggestion), with the phrases frequent among them that no
//! rule of that category holds — the words a writer would consider adding.
//!
//! It decides nothing and reads nothing: the caller runs the evaluator and hands each tip's
//! decisions to [`Observer::observe`], which may run on any thread, and the result to
//! [`Coverage::add`], in input order. What it keeps grows with the distinct phrases of the
//! unmatched tips only, and is capped.

use std::collections::BTreeMap;

use rustc_hash::FxHashMap;
use serde::Serialize;

use crate::eval::{Decision, Outcome, Tip};
use crate::model::{Model, Term};
use crate::text::normalize;

/// Shortest and longest candidate phrase, in characters.
const PHRASE_CHARS: std::ops::RangeInclusive<usize> = 2..=4;

/// Characters of an unmatched tip looked at for candidate phrases.
const MINED_CHARS: usize = 4096;

/// Distinct phrases remembered per group, over all groups together, and over all unmatched
/// tips; past a cap a new phrase is not counted, so memory stays bounded on any corpus and any
/// number of categories (a few tens of megabytes at the caps).
const GROUP_PHRASES: usize = 50_000;
const GROUPS_PHRASES: usize = 500_000;
const ALL_PHRASES: usize = 200_000;

/// Candidate phrases shown per group, and tip ids listed per group.
const CANDIDATES: usize = 8;
const LISTED_TIPS: usize = 10;

/// Every symptom and category of a model, and what each tip's decisions say about them.
pub struct Observer<'m> {
    model: &'m Model,
    /// Flat symptom index of `(campaign, area id, category id, symptom id)`.
    symptom_index: FxHashMap<(usize, &'m str, &'m str, &'m str), usize>,
    /// Flat category index of `(campaign, area id, category id)`.
    category_index: FxHashMap<(usize, &'m str, &'m str), usize>,
    symptoms: Vec<SymptomTerms<'m>>,
    categories: Vec<CategoryWords<'m>>,
}

/// The counts over a corpus.
pub struct Coverage<'o, 'm> {
    observer: &'o Observer<'m>,
    /// Per symptom: tips it fired for, and per term the tips it gave evidence in.
    fired: Vec<(u32, Vec<u32>)>,
    groups: Vec<Group>,
    campaigns: Vec<CampaignCount>,
    tips: usize,
    malformed: usize,
    accepted: usize,
    unmatched_tips: usize,
    /// In how many unmatched tips each phrase occurs.
    all_phrases: FxHashMap<String, u32>,
    /// Distinct phrases held by all groups together.
    group_phrases: usize,
}

struct SymptomTerms<'m> {
    campaign: usize,
    area: &'m str,
    category: &'m str,
    symptom: &'m str,
    /// The rule's terms in normal form, with the literal when the term is one.
    terms: Vec<(String, Option<&'m str>)>,
}

struct CategoryWords<'m> {
    campaign: usize,
    area: &'m str,
    category: &'m str,
    title: &'m str,
    /// Every literal and approximate phrase of its rules, in normal form.
    words: Vec<String>,
}

#[derive(Default, Clone)]
struct Group {
    tips: u32,
    ids: Vec<String>,
    phrases: FxHashMap<String, u32>,
}

#[derive(Default, Clone)]
struct CampaignCount {
    outcomes: BTreeMap<&'static str, u32>,
    /// Per exclusion clause, in scheme order, the tips it excluded.
    exclusions: Vec<u32>,
    unlike: u32,
}

/// What one campaign decided about one tip.
#[derive(Debug, Clone)]
struct Seen {
    /// The outcome's name.
    outcome: &'static str,
    /// The symptoms that fired, each with the terms that gave evidence.
    fired: Vec<(usize, Vec<usize>)>,
    /// For a `no_match`, the category the tip is most like.
    like: Option<usize>,
    /// For an exclusion, the clause's index in its campaign.
    exclusion: Option<usize>,
}

/// What one tip contributes, computed from its decisions; cheap to send between threads.
#[derive(Debug, Clone)]
pub struct Observation {
    id: String,
    /// What each campaign decided, in load order.
    campaigns: Vec<Seen>,
    /// The tip's text in normal form, when some campaign found it most like a category.
    mined: Option<String>,
}

impl<'m> Observer<'m> {
    /// The tables for every symptom and category of `model`.
    pub fn new(model: &'m Model) -> Observer<'m> {
        let mut symptom_index = FxHashMap::default();
        let mut category_index = FxHashMap::default();
        let mut symptoms = Vec::new();
        let mut categories = Vec::new();
        for (c, campaign) in model.campaigns.iter().enumerate() {
            for area in &campaign.areas {
                for category in &area.categories {
                    let mut words = Vec::new();
                    for symptom in &category.symptoms {
                        let mut terms: Vec<(String, Option<&str>)> = Vec::new();
                        for term in symptom.rule.terms() {
                            let term = match term {
                                Term::Literal(i) => {
                                    let literal = campaign.literals[i].as_str();
                                    (literal.to_string(), Some(literal))
                                }
                                Term::Approx(approx) => {
                                    (approx.phrase.iter().collect::<String>(), None)
                                }
                            };
                            // A word written twice (in a vocabulary and beside it, or in both
                            // scripts) is one term with one count.
                            if !terms.contains(&term) {
                                terms.push(term);
                            }
                        }
                        words.extend(terms.iter().map(|(text, _)| text.clone()));
                        symptom_index.insert(
                            (
                                c,
                                area.id.as_str(),
                                category.id.as_str(),
                                symptom.id.as_str(),
                            ),
                            symptoms.len(),
                        );
                        symptoms.push(SymptomTerms {
                            campaign: c,
                            area: &area.id,
                            category: &category.id,
                            symptom: &symptom.id,
                            terms,
                        });
                    }
                    category_index.insert(
                        (c, area.id.as_str(), category.id.as_str()),
                        categories.len(),
                    );
                    categories.push(CategoryWords {
                        campaign: c,
                        area: &area.id,
                        category: &category.id,
                        title: &category.title,
                        words,
                    });
                }
            }
        }
        Observer {
            model,
            symptom_index,
            category_index,
            symptoms,
            categories,
        }
    }

    /// What a tip's decisions (one per campaign, in model order) contribute.
    pub fn observe(&self, tip: &Tip, decisions: &[Decision]) -> Observation {
        let mut mined = false;
        let campaigns = decisions
            .iter()
            .enumerate()
            .map(|(c, decision)| {
                let mut fired = Vec::new();
                let mut like = None;
                let mut exclusion = None;
                match &decision.outcome {
                    Outcome::Excluded { exclusion: id, .. } => {
                        exclusion = self.model.campaigns[c]
                            .exclusions
                            .iter()
                            .position(|e| e.id == *id);
                    }
                    Outcome::Accepted { matches, .. } => {
                        for area in matches {
                            for category in &area.categories {
                                for symptom in &category.symptoms {
                                    let key = (c, area.area, category.category, symptom.symptom);
                                    if let Some(&s) = self.symptom_index.get(&key) {
                                        fired.push((s, self.terms_of(s, &symptom.evidence)));
                                    }
                                }
                            }
                        }
                    }
                    Outcome::NoMatch { suggestions } => {
                        like = suggestions.first().and_then(|best| {
                            self.category_index
                                .get(&(c, best.area, best.category))
                                .copied()
                        });
                        mined |= like.is_some();
                    }
                    _ => {}
                }
                Seen {
                    outcome: decision.outcome.name(),
                    fired,
                    like,
                    exclusion,
                }
            })
            .collect();
        Observation {
            id: tip.id.clone(),
            campaigns,
            mined: mined.then(|| normalize(&tip.text)),
        }
    }

    /// Which of a symptom's terms its evidence came from.
    fn terms_of(&self, symptom: usize, evidence: &[crate::eval::Evidence]) -> Vec<usize> {
        let terms = &self.symptoms[symptom].terms;
        let mut used = Vec::new();
        for piece in evidence {
            let text = normalize(piece.text);
            let found = if piece.similarity.is_some() {
                // Of the approximate phrases, the one closest to what matched.
                terms
                    .iter()
                    .enumerate()
                    .filter(|(_, (_, literal))| literal.is_none())
                    .min_by_key(|(_, (phrase, _))| strsim::levenshtein(phrase, &text))
                    .map(|(t, _)| t)
            } else {
                terms
                    .iter()
                    .position(|(_, literal)| *literal == Some(text.as_str()))
            };
            if let Some(t) = found
                && !used.contains(&t)
            {
                used.push(t);
            }
        }
        used
    }
}

impl<'o, 'm> Coverage<'o, 'm> {
    /// No tips counted yet.
    pub fn new(observer: &'o Observer<'m>) -> Coverage<'o, 'm> {
        Coverage {
            observer,
            fired: observer
                .symptoms
                .iter()
                .map(|s| (0, vec![0; s.terms.len()]))
                .collect(),
            groups: vec![Group::default(); observer.categories.len()],
            campaigns: vec![CampaignCount::default(); observer.model.campaigns.len()],
            tips: 0,
            malformed: 0,
            accepted: 0,
            unmatched_tips: 0,
            all_phrases: FxHashMap::default(),
            group_phrases: 0,
        }
    }

    /// Counts a tip that could not be decoded.
    pub fn add_malformed(&mut self) {
        self.tips += 1;
        self.malformed += 1;
    }

    /// Counts one tip's observation; call in input order so the listed ids are the first ones.
    pub fn add(&mut self, observation: Observation) {
        self.tips += 1;
        let mut accepted = false;
        let phrases = observation.mined.as_deref().map(phrases_of);
        for (c, seen) in observation.campaigns.into_iter().enumerate() {
            let Seen {
                outcome,
                fired,
                like,
                exclusion,
            } = seen;
            let count = &mut self.campaigns[c];
            *count.outcomes.entry(outcome).or_default() += 1;
            if let Some(e) = exclusion {
                if count.exclusions.len() <= e {
                    count.exclusions.resize(e + 1, 0);
                }
                count.exclusions[e] += 1;
            }
            accepted |= outcome == "accepted";
            for (s, terms) in fired {
                let (tips, by_term) = &mut self.fired[s];
                *tips += 1;
                for t in terms {
                    by_term[t] += 1;
                }
            }
            if outcome == "no_match" {
                match (like, &phrases) {
                    (Some(k), Some(phrases)) => {
                        let group = &mut self.groups[k];
                        group.tips += 1;
                        if group.ids.len() < LISTED_TIPS {
                            group.ids.push(observation.id.clone());
                        }
                        let before = group.phrases.len();
                        let room = GROUPS_PHRASES.saturating_sub(self.group_phrases);
                        let cap = GROUP_PHRASES.min(before + room);
                        count_phrases(&mut group.phrases, phrases, cap);
                        self.group_phrases += group.phrases.len() - before;
                    }
                    _ => count.unlike += 1,
                }
            }
        }
        if let Some(phrases) = &phrases {
            self.unmatched_tips += 1;
            count_phrases(&mut self.all_phrases, phrases, ALL_PHRASES);
        }
        if accepted {
            self.accepted += 1;
        }
    }

    /// The share of decoded tips some campaign accepted, in percent; `None` when no tip could
    /// be decoded, for then there is nothing to measure.
    pub fn accepted_percent(&self) -> Option<f64> {
        let decoded = self.tips - self.malformed;
        (decoded > 0).then(|| 100.0 * self.accepted as f64 / decoded as f64)
    }

    /// The counts, in model order.
    pub fn report(&self) -> Report<'m> {
        let observer = self.observer;
        let campaigns = observer
            .model
            .campaigns
            .iter()
            .enumerate()
            .map(|(c, campaign)| {
                let count = &self.campaigns[c];
                let outcome = |name: &str| count.outcomes.get(name).copied().unwrap_or(0);
                let symptoms: Vec<SymptomReport> = observer
                    .symptoms
                    .iter()
                    .zip(&self.fired)
                    .filter(|(s, _)| s.campaign == c)
                    .map(|(s, (fired, by_term))| SymptomReport {
                        area: s.area,
                        category: s.category,
                        symptom: s.symptom,
                        fired: *fired,
                        terms: s
                            .terms
                            .iter()
                            .zip(by_term)
                            .map(|((term, _), fired)| TermReport {
                                term: term.clone(),
                                fired: *fired,
                            })
                            .collect(),
                    })
                    .collect();
                let never_fired = symptoms
                    .iter()
                    .filter(|s| s.fired == 0)
                    .map(|s| format!("{}/{}/{}", s.area, s.category, s.symptom))
                    .collect();
                let mut unmatched: Vec<GroupReport> = observer
                    .categories
                    .iter()
                    .zip(&self.groups)
                    .filter(|(k, group)| k.campaign == c && group.tips > 0)
                    .map(|(k, group)| GroupReport {
                        area: k.area,
                        category: k.category,
                        title: k.title,
                        tips: group.tips,
                        ids: group.ids.clone(),
                        candidates: self.candidates(k, group),
                    })
                    .collect();
                // Largest group first; of equal ones, the category written first.
                unmatched.sort_by_key(|g| std::cmp::Reverse(g.tips));
                let excluded_by = campaign
                    .exclusions
                    .iter()
                    .zip(&count.exclusions)
                    .filter(|(_, tips)| **tips > 0)
                    .map(|(exclusion, tips)| ExclusionReport {
                        exclusion: &exclusion.id,
                        tips: *tips,
                    })
                    .collect();
                CampaignReport {
                    campaign: &campaign.id,
                    considered: outcome("accepted") + outcome("excluded") + outcome("no_match"),
                    accepted: outcome("accepted"),
                    excluded: outcome("excluded"),
                    excluded_by,
                    no_match: outcome("no_match"),
                    out_of_window: outcome("out_of_window"),
                    out_of_scope: outcome("out_of_scope"),
                    symptoms,
                    never_fired,
                    unmatched,
                    unlike: count.unlike,
                }
            })
            .collect();
        Report {
            tips: self.tips,
            malformed: self.malformed,
            decoded: self.tips - self.malformed,
            accepted: self.accepted,
            accepted_percent: self.accepted_percent().map(|p| (p * 10.0).round() / 10.0),
            campaigns,
        }
    }

    /// The phrases in two or more of a group's tips, rare among the other unmatched tips that
    /// no rule of the category holds, best first, none inside another.
    fn candidates(&self, category: &CategoryWords, group: &Group) -> Vec<Candidate> {
        let all = self.unmatched_tips.max(1) as f64;
        let mut scored: Vec<(&str, u32, f64)> = group
            .phrases
            .iter()
            .filter(|(phrase, tips)| {
                **tips >= 2
                    && !category
                        .words
                        .iter()
                        .any(|w| w.contains(phrase.as_str()) || phrase.contains(w.as_str()))
            })
            .map(|(phrase, tips)| {
                let everywhere = self.all_phrases.get(phrase).copied().unwrap_or(*tips);
                let score = f64::from(*tips) * (all / f64::from(everywhere.max(1))).ln_1p();
                (phrase.as_str(), *tips, score)
            })
            .collect();
        scored.sort_by(|a, b| {
            b.2.total_cmp(&a.2)
                .then(b.0.chars().count().cmp(&a.0.chars().count()))
                .then(a.0.cmp(b.0))
        });
        let mut chosen: Vec<Candidate> = Vec::new();
        for (phrase, tips, _) in scored {
            if chosen
                .iter()
                .any(|c| c.phrase.contains(phrase) || phrase.contains(c.phrase.as_str()))
            {
                continue;
            }
            chosen.push(Candidate {
                phrase: phrase.to_string(),
                tips,
            });
            if chosen.len() == CANDIDATES {
                break;
            }
        }
        chosen
    }
}

/// The distinct phrases of two to four letters of a text in normal form.
fn phrases_of(normal: &str) -> Vec<String> {
    let chars: Vec<char> = normal.chars().take(MINED_CHARS).collect();
    let mut out: Vec<String> = Vec::new();
    for start in 0..chars.len() {
        for length in PHRASE_CHARS {
            let Some(window) = chars.get(start..start + length) else {
                break;
            };
            if !window.iter().all(|c| c.is_alphabetic() && !c.is_ascii()) {
                break;
            }
            out.push(window.iter().collect());
        }
    }
    out.sort_unstable();
    out.dedup();
    out
}

fn count_phrases(counts: &mut FxHashMap<String, u32>, phrases: &[String], cap: usize) {
    for phrase in phrases {
        if let Some(count) = counts.get_mut(phrase) {
            *count += 1;
        } else if counts.len() < cap {
            counts.insert(phrase.clone(), 1);
        }
    }
}

/// Coverage over a corpus, as written out.
#[derive(Debug, Serialize)]
pub struct Report<'m> {
    /// Records read.
    pub tips: usize,
    /// Records that could not be decoded.
    pub malformed: usize,
    /// Records decoded into tips and decided.
    pub decoded: usize,
    /// Tips some campaign accepted.
    pub accepted: usize,
    /// `accepted` as a percentage of the decoded tips, to one decimal; `None` (JSON `null`)
    /// when no tip was decoded.
    pub accepted_percent: Option<f64>,
    /// Per campaign, in model order.
    pub campaigns: Vec<CampaignReport<'m>>,
}

/// How many tips one exclusion clause excluded.
#[derive(Debug, Serialize)]
pub struct ExclusionReport<'m> {
    /// The clause's id.
    pub exclusion: &'m str,
    /// The tips it excluded.
    pub tips: u32,
}

/// One campaign's coverage.
#[derive(Debug, Serialize)]
pub struct CampaignReport<'m> {
    /// The campaign's id.
    pub campaign: &'m str,
    /// Tips in its window and scope.
    pub considered: u32,
    /// Of those, accepted.
    pub accepted: u32,
    /// Excluded by a clause.
    pub excluded: u32,
    /// The clauses that excluded some tip, in scheme order, with how many each.
    pub excluded_by: Vec<ExclusionReport<'m>>,
    /// Matched by nothing.
    pub no_match: u32,
    /// Received outside its windows.
    pub out_of_window: u32,
    /// About subjects outside its scope.
    pub out_of_scope: u32,
    /// Every symptom, in scheme order.
    pub symptoms: Vec<SymptomReport<'m>>,
    /// The symptoms that fired for no tip, as `area/category/symptom`.
    pub never_fired: Vec<String>,
    /// The `no_match` tips, grouped by the category they are most like, largest group first.
    pub unmatched: Vec<GroupReport<'m>>,
    /// `no_match` tips not much like any category.
    pub unlike: u32,
}

/// How often one symptom fired.
#[derive(Debug, Serialize)]
pub struct SymptomReport<'m> {
    /// Its area's id.
    pub area: &'m str,
    /// Its category's id.
    pub category: &'m str,
    /// Its id.
    pub symptom: &'m str,
    /// Tips it fired for.
    pub fired: u32,
    /// Its literals and approximate phrases, with the tips each gave evidence in.
    pub terms: Vec<TermReport>,
}

/// One literal or approximate phrase of a rule.
#[derive(Debug, Serialize)]
pub struct TermReport {
    /// The literal or phrase, in normal form.
    pub term: String,
    /// Tips in which it gave evidence for its symptom.
    pub fired: u32,
}

/// The unmatched tips most like one category.
#[derive(Debug, Serialize)]
pub struct GroupReport<'m> {
    /// The category's area.
    pub area: &'m str,
    /// The category's id.
    pub category: &'m str,
    /// Its official wording.
    pub title: &'m str,
    /// How many tips.
    pub tips: u32,
    /// The first tips' ids.
    pub ids: Vec<String>,
    /// Phrases frequent among them that no rule of the category holds.
    pub candidates: Vec<Candidate>,
}

/// A phrase a writer might add to a category's rules.
#[derive(Debug, Serialize)]
pub struct Candidate {
    /// The phrase, in normal form.
    pub phrase: String,
    /// In how many of the group's tips it occurs.
    pub tips: u32,
}

#[cfg(test)]
mod tests {
    use super::phrases_of;

    #[test]
    fn phrases_are_runs_of_letters_of_two_to_four_characters() {
        let phrases = phrases_of("拍照片,ok 来回跑");
        for expected in ["拍照", "拍照片", "照片", "来回", "来回跑", "回跑"] {
            assert!(phrases.contains(&expected.to_string()), "{expected}");
        }
        assert!(!phrases.iter().any(|p| p.contains(',') || p.contains('o')));
        assert!(!phrases.contains(&"片来".to_string()));
    }
}
