//! Progress of long commands on a terminal (indicatif). When standard error is not a terminal
//! (a pipe, a file, a cron job's mail) nothing is drawn: logs and scripts stay clean.

use std::io::IsTerminal;
use std::time::Duration;

use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};

pub struct Progress(ProgressBar);

impl Progress {
    /// A spinner counting `what` (e.g. "events exported"), for work of unknown size.
    pub fn counter(what: &str) -> Self {
        let bar = Self::make();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {human_pos} {msg} ({elapsed})")
                .expect("the template is valid"),
        );
        bar.set_message(what.to_owned());
        Self(bar)
    }

    /// A spinner for steps that report no count (a copy, a check): the message says which.
    pub fn steps(first: &str) -> Self {
        let bar = Self::make();
        bar.set_style(
            ProgressStyle::with_template("{spinner} {msg} ({elapsed})")
                .expect("the template is valid"),
        );
        bar.set_message(first.to_owned());
        Self(bar)
    }

    /// A bar of `done/total` once the total is known (see `set_of`).
    pub fn bar(what: &str) -> Self {
        let bar = Self::make();
        bar.set_style(
            ProgressStyle::with_template("{msg} [{bar:30}] {human_pos}/{human_len} ({eta})")
                .expect("the template is valid")
                .progress_chars("=> "),
        );
        bar.set_message(what.to_owned());
        Self(bar)
    }

    fn make() -> ProgressBar {
        // Checked here, explicitly: indicatif would also hide itself, but the promise that a
        // pipe gets no progress output is ours to keep.
        if !std::io::stderr().is_terminal() {
            return ProgressBar::hidden();
        }
        let bar = ProgressBar::with_draw_target(None, ProgressDrawTarget::stderr());
        bar.enable_steady_tick(Duration::from_millis(120));
        bar
    }

    pub fn set(&self, done: usize) {
        self.0.set_position(done as u64);
    }

    pub fn set_of(&self, done: usize, total: usize) {
        self.0.set_length(total as u64);
        self.0.set_position(done as u64);
    }

    pub fn step(&self, message: &str) {
        self.0.set_message(message.to_owned());
    }

    /// Removes the bar, so that what the command prints next starts on a clean line.
    pub fn done(self) {
        self.0.finish_and_clear();
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        // An error path drops the bar without `done`: clear it all the same.
        if !self.0.is_finished() {
            self.0.finish_and_clear();
        }
    }
}
