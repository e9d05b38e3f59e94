//! Progress for long desk and kiosk actions: a bar on a terminal, plain lines otherwise (logs,
//! scripts), on stderr so stdout stays for results.

use std::io::{IsTerminal, Write};

pub struct Progress {
    label: String,
    terminal: bool,
    last_tenth: Option<usize>,
    /// A bar drawn on the terminal and not yet full: its line is ended when the bar is dropped
    /// (an action refused part-way), so that what is printed next starts on a line of its own.
    line_open: bool,
}

impl Progress {
    pub fn new(label: &str) -> Progress {
        Progress {
            label: label.to_owned(),
            terminal: std::io::stderr().is_terminal(),
            last_tenth: None,
            line_open: false,
        }
    }

    pub fn update(&mut self, done: usize, total: usize) {
        let total = total.max(1);
        let mut err = std::io::stderr().lock();
        if self.terminal {
            let width = 30;
            let filled = done * width / total;
            let _ = write!(
                err,
                "\r{} [{}{}] {:3}% ({done}/{total})",
                self.label,
                "#".repeat(filled),
                ".".repeat(width - filled),
                done * 100 / total
            );
            self.line_open = done < total;
            if !self.line_open {
                let _ = writeln!(err);
            }
        } else {
            let tenth = done * 10 / total;
            if self.last_tenth != Some(tenth) {
                self.last_tenth = Some(tenth);
                let _ = writeln!(err, "{}: {done}/{total}", self.label);
            }
        }
    }
}

impl Drop for Progress {
    fn drop(&mut self) {
        if self.line_open {
            let _ = writeln!(std::io::stderr().lock());
        }
    }
}
