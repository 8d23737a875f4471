//! Why a value was (not) reported: the detector's own run over a text, with every rule whose
//! keywords occur and what became of each of its matches. `keyward explain` prints it. It is
//! the same code path as a scan (the trace is recorded by the scan loop itself), so what it
//! says is what a scan does.

use std::ops::Range;

use super::verdict::Verdict;
use super::{decode, DetectError, Detector, Site};
use crate::finding::Finding;
use crate::Chunk;

/// How an earlier rule holds bytes that a later rule also matched.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Cover {
    /// It reported them.
    Reported,
    /// It would have reported them; the user suppressed them.
    Suppressed,
    /// A built-in provider rule recognised its own format and rejected the value (a checksum,
    /// a documentation key), which speaks for the bytes against later built-in rules.
    Rejected,
}

/// What became of one match.
#[derive(Clone, Debug, PartialEq)]
pub enum Outcome {
    /// The checks ran on it.
    Judged(Verdict),
    /// An earlier rule (by index in the ruleset) holds these bytes; the checks did not run.
    Covered {
        /// The rule that holds them.
        by: usize,
        /// How.
        cover: Cover,
    },
}

/// One match of one rule.
#[derive(Clone, Debug, PartialEq)]
pub struct Traced {
    /// The rule's index in the ruleset.
    pub rule: usize,
    /// The secret's byte range in the text.
    pub secret: Range<usize>,
    /// What became of it.
    pub outcome: Outcome,
}

/// Why a rule whose keywords occur did not search the text.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Skip {
    /// The rule is for other paths.
    Path,
    /// The rule also requires a word that is not near its keyword.
    RequiredWordMissing,
}

/// The detector's run over a text, explained.
#[derive(Clone, Debug, Default)]
pub struct Explained {
    /// A global allowlist lets the whole file through (by path or commit): no rule ran.
    pub site_allowed: bool,
    /// Each rule whose keywords occur (or that has none), by index in the ruleset, in rule
    /// order; with why it did not search, if it did not.
    pub candidates: Vec<(usize, Option<Skip>)>,
    /// Every match, in the order the rules were judged.
    pub traced: Vec<Traced>,
    /// The findings a scan reports.
    pub findings: Vec<Finding>,
    /// Base64 runs that decode to text, each with the decoded text's own explanation.
    pub decoded: Vec<Decoded>,
}

/// A base64 run that decodes to text, explained.
#[derive(Clone, Debug)]
pub struct Decoded {
    /// The run's byte range in the text.
    pub span: Range<usize>,
    /// What it decodes to; the inner explanation's spans point into it.
    pub text: Vec<u8>,
    /// The decoded text's explanation.
    pub explained: Explained,
}

impl Detector {
    /// Explains what a scan of `chunk` does, as seen from the bytes in `focus` (a line): the
    /// rules whose keywords occur there and every match that overlaps it. Base64 runs in
    /// `focus` are decoded and explained once more (decoded text is not decoded again).
    ///
    /// # Errors
    /// A rule's regex failed to compile.
    pub fn explain(
        &self,
        site: Site<'_>,
        chunk: Chunk<'_>,
        focus: Range<usize>,
    ) -> Result<Explained, DetectError> {
        self.explain_at(site, chunk, focus, true)
    }

    fn explain_at(
        &self,
        site: Site<'_>,
        chunk: Chunk<'_>,
        focus: Range<usize>,
        decode: bool,
    ) -> Result<Explained, DetectError> {
        let overlaps = |r: &Range<usize>| r.start < focus.end && focus.start < r.end;
        let mut explained = Explained {
            site_allowed: self.site_allowed(site),
            ..Explained::default()
        };
        for candidate in self.prefilter.candidates(chunk.bytes) {
            let rule = self.ruleset.rule(candidate.rule);
            if !rule.multiline && !candidate.windows.iter().any(overlaps) {
                continue;
            }
            let skip = if rule.path.as_ref().is_some_and(|p| !p.is_match(site.path)) {
                Some(Skip::Path)
            } else if !rule.multiline
                && !candidate
                    .windows
                    .iter()
                    .any(|w| rule.requires(&chunk.bytes[w.clone()]))
            {
                Some(Skip::RequiredWordMissing)
            } else {
                None
            };
            explained.candidates.push((candidate.rule, skip));
        }
        let mut traced = Vec::new();
        self.scan_chunk_filtered(site, chunk, false, &mut Vec::new(), Some(&mut traced))?;
        explained.traced = traced.into_iter().filter(|t| overlaps(&t.secret)).collect();
        // What a scan reports, decoded values included: the scan itself.
        let mut findings = Vec::new();
        if decode {
            findings = self.scan_at(site, chunk.bytes, &crate::AddedLines::all())?;
            for f in &mut findings {
                f.location.line += chunk.first_line - 1;
                f.location.end_line += chunk.first_line - 1;
            }
        }
        let first = chunk.first_line + line_count_before(chunk, focus.start);
        let last = chunk.first_line
            + line_count_before(chunk, focus.end.saturating_sub(1).max(focus.start));
        explained.findings = findings
            .into_iter()
            .filter(|f| f.location.line <= last && f.location.end_line >= first)
            .collect();
        if decode {
            for (span, text) in decode::base64_runs(chunk.bytes) {
                if !overlaps(&span) {
                    continue;
                }
                let inner = Chunk {
                    bytes: &text,
                    first_line: 1,
                };
                let inner = self.explain_at(site, inner, 0..text.len(), false)?;
                if !inner.candidates.is_empty() {
                    explained.decoded.push(Decoded {
                        span,
                        text,
                        explained: inner,
                    });
                }
            }
        }
        Ok(explained)
    }
}

/// How many newlines come before `offset` in the chunk.
fn line_count_before(chunk: Chunk<'_>, offset: usize) -> u32 {
    memchr::memchr_iter(b'\n', &chunk.bytes[..offset.min(chunk.bytes.len())]).count() as u32
}
