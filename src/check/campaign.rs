//! Lowering one campaign declaration into a [`Campaign`] of the model, reporting what is wrong
//! with it on the way.

use rustc_hash::FxHashMap;

use chrono::{Datelike, NaiveDate};

use super::condition::{self, FieldTypes};
use super::diagnostic::{keyword, kind_word};
use super::names::{closest, help};
use super::rules::Rules;
use super::vocabulary::Vocabularies;
use super::{CheckError, Problems};
use crate::lang::{Lang, Text};
use crate::model::{
    Area, Campaign, Category, Channel, ChannelKind, Deadline, DeadlineKind, Department, Duty,
    Example, Exclusion, Expected, Field, FieldType, Level, PriorityRule, Region, Route, Scope,
    Symptom, Window,
};
use crate::syntax::Span;
use crate::syntax::ast::{self, Item};
use crate::text::normalize;

/// Lowers `decl`, declared in file `file`, pushing its problems.
pub(super) fn lower<'a>(
    decl: &'a ast::CampaignDecl,
    file: usize,
    vocabularies: &'a Vocabularies<'a>,
    problems: &mut Problems,
) -> Campaign {
    // Sized at once: growing a table rehashes every name in it, each a read from wherever the
    // tree holds it.
    let mut ids = FxHashMap::default();
    ids.reserve(taxonomy_size(decl));
    let mut lowering = Lowering {
        vocabularies,
        problems,
        ids,
        departments: Vec::new(),
        department_used: Vec::new(),
        department_spans: Vec::new(),
    };
    lowering.campaign(decl, file)
}

/// How many areas, categories and symptoms a campaign declares.
fn taxonomy_size(decl: &ast::CampaignDecl) -> usize {
    decl.items
        .iter()
        .map(|item| match item {
            Item::Area(area) => {
                1 + area
                    .categories
                    .iter()
                    .map(|category| 1 + category.symptoms.len())
                    .sum::<usize>()
            }
            _ => 0,
        })
        .sum()
}

struct Lowering<'a, 'p> {
    problems: &'p mut Problems,
    vocabularies: &'a Vocabularies<'a>,
    /// Ids declared so far, by kind: campaign-wide uniqueness for each kind.
    ids: FxHashMap<(&'static str, &'a str), Span>,
    departments: Vec<Department>,
    department_used: Vec<bool>,
    department_spans: Vec<Span>,
}

/// The first place each once-only statement was given.
#[derive(Default)]
struct Singletons {
    seen: FxHashMap<&'static str, Span>,
}

impl Singletons {
    /// Whether this is the first `statement`; reports a repeat otherwise.
    fn first(&mut self, statement: &'static str, span: Span, problems: &mut Problems) -> bool {
        match self.seen.get(statement) {
            Some(first) => {
                problems.push(CheckError::DuplicateStatement {
                    statement: keyword(statement),
                    first: (*first).into(),
                    second: span.into(),
                });
                false
            }
            None => {
                self.seen.insert(statement, span);
                true
            }
        }
    }
}

