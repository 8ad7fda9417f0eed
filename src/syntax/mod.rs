//! Stage one of the pipeline: scheme text → spanned syntax tree.
//!
//! `syntax` knows nothing of `check` or `eval`: it never resolves a name, validates a date or
//! looks at a type. Parsing never panics; any input yields a tree or a [`ParseError`].

pub(crate) mod ast;
mod descent;
mod error;
mod keyword;
mod parser;
mod span;
mod teach;
mod token;

pub use error::ParseError;
pub(crate) use keyword::BUILT_IN_FIELDS;
pub use keyword::Keyword;
pub(crate) use parser::{parse, recover};
pub use span::Span;
pub(crate) use token::{Statement, Token, TokenKind, tokens};
