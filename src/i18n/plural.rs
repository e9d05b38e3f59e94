//! A catalogue's plural rule: the `plural=` expression of its `Plural-Forms` header (a small C
//! expression in `n`, e.g. `n==1 ? 0 : n%10>=2 && n%10<=4 && (n%100<10 || n%100>=20) ? 1 : 2`
//! for Polish), parsed once and evaluated per count. Catalogue text is input: a rule that does
//! not parse is an error, never a panic, and evaluation cannot fail (division by zero gives 0).

/// A parsed plural rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PluralRule {
    expr: Expr,
}

#[derive(Clone, Debug, PartialEq, Eq)]
enum Expr {
    N,
    Number(u64),
    Not(Box<Expr>),
    Binary(Op, Box<Expr>, Box<Expr>),
    If(Box<Expr>, Box<Expr>, Box<Expr>),
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Op {
    Or,
    And,
    Eq,
    Ne,
    Lt,
    Le,
    Gt,
    Ge,
    Add,
    Sub,
    Mul,
    Div,
    Rem,
}

/// Binding strength, loosest first (C's precedence for these operators).
const LEVELS: [&[(&str, Op)]; 6] = [
    &[("||", Op::Or)],
    &[("&&", Op::And)],
    &[("==", Op::Eq), ("!=", Op::Ne)],
    &[("<=", Op::Le), (">=", Op::Ge), ("<", Op::Lt), (">", Op::Gt)],
    &[("+", Op::Add), ("-", Op::Sub)],
    &[("*", Op::Mul), ("/", Op::Div), ("%", Op::Rem)],
];

/// Nesting beyond this is refused (a hostile rule cannot exhaust the stack).
const MAX_DEPTH: usize = 64;

impl PluralRule {
    /// English and most languages: one form for 1, another for everything else.
    pub fn germanic() -> PluralRule {
        PluralRule {
            expr: Expr::Binary(Op::Ne, Box::new(Expr::N), Box::new(Expr::Number(1))),
        }
    }

    /// Parses a `plural=` expression.
    pub fn parse(text: &str) -> Result<PluralRule, String> {
        let mut parser = Parser {
            rest: text,
            depth: 0,
        };
        let expr = parser.ternary()?;
        parser.skip_space();
        if parser.rest.is_empty() {
            Ok(PluralRule { expr })
        } else {
            Err(format!("unexpected {:?} in plural rule", parser.rest))
        }
    }

    /// The rule of a `Plural-Forms` header value (`nplurals=3; plural=…;`), if it has one.
    pub fn from_header(value: &str) -> Result<PluralRule, String> {
        let expr = value
            .split(';')
            .find_map(|part| {
                let (key, expr) = part.split_once('=')?;
                (key.trim() == "plural").then_some(expr)
            })
            .ok_or_else(|| format!("no plural= in {value:?}"))?;
        PluralRule::parse(expr)
    }

    /// The index of the form for `n`.
    pub fn form(&self, n: u64) -> usize {
        usize::try_from(eval(&self.expr, n)).unwrap_or(usize::MAX)
    }
}

fn eval(e: &Expr, n: u64) -> u64 {
    match e {
        Expr::N => n,
        Expr::Number(v) => *v,
        Expr::Not(inner) => u64::from(eval(inner, n) == 0),
        Expr::If(cond, yes, no) => {
            if eval(cond, n) != 0 {
                eval(yes, n)
            } else {
                eval(no, n)
            }
        }
        Expr::Binary(op, a, b) => {
            let (a, b) = (eval(a, n), eval(b, n));
            match op {
                Op::Or => u64::from(a != 0 || b != 0),
                Op::And => u64::from(a != 0 && b != 0),
                Op::Eq => u64::from(a == b),
                Op::Ne => u64::from(a != b),
                Op::Lt => u64::from(a < b),
                Op::Le => u64::from(a <= b),
                Op::Gt => u64::from(a > b),
                Op::Ge => u64::from(a >= b),
                Op::Add => a.wrapping_add(b),
                Op::Sub => a.wrapping_sub(b),
                Op::Mul => a.wrapping_mul(b),
                Op::Div => a.checked_div(b).unwrap_or(0),
                Op::Rem => a.checked_rem(b).unwrap_or(0),
            }
        }
    }
}

struct Parser<'a> {
    rest: &'a str,
    depth: usize,
}

