//! Opening the tips a command reads: a JSON Lines or CSV file in whatever encoding Excel or a
//! person saved it in, an Excel workbook, or standard input; and counting how far reading has
//! gone, for the progress bar.

use std::fs::File;
use std::io::{self, IsTerminal, Read, Write};
use std::path::Path;
use std::sync::Arc;
use std::sync::atomic::{AtomicU64, Ordering};

use rectify::eval::{Decoder, Format, Kept, Records, Sheet, encoding};
use rectify::lang::Text;

/// How the tips are written, for the commands that read them.
#[derive(Debug, Clone, Default, clap::Args)]
pub struct Reading {
    /// Input format; by default from the file's extension: `csv` for .csv, .tsv and .txt,
    /// `xlsx` for .xlsx and .xlsm, `jsonl` otherwise.
    #[arg(long, value_enum)]
    pub input: Option<InputFormat>,

    /// The text encoding of a CSV or JSON Lines file (`gbk`, `gb18030`, `utf-16le`, `utf-8`,
    /// …); by default told from the file: its byte order mark, else UTF-8 when it is UTF-8,
    /// else what its bytes look like (GBK for Chinese text saved by Excel).
    #[arg(long, value_name = "ENCODING")]
    pub encoding: Option<String>,

    /// The sheet of a workbook to read; by default the first sheet shown.
    #[arg(long, value_name = "NAME")]
    pub sheet: Option<String>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum InputFormat {
    Jsonl,
    Csv,
    Xlsx,
}

/// Where tips are read from; it is read on a thread of its own.
pub type Input = Box<dyn Read + Send>;

/// How much of the input has been read: bytes of a file, out of its size when known.
#[derive(Debug, Clone, Default)]
pub struct Meter {
    pub read: Arc<AtomicU64>,
    pub total: Option<u64>,
}

impl Meter {
    /// Bytes read so far.
    pub fn bytes(&self) -> u64 {
        self.read.load(Ordering::Relaxed)
    }
}

/// A reader that counts what passes through it.
struct Counted<R> {
    inner: R,
    read: Arc<AtomicU64>,
}

impl<R: Read> Read for Counted<R> {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        let read = self.inner.read(out)?;
        self.read.fetch_add(read as u64, Ordering::Relaxed);
        Ok(read)
    }
}

/// The tips named on the command line (a file, or standard input for `-` or nothing), ready
/// to read record by record, and a meter of how much has been read.
pub fn open_tips(
    path: Option<&Path>,
    reading: &Reading,
    decoder: &Decoder,
    max_record_bytes: usize,
) -> Result<(Records<Input>, Meter), Text> {
    let from_stdin = path.is_none_or(|path| path.as_os_str() == "-");
    let format = input_format(reading.input, path);
    let forced =
        match &reading.encoding {
            None => None,
            Some(label) => Some(encoding::named(label).ok_or_else(|| {
                Text::new("eval.unknown_encoding").with("encoding", label.as_str())
            })?),
        };
    if format == InputFormat::Xlsx && reading.encoding.is_some() {
        return Err(Text::new("eval.encoding_of_workbook"));
    }
    if format != InputFormat::Xlsx && reading.sheet.is_some() {
        return Err(Text::new("eval.sheet_of_text"));
    }
    if format == InputFormat::Xlsx {
        let path = path
            .filter(|_| !from_stdin)
            .ok_or_else(|| Text::new("eval.workbook_from_stdin"))?;
        if path.is_dir() {
            return Err(Text::new("eval.tips_directory").with("path", path.display().to_string()));
        }
        let sheet =
            Sheet::open(path, reading.sheet.as_deref(), max_record_bytes).map_err(|message| {
                Text::new("eval.workbook_unreadable")
                    .with("path", path.display().to_string())
                    .with("message", message)
            })?;
        let records = Records::sheet(sheet, decoder, max_record_bytes).map_err(|e| e.text())?;
        return Ok((records, Meter::default()));
    }
    if from_stdin && io::stdin().is_terminal() {
        // Someone typed the command without a file: say what it waits for.
        let waiting = Text::new(match format {
            InputFormat::Csv => "eval.waiting_csv",
            _ => "eval.waiting_jsonl",
        });
        let _ = writeln!(io::stderr().lock(), "{}", super::say(waiting));
    }
    let meter = Meter::default();
    let (source, total): (Input, Option<u64>) = match path {
        None => (Box::new(io::stdin()), None),
        Some(path) if path.as_os_str() == "-" => (Box::new(io::stdin()), None),
        Some(path) if path.is_dir() => {
            return Err(Text::new("eval.tips_directory").with("path", path.display().to_string()));
        }
        Some(path) => match File::open(path) {
            Ok(file) => {
                let size = file.metadata().ok().map(|m| m.len()).filter(|s| *s > 0);
                (Box::new(file), size)
            }
            Err(error) => return Err(cannot_read(path, &error)),
        },
    };
    let counted: Input = Box::new(Counted {
        inner: source,
        read: Arc::clone(&meter.read),
    });
    let format = match format {
        InputFormat::Csv => Format::Csv,
        _ => Format::Jsonl,
    };
    let records = Records::with_encoding(counted, format, decoder, max_record_bytes, forced)
        .map_err(|error| error.text())?;
    Ok((records, Meter { total, ..meter }))
}

