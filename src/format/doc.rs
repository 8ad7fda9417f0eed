//! A small pretty printer: a document of texts and possible line breaks, laid out in a width.
//!
//! The algorithm is Wadler's, as Prettier prints it: a group is printed on one line when it
//! fits in what is left of the line, and broken at every one of its line breaks otherwise; a
//! fill breaks only where the next item would not fit. Widths are display columns, so that a
//! Chinese character counts two, as an editor shows it. This module knows nothing of schemes.

use unicode_width::UnicodeWidthStr;

/// A document.
#[derive(Debug, Clone)]
pub(crate) enum Doc {
    /// Text printed as it is; it never holds a line break.
    Text(String),
    /// A space, except at the start of a line; it never breaks.
    Space,
    /// A space, or a line break where its group is broken.
    Line,
    /// Nothing, or a line break where its group is broken.
    Soft,
    /// Always a line break (after a comment).
    Hard,
    /// Its parts one after the other.
    Concat(Vec<Doc>),
    /// Its parts on one line if they fit, or each line break broken.
    Group(Vec<Doc>),
    /// Its parts one indentation level further in, where they start a new line.
    Indent(Vec<Doc>),
    /// Items and the separators between them (`[item, separator, item, …]`): a separator is
    /// broken only when the next item would not fit on the line.
    Fill(Vec<Doc>),
}

impl Doc {
    pub(crate) fn text(text: impl Into<String>) -> Doc {
        Doc::Text(text.into())
    }

    /// Whether the document holds a hard break, so that every group around it must break.
    fn has_hard(&self) -> bool {
        match self {
            Doc::Hard => true,
            Doc::Text(_) | Doc::Space | Doc::Line | Doc::Soft => false,
            Doc::Concat(parts) | Doc::Group(parts) | Doc::Indent(parts) | Doc::Fill(parts) => {
                parts.iter().any(Doc::has_hard)
            }
        }
    }
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Mode {
    Flat,
    Break,
}

/// What is left to print: a document, or the items of a fill after those already laid out.
#[derive(Clone, Copy)]
enum Item<'a> {
    Doc(&'a Doc),
    Fill(&'a [Doc]),
    /// A fill's separator and the item after it: whether it breaks is decided once the item
    /// before it is printed, where the line really ends.
    Separator(&'a Doc, &'a Doc),
}

type Command<'a> = (usize, Mode, Item<'a>);

/// Prints `doc` starting at `indent` levels of `unit`, in `width` columns, breaking lines with
/// `eol`, with no line break after its end.
pub(crate) fn print(doc: &Doc, indent: usize, unit: &str, width: usize, eol: &str) -> String {
    let mut printer = Printer {
        out: String::new(),
        column: indent * unit.width(),
        unit,
        width,
        eol,
        line_start: true,
    };
    printer.out.push_str(&unit.repeat(indent));
    printer.run(vec![(indent, Mode::Break, Item::Doc(doc))]);
    printer.out
}

struct Printer<'u> {
    out: String,
    column: usize,
    unit: &'u str,
    width: usize,
    eol: &'u str,
    /// Nothing but indentation on the line so far: a break here would leave an empty line.
    line_start: bool,
}

