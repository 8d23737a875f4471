//! The detector: added bytes in, findings out. It never prints and never touches git.
//!
//! For each run of added lines the [`Prefilter`] finds which rules' keywords occur; only those
//! rules' regexes run (compiled on first use). A regex match becomes a [`Finding`] once the
//! secret passes the rule's entropy and checksum checks, the shared placeholder filter, the
//! inline `keyward:allow` / `gitleaks:allow` marker and the allowlists.

pub mod checksum;
mod decode;
pub mod entropy;
pub mod explain;
mod generic;
mod keyword_hash;
mod keyword_table;
mod known_public;
pub mod placeholder;
mod prefilter;
mod url_credentials;
pub mod verdict;
pub mod words;

use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex, OnceLock};

pub use self::explain::{Cover, Explained, Outcome, Traced};
pub use self::prefilter::{Candidate, Prefilter, WINDOW_AFTER, WINDOW_BEFORE};
use self::verdict::{Dropped, SuppressedFinding, Suppression, Verdict};
use crate::finding::{Finding, LineContext, Location};
use crate::redact::Secret;
use crate::rules::{AllowTarget, Allowlist, Rule, RuleInfo, Ruleset};
use crate::{AddedLines, Chunk};

/// How much of a long line a finding keeps on each side of the secret.
const LINE_WINDOW: usize = 240;

/// Above this many bytes of windows, a rule's regex is built with a literal prefilter.
const LARGE_SEARCH: usize = 64 * 1024;

/// A match: the secret's span and the whole match's span.
type Match = (Range<usize>, Range<usize>);

/// One candidate rule's matches: (order among the candidates, rule index, its matches).
type RuleMatches = (usize, usize, Vec<Match>);

/// How many suppressed findings a detector keeps for the report (all are counted): enough for
/// a review, bounded for a history whose test fixtures are all allowlisted (each reported
/// finding costs a deliberately slow fingerprint).
const SUPPRESSED_KEPT: usize = 200;

/// How many lines before and after a run of added lines the multi-line rules see.
const CONTEXT_LINES: u32 = 200;

/// Runs of added lines at least this long are scanned by two threads.
const PARALLEL_CHUNK: usize = 4 * 1024 * 1024;

/// How many threads the machine runs at once, asked once: the answer costs system calls (it
/// reads the cgroup's CPU quota), and it is wanted for every run of lines.
pub fn threads() -> usize {
    static THREADS: std::sync::OnceLock<usize> = std::sync::OnceLock::new();
    *THREADS.get_or_init(|| std::thread::available_parallelism().map_or(1, |n| n.get()))
}

/// Inline markers that allow a line.
pub const ALLOW_MARKERS: [&[u8]; 2] = [b"keyward:allow", b"gitleaks:allow"];

/// The marker, on a line of its own, that allows the line after it.
pub const ALLOW_NEXT_LINE: &[u8] = b"keyward:allow-next-line";

/// A rule's regex failed to compile when first needed.
#[derive(Debug, thiserror::Error)]
#[error("rule {rule}: its regex does not compile: {message}")]
pub struct DetectError {
    /// The rule's id.
    pub rule: String,
    /// The regex engine's message.
    pub message: String,
}

/// Which file (and, in a range scan, which commit) a run of lines comes from: what path and
/// commit allowlists look at, and what a finding records.
#[derive(Clone, Copy, Debug)]
pub struct Site<'a> {
    /// The path in the repository.
    pub path: &'a [u8],
    /// The commit that added the lines (hex id), for `--range` scans.
    pub commit: Option<&'a str>,
}

impl<'a> Site<'a> {
    /// A file outside any commit (staged changes, files on disk).
    pub fn path(path: &'a [u8]) -> Site<'a> {
        Site { path, commit: None }
    }
}

/// The shared detector: built once, used by the binary, the tests and embedders.
///
/// ```
/// use keyward_detect::{AddedLines, Detector, Ruleset};
///
/// let detector = Detector::new(Ruleset::builtin()?, Vec::new());
/// let key = keyward_detect::fake::expand("sk-proj-{urlsafe:74}T3BlbkFJ{urlsafe:74}", 1)?;
/// let file = format!("import os\nclient = OpenAI(api_key=\"{key}\")\n");
/// let findings = detector.scan(b"app.py", file.as_bytes(), &AddedLines::all())?;
/// assert_eq!(findings.len(), 1);
/// assert_eq!(findings[0].rule.id.as_str(), "openai-api-key");
/// assert_eq!(findings[0].location.line, 2);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Debug)]
pub struct Detector {
    ruleset: Ruleset,
    prefilter: Prefilter,
    /// The prefilter over the multi-line rules alone, for the context around added lines;
    /// built on first need.
    multiline_prefilter: OnceLock<Prefilter>,
    allowlists: Vec<Allowlist>,
    /// Whether inline allow comments are obeyed (`--no-allow-comments` turns them off).
    allow_comments: bool,
    suppressed_by_comment: AtomicUsize,
    suppressed_by_allowlist: AtomicUsize,
    /// The first [`SUPPRESSED_KEPT`] suppressed findings, for reports that list them.
    suppressed_findings: Mutex<Vec<SuppressedFinding>>,
}

/// How many matches a scan left unreported, and why: the audit trail of suppressions.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Suppressed {
    /// By an inline `keyward:allow` / `gitleaks:allow` comment or `keyward:allow-next-line`.
    pub by_comment: usize,
    /// By an allowlist of the config (regexes, stopwords, a rule's own allowlist).
    pub by_allowlist: usize,
}

