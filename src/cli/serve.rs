//! `rectify serve`: the workbench of [`rectify::serve`] on an HTTP port.

use std::io::Write;
use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use rectify::lang::Text;
use rectify::serve::{Config, History, Limits, Log, Logged};
use rectify::store::{self, Location};

use super::Status;
use super::load::checked_if_sound;
use super::render::fatal;
use super::terminal;

/// Serve the workbench: a page in the browser to draft, check and try campaigns and evaluate
/// batches of tips, and the HTTP API it uses (docs/api.md).
#[derive(Debug, clap::Args)]
pub struct Args {
    /// A scheme file or a directory of them, as for `eval`; repeatable. They are read once, at
    /// start, and never written.
    #[arg(long = "scheme", short = 's', required = true, value_name = "PATH")]
    schemes: Vec<PathBuf>,

    /// A calendar file adding years the built-in holiday table does not know; repeatable.
    #[arg(long = "calendar", value_name = "FILE")]
    calendars: Vec<PathBuf>,

    /// A store (a SQLite file, created when missing, or a `postgres://` database) that every
    /// batch and stream is compared with and recorded in, as `eval --store` does. Never a
    /// reporter's name or contact: a keyed hash.
    #[arg(long, value_name = "FILE|URL")]
    store: Option<String>,

    /// The file of the store's reporter key; by default where `eval` keeps it.
    #[arg(long, value_name = "FILE", requires = "store")]
    store_key: Option<PathBuf>,

    /// The address to listen on; port 0 takes a free one. Anything but loopback needs a token.
    #[arg(long, value_name = "ADDR", default_value = "127.0.0.1:8610")]
    listen: SocketAddr,

    /// The token every request must carry (`Authorization: Bearer …`, or `?token=…` in the
    /// page's address): at least 16 letters, digits or `-._~`.
    #[arg(long, value_name = "TOKEN", conflicts_with = "token_file")]
    token: Option<String>,

    /// A file whose first line is the token.
    #[arg(long, value_name = "FILE")]
    token_file: Option<PathBuf>,

    /// Put reporters' names and contacts in answers and downloads. Reporters are protected
    /// (对实名反映人严格保密): use this only on a server that stays with the receiving office.
    #[arg(long)]
    include_reporter: bool,

    /// The largest request, in bytes.
    #[arg(long, value_name = "BYTES", default_value_t = Limits::default().request_bytes, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1024..=1 << 32))]
    max_request_bytes: usize,

    /// The most tips in one batch or stream.
    #[arg(long, value_name = "N", default_value_t = Limits::default().tips, value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=100_000_000))]
    max_tips: usize,

    /// Checks and evaluations running at once; more are answered 429. By default the number of
    /// cores.
    #[arg(long, value_name = "N", value_parser = clap::builder::RangedU64ValueParser::<usize>::new().range(1..=1024))]
    max_concurrent: Option<usize>,

    /// Seconds one request may take.
    #[arg(long, value_name = "SECONDS", default_value_t = 120, value_parser = clap::value_parser!(u64).range(1..=86_400))]
    timeout: u64,

    /// No line per request on standard error.
    #[arg(long, short = 'q')]
    quiet: bool,
}

/// How long connections in flight may go on once the server is asked to stop.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(5);

