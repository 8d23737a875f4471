//! The keyword prefilter: one pass over the text tells which rules could match at all. For the
//! built-in rules the pass is a DFA compiled at build time ([`super::keyword_dfa`]); for a
//! ruleset a config changed, an Aho-Corasick automaton built at run time.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::keyword_dfa::KeywordDfa;
use crate::rules::Ruleset;

/// Once this many bytes have been searched, the prefilter switches to a DFA, which takes ~2 ms
/// to build but scans several times faster than the NFA that small commits use.
const DFA_THRESHOLD: usize = 256 * 1024;

/// Maps keyword hits in a text to the rules worth running on it.
#[derive(Debug)]
pub struct Prefilter {
    keywords: Vec<String>,
    /// The built-in keywords' DFA, when the keywords are the built-in ones.
    built: Option<KeywordDfa>,
    /// Otherwise an automaton built now (`None` when `built` is set).
    nfa: Option<AhoCorasick>,
    dfa: OnceLock<AhoCorasick>,
    searched: AtomicUsize,
    longest_keyword: usize,
    /// For each automaton pattern, the rules that listed it or a keyword inside it.
    rules_of_keyword: Credits,
    /// Rules without keywords: they always run.
    always: Vec<usize>,
    rule_count: usize,
    /// Bytes searched before and after a keyword hit on a long line.
    window: (usize, usize),
}

/// For each keyword, the rules a hit on it calls for.
#[derive(Debug)]
enum Credits {
    /// For the rules as shipped, from build.rs.
    Shipped(&'static [&'static [u16]]),
    /// Worked out for this ruleset.
    Own(Vec<Vec<usize>>),
}

impl Credits {
    fn of(&self, keyword: usize) -> impl Iterator<Item = usize> + '_ {
        let (shipped, own): (&[u16], &[usize]) = match self {
            Credits::Shipped(all) => (all[keyword], &[]),
            Credits::Own(all) => (&[], &all[keyword]),
        };
        shipped
            .iter()
            .map(|&r| usize::from(r))
            .chain(own.iter().copied())
    }
}

impl Prefilter {
    /// Builds the automaton over every rule's keywords (case-insensitive). For the rules as
    /// shipped, everything was worked out by build.rs, and this costs nothing.
    pub fn new(ruleset: &Ruleset) -> Prefilter {
        if ruleset.is_as_shipped() {
            if let Some((built, shipped)) = KeywordDfa::shipped() {
                return Prefilter {
                    keywords: Vec::new(),
                    built: Some(built),
                    nfa: None,
                    dfa: OnceLock::new(),
                    searched: AtomicUsize::new(0),
                    longest_keyword: shipped.keywords.iter().map(|k| k.len()).max().unwrap_or(0),
                    rules_of_keyword: Credits::Shipped(shipped.credited),
                    always: shipped.always.iter().map(|&r| usize::from(r)).collect(),
                    rule_count: shipped.rules,
                    window: (WINDOW_BEFORE, WINDOW_AFTER),
                };
            }
        }
        let mut keywords: Vec<String> = Vec::new();
        let mut index_of: HashMap<&str, usize> = HashMap::new();
        let mut rules_of_keyword: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for index in 0..ruleset.len() {
            let mut any = false;
            for keyword in ruleset.keywords(index) {
                any = true;
                match index_of.get(keyword) {
                    Some(&k) => rules_of_keyword[k].push(index),
                    None => {
                        index_of.insert(keyword, keywords.len());
                        keywords.push(keyword.to_owned());
                        rules_of_keyword.push(vec![index]);
                    }
                }
            }
            if !any {
                always.push(index);
            }
        }
        // Leftmost-longest, non-overlapping search is several times faster than overlapping
        // search (it can use a DFA). A keyword inside a longer one that matched ("key" in
        // "apikey") is not reported on its own, so every pattern also credits the rules of the
        // keywords it contains (found by looking up each of its substrings).
        let built = KeywordDfa::for_keywords(&keywords);
        let contained = |outer: &str, k: usize| -> Vec<usize> {
            match &built {
                Some(built) => built.contained(k).collect(),
                None => {
                    let mut inner = Vec::new();
                    for start in 0..outer.len() {
                        for end in start + 1..=outer.len() {
                            if let Some(&i) = outer.get(start..end).and_then(|s| index_of.get(s)) {
                                inner.push(i);
                            }
                        }
                    }
                    inner
                }
            }
        };
        let credited: Vec<Vec<usize>> = keywords
            .iter()
            .enumerate()
            .map(|(k, outer)| {
                let mut rules = Vec::new();
                for inner in contained(outer, k) {
                    rules.extend_from_slice(&rules_of_keyword[inner]);
                }
                rules.sort_unstable();
                rules.dedup();
                rules
            })
            .collect();
        // The noncontiguous NFA is the cheapest to build; a large change switches to the DFA.
        let nfa = built
            .is_none()
            .then(|| automaton(&keywords, AhoCorasickKind::NoncontiguousNFA));
        let longest_keyword = keywords.iter().map(String::len).max().unwrap_or(0);
        Prefilter {
            keywords,
            built,
            nfa,
            dfa: OnceLock::new(),
            searched: AtomicUsize::new(0),
            longest_keyword,
            rules_of_keyword: Credits::Own(credited),
            always,
            rule_count: ruleset.len(),
            window: (WINDOW_BEFORE, WINDOW_AFTER),
        }
    }

