//! The workbench: a page in the browser where an office drafts, checks and tries a campaign and
//! evaluates a day's tips, and the HTTP API that the page and scripts use (docs/api.md).
//!
//! Transport only. Checking is [`crate::check`], examples are [`crate::verify`], deciding is
//! the evaluator's [`Stream`](crate::eval::Stream), the downloads are [`crate::office`]'s
//! tables and report: this module turns requests into their inputs and their results into
//! responses, and decides nothing itself. It prints nothing either: what the caller should log
//! reaches it through [`Config::log`].
//!
//! Safe to leave running: every request body is bounded, so is the number of tips a batch
//! holds and the work running at once (413 and 429, never a growing queue); each request has a
//! deadline; the reporter's identity leaves only when the server was started to disclose it;
//! the schemes on disk are read once, at start, and never written; a request names a loaded file
//! only by the name the server gave it.

mod api;
mod batch;
mod guard;
mod page;

use std::sync::Arc;
use std::time::Duration;

use axum::Router;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use axum::routing::{get, post};
use tokio::sync::Semaphore;

use crate::check::SourceFile;
use crate::eval::{Decoder, Evaluator};
use crate::lang::{Lang, Text};
use crate::model::Model;

/// What a server is started with.
pub struct Config {
    /// The scheme, vocabulary and calendar files loaded at start, by the names the page shows.
    pub files: Vec<SourceFile>,
    /// Their checked model: the campaigns that batches and streams are decided against; `None`
    /// when they have errors, which the page is then for fixing (batches and streams are
    /// refused until the server is started on schemes that check).
    pub model: Option<Model>,
    /// The language of answers when a request does not ask for one.
    pub lang: Lang,
    /// Whether reporters' names and contacts may be in responses and downloads.
    pub include_reporter: bool,
    /// The token every request must carry, when there is one.
    pub token: Option<String>,
    /// The bounds on requests.
    pub limits: Limits,
    /// The history store that batches and streams are compared with and recorded in, as
    /// `rectify eval --store` does; without one, each is compared with itself only.
    pub history: Option<History>,
    /// Told of every request answered (method, path without its query, status, time): never of
    /// a body or a query, which may hold a tip or the token.
    pub log: Option<Log>,
}

/// Where the history store is, and its reporter key.
#[derive(Debug, Clone)]
pub struct History {
    /// The store.
    pub location: crate::store::Location,
    /// The file of its reporter key, when not where the store keeps it by default.
    pub key: Option<std::path::PathBuf>,
}

/// Where answered requests are told of.
pub type Log = Arc<dyn Fn(&Logged) + Send + Sync>;

/// One answered request, for the log.
#[derive(Debug, Clone)]
pub struct Logged {
    /// The method.
    pub method: String,
    /// The path, without the query.
    pub path: String,
    /// The status answered.
    pub status: u16,
    /// How long the answer took to start.
    pub elapsed: Duration,
}

/// Bounds on what a request may ask.
#[derive(Debug, Clone, Copy)]
pub struct Limits {
    /// The largest request body, in bytes (413 above it).
    pub request_bytes: usize,
    /// The most tips one batch or stream may hold (413 above it).
    pub tips: usize,
    /// Checks, evaluations and batches running at once (429 beyond them).
    pub concurrent: usize,
    /// How long one request may take; a stream's whole run, and how long it waits for a slow
    /// client to read or send, are bounded by it too.
    pub timeout: Duration,
    /// Finished batches kept for their downloads; the oldest goes first.
    pub batches_kept: usize,
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            request_bytes: 32 << 20,
            tips: 100_000,
            concurrent: std::thread::available_parallelism().map_or(2, |n| n.get()),
            timeout: Duration::from_secs(120),
            batches_kept: 16,
        }
    }
}

/// A server that could not be set up.
#[derive(Debug)]
pub struct SetupError(Text);

impl SetupError {
    /// What went wrong, to be put into words.
    pub fn text(&self) -> Text {
        self.0.clone()
    }
}

/// What every request sees.
pub(crate) struct Shared {
    files: Vec<SourceFile>,
    loaded: Option<Loaded>,
    lang: Lang,
    include_reporter: bool,
    token: Option<String>,
    limits: Limits,
    history: Option<History>,
    log: Option<Log>,
    work: Arc<Semaphore>,
    batches: batch::Batches,
}

type State = Arc<Shared>;

/// The loaded files' model, with what deciding against it needs.
pub(crate) struct Loaded {
    model: &'static Model,
    /// One evaluator per language, built once: building one costs more than deciding a tip.
    evaluators: Vec<(Lang, Evaluator<'static>)>,
    decoder: Decoder,
}

impl Loaded {
    fn new(model: Model) -> Loaded {
        // The loaded model lives as long as the process that serves it, so that the
        // evaluators built on it can be shared by every request: a router is made once a
        // process.
        let model: &'static Model = Box::leak(Box::new(model));
        Loaded {
            model,
            evaluators: Lang::ALL
                .iter()
                .map(|lang| (*lang, Evaluator::new(model).with_lang(*lang)))
                .collect(),
            decoder: Decoder::new(model),
        }
    }

