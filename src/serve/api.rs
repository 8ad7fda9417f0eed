//! The API's handlers, apart from batches: the campaigns, the files, checking, examples, one tip
//! and a stream of tips.

use std::convert::Infallible;
use std::io::{self, Read};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::Instant;

use axum::body::{Body, Bytes};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, StatusCode, header};
use axum::response::{IntoResponse, Response};
use axum::{Json, extract};
use futures_util::StreamExt;
use serde::Deserialize;
use serde_json::{Value, json};
use tokio::sync::OwnedSemaphorePermit;
use tokio::sync::mpsc;

use super::{ApiError, Shared, State, asked_lang, error_json};
use crate::check::{SourceFile, problems_json};
use crate::eval::{
    DEFAULT_MAX_RECORD_BYTES, Decoder, Disclosure, DuplicateIndex, Evaluator, Format, Item,
    Options, Prepared, Records, RepeatIndex, Stopped, Stream, decided_line, error_line,
};
use crate::lang::{Lang, Text};
use crate::model::Model;
use crate::store::Record;
use crate::verify::run_examples;

/// The language a request asks for.
pub(crate) struct Asked(pub(crate) Lang);

impl FromRequestParts<State> for Asked {
    type Rejection = Infallible;

    async fn from_request_parts(parts: &mut Parts, state: &State) -> Result<Asked, Infallible> {
        Ok(Asked(asked_lang(parts, state.lang)))
    }
}

/// `GET /api/campaigns`: the loaded campaigns, each with its outline.
pub(crate) async fn campaigns(extract::State(shared): extract::State<State>) -> Json<Value> {
    Json(json!({
        "include_reporter": shared.include_reporter,
        "loaded": shared.loaded.is_some(),
        "campaigns": shared.loaded.as_ref().map_or_else(Vec::new, |loaded| outline(loaded.model, &shared.files)),
    }))
}

/// `GET /api/files`: the loaded files, as read at start, for the editor to open.
pub(crate) async fn files(extract::State(shared): extract::State<State>) -> Json<Value> {
    let files: Vec<Value> = shared
        .files
        .iter()
        .map(|file| json!({ "name": file.name, "text": file.text }))
        .collect();
    Json(json!({ "files": files }))
}

/// A file as the editor holds it: a loaded file's new text, or a new file.
#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct Draft {
    name: String,
    text: String,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct Drafts {
    #[serde(default)]
    files: Vec<Draft>,
}

/// The permit to work and the files of a request whose body is drafts. The permit comes first:
/// bodies are read into memory only as many at once as work may run.
async fn drafted(
    shared: &Shared,
    lang: Lang,
    headers: &HeaderMap,
    body: Body,
) -> Result<(OwnedSemaphorePermit, Vec<SourceFile>), ApiError> {
    refuse_declared_size(headers, shared, lang)?;
    let permit = permit(shared, lang)?;
    let drafts: Drafts = read_json(body, shared, lang).await?;
    Ok((permit, workspace(shared, drafts.files, lang)?))
}

/// `POST /api/check`: the loaded files with the drafts in their place, checked.
pub(crate) async fn check(
    extract::State(shared): extract::State<State>,
    Asked(lang): Asked,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let (permit, files) = drafted(&shared, lang, &headers, body).await?;
    blocking(lang, move || {
        let _permit = permit;
        let (answer, _) = checked(&files, lang);
        answer
    })
    .await
    .map(Json)
}

