//! The keyword prefilter: one pass over the text tells which rules could match at all. For the
//! built-in rules the pass reads tables built at build time ([`super::keyword_table`]); for a
//! ruleset a config changed, an Aho-Corasick automaton built at run time.

use std::collections::HashMap;
use std::ops::Range;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, AhoCorasickKind, MatchKind};

use super::keyword_table::{KeywordTable, Lists};
use crate::rules::Ruleset;

/// Once this many bytes have been searched, the prefilter switches to a DFA, which takes ~2 ms
/// to build but scans several times faster than the NFA that small commits use.
const DFA_THRESHOLD: usize = 256 * 1024;

/// Maps keyword hits in a text to the rules worth running on it.
#[derive(Debug)]
pub struct Prefilter {
    keywords: Vec<String>,
    /// The built-in keywords' DFA, when the keywords are the built-in ones.
    built: Option<KeywordTable>,
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
    /// Which rules are multi-line: their windows span lines ([`multiline_window`]).
    multiline: Vec<bool>,
    /// Bytes searched before and after a keyword hit on a long line.
    window: (usize, usize),
}

/// For each keyword, the rules a hit on it calls for.
#[derive(Debug)]
enum Credits {
    /// For the rules as shipped, from build.rs.
    Shipped(Lists),
    /// Worked out for this ruleset.
    Own(Vec<Vec<usize>>),
}

impl Credits {
    fn of(&self, keyword: usize) -> impl Iterator<Item = usize> + '_ {
        let (shipped, own): (&[u16], &[usize]) = match self {
            Credits::Shipped(all) => (all.get(keyword), &[]),
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
            let (built, shipped) = KeywordTable::shipped();
            return Prefilter {
                keywords: Vec::new(),
                built: Some(built),
                nfa: None,
                dfa: OnceLock::new(),
                searched: AtomicUsize::new(0),
                longest_keyword: shipped.longest_keyword,
                rules_of_keyword: Credits::Shipped(shipped.credited),
                always: shipped.always.iter().map(|&r| usize::from(r)).collect(),
                rule_count: shipped.rules,
                multiline: multiline_rules(ruleset),
                window: (WINDOW_BEFORE, WINDOW_AFTER),
            };
        }
        Prefilter::over(ruleset, |_| true)
    }

    /// A prefilter over the multi-line rules only (PEM blocks, paired keys, manifests): what
    /// the scan of the context around added lines needs. Its automaton holds a few dozen
    /// keywords, so the pass over a long file costs a fraction of the full one.
    pub fn multiline_only(ruleset: &Ruleset) -> Prefilter {
        Prefilter::over(ruleset, |index| ruleset.is_multiline(index))
    }

    /// The prefilter over the rules `included` picks, worked out now.
    fn over(ruleset: &Ruleset, included: impl Fn(usize) -> bool) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut index_of: HashMap<&str, usize> = HashMap::new();
        let mut rules_of_keyword: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for index in (0..ruleset.len()).filter(|&i| included(i)) {
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
        let built = KeywordTable::for_keywords(&keywords);
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
            multiline: multiline_rules(ruleset),
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
    /// one starts (keywords overlap: see [`KeywordTable::for_each_match`]), until `hit` returns
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
        if text.len() >= PARALLEL_SEARCH && super::threads() > 1 {
            // Two halves at once; a keyword across the middle is found by the first half,
            // which reads on by the longest keyword's length.
            let mid = text.len() / 2;
            let (first, second) = std::thread::scope(|s| {
                let first = s.spawn(|| self.windows_in(text, 0..mid));
                let second = self.windows_in(text, mid..text.len());
                (first.join(), second)
            });
            let first = first.unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            merge_candidates(first, second)
        } else {
            self.windows_in(text, 0..text.len())
        }
    }

    /// The candidate rules, by rule, with the windows around keyword hits that start in
    /// `range` of `text`.
    ///
    /// Most texts call for a few dozen of the ~1,200 rules, and a commit is hundreds of runs
    /// of lines: so the rules are tracked in a small list, through a per-thread index of
    /// where each rule sits in it, rather than in a fresh table of every rule per run.
    fn windows_in(&self, text: &[u8], range: Range<usize>) -> Vec<Candidate> {
        SLOTS.with_borrow_mut(|slot_of| {
            if slot_of.len() < self.rule_count {
                slot_of.resize(self.rule_count, NO_SLOT);
            }
            let mut found: Vec<Candidate> = Vec::new();
            for &rule in &self.always {
                slot_of[rule] = found.len() as u32;
                found.push(Candidate {
                    rule,
                    windows: std::iter::once(0..text.len()).collect(),
                });
            }
            let end = (range.end + self.longest_keyword).min(text.len());
            let hay = &text[range.start..end];
            self.for_each_match(hay, |keyword, start, stop| {
                let (start, stop) = (range.start + start, range.start + stop);
                if start >= range.end {
                    return false;
                }
                // One hit's window is the same for every rule it calls for: found once.
                let (mut one_line, mut lines) = (None, None);
                for r in self.rules_of_keyword.of(keyword) {
                    let slot = match slot_of[r] {
                        NO_SLOT => {
                            slot_of[r] = found.len() as u32;
                            found.push(Candidate {
                                rule: r,
                                windows: Vec::new(),
                            });
                            found.len() - 1
                        }
                        slot => slot as usize,
                    };
                    let list = &mut found[slot].windows;
                    if list
                        .last()
                        .is_some_and(|w| w.end >= stop && w.start <= start)
                    {
                        continue;
                    }
                    let w = if self.multiline[r] {
                        lines.get_or_insert_with(|| multiline_window(text, start, stop))
                    } else {
                        one_line.get_or_insert_with(|| window(text, start, stop, self.window))
                    };
                    push_merged(list, w.clone());
                }
                true
            });
            for c in &found {
                slot_of[c.rule] = NO_SLOT;
            }
            found.sort_unstable_by_key(|c| c.rule);
            found
        })
    }
}

