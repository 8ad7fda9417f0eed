//! Batches: a CSV file, an Excel workbook or JSON Lines of tips uploaded whole, decided in the
//! background against the loaded campaigns, and kept for download as a workbook, a CSV file,
//! JSON Lines and the report.
//!
//! Everything a batch writes is in a directory of its own under one private directory made at
//! start (mode 0700) and removed when the server stops; a download names a batch by the random
//! id it was given and a file by one of four fixed names, never by a path.

use std::collections::VecDeque;
use std::fs::File;
use std::io::{BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, PoisonError};

use axum::body::Body;
use axum::extract;
use axum::http::{HeaderMap, HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use futures_util::StreamExt;
use indexmap::IndexMap;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::io::AsyncWriteExt;

use super::api::{Asked, disclosure, permit, refuse_declared_size, store_failed, too_large};
use super::{ApiError, Shared, State};
use crate::eval::{
    DEFAULT_MAX_RECORD_BYTES, Decoder, DuplicateIndex, Format, Item, Kept, Options, Outcome,
    Records, RepeatIndex, Sheet, Stopped, Stream, decided_line, error_line,
};
use crate::lang::{Lang, Text};
use crate::office::report::{Observed, Rejected, Report, observe, reject};
use crate::office::{Flat, Table, flatten, flatten_malformed};
use crate::store::Record;

/// Rows of a batch shown in the page's table; the downloads hold them all.
const SHOWN_ROWS: usize = 500;

/// The files a finished batch can be downloaded as.
const DOWNLOADS: [(&str, &str); 4] = [
    (
        "decisions.xlsx",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ),
    ("decisions.csv", "text/csv; charset=utf-8"),
    ("decisions.jsonl", "application/x-ndjson; charset=utf-8"),
    ("report.html", "text/html; charset=utf-8"),
];

/// The batches of one server.
pub(crate) struct Batches {
    dir: PathBuf,
    kept: usize,
    jobs: Mutex<VecDeque<(String, Arc<Job>)>>,
}

impl Batches {
    /// A new private directory for batches under the system's temporary directory.
    pub(crate) fn new(kept: usize) -> Result<Batches, String> {
        let dir = std::env::temp_dir().join(format!("rectify-serve-{}", random_id()?));
        make_private(&dir).map_err(|error| format!("{}: {error}", dir.display()))?;
        Ok(Batches {
            dir,
            kept: kept.max(1),
            jobs: Mutex::new(VecDeque::new()),
        })
    }

    /// The directory, made again if something cleaning the temporary directory removed it
    /// while the server ran.
    fn ensure(&self) -> std::io::Result<&Path> {
        match make_private(&self.dir) {
            Err(error) if error.kind() != std::io::ErrorKind::AlreadyExists => Err(error),
            _ => Ok(&self.dir),
        }
    }

    fn find(&self, id: &str) -> Option<Arc<Job>> {
        let jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.iter()
            .find(|(known, _)| known == id)
            .map(|(_, job)| Arc::clone(job))
    }

    /// Keeps `job`, and lets the oldest finished batches go beyond the number kept.
    fn keep(&self, id: String, job: Arc<Job>) {
        let mut jobs = self.jobs.lock().unwrap_or_else(PoisonError::into_inner);
        jobs.push_back((id, job));
        while jobs.len() > self.kept {
            let Some(position) = jobs.iter().position(|(_, job)| !job.running()) else {
                break;
            };
            if let Some((_, gone)) = jobs.remove(position) {
                let _ = std::fs::remove_dir_all(&gone.dir);
            }
        }
    }
}

impl Drop for Batches {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Makes `dir`, readable by this user only.
fn make_private(dir: &Path) -> std::io::Result<()> {
    let mut builder = std::fs::DirBuilder::new();
    #[cfg(unix)]
    std::os::unix::fs::DirBuilderExt::mode(&mut builder, 0o700);
    builder.create(dir)
}

/// A batch's directory while its request runs: removed when dropped, unless kept.
struct Scratch(Option<PathBuf>);

impl Scratch {
    fn path(&self) -> &Path {
        self.0.as_deref().unwrap_or(Path::new(""))
    }

    /// The directory, no longer removed when this is dropped.
    fn keep(&mut self) -> PathBuf {
        self.0.take().unwrap_or_default()
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        if let Some(dir) = self.0.take() {
            let _ = std::fs::remove_dir_all(dir);
        }
    }
}

/// One batch.
struct Job {
    dir: PathBuf,
    total: usize,
    done: AtomicUsize,
    state: Mutex<JobState>,
}

enum JobState {
    Running,
    Done(Value),
    Failed(Value),
}

impl Job {
    fn running(&self) -> bool {
        matches!(
            *self.state.lock().unwrap_or_else(PoisonError::into_inner),
            JobState::Running
        )
    }

    fn done(&self) -> bool {
        matches!(
            *self.state.lock().unwrap_or_else(PoisonError::into_inner),
            JobState::Done(_)
        )
    }

    fn finish(&self, state: JobState) {
        *self.state.lock().unwrap_or_else(PoisonError::into_inner) = state;
    }
}

/// The query of an upload; `lang` and `token` are read by the guard.
#[derive(Debug, Deserialize)]
pub(crate) struct Upload {
    name: String,
}

/// `POST /api/batches?name=FILE`: the body is the file; answers 202 with the batch's id and the
/// number of records, and decides them in the background.
pub(crate) async fn create(
    extract::State(shared): extract::State<State>,
    Asked(lang): Asked,
    query: Result<extract::Query<Upload>, extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let upload = query
        .map_err(|_| ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "serve.batch_kind", lang))?
        .0;
    let (format, extension) = kind_of(&upload.name).ok_or_else(|| {
        ApiError::new(StatusCode::UNSUPPORTED_MEDIA_TYPE, "serve.batch_kind", lang)
    })?;
    refuse_declared_size(&headers, &shared, lang)?;
    shared.loaded(lang)?;
    let permit = permit(&shared, lang)?;
    let id = random_id().map_err(|_| failed(lang))?;
    // Removed with what it holds (tips, reporters among them) however this request ends —
    // refused, failed, or dropped at its deadline — unless it becomes a kept batch.
    let root = shared.batches.ensure().map_err(|_| failed(lang))?;
    let mut dir = Scratch(Some(root.join(&id)));
    let path = dir.path().to_path_buf();
    tokio::fs::create_dir(&path)
        .await
        .map_err(|_| failed(lang))?;
    let input = path.join(format!("upload.{extension}"));
    receive(body, &input, shared.limits.request_bytes, lang).await?;
    let counting = Arc::clone(&shared);
    let counted_input = input.clone();
    let count = tokio::task::spawn_blocking(move || {
        let loaded = counting
            .loaded
            .as_ref()
            .ok_or_else(|| Text::new("serve.not_loaded"))?;
        count_records(&counted_input, format, &loaded.decoder)
    })
    .await
    .map_err(|_| failed(lang))?;
    let total = match count {
        Ok(total) if total > shared.limits.tips => {
            return Err(ApiError::with_text(
                StatusCode::PAYLOAD_TOO_LARGE,
                "serve.too_many_tips",
                Text::new("serve.too_many_tips").with("limit", shared.limits.tips),
                lang,
            ));
        }
        Ok(total) => total,
        Err(text) => {
            return Err(ApiError::with_text(
                StatusCode::UNPROCESSABLE_ENTITY,
                "serve.unreadable_batch",
                text,
                lang,
            ));
        }
    };
    let job = Arc::new(Job {
        dir: dir.keep(),
        total,
        done: AtomicUsize::new(0),
        state: Mutex::new(JobState::Running),
    });
    shared.batches.keep(id.clone(), Arc::clone(&job));
    let work = Arc::clone(&shared);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        let decided = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
            decide(&work, &job, &input, format, lang)
        }));
        let state = match decided {
            Ok(Ok(summary)) => JobState::Done(summary),
            Ok(Err(text)) => JobState::Failed(super::error_json("serve.batch_failed", &text, lang)),
            Err(_) => JobState::Failed(super::error_json(
                "serve.batch_failed",
                &Text::new("serve.failed"),
                lang,
            )),
        };
        let _ = std::fs::remove_file(&input);
        if !matches!(state, JobState::Done(_)) {
            // A failed batch's files are partial: none is offered for download.
            for (name, _) in DOWNLOADS {
                let _ = std::fs::remove_file(job.dir.join(name));
            }
        }
        job.finish(state);
    });
    Ok((
        StatusCode::ACCEPTED,
        axum::Json(json!({ "id": id, "total": total })),
    )
        .into_response())
}