impl<'a> Lowering<'a, '_> {
    /// Records an id; reports it if the kind already has it.
    fn declare(&mut self, kind: &'static str, id: &'a ast::Ident) -> bool {
        let key = (kind, id.name.as_str());
        if let Some(first) = self.ids.get(&key) {
            self.problems.push(CheckError::DuplicateId {
                kind: kind_word(kind),
                name: id.name.clone(),
                first: Some((*first).into()),
                second: id.span.into(),
            });
            return false;
        }
        self.ids.insert(key, id.span);
        true
    }

    fn campaign(&mut self, decl: &'a ast::CampaignDecl, file: usize) -> Campaign {
        let mut once = Singletons::default();
        let mut campaign = Campaign {
            id: decl.id.name.clone(),
            file,
            span: decl.id.span,
            keywords: if decl.chinese { Lang::Zh } else { Lang::En },
            title: String::new(),
            issuer: None,
            jurisdiction: None,
            announced: None,
            windows: Vec::new(),
            window_spans: Vec::new(),
            channels: Vec::new(),
            scope: Scope::default(),
            departments: Vec::new(),
            fields: Vec::new(),
            areas: Vec::new(),
            literals: Vec::new(),
            literal_spans: Vec::new(),
            exclusions: Vec::new(),
            priorities: Vec::new(),
            deadlines: Vec::new(),
            duties: Vec::new(),
            examples: Vec::new(),
        };
        // Declarations first, so that references may come before them in the file.
        let mut scope_span = None;
        for item in &decl.items {
            match item {
                Item::Department(department) => self.department(department),
                Item::Field(field) => {
                    if let Some(field) = self.field(field) {
                        campaign.fields.push(field);
                    }
                }
                Item::Announced(announced)
                    if once.first("announced", announced.span, self.problems) =>
                {
                    campaign.announced = date(&announced.value, self.problems);
                }
                Item::Scope(scope) if once.first("scope", scope.span, self.problems) => {
                    campaign.scope = self.scope(scope);
                    let levels = scope.levels.iter().flatten().map(|t| t.value.as_str());
                    scope_span = Some((scope.span, levels.collect::<Vec<_>>().join("、")));
                }
                _ => {}
            }
        }
        let fields = FieldTypes::new(&campaign.fields, &campaign.scope.subjects);
        // Most symptoms bring a literal or two of their own.
        let mut rules = Rules::new(self.vocabularies, 2 * taxonomy_size(decl));
        let mut default_route = None;
        let mut windows = Vec::new();
        let mut areas = Vec::new();
        let mut exclusion_ids: Vec<&str> = Vec::new();
        let mut examples = Vec::new();
        for item in &decl.items {
            match item {
                Item::Title(title) => {
                    if once.first("title", title.span, self.problems) {
                        campaign.title = title.value.value.clone();
                    }
                }
                Item::Issuer(issuer) => {
                    if once.first("issuer", issuer.span, self.problems) {
                        campaign.issuer = Some(issuer.value.value.clone());
                    }
                }
                Item::Jurisdiction(jurisdiction) => {
                    if once.first("jurisdiction", jurisdiction.span, self.problems) {
                        let name = jurisdiction.name.as_ref().map(|n| n.value.clone());
                        campaign.jurisdiction = region(&jurisdiction.code, self.problems)
                            .map(|code| (code, name.unwrap_or_default()));
                    }
                }
                Item::Window(window) => {
                    if let Some(lowered) = self.window(window, campaign.announced) {
                        windows.push((lowered, window.span));
                    }
                }
                Item::Channel(channel) => campaign.channels.push(self.channel(channel)),
                Item::Route(route) => {
                    if once.first("route", route.span, self.problems) {
                        default_route = Some(self.route(route));
                    }
                }
                Item::Area(area) => areas.push(area),
                Item::Exclusion(exclusion) => {
                    if self.declare("exclusion", &exclusion.id) {
                        // Declared even when its condition fails, so that an example naming
                        // it is not reported too.
                        exclusion_ids.push(exclusion.id.name.as_str());
                        let lowered = condition::lower(
                            &exclusion.condition,
                            &fields,
                            &mut rules,
                            self.problems,
                        );
                        if let Some(condition) = lowered {
                            match condition::constant(&condition) {
                                Some(true) => {
                                    self.problems.push(CheckError::ExclusionAlwaysFires {
                                        name: exclusion.id.name.clone(),
                                        at: exclusion.condition.span().into(),
                                    })
                                }
                                Some(false) => {
                                    self.problems.push(CheckError::ExclusionNeverFires {
                                        name: exclusion.id.name.clone(),
                                        at: exclusion.condition.span().into(),
                                    })
                                }
                                None => {}
                            }
                            self.reachable(
                                &campaign.scope,
                                scope_span.as_ref(),
                                &condition,
                                Text::new("word.exclusion"),
                                &exclusion.id.name,
                                exclusion.condition.span(),
                            );
                            campaign.exclusions.push(Exclusion {
                                id: exclusion.id.name.clone(),
                                condition,
                                reason: exclusion.reason.value.clone(),
                            });
                        }
                    }
                }
                Item::Priority(priority) => {
                    let when = match &priority.condition {
                        Some(expr) => {
                            match condition::lower(expr, &fields, &mut rules, self.problems) {
                                Some(condition) => {
                                    let level = match priority.level {
                                        ast::PriorityLevel::High => "high",
                                        ast::PriorityLevel::Normal => "normal",
                                        ast::PriorityLevel::Low => "low",
                                    };
                                    self.reachable(
                                        &campaign.scope,
                                        scope_span.as_ref(),
                                        &condition,
                                        Text::new("word.priority_rule"),
                                        level,
                                        expr.span(),
                                    );
                                    Some(condition)
                                }
                                None => continue,
                            }
                        }
                        None => None,
                    };
                    campaign.priorities.push(PriorityRule {
                        priority: match priority.level {
                            ast::PriorityLevel::High => crate::model::Priority::High,
                            ast::PriorityLevel::Normal => crate::model::Priority::Normal,
                            ast::PriorityLevel::Low => crate::model::Priority::Low,
                        },
                        when,
                    });
                }
                Item::Deadline(deadline) => {
                    let when = match &deadline.condition {
                        Some(expr) => {
                            match condition::lower(expr, &fields, &mut rules, self.problems) {
                                Some(condition) => Some(condition),
                                None => continue,
                            }
                        }
                        None => None,
                    };
                    let Some(days) = number_in(
                        &deadline.days,
                        1,
                        3650,
                        "check.number_out_of_range.days",
                        self.problems,
                    ) else {
                        continue;
                    };
                    campaign.deadlines.push(Deadline {
                        kind: match deadline.kind {
                            ast::DeadlineKind::Handle => DeadlineKind::Handle,
                            ast::DeadlineKind::Reply => DeadlineKind::Reply,
                        },
                        days: days as u32,
                        working_days: deadline.working_days,
                        when,
                    });
                }
                Item::Duty(duty) => {
                    if !self.declare("duty", &duty.id) {
                        continue;
                    }
                    let day = number_in(
                        &duty.day,
                        1,
                        31,
                        "check.number_out_of_range.day_of_month",
                        self.problems,
                    );
                    let recipient = self.department_ref(&duty.recipient);
                    if let (Some(day), Some(recipient)) = (day, recipient) {
                        campaign.duties.push(Duty {
                            id: duty.id.name.clone(),
                            title: duty.title.value.clone(),
                            day: day as u32,
                            recipient,
                        });
                    }
                }
                Item::Example(example) => examples.push(example),
                Item::Department(_) | Item::Field(_) | Item::Announced(_) | Item::Scope(_) => {}
            }
        }
        for area in areas {
            if let Some(area) = self.area(area, default_route.as_ref(), &mut rules) {
                campaign.areas.push(area);
            }
        }
        rules.report_ambiguity(self.problems);
        self.check_windows(&mut windows);
        campaign.window_spans = windows.iter().map(|(_, span)| *span).collect();
        campaign.windows = windows.into_iter().map(|(window, _)| window).collect();
        if campaign.scope.regions.is_empty()
            && let Some((code, _)) = &campaign.jurisdiction
        {
            campaign.scope.regions.push(code.clone());
        }
        let categories: Vec<&str> = campaign
            .areas
            .iter()
            .flat_map(|area| area.categories.iter().map(|c| c.id.as_str()))
            .collect();
        let mut lowered_examples = Vec::new();
        for example in examples {
            if let Some(example) =
                self.example(example, &campaign.fields, &categories, &exclusion_ids)
            {
                lowered_examples.push(example);
            }
        }
        campaign.examples = lowered_examples;
        for (statement, help) in [
            ("title", "check.missing_statement.help_title"),
            ("window", "check.missing_statement.help_window"),
        ] {
            let given = match statement {
                "title" => once.seen.contains_key("title"),
                _ => {
                    !campaign.windows.is_empty()
                        || decl.items.iter().any(|i| matches!(i, Item::Window(_)))
                }
            };
            if !given {
                self.problems.push(CheckError::MissingStatement {
                    owner: kind_word("campaign"),
                    name: decl.id.name.clone(),
                    statement: keyword(statement),
                    help: Text::new(help),
                    at: decl.id.span.into(),
                });
            }
        }
        for (index, used) in self.department_used.iter().enumerate() {
            if !used {
                self.problems.push(CheckError::UnusedDepartment {
                    name: self.departments[index].id.clone(),
                    at: self.department_spans[index].into(),
                });
            }
        }
        campaign.departments = std::mem::take(&mut self.departments);
        (campaign.literals, campaign.literal_spans) = rules.into_literals();
        campaign
    }

    /// Reports a rule that only tips the scope refuses could meet: they are out of scope
    /// before any exclusion or priority rule is tried.
    fn reachable(
        &mut self,
        scope: &Scope,
        scope_span: Option<&(Span, String)>,
        condition: &crate::model::Condition,
        what: Text,
        name: &str,
        at: Span,
    ) {
        let Some((scope_span, levels_written)) = scope_span else {
            return;
        };
        use crate::model::{Path, Value};
        // A value as the scope compares it (a level by its name, a kind in normal form), and as
        // it is shown.
        let compared = |value: &Value| match value {
            Value::Level(level) => Some((level.name().to_string(), level.name().to_string())),
            Value::Text(text) => Some((normalize(text), text.clone())),
            _ => None,
        };
        // Per property: what the scope accepts, compared and as written.
        let checks = [
            (
                Path::SubjectLevel,
                scope
                    .levels
                    .iter()
                    .map(|l| l.name().to_string())
                    .collect::<Vec<_>>(),
                levels_written.clone(),
                "check.unreachable_rule.level",
            ),
            (
                Path::SubjectKind,
                scope.subjects.iter().map(|k| normalize(k)).collect(),
                scope.subjects.join("、"),
                "check.unreachable_rule.kind",
            ),
        ];
        for (path, accepted, written, property) in checks {
            let Some(values) = condition::required_values(condition, &path) else {
                continue;
            };
            let needed: Vec<(String, String)> = values.into_iter().filter_map(&compared).collect();
            if accepted.is_empty() || needed.iter().any(|(value, _)| accepted.contains(value)) {
                continue;
            }
            let shown: Vec<&str> = needed.iter().map(|(_, shown)| shown.as_str()).collect();
            self.problems.push(CheckError::UnreachableRule {
                what,
                name: name.to_string(),
                property: Text::new(property),
                values: shown.join("、"),
                accepted: written,
                at: at.into(),
                scope: (*scope_span).into(),
            });
            return;
        }
    }

    fn department(&mut self, decl: &'a ast::DepartmentDecl) {
        if self.declare("department", &decl.id) {
            self.departments.push(Department {
                id: decl.id.name.clone(),
                name: decl.name.value.clone(),
            });
            self.department_used.push(false);
            self.department_spans.push(decl.id.span);
        }
    }

    fn department_ref(&mut self, id: &ast::Ident) -> Option<usize> {
        if let Some(index) = self.departments.iter().position(|d| d.id == id.name) {
            self.department_used[index] = true;
            return Some(index);
        }
        let suggestion = closest(
            &id.name,
            self.departments
                .iter()
                .flat_map(|d| [d.id.as_str(), d.name.as_str()]),
        );
        // A department's official name written where its id belongs is the likeliest slip.
        let suggestion = suggestion.map(|name| {
            self.departments
                .iter()
                .find(|d| d.name == name)
                .map(|d| d.id.clone())
                .unwrap_or(name)
        });
        // The department it most likely meant is not reported unused as well.
        if let Some(meant) = suggestion
            .as_ref()
            .and_then(|id| self.departments.iter().position(|d| d.id == *id))
        {
            self.department_used[meant] = true;
        }
        self.problems.push(CheckError::UndefinedDepartment {
            name: id.name.clone(),
            at: id.span.into(),
            help: help(
                suggestion,
                Text::new("check.undefined_department.help_declare").with("name", &id.name),
            ),
        });
        None
    }

    fn route(&mut self, decl: &ast::RouteDecl) -> Route {
        Route {
            lead: decl
                .lead
                .iter()
                .filter_map(|id| self.department_ref(id))
                .collect(),
            with: decl
                .with
                .iter()
                .filter_map(|id| self.department_ref(id))
                .collect(),
        }
    }

    fn field(&mut self, decl: &'a ast::FieldDecl) -> Option<Field> {
        if condition::builtin_path(&decl.id.name).is_some() || is_tip_column(&decl.id.name) {
            self.problems.push(CheckError::ReservedField {
                name: decl.id.name.clone(),
                at: decl.id.span.into(),
            });
            return None;
        }
        if !self.declare("field", &decl.id) {
            return None;
        }
        let ty = match &decl.ty {
            ast::FieldTypeDecl::Text => FieldType::Text,
            ast::FieldTypeDecl::Number => FieldType::Number,
            ast::FieldTypeDecl::Date => FieldType::Date,
            ast::FieldTypeDecl::Bool => FieldType::Bool,
            ast::FieldTypeDecl::Enum(values) => {
                FieldType::Enum(values.iter().map(|v| v.value.clone()).collect())
            }
        };
        Some(Field {
            id: decl.id.name.clone(),
            ty,
            required: decl.required,
        })
    }

    fn scope(&mut self, decl: &ast::ScopeDecl) -> Scope {
        let mut scope = Scope::default();
        for text in decl.subjects.iter().flatten() {
            if !scope.subjects.contains(&text.value) {
                scope.subjects.push(text.value.clone());
            }
        }
        for text in decl.levels.iter().flatten() {
            match Level::parse(&text.value) {
                Some(level) => {
                    if !scope.levels.contains(&level) {
                        scope.levels.push(level);
                    }
                }
                None => self.problems.push(unknown_value(
                    &text.value,
                    "check.unknown_value.level",
                    Level::SPELLINGS,
                    text.span,
                )),
            }
        }
        for code in decl.regions.iter().flatten() {
            if let Some(region) = region(code, self.problems) {
                scope.regions.push(region);
            }
        }
        scope
    }

    fn window(&mut self, decl: &ast::WindowDecl, announced: Option<NaiveDate>) -> Option<Window> {
        let (start, start_span) = match &decl.start {
            ast::WindowStart::Announcement(span) => match announced {
                Some(date) => (Some(date), *span),
                None => {
                    self.problems
                        .push(CheckError::MissingAnnouncementDate { at: (*span).into() });
                    (None, *span)
                }
            },
            ast::WindowStart::Date(lit) => (date(lit, self.problems), lit.span),
            // `2023年3月` starts on the 1st; `2023年3月底` on the last day.
            ast::WindowStart::Month(lit) => {
                (month_day(lit, lit.end_of_month, self.problems), lit.span)
            }
        };
        let (end, end_span) = match &decl.end {
            ast::WindowEnd::Date(lit) => (date(lit, self.problems), lit.span),
            ast::WindowEnd::Month(lit) => (month_day(lit, true, self.problems), lit.span),
        };
        let (start, end) = (start?, end?);
        if end < start {
            self.problems.push(CheckError::WindowEndsBeforeStart {
                start: start.to_string(),
                end: end.to_string(),
                start_at: start_span.into(),
                end_at: end_span.into(),
            });
            return None;
        }
        Some(Window { start, end })
    }

    fn check_windows(&mut self, windows: &mut Vec<(Window, Span)>) {
        let mut kept: Vec<(Window, Span)> = Vec::new();
        for (window, span) in windows.drain(..) {
            let clash = kept
                .iter()
                .find(|(other, _)| window.start <= other.end && other.start <= window.end);
            if let Some((other, other_span)) = clash {
                let from = window.start.max(other.start);
                let to = window.end.min(other.end);
                self.problems.push(CheckError::OverlappingWindows {
                    overlap: if from == to {
                        Text::new("check.overlapping_windows.day").with("date", from.to_string())
                    } else {
                        Text::new("check.overlapping_windows.days")
                            .with("from", from.to_string())
                            .with("to", to.to_string())
                    },
                    first: (*other_span).into(),
                    second: span.into(),
                });
                continue;
            }
            kept.push((window, span));
        }
        kept.sort_by_key(|(window, _)| window.start);
        *windows = kept;
    }

    fn channel(&mut self, decl: &ast::ChannelDecl) -> Channel {
        let kind = channel_kind(decl.kind);
        let address = decl.address.value.trim();
        let malformed = match kind {
            ChannelKind::Email if !looks_like_email(address) => Some((
                "check.malformed_channel.email",
                "check.malformed_channel.help_email",
                "check.malformed_channel.email_kind",
            )),
            ChannelKind::Phone if !looks_like_phone(address) => Some((
                "check.malformed_channel.phone",
                "check.malformed_channel.help_phone",
                "check.malformed_channel.phone_kind",
            )),
            _ => None,
        };
        if let Some((what, help, kind_name)) = malformed {
            self.problems.push(CheckError::MalformedChannel {
                value: address.to_string(),
                what: Text::new(what),
                help: Text::new(help),
                at: decl.address.span.into(),
                kind: Text::new(kind_name),
            });
        }
        if let Some(postcode) = &decl.postcode {
            let code = postcode.value.trim();
            if code.len() != 6 || !code.bytes().all(|b| b.is_ascii_digit()) {
                self.problems.push(CheckError::MalformedChannel {
                    value: code.to_string(),
                    what: Text::new("check.malformed_channel.postcode"),
                    help: Text::new("check.malformed_channel.help_postcode"),
                    at: postcode.span.into(),
                    kind: Text::new("check.malformed_channel.postcode_kind"),
                });
            }
        }
        Channel {
            kind,
            address: decl.address.value.clone(),
            postcode: decl.postcode.as_ref().map(|p| p.value.clone()),
        }
    }

    fn area(
        &mut self,
        decl: &'a ast::AreaDecl,
        default_route: Option<&Route>,
        rules: &mut Rules<'a>,
    ) -> Option<Area> {
        let fresh = self.declare("area", &decl.id);
        if decl.categories.is_empty() {
            self.problems.push(CheckError::EmptyTaxonomy {
                what: kind_word("area"),
                name: decl.id.name.clone(),
                missing: Text::new("word.categories"),
                at: decl.id.span.into(),
            });
        }
        let area_route = self.single_route(&decl.routes);
        let mut categories = Vec::with_capacity(decl.categories.len());
        for category in &decl.categories {
            if !self.declare("category", &category.id) {
                continue;
            }
            let own_route = self.single_route(&category.routes);
            let route = own_route
                .or_else(|| area_route.clone())
                .or_else(|| default_route.cloned());
            let route = match route {
                Some(route) => route,
                None => {
                    self.problems.push(CheckError::UnroutedCategory {
                        name: category.id.name.clone(),
                        at: category.id.span.into(),
                        area: decl.id.span.into(),
                    });
                    Route::default()
                }
            };
            if category.symptoms.is_empty() {
                self.problems.push(CheckError::EmptyTaxonomy {
                    what: kind_word("category"),
                    name: category.id.name.clone(),
                    missing: Text::new("word.symptoms"),
                    at: category.id.span.into(),
                });
            }
            let mut symptoms = Vec::with_capacity(category.symptoms.len());
            for symptom in &category.symptoms {
                if !self.declare("symptom", &symptom.id) {
                    continue;
                }
                if let Some(rule) = rules.symptom(&symptom.rule, &category.id.name, self.problems) {
                    symptoms.push(Symptom {
                        id: symptom.id.name.clone(),
                        title: symptom.title.value.clone(),
                        rule,
                    });
                }
            }
            categories.push(Category {
                id: category.id.name.clone(),
                title: category.title.value.clone(),
                symptoms,
                route,
            });
        }
        fresh.then(|| Area {
            id: decl.id.name.clone(),
            title: decl.title.value.clone(),
            categories,
        })
    }

    /// The one route of an area or category; a second is reported.
    fn single_route(&mut self, routes: &[ast::RouteDecl]) -> Option<Route> {
        let (first, rest) = routes.split_first()?;
        for repeated in rest {
            self.problems.push(CheckError::DuplicateStatement {
                statement: keyword("route"),
                first: first.span.into(),
                second: repeated.span.into(),
            });
        }
        Some(self.route(first))
    }

    fn example(
        &mut self,
        decl: &ast::ExampleDecl,
        fields: &[Field],
        categories: &[&str],
        exclusions: &[&str],
    ) -> Option<Example> {
        let mut once = Singletons::default();
        let mut text = None;
        let mut received = None;
        let mut channel = None;
        let mut reporter = None;
        let mut subject = None;
        let mut values = Vec::new();
        let mut expect = None;
        let mut expect_span = decl.span;
        let mut complete = true;
        for item in &decl.items {
            match item {
                ast::ExampleItem::Text(value, span) => {
                    if once.first("text", *span, self.problems) {
                        text = Some(value.value.clone());
                    }
                }
                ast::ExampleItem::Received(lit, span) => {
                    if once.first("received", *span, self.problems) {
                        received = date(lit, self.problems);
                        complete &= received.is_some();
                    }
                }
                ast::ExampleItem::Channel(kind, span) => {
                    if once.first("channel", *span, self.problems) {
                        channel = Some(channel_kind(*kind));
                    }
                }
                ast::ExampleItem::Reporter(name, span) => {
                    // A blank name is an anonymous tip, as in tip records.
                    if once.first("reporter", *span, self.problems) && !name.value.trim().is_empty()
                    {
                        reporter = Some(name.value.clone());
                    }
                }
                ast::ExampleItem::Anonymous(span) => {
                    once.first("reporter", *span, self.problems);
                }
                ast::ExampleItem::Subject(decl) => {
                    if once.first("subject", decl.span, self.problems) {
                        subject = Some(decl);
                    }
                }
                ast::ExampleItem::Field(id, value, _) => {
                    let Some(field) = fields.iter().find(|f| f.id == id.name) else {
                        let suggestion = closest(&id.name, fields.iter().map(|f| f.id.as_str()));
                        self.problems.push(CheckError::UndefinedField {
                            name: id.name.clone(),
                            at: id.span.into(),
                            help: help(
                                suggestion,
                                Text::new("check.undefined_field.help_declare")
                                    .with("name", &id.name),
                            ),
                        });
                        complete = false;
                        continue;
                    };
                    match condition::field_value(field, id, value, self.problems) {
                        Some(value) => values.push((field.id.clone(), value)),
                        None => complete = false,
                    }
                }
                ast::ExampleItem::Expect(decl) => {
                    if once.first("expect", decl.span, self.problems) {
                        expect_span = decl.span;
                        expect = self.expectation(decl, categories, exclusions);
                        complete &= expect.is_some();
                    }
                }
            }
        }
        let name = decl.name.value.clone();
        for (statement, given, help) in [
            ("text", text.is_some(), "check.incomplete_example.help_text"),
            (
                "received",
                once.seen.contains_key("received"),
                "check.incomplete_example.help_received",
            ),
            (
                "expect",
                once.seen.contains_key("expect"),
                "check.incomplete_example.help_expect",
            ),
        ] {
            if !given {
                self.problems.push(CheckError::IncompleteExample {
                    name: name.clone(),
                    missing: keyword(statement).into(),
                    help: Text::new(help),
                    at: decl.name.span.into(),
                });
                complete = false;
            }
        }
        // A real tip without a required field is malformed; an example must not pass for one.
        for field in fields.iter().filter(|f| f.required) {
            if !values.iter().any(|(id, _)| *id == field.id) {
                self.problems.push(CheckError::IncompleteExample {
                    name: name.clone(),
                    missing: field.id.clone().into(),
                    help: Text::new("check.incomplete_example.help_required")
                        .with("field", &field.id),
                    at: decl.name.span.into(),
                });
                complete = false;
            }
        }
        let mut subject_level = None;
        let mut subject_region = None;
        if let Some(subject) = subject {
            if let Some(level) = &subject.level {
                subject_level = Level::parse(&level.value);
                if subject_level.is_none() {
                    self.problems.push(unknown_value(
                        &level.value,
                        "check.unknown_value.level",
                        Level::SPELLINGS,
                        level.span,
                    ));
                    complete = false;
                }
            }
            if let Some(code) = &subject.region {
                subject_region = region(code, self.problems);
                complete &= subject_region.is_some();
            }
        }
        if !complete {
            return None;
        }
        Some(Example {
            name,
            span: decl.span,
            text: text?,
            received: received?,
            channel,
            reporter,
            subject_name: subject.and_then(|s| s.name.as_ref().map(|n| n.value.clone())),
            subject_kind: subject.and_then(|s| s.kind.as_ref().map(|k| k.value.clone())),
            subject_level,
            subject_region,
            fields: values,
            expect: expect?,
            expect_span,
        })
    }

    fn expectation(
        &mut self,
        decl: &ast::ExpectDecl,
        categories: &[&str],
        exclusions: &[&str],
    ) -> Option<Expected> {
        Some(match &decl.outcome {
            ast::ExpectedOutcome::Accepted(ids) => {
                let mut found = Vec::new();
                for id in ids {
                    if categories.contains(&id.name.as_str()) {
                        found.push(id.name.clone());
                    } else {
                        let suggestion = closest(&id.name, categories.iter().copied());
                        self.problems.push(CheckError::UndefinedCategory {
                            name: id.name.clone(),
                            at: id.span.into(),
                            help: help(
                                suggestion,
                                Text::new("check.undefined_category.help_declare"),
                            ),
                        });
                    }
                }
                if found.len() != ids.len() {
                    return None;
                }
                Expected::Accepted(found)
            }
            ast::ExpectedOutcome::Excluded(id) => {
                if !exclusions.contains(&id.name.as_str()) {
                    let suggestion = closest(&id.name, exclusions.iter().copied());
                    self.problems.push(CheckError::UndefinedExclusion {
                        name: id.name.clone(),
                        at: id.span.into(),
                        help: help(
                            suggestion,
                            Text::new("check.undefined_exclusion.help_declare"),
                        ),
                    });
                    return None;
                }
                Expected::Excluded(id.name.clone())
            }
            ast::ExpectedOutcome::OutOfWindow => Expected::OutOfWindow,
            ast::ExpectedOutcome::OutOfScope => Expected::OutOfScope,
            ast::ExpectedOutcome::NoMatch => Expected::NoMatch,
        })
    }
}