    /// The run-time automaton for `text`: the NFA, or the DFA once enough has been searched.
    fn automaton_for(&self, text: &[u8]) -> &AhoCorasick {
        let before = self.searched.fetch_add(text.len(), Ordering::Relaxed);
        match &self.nfa {
            Some(nfa) if before + text.len() < DFA_THRESHOLD => nfa,
            _ => self
                .dfa
                .get_or_init(|| automaton(&self.keywords, AhoCorasickKind::DFA)),
        }
    }

    /// Calls `hit(keyword, start, end)` for the longest keyword starting at each position where
    /// one starts (keywords overlap: see [`KeywordDfa::for_each_match`]), until `hit` returns
    /// false.
    fn for_each_match(&self, hay: &[u8], mut hit: impl FnMut(usize, usize, usize) -> bool) {
        if let Some(built) = &self.built {
            return built.for_each_match(hay, hit);
        }
        let automaton = self.automaton_for(hay);
        let mut at = 0;
        while at < hay.len() {
            let Some(m) = automaton.find(aho_corasick::Input::new(hay).range(at..)) else {
                return;
            };
            if !hit(m.pattern().as_usize(), m.start(), m.end()) {
                return;
            }
            at = m.start() + 1;
        }
    }

    /// Sets how many bytes before and after a keyword hit a rule's regex searches (defaults:
    /// [`WINDOW_BEFORE`], [`WINDOW_AFTER`]); `[limits] windowBefore`/`windowAfter` in the config.
    pub fn set_window(&mut self, before: usize, after: usize) {
        self.window = (before, after);
    }

    /// The rules whose keywords occur in `text` (plus the keyword-less ones), in rule order,
    /// each with the windows of `text` around its keyword hits: the line holding a hit, cut to
    /// `WINDOW_BEFORE` bytes before and `WINDOW_AFTER` after it, so a 20 MB minified line is
    /// never searched whole.
    /// Overlapping windows are merged. Keyword-less rules get the whole text.
    pub fn candidates(&self, text: &[u8]) -> Vec<Candidate> {
        let windows = if text.len() >= PARALLEL_SEARCH && super::threads() > 1 {
            // Two halves at once; a keyword across the middle is found by the first half,
            // which reads on by the longest keyword's length.
            let mid = text.len() / 2;
            let (first, second) = std::thread::scope(|s| {
                let first = s.spawn(|| self.windows_in(text, 0..mid));
                let second = self.windows_in(text, mid..text.len());
                (first.join(), second)
            });
            let first = first.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            first
                .into_iter()
                .zip(second)
                .map(|(a, b)| match (a, b) {
                    (Some(mut a), Some(b)) => {
                        for w in b {
                            push_merged(&mut a, w);
                        }
                        Some(a)
                    }
                    (a, b) => a.or(b),
                })
                .collect()
        } else {
            self.windows_in(text, 0..text.len())
        };
        windows
            .into_iter()
            .enumerate()
            .filter_map(|(rule, w)| w.map(|windows| Candidate { rule, windows }))
            .collect()
    }