impl Detector {
    /// Builds the prefilter over `ruleset`; `allowlists` apply to every rule.
    pub fn new(ruleset: Ruleset, allowlists: Vec<Allowlist>) -> Detector {
        let prefilter = Prefilter::new(&ruleset);
        Detector {
            ruleset,
            prefilter,
            multiline_prefilter: OnceLock::new(),
            allowlists,
            allow_comments: true,
            suppressed_by_comment: AtomicUsize::new(0),
            suppressed_by_allowlist: AtomicUsize::new(0),
            suppressed_findings: Mutex::new(Vec::new()),
        }
    }

    /// Takes the suppressed findings recorded so far (up to two hundred; [`Detector::suppressed`]
    /// counts them all), in path, commit and line order.
    pub fn take_suppressed(&self) -> Vec<SuppressedFinding> {
        let mut taken = std::mem::take(
            &mut *self
                .suppressed_findings
                .lock()
                .unwrap_or_else(|poisoned| poisoned.into_inner()),
        );
        taken.sort_by(|a, b| {
            (&a.finding.path, &a.finding.commit, a.finding.location).cmp(&(
                &b.finding.path,
                &b.finding.commit,
                b.finding.location,
            ))
        });
        taken
    }

    /// Counts a suppressed finding and keeps it for the report.
    fn record_suppressed(&self, finding: Finding, by: Suppression) {
        let counter = match by {
            Suppression::Comment { .. } => &self.suppressed_by_comment,
            _ => &self.suppressed_by_allowlist,
        };
        counter.fetch_add(1, Ordering::Relaxed);
        let mut kept = self
            .suppressed_findings
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if kept.len() < SUPPRESSED_KEPT {
            kept.push(SuppressedFinding { finding, by });
        }
    }

    /// Whether inline allow comments suppress findings (they do unless turned off, as a CI
    /// check may do so that a reviewer sees everything).
    pub fn set_allow_comments(&mut self, obey: bool) {
        self.allow_comments = obey;
    }

    /// What the scans so far left unreported because of allow comments and allowlists.
    pub fn suppressed(&self) -> Suppressed {
        Suppressed {
            by_comment: self.suppressed_by_comment.load(Ordering::Relaxed),
            by_allowlist: self.suppressed_by_allowlist.load(Ordering::Relaxed),
        }
    }

    /// Sets how many bytes around a keyword hit on a long line a rule's regex searches (see
    /// [`Prefilter::set_window`]); a secret that ends farther than `after` bytes from its
    /// keyword is not found, so larger windows trade speed on minified code for reach.
    pub fn set_window(&mut self, before: usize, after: usize) {
        self.prefilter.set_window(before, after);
    }

    /// The rules in force.
    pub fn ruleset(&self) -> &Ruleset {
        &self.ruleset
    }

    /// Scans the `added` lines of `content` (the new version of the file at `path`).
    ///
    /// # Errors
    /// A rule's regex failed to compile.
    pub fn scan(
        &self,
        path: &[u8],
        content: &[u8],
        added: &AddedLines,
    ) -> Result<Vec<Finding>, DetectError> {
        self.scan_at(Site::path(path), content, added)
    }

    /// [`Detector::scan`] for lines that `site.commit` added.
    ///
    /// # Errors
    /// A rule's regex failed to compile.
    pub fn scan_at(
        &self,
        site: Site<'_>,
        content: &[u8],
        added: &AddedLines,
    ) -> Result<Vec<Finding>, DetectError> {
        let mut findings = Vec::new();
        let mut multiline_seen = false;
        let chunks = added.chunks(content);
        for &chunk in &chunks {
            let from = findings.len();
            multiline_seen |= self.scan_chunk_filtered(site, chunk, false, &mut findings, None)?;
            self.scan_encoded(site, chunk, from, &mut findings)?;
        }
        // Only where the added lines hold a multi-line rule's keyword (a PEM header or footer,
        // `kind: Secret`…) can they be part of a block larger than themselves.
        if multiline_seen && !added.is_all() {
            self.scan_multiline_context(site, content, added, &chunks, &mut findings)?;
        }
        Ok(findings)
    }

