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
    match syntax::parse_with(pattern, &config(false)) {
        Ok(hir) => Ok(hir),
        Err(ascii_error) => {
            syntax::parse_with(pattern, &config(true)).map_err(|_| ascii_error.to_string())
        }
    }
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
