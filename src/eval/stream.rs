//! The evaluation stream: records in, decided records out, in input order.
//!
//! With one job, each record is read, decided, rendered and handed on in turn, on the calling
//! thread, with one set of buffers for every tip: one core's work needs no threads.
//!
//! With more, records are read in batches bounded in count and in bytes. Each batch is decoded,
//! normalised and scanned (in parallel on `jobs` workers), looked up in the repeat index (in
//! input order, so that which earlier tip a repeat names does not depend on the number of
//! jobs), then decided and rendered (in parallel again). The look-up of one batch, on one
//! worker, overlaps the decoding of the next on the others. A reader thread and a writer thread
//! keep reading, deciding and writing overlapped.
//!
//! The stream knows no output format and prints nothing: the caller renders each [`Item`]
//! (in parallel, on the workers) and receives the rendered batches, in order, in its sink.
//! Memory is bounded by the batches alive at once — `2 × QUEUED + 2` = 6 of at most
//! [`BATCH_BYTES`] each, or of one record when a single record is larger — plus the repeat
//! index.

use std::io::Read;
use std::sync::mpsc::sync_channel;

use super::decision::{Decision, Repeat};
use super::duplicate::{DuplicateIndex, Seen, Signature};
use super::input::{InputError, Raw, Records};
use super::record::{Decoder, RecordError};
use super::tip::Tip;
use super::{Evaluator, Prepared};

/// Records per batch: large enough to keep every job busy, small enough to keep memory flat.
const BATCH: usize = 2048;

/// A batch closes at this many bytes of records even when it holds fewer than [`BATCH`].
const BATCH_BYTES: usize = 8 << 20;

/// Batches queued each way, between the reader and the deciding stage and between that and the
/// writer: with the one being decided and the one being decoded, `2 × QUEUED + 2` batches are
/// alive at once.
const QUEUED: usize = 2;

/// Where earlier tips are remembered, to find repeats (同一事项重复反映).
pub trait RepeatIndex: Send {
    /// The earlier tips at `threshold` or above, the most similar first, then remembers this
    /// one. `history` marks tips that were only loaded, not evaluated.
    fn find_and_insert(
        &mut self,
        tip: &Tip,
        signature: Signature,
        threshold: f64,
        history: bool,
    ) -> Vec<Repeat>;
}

impl RepeatIndex for DuplicateIndex {
    fn find_and_insert(
        &mut self,
        tip: &Tip,
        signature: Signature,
        threshold: f64,
        history: bool,
    ) -> Vec<Repeat> {
        DuplicateIndex::find_and_insert(self, &Seen::of(tip), signature, threshold, history)
    }
}

/// One input record, decided or not, for the caller to render.
#[derive(Debug, Clone, Copy)]
pub enum Item<'a> {
    /// A tip, with one decision per campaign in model order.
    Decided {
        /// The line the record starts on.
        line: usize,
        /// The tip.
        tip: &'a Tip,
        /// The decisions.
        decisions: &'a [Decision<'a>],
    },
    /// A record that could not be decoded.
    Malformed(&'a RecordError),
}

/// How a stream runs.
#[derive(Debug, Clone, Copy)]
pub struct Options {
    /// Worker threads for the parallel steps; 1 runs them on the deciding thread.
    pub jobs: usize,
    /// Say for every rule why it did or did not fire.
    pub explain: bool,
}

/// Why a stream stopped before the end of its input.
#[derive(Debug)]
pub enum Stopped<E> {
    /// The input could not be read on.
    Input(InputError),
    /// The sink refused a batch.
    Sink(E),
}

/// Decides records against a model, in input order.
pub struct Stream<'a, 'm> {
    evaluator: &'a Evaluator<'m>,
    decoder: &'a Decoder,
    index: &'a mut dyn RepeatIndex,
    pool: Option<rayon::ThreadPool>,
    explain: bool,
}

struct Analysed {
    line: usize,
    tip: Result<Tip, RecordError>,
    prepared: Prepared,
    signature: Option<Signature>,
}

