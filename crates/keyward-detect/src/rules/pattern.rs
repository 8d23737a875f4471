//! Turning a pattern into something that searches, at the least cost for how it is used.
//!
//! A hook's run is a few milliseconds, and building regexes was most of it. So:
//! - a built-in pattern is not parsed at run time: build.rs parsed it ([`super::hir_codec`]);
//! - what searches short haystacks (a rule's few windows in a typical commit, a path, an
//!   allowlist's secret or line) is a bounded backtracker over the pattern's forward NFA: about
//!   a third of the cost of a full regex (no reverse NFA, no lazy DFA to set up and warm up),
//!   and on a few hundred bytes it finds a match and its groups in one pass faster than a lazy
//!   DFA builds its first states;
//! - the full regex (lazy DFA, literal prefilter) is built only for long haystacks, where it
//!   pays for itself.

use std::sync::OnceLock;

use regex_automata::meta::{self, Regex};
use regex_automata::nfa::thompson::{self, backtrack::BoundedBacktracker};
use regex_automata::util::captures::Captures;
use regex_automata::util::syntax;
use regex_syntax::hir::Hir;

use super::{builtin, hir_codec};

/// The largest compiled program a pattern may have; larger ones are reported, not built.
const REGEX_SIZE_LIMIT: usize = 4 * 1024 * 1024;

/// The parsed form of `pattern`: the one build.rs wrote when it is a built-in pattern, else
/// parsed now. Patterns read with ASCII classes (`\w`, `\d`, case folding), as gitleaks' RE2
/// patterns assume (keys are ASCII, and Unicode classes inside bounded repetitions multiply the
/// program size), unless they need Unicode ones (`\p{L}`, as RE2 allows); and without requiring
/// UTF-8, since added lines are bytes.
///
/// # Errors
/// The pattern does not parse.
pub(super) fn parse(pattern: &str) -> Result<Hir, String> {
    if let Some(hir) = builtin::parsed_pattern(pattern).and_then(hir_codec::decode) {
        return Ok(hir);
    }
    let config = |unicode: bool| syntax::Config::new().unicode(unicode).utf8(false);
    let either = |pattern: &str| match syntax::parse_with(pattern, &config(false)) {
        Ok(hir) => Ok(hir),
        Err(ascii_error) => {
            syntax::parse_with(pattern, &config(true)).map_err(|_| ascii_error.to_string())
        }
    };
    either(pattern).or_else(|error| {
        // Go's RE2, which gitleaks uses, reads a brace that starts no repetition as itself
        // (gitleaks' own default config matches `{{ VAR }}` templates so); Rust's regex
        // rejects it. Such a pattern is read with those braces escaped.
        let escaped = escape_literal_braces(pattern);
        if escaped == pattern {
            return Err(error);
        }
        either(&escaped).map_err(|_| error)
    })
}

/// `pattern` with each `{` or `}` that is not part of a repetition (`{2}`, `{2,}`, `{2,5}`) or
/// already escaped written as `\{` / `\}`.
fn escape_literal_braces(pattern: &str) -> String {
    let bytes = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let next = pattern[i + 1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&pattern[i..i + 1 + next]);
                i += 1 + next;
                continue;
            }
            b'{' => {
                let rest = &pattern[i + 1..];
                let close = rest.find('}');
                let repetition = close.is_some_and(|end| {
                    let inner = &rest[..end];
                    let (low, high) = inner.split_once(',').unwrap_or((inner, "0"));
                    !low.is_empty()
                        && low.bytes().all(|b| b.is_ascii_digit())
                        && high.bytes().all(|b| b.is_ascii_digit())
                });
                match close {
                    Some(end) if repetition => {
                        out.push_str(&pattern[i..i + end + 2]);
                        i += end + 2;
                    }
                    _ => {
                        out.push_str("\\{");
                        i += 1;
                    }
                }
                continue;
            }
            b'}' => {
                out.push_str("\\}");
                i += 1;
                continue;
            }
            _ => {}
        }
        let len = pattern[i..].chars().next().map_or(1, char::len_utf8);
        out.push_str(&pattern[i..i + len]);
        i += len;
    }
    out
}

/// The message for a pattern whose program exceeds [`REGEX_SIZE_LIMIT`].
fn too_large(limit: usize) -> String {
    format!(
        "the compiled regex is larger than the size limit ({} MiB); bound its repetitions",
        limit / (1024 * 1024)
    )
}

/// The full regex of a parsed pattern, for long haystacks.
///
/// No one-pass DFA or backtracker inside it: short haystacks go to [`compile_backtracker`]
/// instead, and those engines would cost more to build than they save here. A literal
/// `prefilter` only for the searches of megabytes of minified code, where it pays back its
/// build several times. Matching runs on the lazy DFA; captures, needed only for a match, on
/// the PikeVM.
///
/// # Errors
/// The program is larger than the size limit.
pub(super) fn compile_with(hir: &Hir, prefilter: bool) -> Result<Regex, String> {
    meta::Builder::new()
        .configure(
            meta::Config::new()
                .nfa_size_limit(Some(REGEX_SIZE_LIMIT))
                .auto_prefilter(prefilter)
                .onepass(false)
                .backtrack(false),
        )
        .build_from_hir(hir)
        .map_err(|e| match e.size_limit() {
            Some(limit) => too_large(limit),
            None => e.to_string(),
        })
}

