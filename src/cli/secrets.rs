//! Secrets for command-line actions never come from the command line (which other users of the
//! machine can read in the process list). In order: `--secrets FILE`, one per line; a systemd
//! credential (`$CREDENTIALS_DIRECTORY/secrets`, from `LoadCredential=secrets:…`); a prompt
//! without echo when stdin is a terminal; else stdin, one per line (scripts). A patient's
//! details given as `-` come from the same input, after the secrets ([`SecretSource::value`]).

use std::io::{BufRead, IsTerminal};
use std::path::{Path, PathBuf};

use anyhow::{Context, Result, bail};
use zeroize::Zeroizing;

/// The credential's name under `$CREDENTIALS_DIRECTORY` (deploy/*.service: `LoadCredential=`).
pub const CREDENTIAL_NAME: &str = "secrets";

/// Where the next secret comes from.
enum Lines {
    /// Read up front from a file, a credential or stdin.
    Read(Vec<Zeroizing<String>>),
    /// Asked for one at a time at the terminal, without echo.
    Terminal,
}

/// Hands out secrets in the order an action needs them.
pub struct SecretSource {
    lines: Lines,
    next: usize,
}

impl SecretSource {
    pub fn new(file: Option<&Path>) -> Result<SecretSource> {
        let lines = match file.map(Path::to_path_buf).or_else(credential) {
            Some(path) => Lines::Read(split(Zeroizing::new(
                std::fs::read_to_string(&path)
                    .with_context(|| format!("reading secrets from {}", path.display()))?,
            ))),
            None if std::io::stdin().is_terminal() => Lines::Terminal,
            None => {
                let mut all = Zeroizing::new(String::new());
                for line in std::io::stdin().lock().lines() {
                    let line = Zeroizing::new(line.context("reading secrets from stdin")?);
                    all.push_str(&line);
                    all.push('\n');
                }
                Lines::Read(split(all))
            }
        };
        Ok(SecretSource { lines, next: 0 })
    }

    /// The next secret, named in the prompt or in the error when it is missing.
    pub fn next(&mut self, what: &str) -> Result<Zeroizing<String>> {
        let line = match &self.lines {
            Lines::Terminal => Zeroizing::new(
                rpassword::prompt_password(format!("{what}: "))
                    .with_context(|| format!("reading {what} from the terminal"))?,
            ),
            Lines::Read(lines) => match lines.get(self.next) {
                Some(line) => line.clone(),
                None => bail!(
                    "expected {what} on line {} of the secrets input",
                    self.next + 1
                ),
            },
        };
        self.next += 1;
        Ok(line)
    }
}

/// What `-` stands for in an option that takes a patient's details: "read it from the secrets
/// input" (see [`SecretSource::value`]).
pub const FROM_INPUT: &str = "-";

impl SecretSource {
    /// A patient's detail as given on the command line, or — given as `-` — the next line of the
    /// secrets input (after the secrets; asked for without echo at a terminal), so it need not
    /// stand in the process list or the shell's history.
    pub fn value(&mut self, given: String, what: &str) -> Result<String> {
        if given.trim() != FROM_INPUT {
            return Ok(given);
        }
        Ok(self.next(what)?.trim().to_owned())
    }

    /// [`SecretSource::value`] of an option that may be left out.
    pub fn opt_value(&mut self, given: Option<String>, what: &str) -> Result<Option<String>> {
        given.map(|given| self.value(given, what)).transpose()
    }

    /// [`SecretSource::value`] checked by the option's own `rule` (read from the input, it met
    /// none yet); the error names the option, not the value.
    pub fn checked_value(
        &mut self, given: String, what: &str, rule: fn(&str) -> Result<String, String>,
    ) -> Result<String> {
        let value = self.value(given, what)?;
        rule(&value).map_err(|why| anyhow::anyhow!("{what}: expected {why}"))
    }
}

/// The systemd credential, when the service has one.
fn credential() -> Option<PathBuf> {
    let dir = std::env::var_os("CREDENTIALS_DIRECTORY").filter(|d| !d.is_empty())?;
    let path = PathBuf::from(dir).join(CREDENTIAL_NAME);
    path.is_file().then_some(path)
}

fn split(text: Zeroizing<String>) -> Vec<Zeroizing<String>> {
    text.lines()
        .map(|l| Zeroizing::new(l.trim_end_matches('\r').to_owned()))
        .collect()
}