    /// The evaluator giving reasons in `lang`.
    fn evaluator(&self, lang: Lang) -> &Evaluator<'static> {
        self.evaluators
            .iter()
            .find(|(of, _)| *of == lang)
            .map(|(_, evaluator)| evaluator)
            .unwrap_or(&self.evaluators[0].1)
    }
}

impl Shared {
    /// The repeat index of one batch or stream: the history store's, opened for it as a run of
    /// its own, with the recorder of its decisions; else `None`, and the caller remembers the
    /// batch's own tips only.
    fn open_history(&self) -> Result<Option<(crate::store::Lookup, crate::store::Recorder)>, Text> {
        match &self.history {
            None => Ok(None),
            Some(history) => crate::store::open(&history.location, history.key.as_deref())
                .map(Some)
                .map_err(|error| error.text()),
        }
    }

    /// The loaded model, or 422 when the loaded files have errors.
    fn loaded(&self, lang: Lang) -> Result<&Loaded, ApiError> {
        self.loaded.as_ref().ok_or_else(|| {
            ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "serve.not_loaded", lang)
        })
    }
}

/// The workbench's routes: the page, its assets and the API.
pub fn router(config: Config) -> Result<Router, SetupError> {
    let batches = batch::Batches::new(config.limits.batches_kept)
        .map_err(|error| SetupError(Text::new("serve.workdir_failed").with("error", error)))?;
    let shared = Arc::new(Shared {
        work: Arc::new(Semaphore::new(config.limits.concurrent.max(1))),
        files: config.files,
        loaded: config.model.map(Loaded::new),
        lang: config.lang,
        include_reporter: config.include_reporter,
        token: config.token,
        limits: config.limits,
        history: config.history,
        log: config.log,
        batches,
    });
    let api = Router::new()
        .route("/api/campaigns", get(api::campaigns))
        .route("/api/files", get(api::files))
        .route("/api/check", post(api::check))
        .route("/api/examples", post(api::examples))
        .route("/api/eval", post(api::eval_one))
        .route("/api/eval/stream", post(api::eval_stream))
        .route("/api/batches", post(batch::create))
        .route("/api/batches/{id}", get(batch::status))
        .route("/api/batches/{id}/{file}", get(batch::download));
    Ok(api
        .merge(page::routes())
        .route("/favicon.ico", get(api::no_content))
        .fallback(api::not_found)
        .method_not_allowed_fallback(api::method_not_allowed)
        .layer(axum::middleware::from_fn_with_state(
            Arc::clone(&shared),
            guard::guard,
        ))
        .with_state(shared))
}

/// A request refused or failed: a status, a stable code and a message in the asker's language.
#[derive(Debug)]
pub(crate) struct ApiError {
    status: StatusCode,
    code: &'static str,
    text: Text,
    lang: Lang,
}

impl ApiError {
    /// The error of catalogue key `key` (`serve.busy`), with its code (`rectify::serve::busy`).
    fn new(status: StatusCode, key: &'static str, lang: Lang) -> ApiError {
        ApiError {
            status,
            code: key,
            text: Text::new(key),
            lang,
        }
    }

    /// The same, with the message `text` instead of the catalogue's entry for the code.
    fn with_text(status: StatusCode, key: &'static str, text: Text, lang: Lang) -> ApiError {
        ApiError {
            status,
            code: key,
            text,
            lang,
        }
    }

    fn body(&self) -> serde_json::Value {
        error_json(self.code, &self.text, self.lang)
    }
}

/// The JSON of an error: `{"error": {"code", "message"}}`, the code made of the catalogue key
/// as the checker's codes are (`serve.busy` is `rectify::serve::busy`).
pub(crate) fn error_json(key: &str, text: &Text, lang: Lang) -> serde_json::Value {
    serde_json::json!({
        "error": {
            "code": format!("rectify::{}", key.replace('.', "::")),
            "message": text.render(lang),
        }
    })
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut response = (self.status, axum::Json(self.body())).into_response();
        if self.status == StatusCode::TOO_MANY_REQUESTS {
            response.headers_mut().insert(
                axum::http::header::RETRY_AFTER,
                axum::http::HeaderValue::from_static("1"),
            );
        }
        response
    }
}

/// The language a request asks for: `?lang=`, else its `Accept-Language`, else the server's.
pub(crate) fn asked_lang(parts: &axum::http::request::Parts, default: Lang) -> Lang {
    let query = parts.uri.query().unwrap_or("");
    let from_query = query
        .split('&')
        .filter_map(|pair| pair.strip_prefix("lang="))
        .find_map(Lang::parse);
    if let Some(lang) = from_query {
        return lang;
    }
    let accept = parts
        .headers
        .get(axum::http::header::ACCEPT_LANGUAGE)
        .and_then(|value| value.to_str().ok())
        .unwrap_or("");
    accept
        .split(',')
        .find_map(|tag| Lang::parse(tag.split(';').next().unwrap_or("")))
        .unwrap_or(default)
}