    /// Keys wrapped in base64 once (a manifest's `echo -n $KEY | base64`, a config value, a
    /// basic-auth header): each run of base64 in `chunk` that decodes to text is scanned as
    /// text, and what a provider rule finds there is reported at the encoded run, named as
    /// encoded. Generic rules do not speak for decoded text (base64 of a demo password is
    /// not a finding); runs an earlier finding (`out[from..]`) already covers are skipped.
    fn scan_encoded(
        &self,
        site: Site<'_>,
        chunk: Chunk<'_>,
        from: usize,
        out: &mut Vec<Finding>,
    ) -> Result<(), DetectError> {
        let runs = decode::base64_runs(chunk.bytes);
        if runs.is_empty() {
            return Ok(());
        }
        let mut lines = LineIndex::default();
        let mut found = Vec::new();
        // Generic findings that a provider rule names better once decoded.
        let mut superseded = Vec::new();
        for (span, decoded) in runs {
            let (line, column) = lines.position(chunk, span.start);
            let covering = out[from..].iter().position(|f| {
                (f.location.line, f.location.column) <= (line, column)
                    && (line, column) < (f.location.end_line, f.location.end_column)
            });
            if covering.is_some_and(|i| !out[from + i].rule.is_generic()) {
                continue;
            }
            let on_line = line_of(chunk.bytes, span.start);
            if self.allow_comments && comment_allowing(chunk.bytes, on_line).is_some() {
                continue;
            }
            let mut inner = Vec::new();
            let decoded_chunk = Chunk {
                bytes: &decoded,
                first_line: 1,
            };
            self.scan_chunk_filtered(site, decoded_chunk, false, &mut inner, None)?;
            for f in inner {
                if f.rule.is_generic() {
                    continue;
                }
                let mut info = (*f.rule).clone();
                info.description = format!("{} (base64-encoded)", info.description);
                let rule_info = Arc::new(info);
                let mut outer = finding_at(&rule_info, site, chunk, &mut lines, span.clone());
                outer.secret = f.secret;
                found.push(outer);
                superseded.extend(covering.map(|i| from + i));
            }
        }
        superseded.sort_unstable();
        superseded.dedup();
        for i in superseded.into_iter().rev() {
            out.remove(i);
        }
        out.extend(found);
        out[from..].sort_by_key(|f| f.location);
        Ok(())
    }

    /// Multi-line secrets that this change completes or edits but that do not lie wholly in
    /// added lines (a private key committed in two halves, a Secret's `data:` edited under an
    /// unchanged `kind: Secret`): the multi-line rules see the new file around each run of
    /// added lines, [`CONTEXT_LINES`] lines each way, and a finding counts when it overlaps an
    /// added line and no finding already covers it. `scanned` are the runs of added lines the
    /// first pass searched.
    fn scan_multiline_context(
        &self,
        site: Site<'_>,
        content: &[u8],
        added: &AddedLines,
        scanned: &[Chunk<'_>],
        out: &mut Vec<Finding>,
    ) -> Result<(), DetectError> {
        let mut extra = Vec::new();
        for context in added.context_chunks(content, CONTEXT_LINES) {
            // A run of added lines with no other lines around it (a one-line bundle, a whole
            // file) was seen whole by the multi-line rules already.
            let same = |c: &Chunk<'_>| {
                c.first_line == context.first_line && c.bytes.len() == context.bytes.len()
            };
            if scanned.iter().any(same) {
                continue;
            }
            self.scan_chunk_filtered(site, context, true, &mut extra, None)?;
        }
        for finding in extra {
            let (first, last) = (finding.location.line, finding.location.end_line);
            let fresh = !out
                .iter()
                .any(|f| f.location.line <= last && first <= f.location.end_line);
            if fresh && added.overlaps(first, last) {
                out.push(finding);
            }
        }
        out.sort_by_key(|f| f.location);
        Ok(())
    }

    /// Scans one run of added lines, appending to `out`.
    ///
    /// # Errors
    /// A rule's regex failed to compile.
    pub fn scan_chunk(
        &self,
        path: &[u8],
        chunk: Chunk<'_>,
        out: &mut Vec<Finding>,
    ) -> Result<(), DetectError> {
        self.scan_chunk_at(Site::path(path), chunk, out)
    }

    /// [`Detector::scan_chunk`] for lines that `site.commit` added.
    ///
    /// # Errors
    /// A rule's regex failed to compile.
    pub fn scan_chunk_at(
        &self,
        site: Site<'_>,
        chunk: Chunk<'_>,
        out: &mut Vec<Finding>,
    ) -> Result<(), DetectError> {
        self.scan_chunk_filtered(site, chunk, false, out, None)
            .map(|_| ())
    }

