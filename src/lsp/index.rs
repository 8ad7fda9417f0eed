//! Every id a scheme declares and every place it is used, for hover, definition, references
//! and rename.
//!
//! Ids are per campaign (a department `zzb` of one campaign is not another's), except
//! vocabularies, which belong to every loaded file. The index is built from syntax trees only:
//! it resolves names as the checker does, but reports nothing.

use crate::syntax::Span;
use crate::syntax::ast::*;

/// What an id names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Campaign,
    Department,
    Field,
    Area,
    Category,
    Symptom,
    Exclusion,
    Duty,
    Vocabulary,
}

impl Kind {
    /// The catalogue key of the word for it.
    pub fn word(self) -> &'static str {
        match self {
            Kind::Campaign => "word.campaign",
            Kind::Department => "word.department",
            Kind::Field => "word.field",
            Kind::Area => "word.area",
            Kind::Category => "word.category",
            Kind::Symptom => "word.symptom",
            Kind::Exclusion => "word.exclusion",
            Kind::Duty => "word.duty",
            Kind::Vocabulary => "word.vocabulary",
        }
    }
}

/// Where ids live: a campaign of a file, or every file (vocabularies).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Scope {
    Campaign { file: usize, campaign: usize },
    Files,
}

/// A declaration.
#[derive(Debug, Clone)]
pub(crate) struct Symbol {
    pub kind: Kind,
    pub name: String,
    pub scope: Scope,
    pub file: usize,
    pub span: Span,
    /// The declaration whole.
    pub extent: Span,
    /// What the writer wrote for it: a title, a full name, a reason.
    pub detail: Option<String>,
    /// A field's type.
    pub ty: Option<FieldTypeDecl>,
    pub required: bool,
    /// A vocabulary's number of words.
    pub words: usize,
}

/// A use of an id.
#[derive(Debug, Clone)]
pub(crate) struct Use {
    pub kind: Kind,
    pub name: String,
    pub scope: Scope,
    pub file: usize,
    pub span: Span,
}

/// The ids of a document and the files beside it.
#[derive(Debug, Clone, Default)]
pub(crate) struct Index {
    pub symbols: Vec<Symbol>,
    pub uses: Vec<Use>,
}

/// An id at a place: what it names and where it lives.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Target {
    pub kind: Kind,
    pub name: String,
    pub scope: Scope,
    pub span: Span,
}

impl Index {
    /// The index of `trees` (a file that does not parse has none).
    pub fn new(trees: &[Option<SchemeFile>]) -> Index {
        let mut index = Index::default();
        for (file, tree) in trees.iter().enumerate() {
            let Some(tree) = tree else { continue };
            for vocabulary in &tree.vocabularies {
                index.symbols.push(Symbol {
                    words: vocabulary.words.len(),
                    ..symbol(
                        Kind::Vocabulary,
                        &vocabulary.id,
                        Scope::Files,
                        file,
                        vocabulary.span,
                        vocabulary.title.as_ref(),
                    )
                });
            }
            for (number, campaign) in tree.campaigns.iter().enumerate() {
                let scope = Scope::Campaign {
                    file,
                    campaign: number,
                };
                let title = campaign.items.iter().find_map(|item| match item {
                    Item::Title(title) => Some(&title.value),
                    _ => None,
                });
                index.symbols.push(symbol(
                    Kind::Campaign,
                    &campaign.id,
                    scope,
                    file,
                    campaign.span,
                    title,
                ));
                let mut walker = Walker {
                    index: &mut index,
                    scope,
                    file,
                };
                for item in &campaign.items {
                    walker.item(item);
                }
            }
        }
        index
    }

    /// The id at byte `offset` of the document (file 0).
    pub fn at(&self, offset: usize) -> Option<Target> {
        let within = |span: &Span| span.start <= offset && offset <= span.end;
        let declared = self
            .symbols
            .iter()
            .filter(|s| s.file == 0 && within(&s.span))
            .map(|s| (s.kind, &s.name, s.scope, s.span));
        let used = self
            .uses
            .iter()
            .filter(|u| u.file == 0 && within(&u.span))
            .map(|u| (u.kind, &u.name, u.scope, u.span));
        declared
            .chain(used)
            .next()
            .map(|(kind, name, scope, span)| Target {
                kind,
                name: name.clone(),
                scope,
                span,
            })
    }

    /// The declaration of `target`.
    pub fn declaration(&self, target: &Target) -> Option<&Symbol> {
        self.symbols
            .iter()
            .find(|s| s.kind == target.kind && s.name == target.name && s.scope == target.scope)
    }

    /// Every place `target` is named, its declaration first when asked for: (file, span).
    pub fn occurrences(&self, target: &Target, declaration: bool) -> Vec<(usize, Span)> {
        let mut found: Vec<(usize, Span)> = Vec::new();
        if declaration && let Some(symbol) = self.declaration(target) {
            found.push((symbol.file, symbol.span));
        }
        found.extend(
            self.uses
                .iter()
                .filter(|u| {
                    u.kind == target.kind && u.name == target.name && u.scope == target.scope
                })
                .map(|u| (u.file, u.span)),
        );
        found
    }

    /// The declarations of a kind visible in the document's campaign around `offset`.
    pub fn visible(&self, kind: Kind, offset: usize) -> impl Iterator<Item = &Symbol> {
        let campaign = self
            .symbols
            .iter()
            .find(|s| {
                s.kind == Kind::Campaign
                    && s.file == 0
                    && s.extent.start <= offset
                    && offset <= s.extent.end
            })
            .map(|s| s.scope);
        self.symbols.iter().filter(move |s| {
            s.kind == kind
                && match s.scope {
                    Scope::Files => true,
                    scope => Some(scope) == campaign || (campaign.is_none() && s.file == 0),
                }
        })
    }
}