/// Checks, before anything is read, that the file an output goes to can be written and is
/// none of the `inputs` (writing the decisions over the tips would lose them). It leaves what
/// the file holds as it is: the run may yet stop before writing anything.
pub fn writable(path: &Path, inputs: &[Option<&Path>]) -> Result<(), Text> {
    if inputs.iter().flatten().any(|input| same_file(input, path)) {
        return Err(Text::new("eval.output_is_input").with("path", path.display().to_string()));
    }
    if path.exists() {
        return std::fs::OpenOptions::new()
            .write(true)
            .truncate(false)
            .open(path)
            .map(drop)
            .map_err(|error| cannot_write(path, &error));
    }
    // Made and taken away again: a refused run leaves no empty file behind, which Excel
    // would call damaged.
    File::create(path)
        .and_then(|_| std::fs::remove_file(path))
        .map_err(|error| cannot_write(path, &error))
}

/// Whether `a` and `b` name one file: the same path, a link to it, or a second name (a hard
/// link) for it.
fn same_file(a: &Path, b: &Path) -> bool {
    if let (Ok(a), Ok(b)) = (a.canonicalize(), b.canonicalize())
        && a == b
    {
        return true;
    }
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        if let (Ok(a), Ok(b)) = (std::fs::metadata(a), std::fs::metadata(b)) {
            return a.dev() == b.dev() && a.ino() == b.ino();
        }
    }
    false
}

/// Creates, or empties, the file an output goes to, once [`writable`] has said it may.
pub fn create_output(path: &Path) -> Result<File, Text> {
    File::create(path).map_err(|error| cannot_write(path, &error))
}

fn cannot_write(path: &Path, error: &io::Error) -> Text {
    Text::new("office.write_failed")
        .with("path", path.display().to_string())
        .with("error", super::load::io_reason(error))
}

/// A file that could not be opened, in the reader's words.
fn cannot_read(path: &Path, error: &io::Error) -> Text {
    Text::new("load.unreadable")
        .with("path", path.display().to_string())
        .with("reason", super::load::io_reason(error))
}

/// The format of the tips at `path`, when not given.
pub fn input_format(format: Option<InputFormat>, path: Option<&Path>) -> InputFormat {
    if let Some(format) = format {
        return format;
    }
    // Any other name, and standard input, is JSON Lines.
    let kept = path
        .and_then(Path::extension)
        .and_then(|e| e.to_str())
        .and_then(Kept::of_extension);
    match kept {
        Some(Kept::Text(Format::Csv)) => InputFormat::Csv,
        Some(Kept::Workbook) => InputFormat::Xlsx,
        Some(Kept::Text(Format::Jsonl)) | None => InputFormat::Jsonl,
    }
}

/// What the closing summary says of how the input was read: its encoding when not UTF-8,
/// the sheet of a workbook.
pub fn how_read(records: &Records<Input>) -> String {
    let mut said = String::new();
    // A sheet's name is the workbook's to choose, control characters and all.
    if let Some(sheet) = records.sheet_name() {
        said.push_str(&super::say(
            Text::new("eval.summary_sheet").with("sheet", sheet),
        ));
    } else if records.encoding() != encoding::UTF_8 {
        said.push_str(&super::say(
            Text::new("eval.summary_encoding").with("encoding", records.encoding().name()),
        ));
    }
    super::terminal::safe(&said).into_owned()
}

/// What to say when the input held no record: the other sheets of a workbook, or that the
/// file is empty.
pub fn nothing_read(records: &Records<Input>) -> Text {
    match records.sheet_read() {
        Some(sheet) if !sheet.others().is_empty() => Text::new("eval.empty_sheet")
            .with("sheet", sheet.name())
            .with("others", sheet.others().join(", ")),
        _ => Text::new("eval.nothing_read"),
    }
}

/// What to say when records were malformed and the encoding named is not what the file looks
/// like.
pub fn encoding_hint(records: &Records<Input>, reading: &Reading) -> Option<Text> {
    (reading.encoding.is_some() && records.looks_like() != records.encoding()).then(|| {
        Text::new("eval.encoding_hint")
            .with("looks", records.looks_like().name())
            .with("encoding", records.encoding().name())
    })
}