/// `GET /api/batches/{id}`: how far a batch has gone; once done, its summary and first rows.
pub(crate) async fn status(
    extract::State(shared): extract::State<State>,
    Asked(lang): Asked,
    extract::Path(id): extract::Path<String>,
) -> Result<Response, ApiError> {
    let job = shared
        .batches
        .find(&id)
        .ok_or_else(|| ApiError::new(StatusCode::NOT_FOUND, "serve.not_found", lang))?;
    let done = job.done.load(Ordering::Relaxed);
    let state = job.state.lock().unwrap_or_else(PoisonError::into_inner);
    let body = match &*state {
        JobState::Running => {
            json!({ "id": id, "state": "running", "done": done, "total": job.total })
        }
        JobState::Done(summary) => json!({
            "id": id,
            "state": "done",
            "done": done,
            "total": job.total,
            "summary": summary["summary"],
            "rows": summary["rows"],
            "downloads": DOWNLOADS.iter().map(|(name, _)| format!("/api/batches/{id}/{name}")).collect::<Vec<_>>(),
        }),
        JobState::Failed(error) => {
            let mut body = error.clone();
            body["id"] = json!(id);
            body["state"] = json!("failed");
            body
        }
    };
    Ok(axum::Json(body).into_response())
}

/// `GET /api/batches/{id}/{file}`: a finished batch's decisions or report, as an attachment.
pub(crate) async fn download(
    extract::State(shared): extract::State<State>,
    Asked(lang): Asked,
    extract::Path((id, file)): extract::Path<(String, String)>,
) -> Result<Response, ApiError> {
    let not_found = || ApiError::new(StatusCode::NOT_FOUND, "serve.not_found", lang);
    let job = shared.batches.find(&id).ok_or_else(not_found)?;
    let (name, content_type) = DOWNLOADS
        .iter()
        .find(|(name, _)| *name == file)
        .ok_or_else(not_found)?;
    if job.running() {
        return Err(ApiError::new(
            StatusCode::CONFLICT,
            "serve.batch_running",
            lang,
        ));
    }
    if !job.done() {
        return Err(not_found());
    }
    let bytes = tokio::fs::read(job.dir.join(name))
        .await
        .map_err(|_| not_found())?;
    let disposition = format!("attachment; filename=\"{name}\"");
    let mut response = Body::from(bytes).into_response();
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(content_type));
    if let Ok(value) = HeaderValue::from_str(&disposition) {
        headers.insert(header::CONTENT_DISPOSITION, value);
    }
    Ok(response)
}