/// No slot yet: the rule is not a candidate of this text.
const NO_SLOT: u32 = u32::MAX;

thread_local! {
    /// For [`Prefilter::windows_in`]: each rule's place in the candidates being collected,
    /// [`NO_SLOT`] between calls.
    static SLOTS: std::cell::RefCell<Vec<u32>> = const { std::cell::RefCell::new(Vec::new()) };
}

/// Two halves' candidates (each by rule) as one list by rule, windows merged.
fn merge_candidates(first: Vec<Candidate>, second: Vec<Candidate>) -> Vec<Candidate> {
    let mut out = Vec::with_capacity(first.len() + second.len());
    let mut second = second.into_iter().peekable();
    for mut a in first {
        while let Some(b) = second.next_if(|b| b.rule < a.rule) {
            out.push(b);
        }
        if let Some(b) = second.next_if(|b| b.rule == a.rule) {
            for w in b.windows {
                push_merged(&mut a.windows, w);
            }
        }
        out.push(a);
    }
    out.extend(second);
    out
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

/// Which of `ruleset`'s rules are multi-line.
fn multiline_rules(ruleset: &Ruleset) -> Vec<bool> {
    (0..ruleset.len())
        .map(|index| ruleset.is_multiline(index))
        .collect()
}

/// How far before a keyword hit a multi-line rule searches: a PEM footer's distance back to
/// its header is covered by the header's own hit, so a few lines suffice.
pub const MULTILINE_BEFORE: usize = 8 * 1024;

/// How far after a keyword hit a multi-line rule searches: the largest private keys in PEM
/// (RSA 16384, about 13 KB) with room to spare, and a manifest's `data:` section.
pub const MULTILINE_AFTER: usize = 32 * 1024;

/// The whole lines around `start..end` that fit in [`MULTILINE_BEFORE`] and
/// [`MULTILINE_AFTER`] bytes; on a line longer than that (a minified bundle), the bytes
/// within those distances. A multi-line rule once searched its whole chunk, which on a 20 MB
/// bundle was the most expensive part of the scan.
fn multiline_window(text: &[u8], start: usize, end: usize) -> Range<usize> {
    let lo = start.saturating_sub(MULTILINE_BEFORE);
    let hi = end.saturating_add(MULTILINE_AFTER).min(text.len());
    let from = if lo == 0 {
        0
    } else {
        memchr::memchr(b'\n', &text[lo..start]).map_or(lo, |p| lo + p + 1)
    };
    let to = if hi == text.len() {
        hi
    } else {
        memchr::memrchr(b'\n', &text[end..hi]).map_or(hi, |p| end + p + 1)
    };
    from..to
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
    use super::{multiline_window, Prefilter, MULTILINE_AFTER, MULTILINE_BEFORE};

    #[test]
    fn a_multiline_window_is_whole_lines_within_its_reach() {
        // 1,000 lines of 99 bytes and a newline: the hit on line 500.
        let text = "x".repeat(99).to_string() + "\n";
        let text = text.repeat(1000);
        let hit = 500 * 100 + 10;
        let w = multiline_window(text.as_bytes(), hit, hit + 5);
        assert_eq!(w.start % 100, 0, "starts at a line");
        assert_eq!(w.end % 100, 0, "ends after a line's newline");
        assert!(hit - w.start <= MULTILINE_BEFORE && hit - w.start > MULTILINE_BEFORE - 100);
        assert!(w.end - (hit + 5) <= MULTILINE_AFTER && w.end - (hit + 5) > MULTILINE_AFTER - 100);
        // Near the edges, the text's edges.
        assert_eq!(
            multiline_window(text.as_bytes(), 150, 155),
            0..(155 + MULTILINE_AFTER) / 100 * 100
        );
        let end = text.len();
        assert_eq!(
            multiline_window(text.as_bytes(), end - 150, end - 145).end,
            end
        );
        // One long line: the bytes within reach.
        let line = "y".repeat(1 << 20);
        let w = multiline_window(line.as_bytes(), 1 << 19, (1 << 19) + 3);
        assert_eq!(
            w,
            (1 << 19) - MULTILINE_BEFORE..(1 << 19) + 3 + MULTILINE_AFTER
        );
    }
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