    /// [`Detector::scan_chunk_at`], with only the multi-line rules when `multiline_only`.
    /// Returns whether a multi-line rule was among the candidates. With `trace`, records what
    /// became of every match (for `keyward explain`) and suppresses nothing in earnest: the
    /// counts and the kept suppressed findings are left alone.
    fn scan_chunk_filtered(
        &self,
        site: Site<'_>,
        chunk: Chunk<'_>,
        multiline_only: bool,
        out: &mut Vec<Finding>,
        mut trace: Option<&mut Vec<Traced>>,
    ) -> Result<bool, DetectError> {
        if self.site_allowed(site) {
            return Ok(false);
        }
        let start = out.len();
        let candidates = if multiline_only {
            self.multiline_prefilter
                .get_or_init(|| Prefilter::multiline_only(&self.ruleset))
                .candidates(chunk.bytes)
        } else {
            self.prefilter.candidates(chunk.bytes)
        };
        let multiline_seen = candidates.iter().any(|c| self.ruleset.is_multiline(c.rule));
        // Each candidate rule's accepted matches, in rule order. On a large run of lines (a
        // minified bundle) the rules are shared between two threads; dedup and findings stay
        // sequential below, because rule order decides which rule names a secret.
        let numbered: Vec<(usize, Candidate)> = candidates.into_iter().enumerate().collect();
        let mut per_rule = if chunk.bytes.len() >= PARALLEL_CHUNK && threads() > 1 {
            let (mine, theirs): (Vec<_>, Vec<_>) =
                numbered.into_iter().partition(|(i, _)| i % 2 == 0);
            let (here, there) = std::thread::scope(|s| {
                let there = s.spawn(|| self.matches_of_all(site, chunk, theirs));
                (self.matches_of_all(site, chunk, mine), there.join())
            });
            let there = there.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            let mut all = here?;
            all.extend(there?);
            all
        } else {
            self.matches_of_all(site, chunk, numbered)?
        };
        // Rule order decides which rule names a secret, with one exception: the user's own
        // rules (from .keyward.toml / .gitleaks.toml) come before the built-in generic ones, as
        // the most specific thing keyward knows about the repository.
        per_rule.sort_by_key(|(order, index, _)| {
            let rule = self.ruleset.rule(*index);
            (rule.builtin && rule.info.is_generic(), *order)
        });
        // The spans claimed so far, pairwise disjoint, by start (so also by end): the one with
        // the greatest start before a span's end is the only one that can overlap it. A file
        // with many thousands of matches stays linear-logarithmic, not quadratic. `claimed`
        // holds findings and suppressed findings (the user's decision over those bytes holds
        // against later rules too); `vetoed` the values a built-in provider rule recognised
        // and rejected. Each span keeps its rule and how it was claimed, for the trace.
        type Spans = std::collections::BTreeMap<usize, (usize, usize, Cover)>;
        let mut claimed: Spans = Default::default();
        let mut vetoed: Spans = Default::default();
        let overlapping = |spans: &Spans, span: &Range<usize>| {
            spans
                .range(..span.end)
                .next_back()
                .filter(|(_, (end, _, _))| *end > span.start)
                .map(|(_, &(_, rule, cover))| (rule, cover))
        };
        let mut lines = LineIndex::default();
        for (_, index, matches) in per_rule {
            let rule = self.ruleset.rule(index);
            let vetoes = rule.builtin && !rule.info.is_generic();
            for (span, whole) in matches {
                // An earlier rule already reported (or the user suppressed) these bytes; or a
                // built-in provider rule rejected them (wrong checksum, documentation key,
                // placeholder), which speaks for them against later built-in rules, though
                // not against the user's own.
                let covered = overlapping(&claimed, &span)
                    .or_else(|| rule.builtin.then(|| overlapping(&vetoed, &span)).flatten());
                if let Some((by, cover)) = covered {
                    if let Some(trace) = trace.as_deref_mut() {
                        trace.push(Traced {
                            rule: index,
                            secret: span,
                            outcome: Outcome::Covered { by, cover },
                        });
                    }
                    continue;
                }
                // Judged only now, for the bytes no earlier rule claimed: the checks can cost
                // (an allowlist's regexes are compiled on first use).
                let verdict = self.verdict(rule, site, chunk.bytes, whole, span.clone());
                match &verdict {
                    Verdict::Reported => {
                        claimed.insert(span.start, (span.end, index, Cover::Reported));
                        let mut found = finding(rule, site, chunk, &mut lines, span.clone());
                        if (rule.decode_base64 || rule.info.is_generic())
                            && decodes_to_a_word(&chunk.bytes[span.clone()])
                        {
                            found.rule = Arc::new(demoted(&rule.info));
                        }
                        out.push(found);
                    }
                    Verdict::Suppressed(by) => {
                        claimed.insert(span.start, (span.end, index, Cover::Suppressed));
                        if trace.is_none() {
                            let hidden = finding(rule, site, chunk, &mut lines, span.clone());
                            self.record_suppressed(hidden, by.clone());
                        }
                    }
                    Verdict::Dropped(_) if vetoes => {
                        vetoed.insert(span.start, (span.end, index, Cover::Rejected));
                    }
                    Verdict::Dropped(_) => {}
                }
                if let Some(trace) = trace.as_deref_mut() {
                    trace.push(Traced {
                        rule: index,
                        secret: span,
                        outcome: Outcome::Judged(verdict),
                    });
                }
            }
        }
        out[start..].sort_by_key(|f| f.location);
        Ok(multiline_seen)
    }

    /// [`Detector::matches_of`] for each `(order, candidate)`, keeping the order.
    fn matches_of_all(
        &self,
        site: Site<'_>,
        chunk: Chunk<'_>,
        candidates: Vec<(usize, Candidate)>,
    ) -> Result<Vec<RuleMatches>, DetectError> {
        candidates
            .into_iter()
            .map(|(order, c)| {
                let rule = c.rule;
                self.matches_of(site, chunk, c).map(|m| (order, rule, m))
            })
            .collect()
    }