fn channel_kind(kind: ast::ChannelKind) -> ChannelKind {
    match kind {
        ast::ChannelKind::Post => ChannelKind::Post,
        ast::ChannelKind::Email => ChannelKind::Email,
        ast::ChannelKind::Phone => ChannelKind::Phone,
        ast::ChannelKind::Visit => ChannelKind::Visit,
        ast::ChannelKind::Online => ChannelKind::Online,
    }
}

/// Whether a name is one of the columns of a tip record in CSV (docs/tips.md): a field so
/// named could never be given in a spreadsheet.
fn is_tip_column(name: &str) -> bool {
    matches!(
        name,
        "id" | "编号"
            | "reporter_name"
            | "反映人"
            | "reporter_contact"
            | "联系方式"
            | "subject_name"
            | "对象名称"
            | "subject_kind"
            | "对象类型"
            | "subject_level"
            | "对象层级"
            | "subject_region"
            | "对象地区"
            | "reporter"
            | "subject"
            | "fields"
    )
}

/// An unknown value of a closed list, with the closest known spelling.
pub(super) fn unknown_value(
    value: &str,
    what: &'static str,
    allowed: &[&str],
    at: Span,
) -> CheckError {
    let listed = allowed.join(", ");
    let suggestion = closest(value, allowed.iter().copied());
    CheckError::UnknownValue {
        value: value.to_string(),
        what: Text::new(what),
        help: match suggestion {
            Some(name) => Text::new("check.unknown_value.help_suggest")
                .with("name", name)
                .with("known", listed),
            None => Text::new("check.unknown_value.help_known").with("known", listed),
        },
        at: at.into(),
    }
}

