//! The input format of the targets past the signature: a short script of lines
//! `keyword argument…` (arguments split on spaces). A keyword named in `with_payload` takes the
//! whole next line as its payload, raw bytes (a bundle entry's plaintext: JSON, or anything).
//! Unknown or malformed lines are skipped, so a mutation spoils one line, never the rest.
//!
//! Text rather than an opaque binary layout so the seed corpus is readable and regenerable
//! (`examples/seed_corpus.rs`), and so libFuzzer's mutations (byte flips, dictionary words, line
//! splices) land on meaningful fields.

/// One line of a script.
#[derive(Debug)]
pub struct Line<'a> {
    pub keyword: &'a [u8],
    pub args: Vec<&'a [u8]>,
    /// The next line, for keywords that take one.
    pub payload: Option<&'a [u8]>,
}

impl<'a> Line<'a> {
    /// Argument `i` as text, if there is one and it is UTF-8.
    pub fn text(&self, i: usize) -> Option<&'a str> {
        self.args.get(i).and_then(|a| std::str::from_utf8(a).ok())
    }

    /// Argument `i` as a number.
    pub fn number<T: std::str::FromStr>(&self, i: usize) -> Option<T> {
        self.text(i).and_then(|t| t.parse().ok())
    }

    /// Everything after the keyword as text (for values with spaces, such as a timestamp).
    pub fn rest(&self) -> Option<String> {
        let parts: Option<Vec<&str>> = self
            .args
            .iter()
            .map(|a| std::str::from_utf8(a).ok())
            .collect();
        parts.map(|p| p.join(" "))
    }

    pub fn is(&self, keyword: &str) -> bool {
        self.keyword == keyword.as_bytes()
    }
}

/// The script's lines, in order.
pub fn lines<'a>(input: &'a [u8], with_payload: &[&str]) -> Vec<Line<'a>> {
    let mut out = Vec::new();
    let mut raw = input.split(|&b| b == b'\n');
    while let Some(line) = raw.next() {
        let mut words = line.split(|&b| b == b' ').filter(|w| !w.is_empty());
        let Some(keyword) = words.next() else {
            continue;
        };
        let payload = if with_payload.iter().any(|k| k.as_bytes() == keyword) {
            raw.next()
        } else {
            None
        };
        out.push(Line {
            keyword,
            args: words.collect(),
            payload,
        });
    }
    out
}

/// `input` with every `@N` replaced by `token`: ids in a seed are written `…@N…`, so each run
/// gets ids the long-lived store has not seen (a replayed seed would otherwise only ever meet
/// "already held").
pub fn substitute(input: &[u8], token: &str) -> Vec<u8> {
    let mut out = Vec::with_capacity(input.len());
    let mut i = 0;
    while i < input.len() {
        if input[i..].starts_with(b"@N") {
            out.extend_from_slice(token.as_bytes());
            i += 2;
        } else {
            out.push(input[i]);
            i += 1;
        }
    }
    out
}
