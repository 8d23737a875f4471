//! Build-time work on the built-in rule files (`src/rules/*.toml`), so that a run does not pay
//! for it:
//!
//! - each rule is converted to JSON (parsing ~80 KB of TOML took 1.3 ms of every run, half of
//!   a small commit's budget) and listed in `rules.rs` with its id and keywords, so a run
//!   parses only the rules the prefilter picks; the rules' examples are kept apart, for
//!   `keyward rules --check` and the tests;
//! - the rules' keywords are compiled into one case-insensitive DFA, serialized for
//!   `src/detect/keyword_dfa.rs` to use in place (building the Aho-Corasick automaton over the
//!   same ~280 keywords took 0.6 ms of every run);
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
            for key in ["examples", "counterExamples", "examplePath"] {
                if let Some(v) = fields.remove(key) {
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
    keyword_dfa(
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
        self.rust.push_str(&format!(
            "    Spec {{ file: \"{file}.toml\", id: {id:?}, keywords: &{keywords:?}, json: {json:?} }},\n"
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

/// Writes `keywords.dfa` (a little-endian dense DFA whose pattern `p` is keyword `ORDER[p]`)
/// and `keywords.rs` (`KEYWORDS`, sorted, and `ORDER`). Patterns go longest first, so the
/// DFA's leftmost-first matches are the leftmost-longest ones the prefilter needs.
///
/// For the rules as shipped (no config changed them), it also writes what the prefilter would
/// otherwise work out at every start: `CREDITED[k]`, the rules (load-order indices) that a hit
/// on keyword `k` calls for (its own rules and those of the keywords inside it), and `ALWAYS`,
/// the rules without keywords.
fn keyword_dfa(keywords: &[String], keywords_of_rules: &[Vec<String>], out: &Path) {
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
    let lists = |lists: &[Vec<usize>]| {
        lists
            .iter()
            .map(|list| format!("&{list:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    };
    let source = format!(
        "/// The built-in keywords, lowercase, sorted.\npub const KEYWORDS: &[&str] = &{:?};\n\
         /// `ORDER[p]`: the index in `KEYWORDS` of the DFA's pattern `p`.\n\
         pub const ORDER: &[u16] = &{:?};\n\
         /// `CONTAINS[k]`: the keywords (indices in `KEYWORDS`) inside keyword `k`, itself included.\n\
         pub const CONTAINS: &[&[u16]] = &[{}];\n\
         /// `CREDITED[k]`: the shipped rules a hit on keyword `k` calls for.\n\
         pub const CREDITED: &[&[u16]] = &[{}];\n\
         /// The shipped rules without keywords.\n\
         pub const ALWAYS: &[u16] = &{:?};\n\
         /// How many rules ship.\n\
         pub const RULES: usize = {};\n",
        keywords,
        order,
        lists(&contains),
        lists(&credited),
        always,
        keywords_of_rules.len(),
    );
    std::fs::write(out.join("keywords.rs"), source).expect("write keywords.rs");
}
