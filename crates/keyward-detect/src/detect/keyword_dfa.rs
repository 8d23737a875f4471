//! The built-in keywords as a DFA determinized at build time (see build.rs), used in place.
//!
//! Building the Aho-Corasick automaton over the ~280 built-in keywords took 0.6 ms of every
//! run, a fifth of a small commit's budget. The same search as a dense DFA is built once, by
//! the build script, and read here without copying. A ruleset whose keywords differ from the
//! built-in ones (a config that adds rules) falls back to building its automaton at run time.

use regex_automata::dfa::{dense, Automaton};
use regex_automata::Input;

mod generated {
    include!(concat!(env!("OUT_DIR"), "/rules/keywords.rs"));
}

/// The serialized DFA, aligned as deserialization requires.
#[repr(C, align(8))]
struct Aligned<T: ?Sized> {
    bytes: T,
}

static DFA_BYTES: &Aligned<[u8]> = &Aligned {
    bytes: *include_bytes!(concat!(env!("OUT_DIR"), "/rules/keywords.dfa")),
};

/// The embedded DFA, with its patterns mapped onto a prefilter's keyword indices.
#[derive(Debug)]
pub struct KeywordDfa {
    dfa: dense::DFA<&'static [u32]>,
    /// How the prefilter numbers the keywords, when not as [`generated::KEYWORDS`] does.
    mapping: Option<Mapping>,
}

/// Sorted (built-in) keyword index → the prefilter's keyword index, and back.
#[derive(Debug)]
struct Mapping {
    runtime_of_sorted: Vec<usize>,
    sorted_of_runtime: Vec<usize>,
}

/// The rules as shipped, as the prefilter needs them: worked out by build.rs (see
/// [`KeywordDfa::shipped`]).
pub struct Shipped {
    /// The built-in keywords, sorted: the keyword indices the DFA reports.
    pub keywords: &'static [&'static str],
    /// For each keyword, the rules (load-order indices) a hit calls for.
    pub credited: &'static [&'static [u16]],
    /// The rules without keywords.
    pub always: &'static [u16],
    /// How many rules ship.
    pub rules: usize,
}

impl KeywordDfa {
    /// The embedded DFA.
    fn embedded() -> Option<dense::DFA<&'static [u32]>> {
        if !cfg!(target_endian = "little") {
            return None;
        }
        // SAFETY: the bytes are the little-endian serialization that this crate's build
        // script wrote with the same regex-automata version for this very build, and the
        // target is little-endian (checked above); alignment comes from `Aligned`.
        let (dfa, _) = unsafe { dense::DFA::from_bytes_unchecked(&DFA_BYTES.bytes) }.ok()?;
        Some(dfa)
    }

    /// The DFA and the tables for the rules as shipped, whose keyword indices are those of
    /// [`Shipped::keywords`].
    pub fn shipped() -> Option<(KeywordDfa, Shipped)> {
        let dfa = KeywordDfa::embedded()?;
        let tables = Shipped {
            keywords: generated::KEYWORDS,
            credited: generated::CREDITED,
            always: generated::ALWAYS,
            rules: generated::RULES,
        };
        Some((KeywordDfa { dfa, mapping: None }, tables))
    }

    /// The embedded DFA for `keywords` (a prefilter's keyword list, lowercase), if they are
    /// exactly the built-in keywords in some order.
    pub fn for_keywords(keywords: &[String]) -> Option<KeywordDfa> {
        if keywords.len() != generated::KEYWORDS.len() {
            return None;
        }
        let mut sorted: Vec<(&str, usize)> = keywords
            .iter()
            .enumerate()
            .map(|(i, k)| (k.as_str(), i))
            .collect();
        sorted.sort_unstable();
        if sorted
            .iter()
            .zip(generated::KEYWORDS)
            .any(|((ours, _), built)| ours != built)
        {
            return None;
        }
        let dfa = KeywordDfa::embedded()?;
        let runtime_of_sorted: Vec<usize> = sorted.iter().map(|(_, i)| *i).collect();
        let mut sorted_of_runtime = vec![0; keywords.len()];
        for (sorted_index, &runtime) in runtime_of_sorted.iter().enumerate() {
            sorted_of_runtime[runtime] = sorted_index;
        }
        Some(KeywordDfa {
            dfa,
            mapping: Some(Mapping {
                runtime_of_sorted,
                sorted_of_runtime,
            }),
        })
    }

    /// The keywords (the prefilter's indices) inside keyword `keyword`, itself included:
    /// computed at build time.
    pub fn contained(&self, keyword: usize) -> impl Iterator<Item = usize> + '_ {
        let sorted = self
            .mapping
            .as_ref()
            .map_or(keyword, |m| m.sorted_of_runtime[keyword]);
        generated::CONTAINS[sorted]
            .iter()
            .map(|&k| self.runtime_of(usize::from(k)))
    }

    /// The prefilter's index of sorted keyword `sorted`.
    fn runtime_of(&self, sorted: usize) -> usize {
        self.mapping
            .as_ref()
            .map_or(sorted, |m| m.runtime_of_sorted[sorted])
    }

    /// Calls `hit(keyword index, start, end)` for the longest keyword starting at each position
    /// where one starts, in order. After a hit the search goes on from the byte after its start,
    /// not its end: keywords overlap (`api_key` and `key=` in `api_key=…`), and a rule whose
    /// keyword starts inside another's must still see its hit.
    pub fn for_each_match(&self, hay: &[u8], mut hit: impl FnMut(usize, usize, usize) -> bool) {
        let mut input = Input::new(hay);
        while input.start() < hay.len() {
            let Ok(Some(m)) = self.dfa.try_search_fwd(&input) else {
                return;
            };
            let sorted = usize::from(generated::ORDER[m.pattern().as_usize()]);
            let end = m.offset();
            let start = end - generated::KEYWORDS[sorted].len();
            if !hit(self.runtime_of(sorted), start, end) {
                return;
            }
            input.set_start(start + 1);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KeywordDfa;
    use crate::rules::Ruleset;

    fn builtin_keywords() -> Vec<String> {
        let mut keywords: Vec<String> = Vec::new();
        for rule in Ruleset::builtin().unwrap().iter() {
            for k in &rule.keywords {
                if !keywords.contains(k) {
                    keywords.push(k.clone());
                }
            }
        }
        keywords
    }

    #[test]
    fn the_embedded_dfa_serves_the_builtin_keywords_and_only_them() {
        let keywords = builtin_keywords();
        let dfa = KeywordDfa::for_keywords(&keywords).expect("built-in keywords use the DFA");
        let text = b"x = OpenAI(API_KEY=\"sk-proj-1\") # GHP_ then password";
        let mut hits = Vec::new();
        dfa.for_each_match(text, |k, start, end| {
            hits.push((keywords[k].clone(), start, end));
            true
        });
        for (k, start, end) in &hits {
            assert_eq!(text[*start..*end].to_ascii_lowercase(), k.as_bytes());
        }
        assert!(hits.iter().any(|(k, _, _)| k == "sk-proj-"), "{hits:?}");
        let mut more = keywords.clone();
        more.push("acme_".into());
        assert!(KeywordDfa::for_keywords(&more).is_none());
    }
}
