//! The keyword prefilter: one Aho-Corasick pass tells which rules could match at all.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use crate::rules::Ruleset;

/// Once this many bytes have been searched, the prefilter switches to a DFA, which takes ~2 ms
/// to build but scans several times faster than the NFA that small commits use.
const DFA_THRESHOLD: usize = 256 * 1024;

/// Maps keyword hits in a text to the rules worth running on it.
#[derive(Debug)]
pub struct Prefilter {
    keywords: Vec<String>,
    nfa: AhoCorasick,
    dfa: OnceLock<AhoCorasick>,
    searched: AtomicUsize,
    /// For each automaton pattern, the rules that listed it or a keyword inside it.
    rules_of_keyword: Vec<Vec<usize>>,
    /// Rules without keywords: they always run.
    always: Vec<usize>,
    rule_count: usize,
}

impl Prefilter {
    /// Builds the automaton over every rule's keywords (case-insensitive).
    pub fn new(ruleset: &Ruleset) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut index_of: HashMap<&str, usize> = HashMap::new();
        let mut rules_of_keyword: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (index, rule) in ruleset.rules().iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(index);
            }
            for keyword in &rule.keywords {
                match index_of.get(keyword.as_str()) {
                    Some(&k) => rules_of_keyword[k].push(index),
                    None => {
                        index_of.insert(keyword, keywords.len());
                        keywords.push(keyword.clone());
                        rules_of_keyword.push(vec![index]);
                    }
                }
            }
        }
        // Leftmost-longest, non-overlapping search is several times faster than overlapping
        // search (it can use a DFA). A keyword inside a longer one that matched ("key" in
        // "apikey") is not reported on its own, so every pattern also credits the rules of the
        // keywords it contains (found by looking up each of its substrings).
        let credited: Vec<Vec<usize>> = keywords
            .iter()
            .map(|outer| {
                let mut rules = Vec::new();
                for start in 0..outer.len() {
                    for end in start + 1..=outer.len() {
                        if let Some(&k) = outer.get(start..end).and_then(|s| index_of.get(s)) {
                            rules.extend_from_slice(&rules_of_keyword[k]);
                        }
                    }
                }
                rules.sort_unstable();
                rules.dedup();
                rules
            })
            .collect();
        let nfa = automaton(&keywords, AhoCorasickKind::ContiguousNFA);
        Prefilter {
            keywords,
            nfa,
            dfa: OnceLock::new(),
            searched: AtomicUsize::new(0),
            rules_of_keyword: credited,
            always,
            rule_count: ruleset.rules().len(),
        }
    }

    fn automaton_for(&self, text: &[u8]) -> &AhoCorasick {
        let before = self.searched.fetch_add(text.len(), Ordering::Relaxed);
        if before + text.len() >= DFA_THRESHOLD {
            self.dfa
                .get_or_init(|| automaton(&self.keywords, AhoCorasickKind::DFA))
        } else {
            &self.nfa
        }
    }

    /// The rules whose keywords occur in `text` (plus the keyword-less ones), in rule order,
    /// each with the windows of `text` around its keyword hits: the line holding a hit, cut to
    /// [`WINDOW`] bytes on each side of it so a 20 MB minified line is never searched whole.
    /// Overlapping windows are merged. Keyword-less rules get the whole text.
    pub fn candidates(&self, text: &[u8]) -> Vec<Candidate> {
        let mut windows: Vec<Option<Vec<Range<usize>>>> = vec![None; self.rule_count];
        for &r in &self.always {
            windows[r] = Some(std::iter::once(0..text.len()).collect());
        }
        for m in self.automaton_for(text).find_iter(text) {
            for &r in &self.rules_of_keyword[m.pattern().as_usize()] {
                let list = windows[r].get_or_insert_with(Vec::new);
                if list
                    .last()
                    .is_some_and(|w| w.end >= m.end() && w.start <= m.start())
                {
                    continue;
                }
                let w = window(text, m.start(), m.end());
                match list.last_mut() {
                    Some(last) if w.start <= last.end => last.end = last.end.max(w.end),
                    _ => list.push(w),
                }
            }
        }
        windows
            .into_iter()
            .enumerate()
            .filter_map(|(rule, w)| w.map(|windows| Candidate { rule, windows }))
            .collect()
    }
}

/// How far around a keyword hit a long line is searched.
pub const WINDOW: usize = 1024;

/// A rule worth running, and where.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The rule's index in the ruleset.
    pub rule: usize,
    /// Sorted, disjoint byte ranges of the text around its keyword hits.
    pub windows: Vec<Range<usize>>,
}

fn automaton(keywords: &[String], kind: AhoCorasickKind) -> AhoCorasick {
    AhoCorasickBuilder::new()
        .ascii_case_insensitive(true)
        .match_kind(MatchKind::LeftmostLongest)
        .kind(Some(kind))
        .build(keywords)
        .expect("keywords are plain literals and always build an automaton")
}

/// The line around `start..end`, at most [`WINDOW`] bytes either side.
fn window(text: &[u8], start: usize, end: usize) -> Range<usize> {
    let lo = start.saturating_sub(WINDOW);
    let hi = (end + WINDOW).min(text.len());
    let from = memchr::memrchr(b'\n', &text[lo..start]).map_or(lo, |p| lo + p + 1);
    let to = memchr::memchr(b'\n', &text[end..hi]).map_or(hi, |p| end + p + 1);
    from..to
}