    /// The secret spans of one candidate rule's matches, each with the whole match's span.
    fn matches_of(
        &self,
        site: Site<'_>,
        chunk: Chunk<'_>,
        candidate: Candidate,
    ) -> Result<Vec<Match>, DetectError> {
        let index = candidate.rule;
        let rule = self.ruleset.rule(index);
        if rule.path.as_ref().is_some_and(|p| !p.is_match(site.path)) {
            return Ok(Vec::new());
        }
        // Each rule searches the windows around its keyword hits: a few lines for a one-line
        // rule, tens of kilobytes of whole lines for a multi-line one (PEM blocks, paired keys).
        let windows: Vec<Range<usize>> = candidate
            .windows
            .into_iter()
            .filter(|w| rule.requires(&chunk.bytes[w.clone()]))
            .collect();
        if windows.is_empty() {
            return Ok(Vec::new());
        }
        let searched: usize = windows.iter().map(|w| w.len()).sum();
        let error = |message: &str| DetectError {
            rule: rule.id().to_string(),
            message: message.to_owned(),
        };
        let mut found = Vec::new();
        if rule.backtrack_budget(searched) {
            let backtracker = self.ruleset.backtracker(index).map_err(error)?;
            let longest = backtracker.max_haystack_len();
            if windows.iter().all(|w| w.len() <= longest) {
                let mut cache = backtracker.create_cache();
                let mut caps = backtracker.create_captures();
                for w in windows {
                    let hay = &chunk.bytes[w.clone()];
                    let mut at = 0;
                    while at <= hay.len() {
                        let input = regex_automata::Input::new(hay).range(at..);
                        // Only a haystack longer than `longest` is an error, ruled out above.
                        if backtracker
                            .try_search(&mut cache, &input, &mut caps)
                            .is_err()
                        {
                            break;
                        }
                        let Some(next) = next_search(&caps, at) else {
                            break;
                        };
                        found.extend(secret_and_match(rule, &caps, w.start));
                        at = next;
                    }
                }
                return Ok(found);
            }
        }
        let regex = self
            .ruleset
            .regex(index, searched >= LARGE_SEARCH)
            .map_err(error)?;
        let mut caps = regex.create_captures();
        for w in windows {
            let hay = &chunk.bytes[w.clone()];
            let mut at = 0;
            // The lazy DFA finds each match; captures (slower, on the PikeVM) run only on it.
            while at <= hay.len() {
                let Some(m) = regex.search(&regex_automata::Input::new(hay).range(at..)) else {
                    break;
                };
                let input = regex_automata::Input::new(hay)
                    .range(m.range())
                    .anchored(regex_automata::Anchored::Yes);
                regex.search_captures(&input, &mut caps);
                let Some(next) = next_search(&caps, at) else {
                    break;
                };
                found.extend(secret_and_match(rule, &caps, w.start));
                at = next;
            }
        }
        Ok(found)
    }

    /// Whether a global allowlist lets the whole file through before any rule runs: one for
    /// every rule whose path or commit matches (with `AND`, one that has no other criteria and
    /// whose path and commit both match).
    fn site_allowed(&self, site: Site<'_>) -> bool {
        self.allowlists.iter().any(|a| {
            let only_site = a.regexes.is_empty() && a.stopwords.is_empty();
            a.target_rules.is_empty()
                && (!a.all_criteria || only_site)
                && site_criteria(a, site).is_some_and(|hit| hit)
        })
    }

    /// The checks a regex match must pass to become a finding, in order; the first that
    /// fails decides. Side-effect free: the caller counts and records suppressions.
    fn verdict(
        &self,
        rule: &Rule,
        site: Site<'_>,
        text: &[u8],
        whole: Range<usize>,
        span: Range<usize>,
    ) -> Verdict {
        let raw = &text[span.clone()];
        if rule.checksum.is_some_and(|c| !c.verify(raw)) {
            return Verdict::Dropped(Dropped::Checksum);
        }
        let decoded;
        let secret = if rule.decode_base64 {
            match decode::base64_text(raw) {
                Some(text) => {
                    decoded = text;
                    decoded.as_slice()
                }
                None => return Verdict::Dropped(Dropped::NotBase64Text),
            }
        } else {
            raw
        };
        if let Some(min) = rule.entropy {
            let have = entropy::shannon(secret);
            if have < min {
                return Verdict::Dropped(Dropped::Entropy { have, min });
            }
        }
        let structural = rule.info.tags.iter().any(|t| t == "keys");
        let stand_in = if structural {
            placeholder::is_structural_placeholder(secret)
        } else {
            placeholder::is_placeholder(secret)
        };
        if stand_in {
            return Verdict::Dropped(Dropped::Placeholder);
        }
        if rule.reject_identifiers && words::reads_as_words(secret) {
            return Verdict::Dropped(Dropped::Words);
        }
        if rule.info.tags.iter().any(|t| t == "url")
            && url_credentials::is_stand_in(&text[whole.clone()], secret)
        {
            return Verdict::Dropped(Dropped::UrlStandIn);
        }
        if rule.info.is_generic() && generic::skips_path(site.path) {
            return Verdict::Dropped(Dropped::GenericStandIn);
        }
        if rule.info.tags.iter().any(|t| t == "google") && generic::is_firebase_config(site.path) {
            return Verdict::Dropped(Dropped::PublicByDesign);
        }
        if inside_encoded_blob(text, span.start) {
            return Verdict::Dropped(Dropped::InsideBlob);
        }
        if rule.decode_base64 && decodes_to_demo_words(secret) {
            return Verdict::Dropped(Dropped::Placeholder);
        }
        let line = line_of(text, span.start);
        if rule.info.tags.iter().any(|t| t == "dotenv")
            && generic::is_plain_url_or_reference(secret)
        {
            return Verdict::Dropped(Dropped::Reference);
        }
        if in_presigned_url(&text[line.clone()], span.start - line.start) {
            return Verdict::Dropped(Dropped::Ephemeral);
        }
        let around = line.start.saturating_sub(AROUND)..(line.end + AROUND).min(text.len());
        if rule.info.is_generic()
            && generic::generic_stand_in(
                site.path,
                secret,
                &text[whole.clone()],
                &text[line.clone()],
                &text[around],
            )
        {
            return Verdict::Dropped(Dropped::GenericStandIn);
        }
        if self.allow_comments {
            if let Some(reason) = comment_allowing(text, line.clone()) {
                return Verdict::Suppressed(Suppression::Comment { reason });
            }
        }
        let targets = Targets {
            secret,
            whole: &text[whole],
            line: &text[line],
        };
        let global = self.allowlists.iter().filter(|a| {
            a.target_rules.is_empty() || a.target_rules.iter().any(|t| t == rule.id().as_str())
        });
        match rule
            .allowlists
            .iter()
            .chain(global)
            .find(|a| allows(a, site, &targets))
        {
            Some(allowlist) => Verdict::Suppressed(Suppression::Allowlist {
                description: (!allowlist.description.is_empty())
                    .then(|| allowlist.description.clone()),
            }),
            None => Verdict::Reported,
        }
    }
}