    /// Per rule, the windows around keyword hits that start in `range` of `text`.
    fn windows_in(&self, text: &[u8], range: Range<usize>) -> Vec<Option<Vec<Range<usize>>>> {
        let mut windows: Vec<Option<Vec<Range<usize>>>> = vec![None; self.rule_count];
        for &r in &self.always {
            windows[r] = Some(std::iter::once(0..text.len()).collect());
        }
        let end = (range.end + self.longest_keyword).min(text.len());
        let hay = &text[range.start..end];
        self.for_each_match(hay, |keyword, start, stop| {
            let (start, stop) = (range.start + start, range.start + stop);
            if start >= range.end {
                return false;
            }
            for r in self.rules_of_keyword.of(keyword) {
                let list = windows[r].get_or_insert_with(Vec::new);
                if list
                    .last()
                    .is_some_and(|w| w.end >= stop && w.start <= start)
                {
                    continue;
                }
                push_merged(list, window(text, start, stop, self.window));
            }
            true
        });
        windows
    }
}

/// Appends `w` to sorted windows, merging it into the last one when they are close.
fn push_merged(list: &mut Vec<Range<usize>>, w: Range<usize>) {
    match list.last_mut() {
        Some(last) if w.start <= last.end + MERGE_GAP => {
            last.start = last.start.min(w.start);
            last.end = last.end.max(w.end);
        }
        _ => list.push(w),
    }
}

/// Texts at least this long are searched by two threads.
const PARALLEL_SEARCH: usize = 4 * 1024 * 1024;

/// How far before a keyword hit a long line is searched. A keyword sits at or near the start of
/// what its rule matches (a token's prefix, the name in `name = value`); the longest lead-in is
/// a 32-character body before `-us1` (Mailchimp) or an identifier before `_api_key`.
pub const WINDOW_BEFORE: usize = 256;

/// Windows closer than this are merged: a regex scans a few kilobytes faster than it sets up a
/// search, so fewer, longer windows are cheaper than many short ones.
const MERGE_GAP: usize = 2048;

/// How far after a keyword hit a long line is searched: enough for the longest one-line
/// tokens (signed JWTs, Atlassian and Meta tokens) and the gap between a name and its value.
pub const WINDOW_AFTER: usize = 1024;

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

/// The line around `start..end`, cut to the window sizes.
fn window(text: &[u8], start: usize, end: usize, (before, after): (usize, usize)) -> Range<usize> {
    let lo = start.saturating_sub(before);
    let hi = end.saturating_add(after).min(text.len());
    let from = memchr::memrchr(b'\n', &text[lo..start]).map_or(lo, |p| lo + p + 1);
    let to = memchr::memchr(b'\n', &text[end..hi]).map_or(hi, |p| end + p + 1);
    from..to
}

#[cfg(test)]
mod tests {
    use super::Prefilter;
    use crate::rules::Ruleset;

    #[test]
    fn the_shipped_tables_pick_what_the_run_time_ones_would() {
        let shipped = Ruleset::builtin().unwrap();
        assert!(shipped.is_as_shipped());
        let mut touched = Ruleset::builtin().unwrap();
        touched.get_mut("openai-api-key").unwrap();
        assert!(!touched.is_as_shipped());
        let (fast, slow) = (Prefilter::new(&shipped), Prefilter::new(&touched));
        assert!(matches!(fast.rules_of_keyword, super::Credits::Shipped(_)));
        assert!(matches!(slow.rules_of_keyword, super::Credits::Own(_)));
        let examples = Ruleset::builtin_examples().unwrap();
        let mut texts: Vec<String> = examples
            .values()
            .flat_map(|e| e.examples.iter().chain(&e.counter_examples))
            .enumerate()
            .map(|(i, t)| crate::fake::expand(t, i as u64).unwrap())
            .collect();
        texts.push(texts.join("\n"));
        for text in &texts {
            assert_eq!(
                fast.candidates(text.as_bytes()),
                slow.candidates(text.as_bytes()),
                "{text}"
            );
        }
    }
}
