//! Build-time work on the built-in rule files (`src/rules/*.toml`), so that a run does not pay
//! for it:
//!
//! - each rule is converted to JSON (parsing ~80 KB of TOML took 1.3 ms of every run, half of
//!   a small commit's budget) and listed in `rules.rs` with its id and keywords, so a run
//!   parses only the rules the prefilter picks; the rules' examples are kept apart, for
//!   `keyward rules --check` and the tests;
//! - the rules' keywords are filed in hashed tables and compiled into a dense DFA for
//!   `src/detect/keyword_table.rs` to search in place (building an Aho-Corasick automaton over
//!   the ~2,300 keywords would take milliseconds of every run);
//! - each rule's pattern is expanded (`src/rules/shorthands.rs`) and parsed, and the parsed form
//!   written for `src/rules/hir_codec.rs` to decode: parsing was over half of what compiling the
//!   few regexes a small commit needs cost.
//!
//! The TOML stays the source that people edit and review; a malformed file fails the build
//! with its name and position.

use std::collections::BTreeSet;
use std::path::Path;

use regex_automata::dfa::dense;
use regex_automata::util::syntax;

#[path = "src/rules/hir_codec.rs"]
mod hir_codec;
#[path = "src/detect/keyword_hash.rs"]
mod keyword_hash;
#[path = "src/rules/shorthands.rs"]
mod shorthands;

/// The built-in rule files in load order: specific providers first, generic rules last, so a
/// specific rule claims a secret before a generic one. Every `src/rules/*.toml` must be listed.
const LOAD_ORDER: &[&str] = &[
    "openai",
    "anthropic",
    // The provider families: one rule per provider and token kind, ahead of the older family
    // files, whose umbrella rules (`ai-service-key`, `saas-token`, `cloud-provider-key`…) now
    // only catch what no specific rule names.
    "ai_services",
    "devtools",
    "cloud_infra",
    "data_services",
    "finance",
    "saas_apps",
    "security",
    // The long tail of API providers, by name.
    "apis_a_to_g",
    "apis_h_to_o",
    "apis_p_to_z",
    "apis_more_a_to_f",
    "apis_more_f_to_r",
    "apis_more_r_to_z",
    "apis_more_kinds",
    "ai",
    "github",
    "registries",
    "aws",
    "cloud",
    "payments",
    "messaging",
    "saas",
    "observability",
    "credentials",
    "keys",
    "urls",
    "generic",
];