/// `POST /api/examples`: the drafts checked, then every example of their campaigns run.
pub(crate) async fn examples(
    extract::State(shared): extract::State<State>,
    Asked(lang): Asked,
    headers: HeaderMap,
    body: Body,
) -> Result<Json<Value>, ApiError> {
    let (permit, files) = drafted(&shared, lang, &headers, body).await?;
    blocking(lang, move || {
        let _permit = permit;
        let (mut answer, model) = checked(&files, lang);
        if let Some(model) = model {
            let results: Vec<Value> = run_examples(&model, None)
                .iter()
                .map(|result| {
                    let file = &files[result.file];
                    let (line, _) = crate::check::line_column(&file.text, result.span.start);
                    json!({
                        "campaign": result.campaign,
                        "file": file.name,
                        "line": line,
                        "name": result.name,
                        "passed": result.passed(),
                        "expected": result.expected.render(lang),
                        "actual": result.actual.render(lang),
                        "detail": result.detail.as_ref().map(|detail| detail.render(lang)),
                    })
                })
                .collect();
            answer["examples"] = Value::Array(results);
        }
        answer
    })
    .await
    .map(Json)
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
struct OneTip {
    tip: Value,
    #[serde(default)]
    files: Vec<Draft>,
    #[serde(default)]
    explain: bool,
}

/// `POST /api/eval`: one tip decided against the loaded campaigns, or against the drafts when
/// the request has some.
pub(crate) async fn eval_one(
    extract::State(shared): extract::State<State>,
    Asked(lang): Asked,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    refuse_declared_size(&headers, &shared, lang)?;
    let permit = permit(&shared, lang)?;
    let request: OneTip = read_json(body, &shared, lang).await?;
    // Encoded once, as a stream's record is read; and held to the size of one.
    let tip = request.tip.to_string();
    if tip.len() > DEFAULT_MAX_RECORD_BYTES {
        return Err(too_large(lang));
    }
    let drafted = if request.files.is_empty() {
        None
    } else {
        Some(workspace(&shared, request.files, lang)?)
    };
    let work = Arc::clone(&shared);
    blocking(lang, move || {
        let _permit = permit;
        let disclosure = disclosure(&work);
        let Some(files) = &drafted else {
            let loaded = match work.loaded(lang) {
                Ok(loaded) => loaded,
                Err(error) => return error.into_response(),
            };
            return decide_one(
                loaded.evaluator(lang),
                &loaded.decoder,
                &tip,
                request.explain,
                disclosure,
                lang,
            );
        };
        match checked(files, lang) {
            (_, Some(model)) => {
                let evaluator = Evaluator::new(&model).with_lang(lang);
                let decoder = Decoder::new(&model);
                decide_one(
                    &evaluator,
                    &decoder,
                    &tip,
                    request.explain,
                    disclosure,
                    lang,
                )
            }
            (mut answer, None) => {
                let mut body = error_json("serve.no_model", &Text::new("serve.no_model"), lang);
                body["diagnostics"] = answer["diagnostics"].take();
                (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response()
            }
        }
    })
    .await
}

fn decide_one(
    evaluator: &Evaluator,
    decoder: &Decoder,
    tip: &str,
    explain: bool,
    disclosure: Disclosure,
    lang: Lang,
) -> Response {
    let tip = match decoder.json(tip, 1) {
        Ok(tip) => tip,
        Err(error) => {
            // No column: it would count into the record as re-encoded, not as the caller wrote it.
            let body = error_json("serve.malformed_tip", &error.message, lang);
            return (StatusCode::UNPROCESSABLE_ENTITY, Json(body)).into_response();
        }
    };
    let mut prepared = Prepared::default();
    evaluator.prepare(&tip, &mut prepared);
    let decisions = evaluator.decide(&tip, &prepared, &[], explain);
    let line = decided_line(1, &tip, &decisions, disclosure);
    match serde_json::from_str::<Value>(&line) {
        Ok(mut decided) => {
            decided["text"] = json!(tip.text);
            Json(json!({ "decided": decided })).into_response()
        }
        Err(_) => {
            ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "serve.failed", lang).into_response()
        }
    }
}

/// The query of a stream; `lang` and `token` are read by the guard, and other keys are let be.
#[derive(Debug, Default, Deserialize)]
pub(crate) struct StreamQuery {
    #[serde(default)]
    explain: bool,
}

/// `POST /api/eval/stream`: JSON Lines of tips in, JSON Lines of decisions out, as
/// `rectify eval` writes them, streamed and in input order. A stream that goes past a limit
/// ends with an error record saying which.
pub(crate) async fn eval_stream(
    extract::State(shared): extract::State<State>,
    Asked(lang): Asked,
    query: Result<extract::Query<StreamQuery>, extract::rejection::QueryRejection>,
    headers: HeaderMap,
    body: Body,
) -> Result<Response, ApiError> {
    let explain = query.map_err(|_| bad_request(lang))?.explain;
    refuse_declared_size(&headers, &shared, lang)?;
    shared.loaded(lang)?;
    let permit = permit(&shared, lang)?;
    let deadline = Instant::now() + shared.limits.timeout;
    let (chunks, to_read) = mpsc::channel::<Result<Bytes, Broken>>(4);
    let (lines, to_send) = mpsc::channel::<Bytes>(4);
    tokio::spawn(forward(
        body,
        chunks,
        shared.limits.request_bytes,
        shared.limits.timeout,
    ));
    let work = Arc::clone(&shared);
    let runtime = tokio::runtime::Handle::current();
    let aborted = Arc::new(AtomicBool::new(false));
    let abort = Arc::clone(&aborted);
    tokio::task::spawn_blocking(move || {
        let _permit = permit;
        match run_stream(&work, to_read, &lines, &runtime, deadline, explain, lang) {
            Ended::Complete => {}
            Ended::Early(name, text) => {
                let mut line = error_json(name, &text, lang).to_string();
                line.push('\n');
                // A client that does not read even this is let go a moment after the deadline.
                let wait = deadline
                    .saturating_duration_since(Instant::now())
                    .max(std::time::Duration::from_secs(1));
                let sent =
                    runtime.block_on(tokio::time::timeout(wait, lines.send(Bytes::from(line))));
                if !matches!(sent, Ok(Ok(()))) {
                    abort.store(true, Ordering::Relaxed);
                }
            }
            Ended::Abandoned => abort.store(true, Ordering::Relaxed),
        }
    });
    // A stream that could not be finished is broken off, not ended: a client must not take a
    // cut stream for a complete one.
    let stream = futures_util::stream::unfold(Some(to_send), move |to_send| {
        let aborted = Arc::clone(&aborted);
        async move {
            let mut to_send = to_send?;
            match to_send.recv().await {
                Some(line) => Some((Ok(line), Some(to_send))),
                None if aborted.load(Ordering::Relaxed) => {
                    Some((Err(io::Error::other("the stream was cut short")), None))
                }
                None => None,
            }
        }
    });
    Ok((
        [(header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8")],
        Body::from_stream(stream),
    )
        .into_response())
}

/// Why the request body stopped before its end.
#[derive(Debug, Clone, Copy)]
enum Broken {
    /// It went past the size limit.
    Overflow,
    /// The client stopped sending, or the deadline passed.
    Idle,
    /// The connection broke.
    Failed,
}

/// Hands the request body on, chunk by chunk, until it ends, passes `limit` bytes, or stops
/// sending for longer than `idle`.
async fn forward(
    body: Body,
    chunks: mpsc::Sender<Result<Bytes, Broken>>,
    limit: usize,
    idle: std::time::Duration,
) {
    let mut data = body.into_data_stream();
    let mut total = 0usize;
    loop {
        let next = match tokio::time::timeout(idle, data.next()).await {
            Ok(None) => return,
            Ok(Some(Ok(chunk))) => {
                let room = limit - total;
                if chunk.len() > room {
                    // What fits is still read: the records within the limit are decided.
                    if room > 0 && chunks.send(Ok(chunk.slice(..room))).await.is_err() {
                        return;
                    }
                    let _ = chunks.send(Err(Broken::Overflow)).await;
                    return;
                }
                total += chunk.len();
                Ok(chunk)
            }
            Ok(Some(Err(_))) => Err(Broken::Failed),
            Err(_) => Err(Broken::Idle),
        };
        let overflowed = next.is_err();
        if chunks.send(next).await.is_err() || overflowed {
            return;
        }
    }
}

/// Why the sink stopped a stream before its input ended.
enum Cut {
    TooMany,
    Gone,
    Store(Text),
}

/// How a stream ended.
enum Ended {
    /// At the end of its input.
    Complete,
    /// Early, with the error record that says why.
    Early(&'static str, Text),
    /// Early, with a client no longer reading.
    Abandoned,
}

/// Decides the records of `to_read` in a stream and sends each line to `lines`; returns the
/// error record that ends the stream, if it ends early.
fn run_stream(
    shared: &Shared,
    to_read: mpsc::Receiver<Result<Bytes, Broken>>,
    lines: &mpsc::Sender<Bytes>,
    runtime: &tokio::runtime::Handle,
    deadline: Instant,
    explain: bool,
    lang: Lang,
) -> Ended {
    let Some(loaded) = &shared.loaded else {
        return Ended::Early("serve.not_loaded", Text::new("serve.not_loaded"));
    };
    let (evaluator, decoder) = (loaded.evaluator(lang), &loaded.decoder);
    let reader = ChannelReader {
        chunks: to_read,
        pending: Bytes::new(),
        deadline,
    };
    let records = match Records::new(reader, Format::Jsonl, decoder, DEFAULT_MAX_RECORD_BYTES) {
        Ok(records) => records,
        Err(error) => return input_stopped(&error),
    };
    let (mut lookup, mut recorder) = match shared.open_history() {
        Ok(Some((lookup, recorder))) => (Some(lookup), Some(recorder)),
        Ok(None) => (None, None),
        Err(text) => return Ended::Early("serve.store_failed", store_failed(text)),
    };
    let mut memory = DuplicateIndex::new();
    let index: &mut dyn RepeatIndex = match lookup.as_mut() {
        Some(lookup) => lookup,
        None => &mut memory,
    };
    let options = Options { jobs: 1, explain };
    let mut stream = match Stream::new(evaluator, decoder, index, options) {
        Ok(stream) => stream,
        Err(_) => return Ended::Early("serve.failed", Text::new("serve.failed")),
    };
    let disclosure = disclosure(shared);
    let key = recorder.as_ref().map(|recorder| recorder.key().clone());
    let render = |item: Item| match item {
        Item::Decided {
            line,
            tip,
            decisions,
        } => (
            decided_line(line, tip, decisions, disclosure),
            key.as_ref().map(|key| Record::of(tip, decisions, key)),
        ),
        Item::Malformed(error) => (error_line(error, lang), None),
    };
    let limit = shared.limits.tips;
    let mut sent = 0usize;
    let result = stream.run(records, render, |batch: Vec<(String, Option<Record>)>| {
        let mut records = Vec::new();
        let mut cut = None;
        // One send a batch: a send a line cost the stream a third of its speed.
        let mut out = Vec::new();
        for (line, record) in batch {
            if sent == limit {
                cut = Some(Cut::TooMany);
                break;
            }
            out.extend_from_slice(line.as_bytes());
            sent += 1;
            records.extend(record);
        }
        let wait = deadline.saturating_duration_since(Instant::now());
        if !out.is_empty() {
            match runtime.block_on(tokio::time::timeout(wait, lines.send(Bytes::from(out)))) {
                Ok(Ok(())) => {}
                _ => return Err(Cut::Gone),
            }
        }
        // Recorded once sent, as `eval` records once written: the store holds what the client
        // was given.
        if let Some(recorder) = recorder.as_mut() {
            recorder
                .write(&records)
                .map_err(|error| Cut::Store(error.text()))?;
        }
        cut.map_or(Ok(()), Err)
    });
    drop(stream);
    if let Some(error) = lookup.as_mut().and_then(|lookup| lookup.failure()) {
        return Ended::Early("serve.store_failed", store_failed(error.text()));
    }
    match result {
        Ok(()) => Ended::Complete,
        Err(Stopped::Sink(Cut::TooMany)) => Ended::Early(
            "serve.too_many_tips",
            Text::new("serve.too_many_tips").with("limit", limit),
        ),
        Err(Stopped::Sink(Cut::Gone)) => Ended::Abandoned,
        Err(Stopped::Sink(Cut::Store(text))) => {
            Ended::Early("serve.store_failed", store_failed(text))
        }
        Err(Stopped::Input(error)) => input_stopped(&error),
    }
}

pub(crate) fn store_failed(error: Text) -> Text {
    Text::new("serve.store_failed").with("error", error)
}

fn input_stopped(error: &crate::eval::InputError) -> Ended {
    let broken = match error {
        crate::eval::InputError::Io(error) => error
            .get_ref()
            .and_then(|inner| inner.downcast_ref::<BodyError>())
            .map(|body| body.0),
        _ => None,
    };
    match broken {
        Some(Broken::Overflow) => Ended::Early("serve.too_large", Text::new("serve.too_large")),
        Some(Broken::Idle) => Ended::Early("serve.timeout", Text::new("serve.timeout")),
        Some(Broken::Failed) => Ended::Abandoned,
        None => Ended::Early("serve.bad_request", error.text()),
    }
}

/// The error a reader gives when the request body stopped, told apart from the others.
#[derive(Debug)]
struct BodyError(Broken);

impl std::fmt::Display for BodyError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "the request body stopped: {:?}", self.0)
    }
}

impl std::error::Error for BodyError {}

/// The request body, for the synchronous stream: a read waits for the next chunk, until the
/// body ends or the request's deadline passes.
struct ChannelReader {
    chunks: mpsc::Receiver<Result<Bytes, Broken>>,
    pending: Bytes,
    deadline: Instant,
}

impl Read for ChannelReader {
    fn read(&mut self, out: &mut [u8]) -> io::Result<usize> {
        while self.pending.is_empty() {
            if Instant::now() >= self.deadline {
                return Err(io::Error::other(BodyError(Broken::Idle)));
            }
            match self.chunks.blocking_recv() {
                Some(Ok(chunk)) => self.pending = chunk,
                Some(Err(broken)) => return Err(io::Error::other(BodyError(broken))),
                None => return Ok(0),
            }
        }
        let n = out.len().min(self.pending.len());
        out[..n].copy_from_slice(&self.pending[..n]);
        self.pending = self.pending.slice(n..);
        Ok(n)
    }
}

/// A method a path does not take.
pub(crate) async fn method_not_allowed(Asked(lang): Asked) -> ApiError {
    ApiError::new(
        StatusCode::METHOD_NOT_ALLOWED,
        "serve.method_not_allowed",
        lang,
    )
}

/// The page has no icon; asking for one is not an error.
pub(crate) async fn no_content() -> StatusCode {
    StatusCode::NO_CONTENT
}

/// Any path the API does not have.
pub(crate) async fn not_found(Asked(lang): Asked) -> ApiError {
    ApiError::new(StatusCode::NOT_FOUND, "serve.not_found", lang)
}

pub(crate) fn disclosure(shared: &Shared) -> Disclosure {
    if shared.include_reporter {
        Disclosure::IncludeReporter
    } else {
        Disclosure::Withhold
    }
}

fn bad_request(lang: Lang) -> ApiError {
    ApiError::new(StatusCode::BAD_REQUEST, "serve.bad_request", lang)
}

/// A permit to run work, or 429 when as much is running as the server allows.
pub(crate) fn permit(shared: &Shared, lang: Lang) -> Result<OwnedSemaphorePermit, ApiError> {
    Arc::clone(&shared.work)
        .try_acquire_owned()
        .map_err(|_| ApiError::new(StatusCode::TOO_MANY_REQUESTS, "serve.busy", lang))
}

/// 413 before a byte is read, for a body whose declared length is past the limit.
pub(crate) fn refuse_declared_size(
    headers: &HeaderMap,
    shared: &Shared,
    lang: Lang,
) -> Result<(), ApiError> {
    let declared = headers
        .get(header::CONTENT_LENGTH)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.parse::<u64>().ok());
    match declared {
        Some(length) if length > shared.limits.request_bytes as u64 => Err(too_large(lang)),
        _ => Ok(()),
    }
}