/// The kind of an uploaded file, from its name, and the extension it is kept under.
fn kind_of(name: &str) -> Option<(Kept, &'static str)> {
    let kept = Kept::of_extension(name.rsplit_once('.')?.1)?;
    let extension = match kept {
        Kept::Workbook => "xlsx",
        Kept::Text(Format::Csv) => "csv",
        Kept::Text(Format::Jsonl) => "jsonl",
    };
    Some((kept, extension))
}

/// Writes the request body to `path`, refusing it past `limit` bytes.
async fn receive(body: Body, path: &Path, limit: usize, lang: Lang) -> Result<(), ApiError> {
    let mut file = tokio::fs::File::create(path)
        .await
        .map_err(|_| failed(lang))?;
    let mut data = body.into_data_stream();
    let mut total = 0usize;
    while let Some(chunk) = data.next().await {
        let chunk =
            chunk.map_err(|_| ApiError::new(StatusCode::BAD_REQUEST, "serve.client_gone", lang))?;
        total += chunk.len();
        if total > limit {
            return Err(too_large(lang));
        }
        file.write_all(&chunk).await.map_err(|_| failed(lang))?;
    }
    file.flush().await.map_err(|_| failed(lang))
}

type Input = Box<dyn Read + Send>;

fn open(path: &Path, kind: Kept, decoder: &Decoder) -> Result<Records<Input>, Text> {
    match kind {
        Kept::Workbook => {
            let sheet = Sheet::open(path, None, DEFAULT_MAX_RECORD_BYTES).map_err(|message| {
                Text::new("serve.workbook_unreadable").with("message", message)
            })?;
            Records::sheet(sheet, decoder, DEFAULT_MAX_RECORD_BYTES).map_err(|e| e.text())
        }
        Kept::Text(format) => {
            let file = File::open(path).map_err(|_| Text::new("serve.failed"))?;
            Records::new(
                Box::new(file) as Input,
                format,
                decoder,
                DEFAULT_MAX_RECORD_BYTES,
            )
            .map_err(|e| e.text())
        }
    }
}