/// Whether the line at `line` in `text` carries an allow marker, or the line before it
/// carries [`ALLOW_NEXT_LINE`] (for formats where a trailing comment cannot go: JSON with
/// comments, `.properties`, multi-line strings, heredocs); `Some` with the reason written
/// after the marker, if any. The line before counts only when it is in `text`, the added
/// lines: a marker already there does not cover a new line.
fn comment_allowing(text: &[u8], line: Range<usize>) -> Option<Option<String>> {
    let marker_end = |range: Range<usize>, marker: &[u8]| {
        memchr::memmem::find(&text[range.clone()], marker)
            .map(|at| verdict::reason_after(&text[range], at + marker.len()))
    };
    if let Some(reason) = ALLOW_MARKERS
        .iter()
        .find_map(|m| marker_end(line.clone(), m))
    {
        return Some(reason);
    }
    let newline = line.start.checked_sub(1)?;
    marker_end(line_of(text, newline), ALLOW_NEXT_LINE)
}

/// Whether the bytes at `start` sit inside an encoded blob rather than begin a token: after a
/// `data:…;base64,` header with nothing but base64 between (a font or an image in an SVG, a
/// bundle), or right after a percent-escape of a base64 character (`%2B`, `%2F`, `%3D`: the
/// middle of a URL-encoded token). A real key is delimited; a window of a blob only looks
/// like one.
fn inside_encoded_blob(text: &[u8], start: usize) -> bool {
    // Only the bytes just before the match are read: a match on a 20 MiB minified line must
    // not cost a pass over the line.
    let tail = &text[start.saturating_sub(3)..start];
    if tail.len() == 3
        && matches!(
            tail.to_ascii_lowercase().as_slice(),
            b"%2b" | b"%2f" | b"%3d"
        )
    {
        return true;
    }
    // Back over the base64 before the match (a newline ends it), then the header must end there.
    let run = text[..start]
        .iter()
        .rev()
        .take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'='))
        .count();
    text[..start - run].ends_with(b";base64,")
}

/// How many bytes either side of a line a generic rule's exclusions look at (a DocSearch
/// config's `appId` and `indexName` on the lines next to its key).
const AROUND: usize = 400;

/// Whether the bytes at `at` of `line` are a part of a presigned URL (`X-Amz-Credential=`,
/// `X-Amz-Security-Token=`, `X-Amz-Signature=`, Google's `X-Goog-…`): a capability that
/// expires (seven days at most), whose credential part is a key id and a date, not a key.
fn in_presigned_url(line: &[u8], at: usize) -> bool {
    const PARAMS: [&[u8]; 5] = [
        b"x-amz-credential=",
        b"x-amz-security-token=",
        b"x-amz-signature=",
        b"x-goog-credential=",
        b"x-goog-signature=",
    ];
    // The parameter right before the value first (a few bytes); the whole line only then.
    let before = &line[..at];
    PARAMS.iter().any(|p| {
        before.len() >= p.len() && before[before.len() - p.len()..].eq_ignore_ascii_case(p)
    }) && memchr::memmem::find(&line.to_ascii_lowercase(), b"-signature=").is_some()
}

