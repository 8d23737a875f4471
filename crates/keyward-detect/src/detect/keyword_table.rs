//! The built-in keywords, found through tables built at build time (see build.rs): hashed
//! filters for the short texts of a typical commit, a dense DFA for long ones.
//!
//! Hashed tables: a text is lowercased block by block; at each position, the hash of its next
//! four bytes (and of three) is looked up in a small bit filter, and only where a bit is set
//! are the keywords filed there compared. The filters and buckets are a few kilobytes, so a
//! small commit maps a page or two of them. The DFA (6 MB, one table lookup a byte) is faster
//! per byte, but its first touch of each page is a page fault: it takes over once a scan has
//! searched a megabyte ([`DFA_AFTER`]). Both report the same hits (tested against a plain
//! search). A ruleset whose keywords differ from the built-in ones (a config that adds rules)
//! falls back to an Aho-Corasick automaton built at run time.

use super::keyword_hash::{hash3, hash4};

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

/// Texts searched before the DFA takes over: its 6 MB table costs a page fault per page first
/// touched (about a millisecond in all), which the hashed tables' few kilobytes do not, and
/// it saves about 1.5 ns a byte, so it pays for itself after a megabyte or so.
const DFA_AFTER: usize = 1024 * 1024;

/// How much text is lowercased at a time.
const BLOCK: usize = 64 * 1024;

/// The built-in keywords' tables, with their keywords mapped onto a prefilter's keyword
/// indices.
#[derive(Debug)]
pub struct KeywordTable {
    /// How the prefilter numbers the keywords, when not as [`generated::KEYWORD_AT`] does.
    mapping: Option<Mapping>,
    /// Bytes searched so far, to decide when the DFA pays.
    searched: std::sync::atomic::AtomicUsize,
    /// The embedded DFA, read in place once a scan has searched [`DFA_AFTER`] bytes.
    dfa: std::sync::OnceLock<Option<dense::DFA<&'static [u32]>>>,
}

/// The embedded DFA, on a little-endian target.
fn embedded_dfa() -> Option<dense::DFA<&'static [u32]>> {
    if !cfg!(target_endian = "little") {
        return None;
    }
    // SAFETY: the bytes are the little-endian serialization that this crate's build script
    // wrote with the same regex-automata version for this very build, and the target is
    // little-endian (checked above); alignment comes from `Aligned`.
    let (dfa, _) = unsafe { dense::DFA::from_bytes_unchecked(&DFA_BYTES.bytes) }.ok()?;
    Some(dfa)
}

/// Sorted (built-in) keyword index → the prefilter's keyword index, and back.
#[derive(Debug)]
struct Mapping {
    runtime_of_sorted: Vec<usize>,
    sorted_of_runtime: Vec<usize>,
}

/// Lists of small numbers stored flat in the binary: list `i` is `all[at[i]..at[i + 1]]`.
#[derive(Debug, Clone, Copy)]
pub struct Lists {
    at: &'static [u32],
    all: &'static [u16],
}

impl Lists {
    /// List `i`.
    pub fn get(&self, i: usize) -> &'static [u16] {
        &self.all[self.at[i] as usize..self.at[i + 1] as usize]
    }
}

/// The rules as shipped, as the prefilter needs them: worked out by build.rs (see
/// [`KeywordTable::shipped`]).
pub struct Shipped {
    /// The longest keyword's length.
    pub longest_keyword: usize,
    /// For each keyword, the rules (load-order indices) a hit calls for.
    pub credited: Lists,
    /// The rules without keywords.
    pub always: &'static [u16],
    /// How many rules ship.
    pub rules: usize,
}

/// Built-in keyword `k` (sorted order).
fn keyword(k: usize) -> &'static [u8] {
    let at = generated::KEYWORD_AT;
    &generated::KEYWORD_TEXT.as_bytes()[at[k] as usize..at[k + 1] as usize]
}

/// How many built-in keywords there are.
fn keyword_count() -> usize {
    generated::KEYWORD_AT.len() - 1
}