impl<'a, 'm> Stream<'a, 'm> {
    /// A stream over `evaluator`'s model; tips decoded with `decoder`, repeats looked for in
    /// (and added to) `index`.
    pub fn new(
        evaluator: &'a Evaluator<'m>,
        decoder: &'a Decoder,
        index: &'a mut dyn RepeatIndex,
        options: Options,
    ) -> Result<Stream<'a, 'm>, rayon::ThreadPoolBuildError> {
        let pool = if options.jobs > 1 {
            Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(options.jobs)
                    .build()?,
            )
        } else {
            None
        };
        Ok(Stream {
            evaluator,
            decoder,
            index,
            pool,
            explain: options.explain,
        })
    }

    /// Decides the batch `pending`, read before, while `batch` is decoded, normalised and
    /// scanned: the repeat search, in input order on one thread, overlaps the work of the
    /// next batch on the others, instead of leaving them idle.
    fn overlapped<T: Send>(
        &mut self,
        batch: Vec<Raw>,
        pending: Option<Vec<Analysed>>,
        layout: Option<&super::CsvLayout>,
        render: &(impl Fn(Item) -> T + Sync),
    ) -> (Vec<Analysed>, Option<Vec<T>>) {
        let (evaluator, decoder, explain) = (self.evaluator, self.decoder, self.explain);
        let index = &mut *self.index;
        installed(self.pool.as_ref(), || {
            rayon::join(
                || analyse(evaluator, decoder, batch, layout),
                || pending.map(|pending| finish(evaluator, index, explain, pending, render)),
            )
        })
    }

    /// Decides a batch already analysed, the last one read.
    fn decide_last<T: Send>(
        &mut self,
        pending: Vec<Analysed>,
        render: &(impl Fn(Item) -> T + Sync),
    ) -> Vec<T> {
        let (evaluator, explain) = (self.evaluator, self.explain);
        let index = &mut *self.index;
        installed(self.pool.as_ref(), || {
            finish(evaluator, index, explain, pending, render)
        })
    }

    /// Runs every record of `records` through the stream: each is rendered with `render` and
    /// handed, in input order and in batches, to `sink`, which runs on a thread of its own.
    /// Stops at the end of the input, at a read failure (after every record read before it),
    /// or when the sink fails.
    pub fn run<R, T, E>(
        &mut self,
        mut records: Records<R>,
        render: impl Fn(Item) -> T + Sync,
        mut sink: impl FnMut(Vec<T>) -> Result<(), E> + Send,
    ) -> Result<(), Stopped<E>>
    where
        R: Read + Send,
        T: Send,
        E: Send,
    {
        if self.pool.is_none() {
            return self.run_serial(records, render, sink);
        }
        let layout = records.layout().cloned();
        std::thread::scope(|scope| {
            let (batches, to_decide) = sync_channel::<Result<Vec<Raw>, InputError>>(QUEUED);
            let (decided, to_write) = sync_channel::<Vec<T>>(QUEUED);
            scope.spawn(move || {
                let mut failed = None;
                loop {
                    let batch = next_batch(&mut records, &mut failed);
                    let last = !matches!(&batch, Ok(batch) if !batch.is_empty());
                    if batches.send(batch).is_err() || last {
                        break;
                    }
                }
            });
            let writer = scope.spawn(move || -> Result<(), E> {
                for batch in to_write {
                    // A failing sink ends the writer; with its channel closed the other
                    // stages stop too.
                    sink(batch)?;
                }
                Ok(())
            });
            let mut failure = None;
            let mut pending = None;
            let mut sink_gone = false;
            for batch in to_decide {
                match batch {
                    Ok(batch) if batch.is_empty() => break,
                    Ok(batch) => {
                        let (analysed, rendered) =
                            self.overlapped(batch, pending.take(), layout.as_ref(), &render);
                        pending = Some(analysed);
                        if let Some(rendered) = rendered
                            && decided.send(rendered).is_err()
                        {
                            sink_gone = true;
                            break;
                        }
                    }
                    Err(error) => {
                        failure = Some(error);
                        break;
                    }
                }
            }
            // The last batch read, and every record read before a read failure, is decided.
            if let Some(pending) = pending.filter(|_| !sink_gone) {
                let _ = decided.send(self.decide_last(pending, &render));
            }
            drop(decided);
            match writer.join() {
                Ok(Err(error)) => return Err(Stopped::Sink(error)),
                Ok(Ok(())) => {}
                Err(panic) => std::panic::resume_unwind(panic),
            }
            match failure {
                Some(error) => Err(Stopped::Input(error)),
                None => Ok(()),
            }
        })
    }
}

impl Stream<'_, '_> {
    /// One job: each record is read, decided and rendered in turn on this thread, with one
    /// set of buffers for every tip; the sink gets the rendered records in batches.
    fn run_serial<R, T, E>(
        &mut self,
        mut records: Records<R>,
        render: impl Fn(Item) -> T,
        mut sink: impl FnMut(Vec<T>) -> Result<(), E>,
    ) -> Result<(), Stopped<E>>
    where
        R: Read,
    {
        let layout = records.layout().cloned();
        let evaluator = self.evaluator;
        let threshold = evaluator.duplicate_threshold();
        let mut prepared = Prepared::default();
        let mut batch = Vec::with_capacity(BATCH);
        loop {
            let raw = match records.next_record() {
                Ok(Some(raw)) => raw,
                Ok(None) => break,
                Err(error) => {
                    if !batch.is_empty() {
                        sink(batch).map_err(Stopped::Sink)?;
                    }
                    return Err(Stopped::Input(error));
                }
            };
            let line = raw.line();
            let rendered = match self.decoder.decode(raw, layout.as_ref()) {
                Ok(tip) => {
                    evaluator.prepare(&tip, &mut prepared);
                    let repeats = match (threshold, prepared.take_signature()) {
                        (Some(threshold), Some(signature)) => self
                            .index
                            .find_and_insert(&tip, signature, threshold, false),
                        _ => Vec::new(),
                    };
                    let decisions = evaluator.decide(&tip, &prepared, &repeats, self.explain);
                    render(Item::Decided {
                        line,
                        tip: &tip,
                        decisions: &decisions,
                    })
                }
                Err(error) => render(Item::Malformed(&error)),
            };
            batch.push(rendered);
            if batch.len() == BATCH {
                sink(std::mem::replace(&mut batch, Vec::with_capacity(BATCH)))
                    .map_err(Stopped::Sink)?;
            }
        }
        if !batch.is_empty() {
            sink(batch).map_err(Stopped::Sink)?;
        }
        Ok(())
    }
}

