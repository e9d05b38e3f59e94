//! Progress for long desk and kiosk actions: a bar on a terminal, plain lines otherwise (logs,
//! scripts), on stderr so stdout stays for results.

use std::io::{IsTerminal, Write};

pub struct Progress {
    label: String,
    terminal: bool,
    last_tenth: Option<usize>,
}

impl Progress {
    pub fn new(label: &str) -> Progress {
        Progress {
            label: label.to_owned(),
            terminal: std::io::stderr().is_terminal(),
            last_tenth: None,
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
            if done >= total {
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