pub fn run(args: Args) -> Status {
    let token = match token(&args) {
        Ok(token) => token,
        Err(message) => {
            fatal(message);
            return Status::Failure;
        }
    };
    if token.is_none() && !args.listen.ip().is_loopback() {
        fatal(Text::new("serve.token_required").with("address", args.listen.to_string()));
        return Status::Failure;
    }
    // Schemes with errors are served too, so that they can be fixed in the page; deciding
    // batches and streams waits for schemes that check.
    let (files, model) =
        match checked_if_sound(&[args.schemes.clone(), args.calendars.clone()].concat()) {
            Ok(loaded) => loaded,
            Err(status) => return status,
        };
    let sound = model.is_some();
    let history = args.store.as_deref().map(|store| History {
        location: Location::parse(store),
        key: args.store_key.clone(),
    });
    // Opened once now, so that a store that cannot be reached stops the server at start rather
    // than failing its first batch.
    if let Some(history) = &history
        && let Err(error) = store::maintain(&history.location, history.key.as_deref())
    {
        fatal(error.text());
        return Status::Failure;
    }
    let defaults = Limits::default();
    let limits = Limits {
        request_bytes: args.max_request_bytes,
        tips: args.max_tips,
        concurrent: args.max_concurrent.unwrap_or(defaults.concurrent),
        timeout: Duration::from_secs(args.timeout),
        ..defaults
    };
    let log: Option<Log> = if args.quiet {
        None
    } else {
        Some(Arc::new(|logged: &Logged| {
            let _ = writeln!(
                std::io::stderr().lock(),
                "{} {} {} {} ms",
                logged.method,
                terminal::safe(&logged.path),
                logged.status,
                logged.elapsed.as_millis()
            );
        }))
    };
    let has_token = token.is_some();
    let config = Config {
        files,
        model,
        lang: super::lang(),
        include_reporter: args.include_reporter,
        token,
        limits,
        history,
        log,
    };
    let runtime = match tokio::runtime::Builder::new_multi_thread()
        .worker_threads(2)
        .max_blocking_threads(limits.concurrent + 8)
        .enable_all()
        .build()
    {
        Ok(runtime) => runtime,
        Err(error) => {
            fatal(Text::new("serve.failed_to_start").with("error", error.to_string()));
            return Status::Failure;
        }
    };
    let result = runtime.block_on(async move {
        let router = rectify::serve::router(config).map_err(|error| error.text())?;
        let listener = tokio::net::TcpListener::bind(args.listen)
            .await
            .map_err(|error| {
                Text::new("serve.cannot_listen")
                    .with("address", args.listen.to_string())
                    .with("error", error.to_string())
            })?;
        let address = listener
            .local_addr()
            .map_err(|error| Text::new("serve.failed_to_start").with("error", error.to_string()))?;
        let mode = if args.include_reporter {
            "serve.mode_disclosing"
        } else {
            "serve.mode_withholding"
        };
        let mut out = std::io::stdout().lock();
        // The address last: a script that starts the server waits for it, and then serves.
        let _ = writeln!(out, "{}", super::say(Text::new(mode)));
        if !sound {
            let _ = writeln!(out, "{}", super::say(Text::new("serve.loaded_with_errors")));
        }
        if has_token {
            let _ = writeln!(out, "{}", super::say(Text::new("serve.token_needed")));
        }
        let _ = writeln!(
            out,
            "{}",
            super::say(Text::new("serve.listening").with("url", format!("http://{address}/")))
        );
        let _ = out.flush();
        drop(out);
        // Asked to stop, the server takes no new connection and lets those in flight finish,
        // for a few seconds at most: a client that neither sends nor reads does not keep it up.
        let (stop, stopping) = tokio::sync::watch::channel(false);
        tokio::spawn(async move {
            stopped().await;
            let _ = stop.send(true);
        });
        let mut asked = stopping.clone();
        let serving = axum::serve(listener, router).with_graceful_shutdown(async move {
            let _ = asked.wait_for(|stop| *stop).await;
        });
        let mut asked = stopping;
        let grace = async move {
            let _ = asked.wait_for(|stop| *stop).await;
            tokio::time::sleep(SHUTDOWN_GRACE).await;
        };
        tokio::select! {
            served = std::future::IntoFuture::into_future(serving) => served
                .map_err(|error| Text::new("serve.stopped").with("error", error.to_string())),
            () = grace => Ok(()),
        }
    });
    runtime.shutdown_timeout(SHUTDOWN_GRACE);
    match result {
        Ok(()) => Status::Ok,
        Err(message) => {
            fatal(message);
            Status::Failure
        }
    }
}

/// The token given, checked: long enough to resist guessing, and in characters that need no
/// escaping in an address.
fn token(args: &Args) -> Result<Option<String>, Text> {
    let token = match (&args.token, &args.token_file) {
        (Some(token), _) => token.clone(),
        (None, Some(path)) => {
            let text = super::load::read(path).map_err(|error| {
                Text::new("serve.token_unreadable")
                    .with("path", path.display().to_string())
                    .with("error", error.message(super::lang()).message)
            })?;
            text.lines().next().unwrap_or("").trim().to_string()
        }
        (None, None) => return Ok(None),
    };
    let fitting = token.len() >= 16
        && token
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '-' | '.' | '_' | '~'));
    if fitting {
        Ok(Some(token))
    } else {
        Err(Text::new("serve.bad_token"))
    }
}

/// Resolves when the process is asked to stop: Ctrl-C, or SIGTERM on Unix.
async fn stopped() {
    let interrupt = async {
        let _ = tokio::signal::ctrl_c().await;
    };
    #[cfg(unix)]
    {
        let terminate = async {
            match tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate()) {
                Ok(mut signal) => {
                    signal.recv().await;
                }
                Err(_) => std::future::pending::<()>().await,
            }
        };
        tokio::select! {
            () = interrupt => {}
            () = terminate => {}
        }
    }
    #[cfg(not(unix))]
    interrupt.await;
}
