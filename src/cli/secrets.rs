//! Secrets for command-line actions come from a file or stdin, never from the command line
//! (which other users of the machine can read in the process list).

use std::io::BufRead;
use std::path::Path;

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

/// Reads secrets line by line: from `file` if given, else from stdin.
pub struct SecretSource {
    lines: Vec<Zeroizing<String>>,
    next: usize,
}

impl SecretSource {
    pub fn new(file: Option<&Path>) -> Result<SecretSource> {
        let text = match file {
            Some(path) => Zeroizing::new(
                std::fs::read_to_string(path)
                    .with_context(|| format!("reading secrets from {}", path.display()))?,
            ),
            None => {
                let mut all = Zeroizing::new(String::new());
                for line in std::io::stdin().lock().lines() {
                    let line = Zeroizing::new(line.context("reading secrets from stdin")?);
                    all.push_str(&line);
                    all.push('\n');
                }
                all
            }
        };
        Ok(SecretSource {
            lines: text
                .lines()
                .map(|l| Zeroizing::new(l.trim_end_matches('\r').to_owned()))
                .collect(),
            next: 0,
        })
    }

    /// The next line, named for the error when it is missing.
    pub fn next(&mut self, what: &str) -> Result<Zeroizing<String>> {
        let Some(line) = self.lines.get(self.next) else {
            bail!(
                "expected {what} on line {} of the secrets input",
                self.next + 1
            );
        };
        self.next += 1;
        Ok(line.clone())
    }
}
