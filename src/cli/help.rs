//! `--help` in the reader's language: every command's and option's help from the catalogue
//! (`help.COMMAND` and `help.COMMAND.OPTION`), and clap's own headings and flags too.
//!
//! The doc comments on the argument structs are for people reading the code; what a user
//! reads comes from here, so that both languages are worded in the one place they are kept.

use clap::{Arg, ArgAction, Command};
use rectify::lang::{Lang, Text};

/// The command line with its help in `lang`.
pub fn localized(command: Command, lang: Lang) -> Command {
    let command = command.disable_version_flag(true).arg(
        Arg::new("version")
            .short('V')
            .long("version")
            .action(ArgAction::Version),
    );
    let command = texts(command, "help.rectify", lang)
        .after_help(lang.word("help.rectify.after").to_string())
        .subcommand_help_heading(lang.word("help.heading.commands"))
        .mut_arg("version", |arg| arg.help(lang.word("help.flag.version")));
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    let mut command = command.disable_help_subcommand(true);
    for name in names {
        let key = format!("help.{name}");
        command = command.mut_subcommand(&name, |sub| tree(sub, &key, lang));
    }
    command
}

/// A command and its own subcommands (`store stats`, under `help.store.stats`).
fn tree(command: Command, key: &str, lang: Lang) -> Command {
    let mut command = texts(command, key, lang);
    let names: Vec<String> = command
        .get_subcommands()
        .map(|sub| sub.get_name().to_string())
        .collect();
    if names.is_empty() {
        return command;
    }
    command = command
        .disable_help_subcommand(true)
        .subcommand_help_heading(lang.word("help.heading.commands"));
    for name in names {
        let sub_key = format!("{key}.{name}");
        command = command.mut_subcommand(&name, |sub| tree(sub, &sub_key, lang));
    }
    command
}

/// A command's about, its options' help, its headings and its help flag, from the keys
/// under `key`.
fn texts(command: Command, key: &str, lang: Lang) -> Command {
    let (about, long_about) = paragraphs(lang.template(key));
    let ids: Vec<String> = command
        .get_arguments()
        .map(|arg| arg.get_id().to_string())
        .collect();
    let template = format!(
        "{{before-help}}{{about-with-newline}}\n{} {{usage}}\n\n{{all-args}}{{after-help}}",
        lang.word("help.heading.usage")
    );
    let command = match long_about {
        Some(long) => command.long_about(long),
        None => command.long_about(None),
    };
    let mut command = command
        .about(about)
        .help_template(template)
        .disable_help_flag(true);
    for id in ids {
        // The global `--lang` is the same option under every command.
        let arg_key = if id == "lang" {
            "help.rectify.lang".to_string()
        } else {
            format!("{key}.{id}")
        };
        let text = lang.template(&arg_key);
        let heading_key = if command
            .get_arguments()
            .find(|arg| arg.get_id() == id.as_str())
            .is_some_and(Arg::is_positional)
        {
            "help.heading.arguments"
        } else {
            "help.heading.options"
        };
        let heading = lang.word(heading_key);
        let (short, long) = paragraphs(text);
        let found = text != arg_key;
        command = command.mut_arg(&id, |arg| {
            let arg = arg.help_heading(heading);
            // clap words "Possible values" and "default" in English only; the Chinese help
            // names the values itself.
            let arg = if lang == Lang::Zh && arg.get_action().takes_values() {
                arg.hide_possible_values(true).hide_default_value(true)
            } else {
                arg
            };
            match (found, long) {
                (false, _) => arg,
                (true, Some(long)) => arg.help(short).long_help(long),
                (true, None) => arg.help(short).long_help(None),
            }
        });
    }
    command.arg(
        Arg::new("help")
            .short('h')
            .long("help")
            .action(ArgAction::Help)
            .help(lang.word("help.flag.help"))
            .help_heading(lang.word("help.heading.options")),
    )
}

/// The first paragraph without its final stop, as a one-line summary, and the whole text when
/// it has more than one paragraph.
fn paragraphs(text: &str) -> (String, Option<String>) {
    let (first, long) = match text.split_once("\n\n") {
        Some((first, _)) => (first, Some(text.to_string())),
        None => (text, None),
    };
    let summary = first.strip_suffix(['.', '。']).unwrap_or(first);
    (summary.to_string(), long)
}

/// A command line clap cannot read, told in the reader's language, and the exit with status 2;
/// `--help` and `--version` are printed as clap prints them.
pub fn usage_error(error: clap::Error, lang: Lang) -> ! {
    use clap::error::{ContextKind, ErrorKind};
    let context = |kind: ContextKind| error.get(kind).map(ToString::to_string);
    let text = match error.kind() {
        ErrorKind::DisplayHelp
        | ErrorKind::DisplayVersion
        | ErrorKind::DisplayHelpOnMissingArgumentOrSubcommand => error.exit(),
        ErrorKind::UnknownArgument => Text::new("usage.unknown_argument")
            .with("arg", context(ContextKind::InvalidArg).unwrap_or_default()),
        ErrorKind::InvalidSubcommand => Text::new("usage.unknown_command").with(
            "command",
            context(ContextKind::InvalidSubcommand).unwrap_or_default(),
        ),
        ErrorKind::InvalidValue | ErrorKind::ValueValidation => Text::new("usage.invalid_value")
            .with(
                "value",
                context(ContextKind::InvalidValue).unwrap_or_default(),
            )
            .with("arg", context(ContextKind::InvalidArg).unwrap_or_default()),
        ErrorKind::MissingRequiredArgument => Text::new("usage.missing_argument")
            .with("args", context(ContextKind::InvalidArg).unwrap_or_default()),
        ErrorKind::MissingSubcommand => Text::new("usage.missing_command"),
        _ => error.exit(),
    };
    let suggestion = context(ContextKind::SuggestedArg)
        .or_else(|| context(ContextKind::SuggestedSubcommand))
        .map(|suggestion| Text::new("usage.suggestion").with("suggestion", suggestion))
        .or_else(|| {
            context(ContextKind::ValidValue).map(|values| {
                Text::new("usage.valid_values").with("values", values.replace(['[', ']'], ""))
            })
        });
    let mut out = Text::new("cli.fatal").with("message", text).render(lang);
    if let Some(suggestion) = suggestion {
        out.push('\n');
        out.push_str(&suggestion.render(lang));
    }
    if let Some(usage) = context(ContextKind::Usage) {
        let usage = usage.trim().trim_start_matches("Usage:").trim();
        out.push_str("\n\n");
        out.push_str(lang.word("help.heading.usage"));
        out.push(' ');
        out.push_str(usage);
    }
    out.push_str("\n\n");
    out.push_str(lang.word("usage.more"));
    out.push('\n');
    let _ = std::io::Write::write_all(&mut std::io::stderr(), out.as_bytes());
    std::process::exit(2)
}
