//! The progress bar of a long run: records read and records a second on standard error, with
//! the share of the input when its size is known. Shown only when standard error is a
//! terminal and `--quiet` is not given; it never names a tip.

use std::io::{self, IsTerminal};
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use rectify::lang::Text;

use super::say;
use super::tips::Meter;

/// A progress bar, or nothing.
pub struct Progress {
    bar: Option<ProgressBar>,
    meter: Meter,
    records: u64,
}

impl Progress {
    /// A bar over the input `meter` measures; hidden under `quiet` or off a terminal.
    pub fn new(meter: Meter, quiet: bool) -> Progress {
        let shown = !quiet && io::stderr().is_terminal();
        let bar = shown.then(|| {
            let bar = match meter.total {
                Some(total) => ProgressBar::with_draw_target(
                    Some(total),
                    ProgressDrawTarget::stderr_with_hz(4),
                )
                .with_style(
                    ProgressStyle::with_template("{bar:32} {percent:>3}%  {msg}")
                        .expect("the template is valid"),
                ),
                None => ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr_with_hz(4))
                    .with_style(
                        ProgressStyle::with_template("{spinner} {msg}")
                            .expect("the template is valid"),
                    ),
            };
            bar.enable_steady_tick(Duration::from_millis(250));
            bar
        });
        Progress {
            bar,
            meter,
            records: 0,
        }
    }

    /// `records` more records are done.
    pub fn advance(&mut self, records: usize) {
        self.records += records as u64;
        let Some(bar) = &self.bar else { return };
        if self.meter.total.is_some() {
            bar.set_position(self.meter.bytes());
        }
        let seconds = bar.elapsed().as_secs_f64().max(0.001);
        bar.set_message(say(Text::new("progress.records")
            .with("records", self.records as usize)
            .with("rate", (self.records as f64 / seconds).round() as usize)));
    }

    /// Takes the bar off the screen, before the summary is printed.
    pub fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}