/// A validated date.
pub(super) fn date(lit: &ast::DateLit, problems: &mut Problems) -> Option<NaiveDate> {
    let date = NaiveDate::from_ymd_opt(lit.year, lit.month, lit.day);
    if date.is_none() {
        let help = match NaiveDate::from_ymd_opt(lit.year, lit.month, 1) {
            Some(first) => {
                let last = last_day_of_month(first);
                Text::new("check.invalid_date.help_days")
                    .with("month", format!("{}-{:02}", lit.year, lit.month))
                    .with("days", last.day())
            }
            None => Text::new("check.invalid_date.help_months"),
        };
        problems.push(CheckError::InvalidDate {
            text: format!("{}-{:02}-{:02}", lit.year, lit.month, lit.day),
            help,
            at: lit.span.into(),
        });
    }
    date
}

/// The first or last day of a month.
fn month_day(lit: &ast::MonthLit, last: bool, problems: &mut Problems) -> Option<NaiveDate> {
    match NaiveDate::from_ymd_opt(lit.year, lit.month, 1) {
        Some(first) if last => Some(last_day_of_month(first)),
        Some(first) => Some(first),
        None => {
            problems.push(CheckError::InvalidDate {
                text: format!("{}-{:02}", lit.year, lit.month),
                help: Text::new("check.invalid_date.help_months"),
                at: lit.span.into(),
            });
            None
        }
    }
}