fn count_records(path: &Path, kind: Kept, decoder: &Decoder) -> Result<usize, Text> {
    let mut records = open(path, kind, decoder)?;
    let mut count = 0;
    while records.next_record().map_err(|e| e.text())?.is_some() {
        count += 1;
    }
    Ok(count)
}

/// One record of a batch, rendered for every place it goes.
struct Rendered {
    flat: Flat,
    line: String,
    report: Result<Observed, Rejected>,
    row: Value,
    outcomes: Option<Vec<&'static str>>,
    record: Option<Record>,
}

/// Decides a batch and writes its downloads; returns its summary and first rows.
fn decide(shared: &Shared, job: &Job, input: &Path, kind: Kept, lang: Lang) -> Result<Value, Text> {
    let loaded = shared
        .loaded
        .as_ref()
        .ok_or_else(|| Text::new("serve.not_loaded"))?;
    let model = loaded.model;
    let (evaluator, decoder) = (loaded.evaluator(lang), &loaded.decoder);
    let records = open(input, kind, decoder)?;
    let disclosure = disclosure(shared);
    let written = |error: crate::office::WriteError| error.text();
    let mut workbook = Table::workbook(&job.dir.join("decisions.xlsx"), model, lang, disclosure)
        .map_err(written)?;
    let mut csv = Table::csv(&job.dir.join("decisions.csv"), lang, disclosure).map_err(written)?;
    let jsonl =
        File::create(job.dir.join("decisions.jsonl")).map_err(|_| Text::new("serve.failed"))?;
    let mut jsonl = BufWriter::new(jsonl);
    let mut report = Report::new(model, lang, chrono::Local::now().date_naive());
    let (mut lookup, mut recorder) = match shared.open_history().map_err(store_failed)? {
        Some((lookup, recorder)) => (Some(lookup), Some(recorder)),
        None => (None, None),
    };
    let mut memory = DuplicateIndex::new();
    let index: &mut dyn RepeatIndex = match lookup.as_mut() {
        Some(lookup) => lookup,
        None => &mut memory,
    };
    let options = Options {
        jobs: 1,
        explain: false,
    };
    let mut stream =
        Stream::new(evaluator, decoder, index, options).map_err(|_| Text::new("serve.failed"))?;
    let key = recorder.as_ref().map(|recorder| recorder.key().clone());
    let campaigns: Vec<&str> = model.campaigns.iter().map(|c| c.id.as_str()).collect();
    let render = |item: Item| match item {
        Item::Decided {
            line,
            tip,
            decisions,
        } => Rendered {
            flat: flatten(line, tip, decisions, lang, disclosure),
            line: decided_line(line, tip, decisions, disclosure),
            report: Ok(observe(tip, decisions)),
            row: json!({
                "line": line,
                "tip": tip.id,
                "decisions": decisions.iter().map(|decision| json!({
                    "campaign": decision.campaign,
                    "outcome": decision.outcome.name(),
                    "category": decision.outcome.top_category().map(|c| c.title),
                    "exclusion": match &decision.outcome {
                        Outcome::Excluded { exclusion, .. } => Some(*exclusion),
                        _ => None,
                    },
                })).collect::<Vec<_>>(),
            }),
            outcomes: Some(decisions.iter().map(|d| d.outcome.name()).collect()),
            record: key.as_ref().map(|key| Record::of(tip, decisions, key)),
        },
        Item::Malformed(error) => Rendered {
            flat: flatten_malformed(error, lang),
            line: error_line(error, lang),
            report: Err(reject(error, lang)),
            row: json!({ "line": error.line, "tip": error.id, "error": error.message.render(lang) }),
            outcomes: None,
            record: None,
        },
    };
    let mut rows = Vec::new();
    let mut read = 0usize;
    let mut malformed = 0usize;
    let mut counts: Vec<IndexMap<&'static str, usize>> = vec![IndexMap::new(); campaigns.len()];
    let result = stream.run(records, render, |batch: Vec<Rendered>| {
        let mut records = Vec::new();
        let mut over = false;
        for item in batch {
            if read == shared.limits.tips {
                over = true;
                break;
            }
            read += 1;
            workbook.add(&item.flat).map_err(written)?;
            csv.add(&item.flat).map_err(written)?;
            jsonl
                .write_all(item.line.as_bytes())
                .map_err(|_| Text::new("serve.failed"))?;
            match item.report {
                Ok(observed) => report.add(&observed),
                Err(rejected) => report.add_malformed(rejected),
            }
            match item.outcomes {
                Some(outcomes) => {
                    for (count, outcome) in counts.iter_mut().zip(outcomes) {
                        *count.entry(outcome).or_default() += 1;
                    }
                }
                None => malformed += 1,
            }
            if rows.len() < SHOWN_ROWS {
                rows.push(item.row);
            }
            job.done.store(read, Ordering::Relaxed);
            records.extend(item.record);
        }
        if let Some(recorder) = recorder.as_mut() {
            recorder
                .write(&records)
                .map_err(|error| store_failed(error.text()))?;
        }
        if over {
            return Err(Text::new("serve.too_many_tips").with("limit", shared.limits.tips));
        }
        Ok(())
    });
    drop(stream);
    if let Some(error) = lookup.as_mut().and_then(|lookup| lookup.failure()) {
        return Err(store_failed(error.text()));
    }
    match result {
        Ok(()) => {}
        Err(Stopped::Sink(text)) => return Err(text),
        Err(Stopped::Input(error)) => return Err(error.text()),
    }
    workbook.finish().map_err(written)?;
    csv.finish().map_err(written)?;
    jsonl.flush().map_err(|_| Text::new("serve.failed"))?;
    std::fs::write(job.dir.join("report.html"), report.html())
        .map_err(|_| Text::new("serve.failed"))?;
    let by_campaign: Vec<Value> = campaigns
        .iter()
        .zip(&counts)
        .map(|(id, counts)| json!({ "campaign": id, "outcomes": counts }))
        .collect();
    Ok(json!({
        "summary": {
            "read": read,
            "decided": read - malformed,
            "malformed": malformed,
            "campaigns": by_campaign,
        },
        "rows": rows,
    }))
}

fn failed(lang: Lang) -> ApiError {
    ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "serve.failed", lang)
}

/// 128 random bits as hex: a batch's id cannot be guessed from another's.
fn random_id() -> Result<String, String> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes).map_err(|error| error.to_string())?;
    Ok(bytes.iter().map(|b| format!("{b:02x}")).collect())
}