/// A bounded backtracker over the forward NFA of a parsed pattern, for short haystacks (up to
/// [`BoundedBacktracker::max_haystack_len`], kilobytes for keyward's patterns).
///
/// # Errors
/// The program is larger than the size limit.
pub(super) fn compile_backtracker(hir: &Hir) -> Result<BoundedBacktracker, String> {
    let nfa = thompson::Compiler::new()
        .configure(thompson::Config::new().nfa_size_limit(Some(REGEX_SIZE_LIMIT)))
        .build_from_hir(hir)
        .map_err(|e| match e.size_limit() {
            Some(limit) => too_large(limit),
            None => e.to_string(),
        })?;
    BoundedBacktracker::builder()
        .build_from_nfa(nfa)
        .map_err(|e| e.to_string())
}

/// A pattern for haystacks that are usually short (paths, secrets, lines): searched by its
/// bounded backtracker, and by its full regex, built then, only when a haystack is longer than
/// the backtracker takes (a minified line).
#[derive(Debug)]
pub struct ShortRegex {
    hir: Hir,
    backtracker: BoundedBacktracker,
    full: OnceLock<Option<Regex>>,
}

impl ShortRegex {
    /// Compiles `pattern`: its parsed form from build.rs if it is a built-in pattern, else
    /// parsed now, with ASCII classes unless it needs Unicode ones.
    ///
    /// # Errors
    /// The pattern does not parse, or its program is larger than the size limit.
    pub fn new(pattern: &str) -> Result<ShortRegex, String> {
        let hir = parse(pattern)?;
        let backtracker = compile_backtracker(&hir)?;
        Ok(ShortRegex {
            hir,
            backtracker,
            full: OnceLock::new(),
        })
    }

    /// The full regex, for a haystack longer than the backtracker takes.
    fn full(&self) -> Option<&Regex> {
        self.full
            .get_or_init(|| compile_with(&self.hir, false).ok())
            .as_ref()
    }

    /// Whether the pattern matches somewhere in `haystack`.
    pub fn is_match(&self, haystack: &[u8]) -> bool {
        if haystack.len() <= self.backtracker.max_haystack_len() {
            let mut cache = self.backtracker.create_cache();
            if let Ok(found) = self.backtracker.try_is_match(&mut cache, haystack) {
                return found;
            }
        }
        self.full().is_some_and(|r| r.is_match(haystack))
    }

    /// The groups of the leftmost-first match in `haystack`, if there is one.
    pub fn captures(&self, haystack: &[u8]) -> Option<Captures> {
        if haystack.len() <= self.backtracker.max_haystack_len() {
            let mut cache = self.backtracker.create_cache();
            let mut caps = self.backtracker.create_captures();
            if self
                .backtracker
                .try_captures(&mut cache, haystack, &mut caps)
                .is_ok()
            {
                return caps.is_match().then_some(caps);
            }
        }
        let full = self.full()?;
        let mut caps = full.create_captures();
        full.captures(haystack, &mut caps);
        caps.is_match().then_some(caps)
    }
}

/// A pattern compiled on first use, so start-up does not pay for allowlists and path filters a
/// commit never reaches. Its syntax is checked when it is made, so a mistake still surfaces at
/// load time with the file it came from.
#[derive(Debug)]
pub struct LazyRegex {
    source: String,
    /// Boxed: most allowlists and path filters are never compiled.
    compiled: OnceLock<Option<Box<ShortRegex>>>,
}

impl LazyRegex {
    /// Wraps `pattern`, checking its syntax unless it is `trusted` (built in and tested).
    ///
    /// # Errors
    /// The pattern does not parse.
    pub fn new(pattern: &str, trusted: bool) -> Result<LazyRegex, String> {
        if !trusted {
            parse(pattern)?;
        }
        Ok(LazyRegex {
            source: pattern.to_owned(),
            compiled: OnceLock::new(),
        })
    }

    /// Checks the syntax of `pattern` (cheaply: parsing, not compiling) and wraps it.
    ///
    /// # Errors
    /// The pattern does not parse.
    pub fn checked(pattern: &str) -> Result<LazyRegex, String> {
        LazyRegex::new(pattern, false)
    }

    /// Whether the pattern matches `haystack`. A pattern that parsed but is too large to compile
    /// matches nothing (allowlists and path filters then do not apply).
    pub fn is_match(&self, haystack: &[u8]) -> bool {
        self.compiled
            .get_or_init(|| ShortRegex::new(&self.source).ok().map(Box::new))
            .as_ref()
            .is_some_and(|r| r.is_match(haystack))
    }

    /// The pattern as written.
    pub fn as_str(&self) -> &str {
        &self.source
    }
}

#[cfg(test)]
mod tests {
    use super::{escape_literal_braces, parse};

    #[test]
    fn braces_that_start_no_repetition_read_as_themselves_as_in_re2() {
        assert_eq!(
            escape_literal_braces(r"a{2}b{3,}c{1,4}"),
            r"a{2}b{3,}c{1,4}"
        );
        assert_eq!(escape_literal_braces(r"\$?{{[^}]+}}"), r"\$?\{\{[^\}]+\}\}");
        assert_eq!(escape_literal_braces(r"\{x\}"), r"\{x\}");
        // gitleaks' own default config: `{{ VAR }}` templates in an allowlist.
        let hir = parse(r#"['"]?\$?{{[^}]+}}['"]?:['"]?\$?{{[^}]+}}['"]?"#).unwrap();
        let re = regex_automata::meta::Regex::builder()
            .build_from_hir(&hir)
            .unwrap();
        assert!(re.is_match("-u '{{USER}}:{{TOKEN}}'"));
        assert!(!re.is_match("-u admin:hunter22"));
        assert!(
            parse(r"a{x").is_ok(),
            "a lone brace is a literal, as in RE2"
        );
    }
}