fn last_day_of_month(first: NaiveDate) -> NaiveDate {
    let next = first
        .checked_add_months(chrono::Months::new(1))
        .unwrap_or(NaiveDate::MAX);
    next.pred_opt().unwrap_or(first)
}

/// A validated division code.
pub(super) fn region(code: &ast::NumberLit, problems: &mut Problems) -> Option<Region> {
    let region = Region::parse(&code.text);
    if region.is_none() {
        problems.push(CheckError::InvalidRegionCode {
            code: code.text.clone(),
            at: code.span.into(),
        });
    }
    region
}

/// A whole number in `min..=max`.
fn number_in(
    lit: &ast::NumberLit,
    min: u64,
    max: u64,
    expected: &'static str,
    problems: &mut Problems,
) -> Option<u64> {
    match lit.text.parse::<u64>() {
        Ok(value) if (min..=max).contains(&value) => Some(value),
        _ => {
            problems.push(CheckError::NumberOutOfRange {
                text: lit.text.clone(),
                expected: Text::new(expected),
                at: lit.span.into(),
            });
            None
        }
    }
}

fn looks_like_email(address: &str) -> bool {
    let Some((user, host)) = address.split_once('@') else {
        return false;
    };
    let valid = |c: char| c.is_ascii_alphanumeric() || "._-+".contains(c);
    !user.is_empty()
        && user.chars().all(valid)
        && host.contains('.')
        && !host.starts_with('.')
        && !host.ends_with('.')
        && host.chars().all(valid)
}

fn looks_like_phone(number: &str) -> bool {
    let digits = number.chars().filter(|c| c.is_ascii_digit()).count();
    number
        .chars()
        .all(|c| c.is_ascii_digit() || "-+ ()".contains(c))
        && (7..=13).contains(&digits)
}

#[cfg(test)]
mod tests {
    use super::{looks_like_email, looks_like_phone};

    #[test]
    fn channel_values_of_the_seeds_are_well_formed() {
        assert!(looks_like_email("tqsdyxb@163.com"));
        assert!(looks_like_phone("0858-5321003"));
    }

    #[test]
    fn broken_channel_values_are_noticed() {
        assert!(!looks_like_email("tqsdyxb163.com"));
        assert!(!looks_like_email("a@b"));
        assert!(!looks_like_phone("0858-53"));
        assert!(!looks_like_phone("电话0858"));
    }
}