/// Whether base64 decodes to a word or a typed password (`quobyte`, `supersecret`,
/// `sCaleio123`): most likely a demo password in a sample manifest, though it could be real.
/// Judged for rules that read base64 and for generic rules (a `password:` in a Secret's
/// `data:` that is too short for the Secret rule).
fn decodes_to_a_word(encoded: &[u8]) -> bool {
    decode::base64_text(encoded).is_some_and(|text| {
        words::reads_as_words(&text) || url_credentials::is_typed_password(&text)
    })
}

/// `info` as a warning that says why: a value a reviewer should look at, not one that blocks.
fn demoted(info: &RuleInfo) -> RuleInfo {
    let mut info = info.clone();
    info.severity = crate::rules::Severity::Warning;
    info.description = format!(
        "{} (it decodes to a word: a demo password? If it is real, it is also a weak one)",
        info.description
    );
    info
}

/// Decoded text (of a rule that reads base64: a basic-auth header) that reads as words and
/// says it is a demo (`mockUser:mockPassword`, `test-api-key`, `my-secret-key`).
fn decodes_to_demo_words(decoded: &[u8]) -> bool {
    const DEMO: [&[u8]; 10] = [
        b"test",
        b"mock",
        b"fake",
        b"dummy",
        b"example",
        b"sample",
        b"demo",
        b"synthetic",
        b"my-secret",
        b"foo",
    ];
    let lower = decoded.to_ascii_lowercase();
    let parts_read_as_words = decoded
        .split(|&b| b == b':')
        .filter(|p| !p.is_empty())
        .all(words::reads_as_words);
    parts_read_as_words
        && DEMO
            .iter()
            .any(|d| memchr::memmem::find(&lower, d).is_some())
}

/// What an allowlist can look at.
struct Targets<'a> {
    secret: &'a [u8],
    whole: &'a [u8],
    line: &'a [u8],
}

/// The secret's span and the whole match's span in a match's groups, offset by `base` (where
/// the searched window starts). The secret is the rule's configured group, else the first group
/// that took part (rules with alternatives put the secret in a different group in each), else
/// the whole match; an empty secret is no match.
/// Where the search goes on after a match: from the end of its last capture group (the secret),
/// not the end of the whole match, so the boundary a pattern consumed after one token (a
/// newline, a quote) is there again for the next token's own boundary; never backwards, and
/// always forward past an empty match. `None` when `caps` holds no match.
fn next_search(caps: &regex_automata::util::captures::Captures, at: usize) -> Option<usize> {
    let whole = caps.get_match()?.span();
    let secret_end = (1..caps.group_len())
        .filter_map(|i| caps.get_group(i))
        .map(|g| g.end)
        .max()
        .unwrap_or(whole.end);
    Some(secret_end.max(whole.start + 1).max(at + 1))
}

fn secret_and_match(
    rule: &Rule,
    caps: &regex_automata::util::captures::Captures,
    base: usize,
) -> Option<Match> {
    let whole = caps.get_match()?.span();
    let secret = match rule.secret_group {
        Some(group) => caps.get_group(group),
        None => (1..caps.group_len())
            .find_map(|i| caps.get_group(i))
            .or(Some(whole)),
    };
    let secret = secret.filter(|m| !m.is_empty())?;
    Some((
        base + secret.start..base + secret.end,
        base + whole.start..base + whole.end,
    ))
}

/// Whether `allowlist` lets a finding through. Each criterion that is set (paths, commits,
/// regexes, stopwords) is tested; by default one match is enough, with `AND` every one must
/// match. An allowlist with no criterion allows nothing.
fn allows(allowlist: &Allowlist, site: Site<'_>, t: &Targets<'_>) -> bool {
    let target = match allowlist.target.unwrap_or(AllowTarget::Secret) {
        AllowTarget::Secret => t.secret,
        AllowTarget::Match => t.whole,
        AllowTarget::Line => t.line,
    };
    let regexes = (!allowlist.regexes.is_empty())
        .then(|| allowlist.regexes.iter().any(|r| r.is_match(target)));
    let stopwords = (!allowlist.stopwords.is_empty()).then(|| {
        let lower = String::from_utf8_lossy(t.secret).to_lowercase();
        allowlist.stopwords.iter().any(|w| lower.contains(w))
    });
    let criteria = [
        criterion(allowlist.paths.is_empty(), || {
            allowlist.paths.iter().any(|p| p.is_match(site.path))
        }),
        commit_criterion(allowlist, site),
        regexes,
        stopwords,
    ];
    combine(allowlist.all_criteria, criteria.into_iter().flatten())
}

/// The path and commit criteria alone: `None` when the allowlist sets neither.
fn site_criteria(allowlist: &Allowlist, site: Site<'_>) -> Option<bool> {
    let criteria = [
        criterion(allowlist.paths.is_empty(), || {
            allowlist.paths.iter().any(|p| p.is_match(site.path))
        }),
        commit_criterion(allowlist, site),
    ];
    let set: Vec<bool> = criteria.into_iter().flatten().collect();
    (!set.is_empty()).then(|| combine(allowlist.all_criteria, set.into_iter()))
}

fn criterion(unset: bool, test: impl FnOnce() -> bool) -> Option<bool> {
    (!unset).then(test)
}