impl Parser<'_> {
    fn skip_space(&mut self) {
        self.rest = self.rest.trim_start();
    }

    fn eat(&mut self, token: &str) -> bool {
        self.skip_space();
        match self.rest.strip_prefix(token) {
            Some(rest) => {
                self.rest = rest;
                true
            }
            None => false,
        }
    }

    fn ternary(&mut self) -> Result<Expr, String> {
        self.depth += 1;
        if self.depth > MAX_DEPTH {
            return Err("plural rule nested too deeply".into());
        }
        let cond = self.binary(0)?;
        let out = if self.eat("?") {
            let yes = self.ternary()?;
            if !self.eat(":") {
                return Err("'?' without ':' in plural rule".into());
            }
            let no = self.ternary()?;
            Expr::If(Box::new(cond), Box::new(yes), Box::new(no))
        } else {
            cond
        };
        self.depth -= 1;
        Ok(out)
    }

    fn binary(&mut self, level: usize) -> Result<Expr, String> {
        let Some(ops) = LEVELS.get(level) else {
            return self.unary();
        };
        let mut left = self.binary(level + 1)?;
        'more: loop {
            for (token, op) in ops.iter() {
                // `<` must not take the first half of `<=`, nor `!=`'s `!` be read elsewhere.
                self.skip_space();
                let longer = LEVELS[level]
                    .iter()
                    .any(|(t, _)| t.len() > token.len() && self.rest.starts_with(t));
                if !longer && self.eat(token) {
                    let right = self.binary(level + 1)?;
                    left = Expr::Binary(*op, Box::new(left), Box::new(right));
                    continue 'more;
                }
            }
            return Ok(left);
        }
    }

    fn unary(&mut self) -> Result<Expr, String> {
        self.skip_space();
        if self.rest.starts_with('!') && !self.rest.starts_with("!=") {
            self.rest = &self.rest[1..];
            self.depth += 1;
            if self.depth > MAX_DEPTH {
                return Err("plural rule nested too deeply".into());
            }
            let inner = self.unary()?;
            self.depth -= 1;
            return Ok(Expr::Not(Box::new(inner)));
        }
        if self.eat("(") {
            let inner = self.ternary()?;
            if !self.eat(")") {
                return Err("unclosed '(' in plural rule".into());
            }
            return Ok(inner);
        }
        if self.eat("n") {
            return Ok(Expr::N);
        }
        let digits = self.rest.len()
            - self
                .rest
                .trim_start_matches(|c: char| c.is_ascii_digit())
                .len();
        if digits > 0 {
            let (number, rest) = self.rest.split_at(digits);
            self.rest = rest;
            return number
                .parse()
                .map(Expr::Number)
                .map_err(|_| format!("number {number} too large in plural rule"));
        }
        Err(format!("unexpected {:?} in plural rule", self.rest))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_rules_of_our_languages() {
        let counts = [0, 1, 2, 3, 5, 11, 12, 22, 25, 101, 102, 111, 1000];
        let lines: Vec<&str> = include_str!("plural_vectors.txt")
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .collect();
        assert_eq!(lines.len(), 15, "three lines a rule, five rules");
        for rule in lines.chunks(3) {
            let [languages, header, expected] = rule else {
                unreachable!("chunks of three");
            };
            let rule = PluralRule::from_header(header).unwrap();
            let forms: Vec<String> = counts.iter().map(|n| rule.form(*n).to_string()).collect();
            assert_eq!(forms.join(" "), *expected, "{languages}");
        }
    }

    #[test]
    fn bad_rules_are_errors_not_panics() {
        for bad in [
            "",
            "n ==",
            "(n",
            "n ? 1",
            "x",
            "n == 1 junk",
            "99999999999999999999999",
            &"(".repeat(10_000),
            &"!".repeat(10_000),
        ] {
            assert!(PluralRule::parse(bad).is_err(), "{bad:.20}");
        }
        assert!(PluralRule::from_header("nplurals=2;").is_err());
        // Division by zero is 0, not a crash.
        assert_eq!(PluralRule::parse("n % 0").unwrap().form(5), 0);
        assert_eq!(PluralRule::parse("!n").unwrap().form(0), 1);
        assert_eq!(PluralRule::germanic().form(1), 0);
    }
}