pub(crate) fn too_large(lang: Lang) -> ApiError {
    ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "serve.too_large", lang)
}

/// Runs `work` on a blocking thread: checking and deciding are synchronous.
async fn blocking<T: Send + 'static>(
    lang: Lang,
    work: impl FnOnce() -> T + Send + 'static,
) -> Result<T, ApiError> {
    tokio::task::spawn_blocking(work)
        .await
        .map_err(|_| ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "serve.failed", lang))
}

/// A JSON body no larger than the limit.
async fn read_json<T: serde::de::DeserializeOwned>(
    body: Body,
    shared: &Shared,
    lang: Lang,
) -> Result<T, ApiError> {
    let bytes = axum::body::to_bytes(body, shared.limits.request_bytes)
        .await
        .map_err(|_| too_large(lang))?;
    // serde's message quotes the values and keys it did not expect, which may be a reporter's
    // name: only where the body went wrong is said.
    serde_json::from_slice(&bytes).map_err(|error| {
        ApiError::with_text(
            StatusCode::BAD_REQUEST,
            "serve.bad_request",
            Text::new("serve.bad_json")
                .with("line", error.line())
                .with("column", error.column()),
            lang,
        )
    })
}

/// The loaded files with each draft in the place of the file of its name, or after them when
/// it is a new file. A new file's name is a plain file name: it never names a path.
fn workspace(shared: &Shared, drafts: Vec<Draft>, lang: Lang) -> Result<Vec<SourceFile>, ApiError> {
    let mut files = shared.files.clone();
    for draft in drafts {
        match files.iter_mut().find(|file| file.name == draft.name) {
            Some(file) => file.text = draft.text,
            None if plain_name(&draft.name) => files.push(SourceFile {
                name: draft.name,
                text: draft.text,
            }),
            None => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    "serve.bad_file_name",
                    lang,
                ));
            }
        }
    }
    Ok(files)
}