/// Remembers earlier tips in `index` (a history), without deciding them; `malformed` is told
/// of each record that cannot be decoded, and such a record cannot be repeated. Returns the
/// number of tips remembered.
pub fn remember<R: Read>(
    evaluator: &Evaluator,
    decoder: &Decoder,
    index: &mut dyn RepeatIndex,
    mut records: Records<R>,
    mut malformed: impl FnMut(&RecordError),
) -> Result<usize, InputError> {
    let layout = records.layout().cloned();
    let threshold = evaluator.duplicate_threshold();
    let mut prepared = Prepared::default();
    let mut loaded = 0;
    while let Some(raw) = records.next_record()? {
        match decoder.decode(raw, layout.as_ref()) {
            Ok(tip) => {
                loaded += 1;
                if let Some(threshold) = threshold {
                    evaluator.prepare(&tip, &mut prepared);
                    if let Some(signature) = prepared.take_signature() {
                        index.find_and_insert(&tip, signature, threshold, true);
                    }
                }
            }
            Err(error) => malformed(&error),
        }
    }
    Ok(loaded)
}

/// Up to [`BATCH`] records or [`BATCH_BYTES`] bytes (or one record, however long); an empty
/// batch at the end of the input. A read failure after some records hands those out first and
/// the failure on the next call, so that no record read before it is lost.
/// Runs `work` on the stream's workers, where its parallel parts then run.
fn installed<R: Send>(pool: Option<&rayon::ThreadPool>, work: impl FnOnce() -> R + Send) -> R {
    match pool {
        Some(pool) => pool.install(work),
        None => work(),
    }
}

/// Decodes, normalises, scans and signs a batch, in parallel on the current pool.
fn analyse(
    evaluator: &Evaluator,
    decoder: &Decoder,
    batch: Vec<Raw>,
    layout: Option<&super::CsvLayout>,
) -> Vec<Analysed> {
    use rayon::prelude::*;
    batch
        .into_par_iter()
        .with_min_len(64)
        .map(|raw| {
            let (line, tip) = (raw.line(), decoder.decode(raw, layout));
            let mut prepared = Prepared::default();
            let mut signature = None;
            if let Ok(tip) = &tip {
                evaluator.prepare(tip, &mut prepared);
                signature = prepared.take_signature();
            }
            Analysed {
                line,
                tip,
                prepared,
                signature,
            }
        })
        .collect()
}

/// Looks an analysed batch up in the repeat index, in input order, then decides and renders
/// it in parallel on the current pool.
fn finish<T: Send>(
    evaluator: &Evaluator,
    index: &mut dyn RepeatIndex,
    explain: bool,
    mut analysed: Vec<Analysed>,
    render: &(impl Fn(Item) -> T + Sync),
) -> Vec<T> {
    use rayon::prelude::*;
    let threshold = evaluator.duplicate_threshold().unwrap_or(1.0);
    let mut repeats: Vec<Vec<Repeat>> = Vec::with_capacity(analysed.len());
    for item in &mut analysed {
        let repeat = match (&item.tip, item.signature.take()) {
            (Ok(tip), Some(signature)) => index.find_and_insert(tip, signature, threshold, false),
            _ => Vec::new(),
        };
        repeats.push(repeat);
    }
    analysed
        .into_par_iter()
        .zip(repeats)
        .with_min_len(64)
        .map(|(item, repeat)| match &item.tip {
            Ok(tip) => {
                let decisions = evaluator.decide(tip, &item.prepared, &repeat, explain);
                render(Item::Decided {
                    line: item.line,
                    tip,
                    decisions: &decisions,
                })
            }
            Err(error) => render(Item::Malformed(error)),
        })
        .collect()
}

fn next_batch<R: Read>(
    records: &mut Records<R>,
    failed: &mut Option<InputError>,
) -> Result<Vec<Raw>, InputError> {
    if let Some(error) = failed.take() {
        return Err(error);
    }
    let mut batch = Vec::with_capacity(BATCH);
    let mut bytes = 0;
    while batch.len() < BATCH && bytes < BATCH_BYTES {
        match records.next_record() {
            Ok(Some(raw)) => {
                bytes += raw.size();
                batch.push(raw);
            }
            Ok(None) => break,
            Err(error) if batch.is_empty() => return Err(error),
            Err(error) => {
                *failed = Some(error);
                break;
            }
        }
    }
    Ok(batch)
}
