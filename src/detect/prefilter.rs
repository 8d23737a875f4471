//! The keyword prefilter: one Aho-Corasick pass tells which rules could match at all.

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

use crate::rules::Ruleset;

/// Maps keyword hits in a text to the rules worth running on it.
#[derive(Debug)]
pub struct Prefilter {
    automaton: AhoCorasick,
    /// For each automaton pattern, the rules that listed it.
    rules_of_keyword: Vec<Vec<usize>>,
    /// Rules without keywords: they always run.
    always: Vec<usize>,
    rule_count: usize,
}

impl Prefilter {
    /// Builds the automaton over every rule's keywords (case-insensitive).
    pub fn new(ruleset: &Ruleset) -> Prefilter {
        let mut keywords: Vec<String> = Vec::new();
        let mut rules_of_keyword: Vec<Vec<usize>> = Vec::new();
        let mut always = Vec::new();
        for (index, rule) in ruleset.rules().iter().enumerate() {
            if rule.keywords.is_empty() {
                always.push(index);
            }
            for keyword in &rule.keywords {
                match keywords.iter().position(|k| k == keyword) {
                    Some(k) => rules_of_keyword[k].push(index),
                    None => {
                        keywords.push(keyword.clone());
                        rules_of_keyword.push(vec![index]);
                    }
                }
            }
        }
        let automaton = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&keywords)
            .expect("keywords are plain literals and always build an automaton");
        Prefilter {
            automaton,
            rules_of_keyword,
            always,
            rule_count: ruleset.rules().len(),
        }
    }

    /// The indexes of the rules whose keywords occur in `text`, plus the keyword-less ones,
    /// in rule order.
    pub fn candidates(&self, text: &[u8]) -> Vec<usize> {
        let mut hit = vec![false; self.rule_count];
        for &r in &self.always {
            hit[r] = true;
        }
        let mut seen_pattern = vec![false; self.rules_of_keyword.len()];
        let mut remaining = self.rules_of_keyword.len();
        for m in self.automaton.find_overlapping_iter(text) {
            let p = m.pattern().as_usize();
            if !seen_pattern[p] {
                seen_pattern[p] = true;
                for &r in &self.rules_of_keyword[p] {
                    hit[r] = true;
                }
                remaining -= 1;
                if remaining == 0 {
                    break;
                }
            }
        }
        hit.iter()
            .enumerate()
            .filter_map(|(i, &h)| h.then_some(i))
            .collect()
    }
}
