//! Vocabularies: named sets of words declared once, at file level, that the rules of every
//! loaded campaign may use through `vocabulary(ID)`.
//!
//! They are collected from every file before any campaign is lowered, so that a scheme may use
//! a vocabulary from a file loaded after it. Their words stay text here; each campaign puts
//! them in normal form in its own literal table when a rule uses them.
//!
//! A file that declares vocabularies and no campaign is a shared library (`schemes/common.vocab`):
//! each campaign takes what it needs from it, so only a vocabulary declared beside a campaign is
//! reported when no rule uses it.

use std::cell::Cell;

use rustc_hash::FxHashMap;

use super::{CheckError, Problems, Related};
use crate::lang;
use crate::syntax::ast::{SchemeFile, Text, VocabularyDecl};
use crate::text::normalize;

/// Every vocabulary of the loaded files, and which ones a rule has used.
#[derive(Default)]
pub(super) struct Vocabularies<'t> {
    declared: Vec<Declared<'t>>,
    index: FxHashMap<&'t str, usize>,
}

struct Declared<'t> {
    decl: &'t VocabularyDecl,
    file: usize,
    /// Declared in a file without campaigns, for any campaign to take from.
    shared: bool,
    used: Cell<bool>,
}

impl<'t> Vocabularies<'t> {
    /// Collects the vocabularies of the parsed files (`(file index, tree)`), reporting ids
    /// declared twice, vocabularies without words and words empty after normalisation.
    pub(super) fn collect(trees: &[(usize, &'t SchemeFile)], problems: &mut Problems) -> Self {
        let mut vocabularies = Vocabularies::default();
        for (file, tree) in trees {
            problems.file = *file;
            for decl in &tree.vocabularies {
                if let Some(&first) = vocabularies.index.get(decl.id.name.as_str()) {
                    let first: &Declared = &vocabularies.declared[first];
                    let error = CheckError::DuplicateId {
                        kind: lang::Text::new("word.vocabulary"),
                        name: decl.id.name.clone(),
                        first: (first.file == *file).then(|| first.decl.id.span.into()),
                        second: decl.id.span.into(),
                    };
                    if first.file == *file {
                        problems.push(error);
                    } else {
                        let related = Related {
                            file: first.file,
                            span: first.decl.id.span,
                            message: lang::Text::new("related.vocabulary_first_declared")
                                .with("name", &decl.id.name),
                        };
                        problems.push_related(error, related);
                    }
                    continue;
                }
                if decl.words.is_empty() {
                    problems.push(CheckError::EmptyVocabulary {
                        name: decl.id.name.clone(),
                        at: decl.id.span.into(),
                    });
                }
                for word in &decl.words {
                    if normalize(&word.value).is_empty() {
                        problems.push(CheckError::EmptyLiteral {
                            at: word.span.into(),
                        });
                    }
                }
                vocabularies
                    .index
                    .insert(decl.id.name.as_str(), vocabularies.declared.len());
                vocabularies.declared.push(Declared {
                    decl,
                    file: *file,
                    shared: tree.campaigns.is_empty(),
                    used: Cell::new(false),
                });
            }
        }
        vocabularies
    }

    /// The words of a vocabulary, marking it used; `None` when none has that id.
    pub(super) fn words(&self, name: &str) -> Option<&'t [Text]> {
        let declared = &self.declared[*self.index.get(name)?];
        declared.used.set(true);
        Some(&declared.decl.words)
    }

    /// The declared ids, for "did you mean".
    pub(super) fn names(&self) -> impl Iterator<Item = &'t str> + '_ {
        self.declared.iter().map(|d| d.decl.id.name.as_str())
    }

    /// Warns about every vocabulary of a scheme file that no rule used.
    pub(super) fn report_unused(&self, problems: &mut Problems) {
        for declared in &self.declared {
            if !declared.used.get() && !declared.shared {
                problems.file = declared.file;
                problems.push(CheckError::UnusedVocabulary {
                    name: declared.decl.id.name.clone(),
                    at: declared.decl.id.span.into(),
                });
            }
        }
    }
}