/// A new file's name: short, one component, of a kind the checker reads.
fn plain_name(name: &str) -> bool {
    let kind = [".scheme", ".vocab", ".holidays"]
        .iter()
        .any(|ext| name.len() > ext.len() && name.ends_with(ext));
    kind && name.chars().count() <= 100
        && !name.starts_with('.')
        && !name
            .chars()
            .any(|c| matches!(c, '/' | '\\' | ':') || c.is_control())
}

/// What checking `files` found, as the API answers it, and the model when there is one.
fn checked(files: &[SourceFile], lang: Lang) -> (Value, Option<Model>) {
    let checked = crate::check(files);
    let diagnostics = problems_json(files, &checked.problems, lang);
    let campaigns = checked.model.as_ref().map(|model| outline(model, files));
    (
        json!({
            "ok": checked.model.is_some(),
            "diagnostics": diagnostics,
            "campaigns": campaigns,
        }),
        checked.model,
    )
}

/// The campaigns of `model`, each with its areas, categories and symptoms in their official
/// wording.
fn outline(model: &Model, files: &[SourceFile]) -> Vec<Value> {
    model
        .campaigns
        .iter()
        .map(|campaign| {
            let areas: Vec<Value> = campaign
                .areas
                .iter()
                .map(|area| {
                    let categories: Vec<Value> = area
                        .categories
                        .iter()
                        .map(|category| {
                            let symptoms: Vec<Value> = category
                                .symptoms
                                .iter()
                                .map(|symptom| json!({ "id": symptom.id, "title": symptom.title }))
                                .collect();
                            json!({ "id": category.id, "title": category.title, "symptoms": symptoms })
                        })
                        .collect();
                    json!({ "id": area.id, "title": area.title, "categories": categories })
                })
                .collect();
            let windows: Vec<Value> = campaign
                .windows
                .iter()
                .map(|window| json!({ "start": window.start, "end": window.end }))
                .collect();
            json!({
                "id": campaign.id,
                "title": campaign.title,
                "issuer": campaign.issuer,
                "file": files.get(campaign.file).map(|file| file.name.as_str()),
                "windows": windows,
                "areas": areas,
                "examples": campaign.examples.len(),
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::plain_name;

    #[test]
    fn a_new_file_is_named_by_a_plain_name_of_a_kind_the_checker_reads() {
        for name in [
            "draft.scheme",
            "草稿.scheme",
            "common.vocab",
            "2027.holidays",
        ] {
            assert!(plain_name(name), "{name}");
        }
        for name in [
            "../x.scheme",
            "a/b.scheme",
            "a\\b.scheme",
            "C:x.scheme",
            ".scheme",
            ".hidden.scheme",
            "notes.txt",
            "x.scheme\n",
            "",
        ] {
            assert!(!plain_name(name), "{name:?}");
        }
        assert!(!plain_name(&format!("{}.scheme", "长".repeat(100))));
    }
}