/// Keywords filed by a hash of their first bytes (see build.rs `keyword_index`).
struct Hashed {
    /// Bit `h`: something is filed under hash `h`.
    filter: &'static [u64],
    /// For each word of `filter`, the bits set in the words before it.
    rank: &'static [u16],
    /// Bucket `b` is `keywords[at[b]..at[b + 1]]`, longest first.
    at: &'static [u16],
    keywords: &'static [u16],
    /// Each entry's first eight bytes, NUL-padded.
    heads: &'static [u64],
}

/// Keywords of four bytes or more, under [`hash4`] of their first four.
const FOUR: Hashed = Hashed {
    filter: &generated::FILTER4,
    rank: &generated::RANK4,
    at: generated::BUCKET4_AT,
    keywords: generated::BUCKET4,
    heads: generated::BUCKET4_HEAD,
};

/// Three-byte keywords, under [`hash3`].
const THREE: Hashed = Hashed {
    filter: &generated::FILTER3,
    rank: &generated::RANK3,
    at: generated::BUCKET3_AT,
    keywords: generated::BUCKET3,
    heads: generated::BUCKET3_HEAD,
};

impl Hashed {
    /// Whether anything is filed under hash `h`.
    #[inline]
    fn filed(&self, h: usize) -> bool {
        (self.filter[h >> 6] >> (h & 63)) & 1 != 0
    }

    /// The longest keyword filed under hash `h` that `text` (lowercase, NUL-padded) starts
    /// with, given its first eight bytes `head`: compared by those eight bytes first, and
    /// only then, for a longer keyword, by the rest.
    fn longest_at(&self, h: usize, head: u64, text: &[u8]) -> Option<usize> {
        if !self.filed(h) {
            return None;
        }
        let before = (self.filter[h >> 6] & ((1u64 << (h & 63)) - 1)).count_ones() as usize;
        let slot = usize::from(self.rank[h >> 6]) + before;
        let bucket = usize::from(self.at[slot])..usize::from(self.at[slot + 1]);
        bucket.into_iter().find_map(|i| {
            let k = usize::from(self.keywords[i]);
            let keyword = keyword(k);
            let matched = if keyword.len() <= 8 {
                let mask = u64::MAX >> (8 * (8 - keyword.len()));
                head & mask == self.heads[i]
            } else {
                head == self.heads[i] && text[8..].starts_with(&keyword[8..])
            };
            matched.then_some(k)
        })
    }
}

/// The four bytes of `text` at `at`, little-endian.
#[inline(always)]
fn word_at(text: &[u8], at: usize) -> u32 {
    u32::from_le_bytes([text[at], text[at + 1], text[at + 2], text[at + 3]])
}

/// The first position in `from..to` of `text` (lowercase, with three bytes after `to`) where
/// a keyword may start: its four bytes' hash, or its three bytes', is filed, or its two bytes
/// are a two-byte keyword. A tight loop of its own, with no branch but the one that ends it,
/// so the compiler keeps it in registers.
#[inline(always)]
fn next_candidate(text: &[u8], from: usize, to: usize) -> usize {
    let text = &text[..to + 3];
    for at in from..to {
        let word = word_at(text, at);
        let maybe = FOUR.filed(hash4(word) as usize)
            | THREE.filed(hash3(word) as usize)
            | generated::SHORT_WORDS.contains(&(word as u16));
        if maybe {
            return at;
        }
    }
    to
}

/// The longest keyword that `text` (lowercase, NUL-padded) starts with, given its first four
/// bytes `word`.
#[inline(never)]
fn longest_at(text: &[u8], word: u32) -> Option<usize> {
    let head = u64::from_le_bytes(text[..8].try_into().expect("eight bytes of padding"));
    FOUR.longest_at(hash4(word) as usize, head, text)
        .or_else(|| THREE.longest_at(hash3(word) as usize, head, text))
        .or_else(|| {
            let pair = word as u16;
            generated::SHORT_WORDS
                .iter()
                .position(|&w| w == pair)
                .map(|i| usize::from(generated::SHORT_KEYWORDS[i]))
        })
}