impl Printer<'_> {
    fn run(&mut self, mut commands: Vec<Command<'_>>) {
        while let Some((indent, mode, item)) = commands.pop() {
            let doc = match item {
                Item::Doc(doc) => doc,
                Item::Fill(parts) => {
                    self.fill(indent, mode, parts, &mut commands);
                    continue;
                }
                Item::Separator(separator, next) => {
                    let flat = |doc| (indent, Mode::Flat, Item::Doc(doc));
                    let fits = !separator.has_hard() && self.fits(flat(separator), &[flat(next)]);
                    let mode = if fits { Mode::Flat } else { Mode::Break };
                    commands.push((indent, mode, Item::Doc(separator)));
                    continue;
                }
            };
            match doc {
                Doc::Text(text) => {
                    self.out.push_str(text);
                    self.column += text.width();
                    self.line_start = false;
                }
                Doc::Space => {
                    if !self.line_start {
                        self.out.push(' ');
                        self.column += 1;
                    }
                }
                Doc::Line if mode == Mode::Flat => {
                    if !self.line_start {
                        self.out.push(' ');
                        self.column += 1;
                    }
                }
                Doc::Soft if mode == Mode::Flat => {}
                Doc::Line | Doc::Soft | Doc::Hard => self.newline(indent),
                Doc::Concat(parts) => push(&mut commands, indent, mode, parts),
                Doc::Indent(parts) => push(&mut commands, indent + 1, mode, parts),
                Doc::Group(parts) => {
                    let flat = mode == Mode::Flat
                        || (!doc.has_hard()
                            && self.fits((indent, Mode::Flat, Item::Doc(doc)), &commands));
                    let mode = if flat { Mode::Flat } else { Mode::Break };
                    push(&mut commands, indent, mode, parts);
                }
                Doc::Fill(parts) => self.fill(indent, mode, parts, &mut commands),
            }
        }
    }

    /// Lays out the first item of a fill, and leaves the separator after it and the rest of
    /// the fill to be laid out once it is printed.
    fn fill<'a>(
        &mut self,
        indent: usize,
        mode: Mode,
        parts: &'a [Doc],
        commands: &mut Vec<Command<'a>>,
    ) {
        let Some(first) = parts.first() else {
            return;
        };
        let fits = !first.has_hard() && self.fits((indent, Mode::Flat, Item::Doc(first)), &[]);
        let first_mode = if fits { Mode::Flat } else { Mode::Break };
        if let (Some(separator), Some(second)) = (parts.get(1), parts.get(2)) {
            commands.push((indent, mode, Item::Fill(&parts[2..])));
            commands.push((indent, mode, Item::Separator(separator, second)));
        }
        commands.push((indent, first_mode, Item::Doc(first)));
    }

    /// Whether `next`, flat, and what follows it up to the next line break fit on the line.
    /// `rest` is a stack: its last command is printed first.
    fn fits(&self, next: Command<'_>, rest: &[Command<'_>]) -> bool {
        let mut left = self.width as isize - self.column as isize;
        let mut stack: Vec<Command<'_>> = vec![next];
        let mut rest = rest.iter().rev();
        while left >= 0 {
            let Some((indent, mode, item)) = stack.pop().or_else(|| rest.next().copied()) else {
                return true;
            };
            let doc = match item {
                Item::Doc(doc) => doc,
                Item::Fill(parts) => {
                    push(&mut stack, indent, mode, parts);
                    continue;
                }
                Item::Separator(separator, _) => separator,
            };
            match doc {
                Doc::Text(text) => left -= text.width() as isize,
                // The line ends here: what came before it fitted.
                Doc::Line | Doc::Soft if mode == Mode::Break => return true,
                Doc::Hard => return true,
                Doc::Line | Doc::Space => left -= 1,
                Doc::Soft => {}
                Doc::Concat(parts) | Doc::Indent(parts) | Doc::Group(parts) | Doc::Fill(parts) => {
                    push(&mut stack, indent, mode, parts);
                }
            }
        }
        false
    }

    fn newline(&mut self, indent: usize) {
        if self.line_start {
            // Nothing but indentation since the last break: indent the line anew instead (a
            // `)` after a comment stands where its list began).
            let start = self.out.rfind('\n').map_or(0, |at| at + 1);
            self.out.truncate(start);
            self.out.push_str(&self.unit.repeat(indent));
            self.column = indent * self.unit.width();
            return;
        }
        while self.out.ends_with(' ') {
            self.out.pop();
        }
        self.out.push_str(self.eol);
        self.out.push_str(&self.unit.repeat(indent));
        self.column = indent * self.unit.width();
        self.line_start = true;
    }
}

fn push<'a>(commands: &mut Vec<Command<'a>>, indent: usize, mode: Mode, parts: &'a [Doc]) {
    commands.extend(
        parts
            .iter()
            .rev()
            .map(|part| (indent, mode, Item::Doc(part))),
    );
}

#[cfg(test)]
mod tests {
    use super::*;

    fn list(items: &[&str]) -> Doc {
        let mut parts = Vec::new();
        for (index, item) in items.iter().enumerate() {
            if index > 0 {
                parts.push(Doc::Line);
            }
            let comma = if index + 1 < items.len() { "," } else { "" };
            parts.push(Doc::text(format!("{item}{comma}")));
        }
        Doc::Group(vec![
            Doc::text("任一("),
            Doc::Indent(vec![Doc::Soft, Doc::Fill(parts)]),
            Doc::Soft,
            Doc::text(")"),
        ])
    }

    #[test]
    fn a_group_that_fits_stays_on_one_line() {
        assert_eq!(
            print(&list(&["\"a\"", "\"b\""]), 0, "  ", 20, "\n"),
            "任一(\"a\", \"b\")"
        );
    }

    #[test]
    fn a_fill_breaks_only_where_the_next_item_would_not_fit() {
        let doc = list(&["\"一二\"", "\"三四\"", "\"五六\"", "\"七八\""]);
        assert_eq!(
            print(&doc, 0, "  ", 20, "\n"),
            "任一(\n  \"一二\", \"三四\",\n  \"五六\", \"七八\"\n)"
        );
    }

    #[test]
    fn a_hard_break_breaks_every_group_around_it() {
        let doc = Doc::Group(vec![
            Doc::text("("),
            Doc::Indent(vec![
                Doc::Soft,
                Doc::text("a, # note"),
                Doc::Hard,
                Doc::text("b"),
            ]),
            Doc::Soft,
            Doc::text(")"),
        ]);
        assert_eq!(
            print(&doc, 1, "  ", 80, "\n"),
            "  (\n    a, # note\n    b\n  )"
        );
    }

    #[test]
    fn chinese_characters_count_two_columns() {
        // Ten characters are twenty columns: with the parentheses they do not fit in twenty.
        let doc = list(&["\"一二三四五六七八\""]);
        assert_eq!(
            print(&doc, 0, "  ", 20, "\n"),
            "任一(\n  \"一二三四五六七八\"\n)"
        );
    }
}