fn main() {
    let rules = Path::new("src/rules");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rules");
    std::fs::create_dir_all(&out).expect("create OUT_DIR/rules");
    println!("cargo:rerun-if-changed=src/rules");
    let mut on_disk: Vec<String> = std::fs::read_dir(rules)
        .expect("read src/rules")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .filter_map(|p| Some(p.file_stem()?.to_string_lossy().into_owned()))
        .collect();
    on_disk.sort();
    let mut listed: Vec<String> = LOAD_ORDER.iter().map(|n| n.to_string()).collect();
    listed.sort();
    assert_eq!(
        on_disk, listed,
        "build.rs LOAD_ORDER must list every src/rules/*.toml file"
    );
    let mut keywords: BTreeSet<String> = BTreeSet::new();
    let mut parsed: Vec<(String, Vec<u8>)> = Vec::new();
    let mut table = Table::default();
    let mut keywords_of_rules: Vec<Vec<String>> = Vec::new();
    for name in LOAD_ORDER {
        let path = rules.join(format!("{name}.toml"));
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("read rule file");
        let mut value: serde_json::Value = match toml::from_str(&text) {
            Ok(v) => v,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        // Examples are for `keyward rules --check` and the tests only: kept apart, so a scan
        // does not parse a third of the data for nothing.
        let mut examples = serde_json::Map::new();
        for rule in value["rules"].as_array_mut().into_iter().flatten() {
            let Some(fields) = rule.as_object_mut() else {
                panic!("{}: a rule that is not a table", path.display());
            };
            let id = fields
                .get("id")
                .and_then(|v| v.as_str())
                .unwrap_or_default()
                .to_owned();
            let mut own = serde_json::Map::new();
            for (key, spelt) in [
                ("examples", "examples"),
                ("counterExamples", "counterExamples"),
                ("counterExamples", "counter_examples"),
                ("examplePath", "examplePath"),
            ] {
                if let Some(v) = fields.remove(spelt) {
                    own.insert(key.to_owned(), v);
                }
            }
            examples.insert(id, serde_json::Value::Object(own));
        }
        for rule in value["rules"].as_array_mut().into_iter().flatten() {
            let mut own_keywords = Vec::new();
            for keyword in rule["keywords"].as_array().into_iter().flatten() {
                if let Some(k) = keyword.as_str() {
                    keywords.insert(k.to_lowercase());
                    own_keywords.push(k.to_lowercase());
                }
            }
            // The patterns as a run reads them: shorthands expanded here, and parsed here.
            if let Some(regex) = rule["regex"].as_str() {
                let expanded = shorthands::expand_shorthands(regex);
                parse_into(&expanded, &mut parsed);
                rule["regex"] = serde_json::Value::String(expanded);
            }
            if let Some(path) = rule["path"].as_str() {
                parse_into(path, &mut parsed);
            }
            let lists = rule["allowlists"].as_array().into_iter().flatten();
            for list in lists.chain(rule.get("allowlist")) {
                for key in ["regexes", "paths"] {
                    for pattern in list[key].as_array().into_iter().flatten() {
                        parse_into(pattern.as_str().unwrap_or_default(), &mut parsed);
                    }
                }
            }
            let id = rule["id"].as_str().unwrap_or_default().to_owned();
            keywords_of_rules.push(own_keywords.clone());
            table.rule(&path, name, id, own_keywords, rule);
        }
        table.examples(name, &serde_json::Value::Object(examples));
    }
    table.write(&out);
    keyword_tables(
        &keywords.into_iter().collect::<Vec<_>>(),
        &keywords_of_rules,
        &out,
    );
    parsed_patterns(parsed, &out);
}

/// `rules.rs`: the built-in rules, in load order, each with what a run needs before it needs
/// the rule itself (its id and keywords, for the prefilter) and the rule as JSON, parsed only
/// if the prefilter picks it; and each file's examples, as JSON.
#[derive(Default)]
struct Table {
    rust: String,
    examples: String,
    ids: BTreeSet<String>,
}

impl Table {
    fn rule(
        &mut self,
        path: &Path,
        file: &str,
        id: String,
        keywords: Vec<String>,
        rule: &serde_json::Value,
    ) {
        if !self.ids.insert(id.clone()) {
            panic!("{}: rule {id:?} is defined twice", path.display());
        }
        let json = serde_json::to_string(rule).expect("serialize a rule");
        // Built-in rules are one-line unless they say otherwise (src/rules/mod.rs).
        let multiline = rule
            .get("multiline")
            .and_then(serde_json::Value::as_bool)
            .unwrap_or(false);
        self.rust.push_str(&format!(
            "    Spec {{ file: \"{file}.toml\", id: {id:?}, keywords: &{keywords:?}, multiline: {multiline}, json: {json:?} }},\n"
        ));
    }

    fn examples(&mut self, file: &str, examples: &serde_json::Value) {
        let json = serde_json::to_string(examples).expect("serialize examples");
        self.examples
            .push_str(&format!("    (\"{file}.toml\", {json:?}),\n"));
    }

    fn write(&self, out: &Path) {
        let rust = format!(
            "pub static RULES: &[Spec] = &[\n{}];\n\npub static EXAMPLES: &[(&str, &str)] = &[\n{}];\n",
            self.rust, self.examples
        );
        std::fs::write(out.join("rules.rs"), rust).expect("write rules.rs");
    }
}

/// Parses `pattern` as a run would (`src/rules/pattern.rs`) and adds it, in
/// `src/rules/hir_codec.rs`'s form, to `parsed`. A pattern that does not parse is left out:
/// the test suite and `keyward rules --check` report it, with its file; one that needs
/// Unicode classes is left out too, and parsed at run time.
fn parse_into(pattern: &str, parsed: &mut Vec<(String, Vec<u8>)>) {
    let ascii = syntax::Config::new().unicode(false).utf8(false);
    if let Ok(hir) = syntax::parse_with(pattern, &ascii) {
        let mut encoded = Vec::new();
        hir_codec::encode(&hir, &mut encoded);
        parsed.push((pattern.to_owned(), encoded));
    }
}

/// Writes `hir.rs`: `HIR`, each built-in pattern (rule regexes with their shorthands expanded,
/// path filters, allowlists) and its parsed form, sorted by pattern.
fn parsed_patterns(mut parsed: Vec<(String, Vec<u8>)>, out: &Path) {
    parsed.sort();
    parsed.dedup();
    let mut rust = String::from("pub static HIR: &[(&str, &[u8])] = &[\n");
    for (id, encoded) in parsed {
        let literal: String = encoded
            .iter()
            .flat_map(|b| std::ascii::escape_default(*b))
            .map(char::from)
            .collect();
        rust.push_str(&format!("    ({id:?}, b\"{literal}\"),\n"));
    }
    rust.push_str("];\n");
    std::fs::write(out.join("hir.rs"), rust).expect("write hir.rs");
}

/// Writes `keywords.rs`: `KEYWORD_TEXT`/`KEYWORD_AT` (the keywords, sorted), the hashed
/// tables that find them ([`keyword_index`]), and, for the rules as shipped (no config changed
/// them), what the prefilter would otherwise work out at every start: `CREDITED`, the rules
/// (load-order indices) that a hit on keyword `k` calls for (its own rules and those of the
/// keywords inside it), and `ALWAYS`, the rules without keywords. Lists are written flat, as
/// offsets into one array of plain integers: a table of slices is a table of pointers, which a
/// position-independent binary must relocate, page by page, at every start.
fn keyword_tables(keywords: &[String], keywords_of_rules: &[Vec<String>], out: &Path) {
    let dfa_order = keyword_dfa(keywords, out);
    // For each keyword, the keywords inside it ("key" in "apikey"): a leftmost-longest search
    // reports only the outer one, so it stands for the inner ones too.
    let contains: Vec<Vec<usize>> = keywords
        .iter()
        .map(|outer| {
            (0..keywords.len())
                .filter(|&i| outer.contains(keywords[i].as_str()))
                .collect()
        })
        .collect();
    let credited: Vec<Vec<usize>> = contains
        .iter()
        .map(|inner| {
            (0..keywords_of_rules.len())
                .filter(|&r| {
                    inner
                        .iter()
                        .any(|&k| keywords_of_rules[r].contains(&keywords[k]))
                })
                .collect()
        })
        .collect();
    let always: Vec<usize> = (0..keywords_of_rules.len())
        .filter(|&r| keywords_of_rules[r].is_empty())
        .collect();
    let flat = |name: &str, lists: &[Vec<usize>]| {
        let mut at = vec![0usize];
        let mut all = Vec::new();
        for list in lists {
            all.extend(list.iter().copied());
            at.push(all.len());
        }
        format!(
            "pub const {name}_AT: &[u32] = &{at:?};\npub const {name}_ALL: &[u16] = &{all:?};\n"
        )
    };
    let mut text = String::new();
    let mut text_at = vec![0usize];
    for keyword in keywords {
        text.push_str(keyword);
        text_at.push(text.len());
    }
    let index = keyword_index(keywords);
    let index = format!(
        "{index}/// `DFA_ORDER[p]`: the keyword (sorted index) of `keywords.dfa`'s pattern `p`.\n\
         pub const DFA_ORDER: &[u16] = &{dfa_order:?};\n"
    );
    let source = format!(
        "{index}/// The built-in keywords, lowercase, sorted, one after another: keyword `k` is\n\
         /// `KEYWORD_TEXT[KEYWORD_AT[k]..KEYWORD_AT[k + 1]]`.\n\
         pub const KEYWORD_TEXT: &str = {text:?};\npub const KEYWORD_AT: &[u32] = &{text_at:?};\n\
         /// `CONTAINS`: the keywords (indices) inside keyword `k`, itself included.\n{}\
         /// `CREDITED`: the shipped rules a hit on keyword `k` calls for.\n{}\
         /// The shipped rules without keywords.\n\
         pub const ALWAYS: &[u16] = &{:?};\n\
         /// How many rules ship.\n\
         pub const RULES: usize = {};\n",
        flat("CONTAINS", &contains),
        flat("CREDITED", &credited),
        always,
        keywords_of_rules.len(),
    );
    std::fs::write(out.join("keywords.rs"), source).expect("write keywords.rs");
}

/// The tables `src/detect/keyword_table.rs` finds keywords with, as Rust source: each keyword
/// of four bytes or more is filed under [`keyword_hash::hash4`] of its first four, a
/// three-byte one under [`keyword_hash::hash3`], a two-byte one in a short list. For each
/// hash, a bit says whether anything is filed there (`FILTER4`, `FILTER3`: 8 KB and 512 bytes,
/// which stay in the CPU's nearest cache while a text streams past), and a bucket lists what
/// is, longest first; `RANK4`/`RANK3` count the bits set before each word of the filter, so
/// the bucket of a set bit is found without a table per hash.
fn keyword_index(keywords: &[String]) -> String {
    use keyword_hash::{hash3, hash4, BITS3, BITS4};
    let word = |k: &str| {
        let mut bytes = [0u8; 4];
        for (slot, b) in bytes.iter_mut().zip(k.bytes()) {
            *slot = b;
        }
        u32::from_le_bytes(bytes)
    };
    let mut by_length: Vec<usize> = (0..keywords.len()).collect();
    by_length.sort_by_key(|&k| (std::cmp::Reverse(keywords[k].len()), k));
    let mut short = Vec::new();
    let mut four: Vec<Vec<usize>> = vec![Vec::new(); BITS4];
    let mut three: Vec<Vec<usize>> = vec![Vec::new(); BITS3];
    for &k in &by_length {
        let keyword = &keywords[k];
        assert!(
            keyword.len() >= 2 && keyword.bytes().all(|b| b != 0 && !b.is_ascii_uppercase()),
            "keyword {keyword:?}: keywords are lowercase, without NUL, and two bytes or longer"
        );
        match keyword.len() {
            2 => short.push((word(keyword) as u16, k)),
            3 => three[hash3(word(keyword)) as usize].push(k),
            _ => four[hash4(word(keyword)) as usize].push(k),
        }
    }
    let tables = |name: &str, buckets: &[Vec<usize>]| {
        let mut filter = vec![0u64; buckets.len() / 64];
        let mut rank = vec![0usize; buckets.len() / 64];
        let (mut at, mut all): (Vec<usize>, Vec<usize>) = (vec![0], Vec::new());
        let mut set = 0;
        for (h, bucket) in buckets.iter().enumerate() {
            if h % 64 == 0 {
                rank[h / 64] = set;
            }
            if !bucket.is_empty() {
                filter[h / 64] |= 1 << (h % 64);
                set += 1;
                all.extend(bucket);
                at.push(all.len());
            }
        }
        // Each entry's first eight bytes (NUL-padded): they decide most keywords whole, and
        // the first four (three) tell apart the entries filed under one hash.
        let heads: Vec<u64> = all
            .iter()
            .map(|&k| {
                let mut bytes = [0u8; 8];
                for (slot, b) in bytes.iter_mut().zip(keywords[k].bytes()) {
                    *slot = b;
                }
                u64::from_le_bytes(bytes)
            })
            .collect();
        format!(
            "pub const FILTER{name}: [u64; {}] = {filter:?};\n\
             pub const RANK{name}: [u16; {}] = {rank:?};\n\
             pub const BUCKET{name}_AT: &[u16] = &{at:?};\n\
             pub const BUCKET{name}: &[u16] = &{all:?};\n\
             pub const BUCKET{name}_HEAD: &[u64] = &{heads:?};\n",
            filter.len(),
            rank.len(),
        )
    };
    let (short_words, short_keywords): (Vec<u16>, Vec<usize>) = short.into_iter().unzip();
    let longest = keywords.iter().map(String::len).max().unwrap_or(0);
    format!(
        "{}{}pub const SHORT_WORDS: &[u16] = &{short_words:?};\n\
         pub const SHORT_KEYWORDS: &[u16] = &{short_keywords:?};\n\
         /// The longest keyword's length.\n\
         pub const LONGEST_KEYWORD: usize = {longest};\n",
        tables("4", &four),
        tables("3", &three),
    )
}

/// Writes `keywords.dfa`: the keywords as one case-insensitive dense DFA (little-endian), for
/// long texts, where its one table lookup a byte beats hashing every position
/// (`src/detect/keyword_table.rs`). Patterns go longest first, so its leftmost-first matches
/// are the leftmost-longest ones the prefilter needs. Returns which keyword each pattern is.
fn keyword_dfa(keywords: &[String], out: &Path) -> Vec<usize> {
    let mut order: Vec<usize> = (0..keywords.len()).collect();
    order.sort_by_key(|&i| (std::cmp::Reverse(keywords[i].len()), i));
    let patterns: Vec<String> = order
        .iter()
        .map(|&i| regex_syntax::escape(&keywords[i]))
        .collect();
    let dfa = dense::Builder::new()
        .syntax(
            syntax::Config::new()
                .case_insensitive(true)
                .unicode(false)
                .utf8(false),
        )
        .configure(
            dense::Config::new()
                .match_kind(regex_automata::MatchKind::LeftmostFirst)
                .start_kind(regex_automata::dfa::StartKind::Unanchored)
                .minimize(false),
        )
        .build_many(&patterns)
        .expect("the keywords compile to a DFA");
    let (bytes, pad) = dfa.to_bytes_little_endian();
    std::fs::write(out.join("keywords.dfa"), &bytes[pad..]).expect("write keywords.dfa");
    order
}