impl KeywordTable {
    /// The tables for the rules as shipped, whose keyword indices are the sorted built-in
    /// keywords'.
    pub fn shipped() -> (KeywordTable, Shipped) {
        let tables = Shipped {
            longest_keyword: generated::LONGEST_KEYWORD,
            credited: Lists {
                at: generated::CREDITED_AT,
                all: generated::CREDITED_ALL,
            },
            always: generated::ALWAYS,
            rules: generated::RULES,
        };
        (
            KeywordTable {
                mapping: None,
                searched: Default::default(),
                dfa: Default::default(),
            },
            tables,
        )
    }

    /// The built-in tables for `keywords` (a prefilter's keyword list, lowercase), if they
    /// are exactly the built-in keywords in some order.
    pub fn for_keywords(keywords: &[String]) -> Option<KeywordTable> {
        if keywords.len() != keyword_count() {
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
            .enumerate()
            .any(|(k, (ours, _))| ours.as_bytes() != keyword(k))
        {
            return None;
        }
        let runtime_of_sorted: Vec<usize> = sorted.iter().map(|(_, i)| *i).collect();
        let mut sorted_of_runtime = vec![0; keywords.len()];
        for (sorted_index, &runtime) in runtime_of_sorted.iter().enumerate() {
            sorted_of_runtime[runtime] = sorted_index;
        }
        Some(KeywordTable {
            mapping: Some(Mapping {
                runtime_of_sorted,
                sorted_of_runtime,
            }),
            searched: Default::default(),
            dfa: Default::default(),
        })
    }

    /// The keywords (the prefilter's indices) inside keyword `keyword`, itself included:
    /// computed at build time.
    pub fn contained(&self, keyword: usize) -> impl Iterator<Item = usize> + '_ {
        let sorted = self
            .mapping
            .as_ref()
            .map_or(keyword, |m| m.sorted_of_runtime[keyword]);
        let contains = Lists {
            at: generated::CONTAINS_AT,
            all: generated::CONTAINS_ALL,
        };
        contains
            .get(sorted)
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
    /// where one starts, in order, until `hit` returns false. Keywords overlap (`api_key` and
    /// `key=` in `api_key=…`), and a rule whose keyword starts inside another's must still see
    /// its hit, so every position is looked at.
    pub fn for_each_match(&self, hay: &[u8], hit: impl FnMut(usize, usize, usize) -> bool) {
        use std::sync::atomic::Ordering;
        let before = self.searched.fetch_add(hay.len(), Ordering::Relaxed);
        if before + hay.len() >= DFA_AFTER {
            if let Some(dfa) = self.dfa.get_or_init(embedded_dfa) {
                return self.for_each_match_by_dfa(dfa, hay, hit);
            }
        }
        self.for_each_match_by_hash(hay, hit)
    }

    /// [`KeywordTable::for_each_match`] by the DFA: after a hit the search goes on from the
    /// byte after its start.
    fn for_each_match_by_dfa(
        &self,
        dfa: &dense::DFA<&'static [u32]>,
        hay: &[u8],
        mut hit: impl FnMut(usize, usize, usize) -> bool,
    ) {
        let mut input = Input::new(hay);
        while input.start() < hay.len() {
            let Ok(Some(m)) = dfa.try_search_fwd(&input) else {
                return;
            };
            let sorted = usize::from(generated::DFA_ORDER[m.pattern().as_usize()]);
            let end = m.offset();
            let start = end - keyword(sorted).len();
            if !hit(self.runtime_of(sorted), start, end) {
                return;
            }
            input.set_start(start + 1);
        }
    }

    /// [`KeywordTable::for_each_match`] by the hashed tables.
    fn for_each_match_by_hash(&self, hay: &[u8], mut hit: impl FnMut(usize, usize, usize) -> bool) {
        let mut lower = Vec::with_capacity(BLOCK.min(hay.len()) + generated::LONGEST_KEYWORD + 8);
        let mut block_start = 0;
        while block_start < hay.len() {
            let block_end = (block_start + BLOCK).min(hay.len());
            // The block, and enough after it to compare the longest keyword starting in it;
            // NUL (in no keyword) pads the end, so every position has eight bytes to read.
            let read_end = (block_end + generated::LONGEST_KEYWORD).min(hay.len());
            lower.clear();
            lower.extend_from_slice(&hay[block_start..read_end]);
            lower.make_ascii_lowercase();
            lower.extend_from_slice(&[0; 8]);
            let positions = block_end - block_start;
            let mut offset = 0;
            while offset < positions {
                offset = next_candidate(&lower, offset, positions);
                if offset == positions {
                    break;
                }
                let word = word_at(&lower, offset);
                if let Some(sorted) = longest_at(&lower[offset..], word) {
                    let start = block_start + offset;
                    if !hit(
                        self.runtime_of(sorted),
                        start,
                        start + keyword(sorted).len(),
                    ) {
                        return;
                    }
                }
                offset += 1;
            }
            block_start = block_end;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::KeywordTable;
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
    fn the_built_in_tables_serve_the_builtin_keywords_and_only_them() {
        let keywords = builtin_keywords();
        let table =
            KeywordTable::for_keywords(&keywords).expect("built-in keywords use the tables");
        let text = b"x = OpenAI(API_KEY=\"sk-proj-1\") # GHP_ then password";
        let mut hits = Vec::new();
        table.for_each_match(text, |k, start, end| {
            hits.push((keywords[k].clone(), start, end));
            true
        });
        for (k, start, end) in &hits {
            assert_eq!(text[*start..*end].to_ascii_lowercase(), k.as_bytes());
        }
        assert!(hits.iter().any(|(k, _, _)| k == "sk-proj-"), "{hits:?}");
        let mut more = keywords.clone();
        more.push("acme_".into());
        assert!(KeywordTable::for_keywords(&more).is_none());
    }

    /// Against a plain search (at each position, every keyword compared), on a text of
    /// keywords in mixed case, glued together and cut short, across several blocks.
    #[test]
    fn both_searches_find_the_longest_keyword_at_every_position_as_a_plain_search_does() {
        let keywords = builtin_keywords();
        let table = KeywordTable::for_keywords(&keywords).unwrap();
        let mut seed = 0x2545_f491_4f6c_dd1d_u64;
        let mut next = |n: usize| {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            (seed % n as u64) as usize
        };
        let mut text = Vec::new();
        while text.len() < 3 * super::BLOCK / 2 {
            let k = keywords[next(keywords.len())].as_bytes();
            let cut = if next(4) == 0 {
                next(k.len()) + 1
            } else {
                k.len()
            };
            for &b in &k[..cut] {
                text.push(if next(2) == 0 {
                    b.to_ascii_uppercase()
                } else {
                    b
                });
            }
            for _ in 0..next(3) {
                text.push(b" =_-.:/\n\"aZ9\0\xff"[next(13)]);
            }
        }
        let lower = text.to_ascii_lowercase();
        let mut by_pair: std::collections::HashMap<&[u8], Vec<usize>> = Default::default();
        for (i, k) in keywords.iter().enumerate() {
            by_pair.entry(&k.as_bytes()[..2]).or_default().push(i);
        }
        let mut expected = Vec::new();
        for p in 0..lower.len().saturating_sub(1) {
            let longest = by_pair
                .get(&lower[p..p + 2])
                .into_iter()
                .flatten()
                .filter(|&&i| lower[p..].starts_with(keywords[i].as_bytes()))
                .max_by_key(|&&i| keywords[i].len());
            if let Some(&i) = longest {
                expected.push((i, p, p + keywords[i].len()));
            }
        }
        assert!(expected.len() > 10_000);
        let mut by_hash = Vec::new();
        table.for_each_match_by_hash(&text, |k, start, end| {
            by_hash.push((k, start, end));
            true
        });
        assert_eq!(by_hash, expected, "by the hashed tables");
        let mut by_dfa = Vec::new();
        let dfa = super::embedded_dfa().expect("a little-endian target");
        table.for_each_match_by_dfa(&dfa, &text, |k, start, end| {
            by_dfa.push((k, start, end));
            true
        });
        assert_eq!(by_dfa, expected, "by the DFA");
    }
}