fn symbol(
    kind: Kind,
    id: &Ident,
    scope: Scope,
    file: usize,
    extent: Span,
    detail: Option<&Text>,
) -> Symbol {
    Symbol {
        kind,
        name: id.name.clone(),
        scope,
        file,
        span: id.span,
        extent,
        detail: detail.map(|text| text.value.clone()),
        ty: None,
        required: false,
        words: 0,
    }
}

/// Collects the declarations and uses of one campaign.
struct Walker<'a> {
    index: &'a mut Index,
    scope: Scope,
    file: usize,
}

impl Walker<'_> {
    fn declare(&mut self, kind: Kind, id: &Ident, extent: Span, detail: Option<&Text>) {
        let symbol = symbol(kind, id, self.scope, self.file, extent, detail);
        self.index.symbols.push(symbol);
    }

    fn used(&mut self, kind: Kind, id: &Ident) {
        let scope = if kind == Kind::Vocabulary {
            Scope::Files
        } else {
            self.scope
        };
        self.index.uses.push(Use {
            kind,
            name: id.name.clone(),
            scope,
            file: self.file,
            span: id.span,
        });
    }

    fn item(&mut self, item: &Item) {
        match item {
            Item::Department(d) => self.declare(Kind::Department, &d.id, d.span, Some(&d.name)),
            Item::Field(f) => {
                let mut symbol = symbol(Kind::Field, &f.id, self.scope, self.file, f.span, None);
                symbol.ty = Some(f.ty.clone());
                symbol.required = f.required;
                self.index.symbols.push(symbol);
            }
            Item::Area(area) => {
                self.declare(Kind::Area, &area.id, area.span, Some(&area.title));
                area.routes.iter().for_each(|r| self.route(r));
                for category in &area.categories {
                    let title = Some(&category.title);
                    self.declare(Kind::Category, &category.id, category.span, title);
                    category.routes.iter().for_each(|r| self.route(r));
                    for symptom in &category.symptoms {
                        let title = Some(&symptom.title);
                        self.declare(Kind::Symptom, &symptom.id, symptom.span, title);
                        self.rule(&symptom.rule);
                    }
                }
            }
            Item::Exclusion(e) => {
                self.declare(Kind::Exclusion, &e.id, e.span, Some(&e.reason));
                self.condition(&e.condition);
            }
            Item::Route(route) => self.route(route),
            Item::Priority(p) => p.condition.iter().for_each(|c| self.condition(c)),
            Item::Deadline(d) => d.condition.iter().for_each(|c| self.condition(c)),
            Item::Duty(duty) => {
                self.declare(Kind::Duty, &duty.id, duty.span, Some(&duty.title));
                self.used(Kind::Department, &duty.recipient);
            }
            Item::Example(example) => {
                for item in &example.items {
                    match item {
                        ExampleItem::Field(id, _, _) => self.used(Kind::Field, id),
                        ExampleItem::Expect(expect) => match &expect.outcome {
                            ExpectedOutcome::Accepted(ids) => {
                                ids.iter().for_each(|id| self.used(Kind::Category, id))
                            }
                            ExpectedOutcome::Excluded(id) => self.used(Kind::Exclusion, id),
                            _ => {}
                        },
                        _ => {}
                    }
                }
            }
            Item::Title(_)
            | Item::Issuer(_)
            | Item::Jurisdiction(_)
            | Item::Announced(_)
            | Item::Window(_)
            | Item::Channel(_)
            | Item::Scope(_) => {}
        }
    }

    fn route(&mut self, route: &RouteDecl) {
        for id in route.lead.iter().chain(&route.with) {
            self.used(Kind::Department, id);
        }
    }

    fn rule(&mut self, rule: &MatchRuleExpr) {
        match rule {
            MatchRuleExpr::Any(rules, _) | MatchRuleExpr::All(rules, _) => {
                rules.iter().for_each(|r| self.rule(r))
            }
            MatchRuleExpr::Not(rule, _) => self.rule(rule),
            MatchRuleExpr::Near { left, right, .. } => {
                self.rule(left);
                self.rule(right);
            }
            MatchRuleExpr::Words(id, _) => self.used(Kind::Vocabulary, id),
            MatchRuleExpr::Literal(_) | MatchRuleExpr::Regex(..) | MatchRuleExpr::Approx { .. } => {
            }
        }
    }

    fn condition(&mut self, condition: &ConditionExpr) {
        match condition {
            ConditionExpr::Or(parts, _) | ConditionExpr::And(parts, _) => {
                parts.iter().for_each(|c| self.condition(c))
            }
            ConditionExpr::Not(inner, _) => self.condition(inner),
            ConditionExpr::Mentions(rule, _) => self.rule(rule),
            ConditionExpr::Missing(id, _) | ConditionExpr::Flag(id) => self.field(id),
            ConditionExpr::Compare { operand, .. } | ConditionExpr::In { operand, .. } => {
                match operand {
                    Operand::Path(id) | Operand::Length(id, _) => self.field(id),
                }
            }
            ConditionExpr::Bool(..) | ConditionExpr::Duplicate { .. } => {}
        }
    }

    /// A path is a declared field's use when it is not a built-in name (`内容`, `对象.类型`).
    fn field(&mut self, id: &Ident) {
        if !id.name.contains('.') && crate::check::builtin_path_name(&id.name).is_none() {
            self.used(Kind::Field, id);
        }
    }
}
