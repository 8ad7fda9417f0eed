//! Checks between campaigns loaded together: concurrent campaigns — overlapping windows and
//! regions — must not send the same tips to different departments.

use indexmap::IndexMap;

use super::{CheckError, Problems, Related};
use crate::lang::Text;
use crate::model::{Campaign, MatchRule, Model, Region};

/// Warns where two concurrent campaigns route the same literal to different lead departments.
pub(super) fn check(model: &Model, problems: &mut Problems) {
    // Built only for campaigns that run concurrently with another: most loads have none.
    let mut claims: Vec<Option<Claims>> = vec![None; model.campaigns.len()];
    for (i, first) in model.campaigns.iter().enumerate() {
        for (j, second) in model.campaigns.iter().enumerate().skip(i + 1) {
            if !concurrent(first, second) {
                continue;
            }
            for k in [i, j] {
                if claims[k].is_none() {
                    claims[k] = Some(lead_by_literal(&model.campaigns[k]));
                }
            }
            let (Some(first_claims), Some(second_claims)) = (&claims[i], &claims[j]) else {
                continue;
            };
            for (literal, (first_literal, first_leads)) in first_claims {
                let Some((second_literal, second_leads)) = second_claims.get(literal) else {
                    continue;
                };
                if first_leads == second_leads {
                    continue;
                }
                let first_span = first.literal_spans[*first_literal];
                let second_span = second.literal_spans[*second_literal];
                let same_file = first.file == second.file;
                let error = CheckError::ConflictingRoutes {
                    literal: literal.to_string(),
                    first_campaign: first.id.clone(),
                    second_campaign: second.id.clone(),
                    first_departments: first_leads.join("、"),
                    second_departments: second_leads.join("、"),
                    first: same_file.then(|| first_span.into()),
                    second: second_span.into(),
                };
                problems.file = second.file;
                if same_file {
                    problems.push(error);
                } else {
                    problems.push_related(
                        error,
                        Related {
                            file: first.file,
                            span: first_span,
                            message: Text::new("related.campaign_sends")
                                .with("campaign", &first.id)
                                .with("literal", &**literal)
                                .with("departments", first_leads.join("、")),
                        },
                    );
                }
            }
        }
    }
}

/// For each literal: its index in the campaign, and the lead departments it sends tips to.
type Claims<'m> = IndexMap<&'m str, (usize, Vec<String>)>;

/// Whether two campaigns take tips at the same time in the same place.
fn concurrent(a: &Campaign, b: &Campaign) -> bool {
    let time = a.windows.iter().any(|x| {
        b.windows
            .iter()
            .any(|y| x.start <= y.end && y.start <= x.end)
    });
    let regions_overlap = |x: &[Region], y: &[Region]| {
        x.is_empty() || y.is_empty() || x.iter().any(|r| y.iter().any(|s| r.overlaps(s)))
    };
    time && regions_overlap(&a.scope.regions, &b.scope.regions)
}

/// For each literal that alone sends a tip to a category, the official names of the
/// category's lead departments.
fn lead_by_literal(campaign: &Campaign) -> Claims<'_> {
    let mut leads: Claims = IndexMap::new();
    for category in campaign.areas.iter().flat_map(|a| &a.categories) {
        let names: Vec<String> = category
            .route
            .lead
            .iter()
            .map(|&d| campaign.departments[d].name.clone())
            .collect();
        let mut literals = Vec::new();
        for symptom in &category.symptoms {
            sufficient_literals(&symptom.rule, &mut literals);
        }
        for literal in literals {
            let (_, entry) = leads
                .entry(campaign.literals[literal].as_str())
                .or_insert_with(|| (literal, Vec::new()));
            for name in &names {
                if !entry.contains(name) {
                    entry.push(name.clone());
                }
            }
        }
    }
    for (_, names) in leads.values_mut() {
        names.sort();
    }
    leads
}

/// The literals whose presence alone makes the rule match (see `rules::sufficient_literals`).
fn sufficient_literals(rule: &MatchRule, out: &mut Vec<usize>) {
    match rule {
        MatchRule::Literal(index) => out.push(*index),
        MatchRule::Any(parts) => {
            for part in parts {
                sufficient_literals(part, out);
            }
        }
        MatchRule::Words { literals, .. } => out.extend(literals),
        MatchRule::All(_)
        | MatchRule::Near { .. }
        | MatchRule::Not(_)
        | MatchRule::Regex(_)
        | MatchRule::Approx(_) => {}
    }
}