/// A commit allowlist matches a finding of that commit (ids compared on the shorter length, so
/// abbreviated ids work); staged changes have no commit and never match.
fn commit_criterion(allowlist: &Allowlist, site: Site<'_>) -> Option<bool> {
    criterion(allowlist.commits.is_empty(), || {
        site.commit.is_some_and(|commit| {
            allowlist
                .commits
                .iter()
                .any(|c| c.len() >= 4 && commit.starts_with(c.as_str()))
        })
    })
}

fn combine(all: bool, mut results: impl Iterator<Item = bool>) -> bool {
    if all {
        let mut any = false;
        let every = results.all(|r| {
            any = true;
            r
        });
        any && every
    } else {
        results.any(|r| r)
    }
}

/// The byte range of the line holding `offset`, without its terminator.
fn line_of(text: &[u8], offset: usize) -> Range<usize> {
    let start = memchr::memrchr(b'\n', &text[..offset]).map_or(0, |p| p + 1);
    let mut end = memchr::memchr(b'\n', &text[offset..]).map_or(text.len(), |p| offset + p);
    if end > start && text[end - 1] == b'\r' {
        end -= 1;
    }
    start..end
}

/// Where a chunk's lines end, found once the chunk has its first finding: a file with
/// thousands of findings costs one pass over it, not one per finding.
#[derive(Default)]
struct LineIndex {
    newlines: Option<Vec<usize>>,
}

impl LineIndex {
    /// 1-based line and column of `offset` in the chunk.
    fn position(&mut self, chunk: Chunk<'_>, offset: usize) -> (u32, u32) {
        let newlines = self
            .newlines
            .get_or_insert_with(|| memchr::memchr_iter(b'\n', chunk.bytes).collect());
        // Newlines before `offset`: the line's index within the chunk.
        let before = newlines.partition_point(|&p| p < offset);
        let line_start = before.checked_sub(1).map_or(0, |i| newlines[i] + 1);
        let line = chunk.first_line + before as u32;
        (line, (offset - line_start + 1) as u32)
    }
}

fn finding(
    rule: &Rule,
    site: Site<'_>,
    chunk: Chunk<'_>,
    lines: &mut LineIndex,
    span: Range<usize>,
) -> Finding {
    finding_at(&rule.info, site, chunk, lines, span)
}

/// The finding of the rule described by `info` at `span` of `chunk` (its secret: those bytes).
fn finding_at(
    info: &Arc<RuleInfo>,
    site: Site<'_>,
    chunk: Chunk<'_>,
    lines: &mut LineIndex,
    span: Range<usize>,
) -> Finding {
    let (line, column) = lines.position(chunk, span.start);
    let (end_line, end_column) = lines.position(chunk, span.end - 1);
    let line_range = line_of(chunk.bytes, span.start);
    let window_start = line_range.start.max(span.start.saturating_sub(LINE_WINDOW));
    let window_end = line_range.end.min(span.end + LINE_WINDOW).max(span.start);
    let window_end = window_end.max(span.end.min(line_range.end));
    let text = chunk.bytes[window_start..window_end].to_vec();
    let secret_in_line = (span.start - window_start)..(span.end.min(window_end) - window_start);
    Finding {
        rule: info.clone(),
        path: site.path.to_vec(),
        location: Location {
            line,
            column,
            end_line,
            end_column: end_column + 1,
        },
        secret: Secret::new(&chunk.bytes[span.clone()]),
        line: LineContext {
            text,
            secret: secret_in_line,
            cut_before: window_start > line_range.start,
            cut_after: window_end < line_range.end,
        },
        commit: site.commit.map(str::to_owned),
    }
}

#[cfg(test)]
mod tests {
    use super::{in_presigned_url, inside_encoded_blob};

    #[test]
    fn a_window_of_an_encoded_blob_is_not_a_token() {
        let svg = b"src: url(\"data:font/ttf;base64,AAEAAAASAQAABAAgEAAACNgQ5Zx\")";
        let at = svg.windows(4).position(|w| w == b"EAAA").unwrap();
        assert!(inside_encoded_blob(svg, at));
        let spaced = b"data:font/ttf;base64,AAEA AAAS EAAACNgQ5Zx";
        let at = spaced.windows(4).position(|w| w == b"EAAA").unwrap();
        assert!(!inside_encoded_blob(spaced, at));
        let escaped = b"X-Amz-Security-Token=IQoJ%2BrqJLbdjESTVKeFV4";
        assert!(inside_encoded_blob(escaped, escaped.len() - 16));
        assert!(!inside_encoded_blob(b"token = EAAACNgQ5Zx", 8));
    }

    #[test]
    fn parts_of_a_presigned_url_expire() {
        let url = b"a.png?X-Amz-Credential=ASIAEXAMPLE%2F2025&X-Amz-Signature=d98f";
        let at = url.windows(4).position(|w| w == b"ASIA").unwrap();
        assert!(in_presigned_url(url, at));
        let unsigned = b"a.png?X-Amz-Credential=ASIAEXAMPLE%2F2025";
        assert!(!in_presigned_url(unsigned, at));
        assert!(!in_presigned_url(b"key=ASIAEXAMPLE&X-Amz-Signature=d9", 4));
    }
}
