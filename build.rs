//! Build-time work on the built-in rule files (`src/rules/*.toml`), so that a run does not pay
//! for it:
//!
//! - each file is converted to JSON: parsing ~80 KB of TOML took 1.3 ms of every run, half of a
//!   small commit's budget, and the same data as JSON parses in a tenth of that; the rules'
//!   examples go to a separate file that only `keyward rules --check` and the tests read;
//! - the rules' keywords are compiled into one case-insensitive DFA, serialized for
//!   `src/detect/keyword_dfa.rs` to use in place (building the Aho-Corasick automaton over the
//!   same ~280 keywords took 0.6 ms of every run).
//!
//! The TOML stays the source that people edit and review; a malformed file fails the build
//! with its name and position.

use std::collections::BTreeSet;
use std::path::Path;

use regex_automata::dfa::dense;
use regex_automata::util::syntax;

fn main() {
    let rules = Path::new("src/rules");
    let out = Path::new(&std::env::var("OUT_DIR").expect("cargo sets OUT_DIR")).join("rules");
    std::fs::create_dir_all(&out).expect("create OUT_DIR/rules");
    println!("cargo:rerun-if-changed=src/rules");
    let mut entries: Vec<_> = std::fs::read_dir(rules)
        .expect("read src/rules")
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|x| x == "toml"))
        .collect();
    entries.sort();
    let mut keywords: BTreeSet<String> = BTreeSet::new();
    for path in entries {
        println!("cargo:rerun-if-changed={}", path.display());
        let text = std::fs::read_to_string(&path).expect("read rule file");
        let mut value: serde_json::Value = match toml::from_str(&text) {
            Ok(v) => v,
            Err(e) => panic!("{}: {e}", path.display()),
        };
        // Examples are for `keyward rules --check` and the tests only: a separate file, so a
        // scan does not parse a third of the data for nothing.
        let mut examples = serde_json::Map::new();
        for rule in value["rules"].as_array_mut().into_iter().flatten() {
            let Some(fields) = rule.as_object_mut() else {
                continue;
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
        let name = path
            .file_stem()
            .expect("file name")
            .to_string_lossy()
            .into_owned();
        for rule in value["rules"].as_array().into_iter().flatten() {
            for keyword in rule["keywords"].as_array().into_iter().flatten() {
                if let Some(k) = keyword.as_str() {
                    keywords.insert(k.to_lowercase());
                }
            }
        }
        let json = serde_json::to_string(&value).expect("serialize rules");
        std::fs::write(out.join(format!("{name}.json")), json).expect("write rules JSON");
        let json = serde_json::to_string(&examples).expect("serialize examples");
        std::fs::write(out.join(format!("{name}.examples.json")), json)
            .expect("write examples JSON");
    }
    keyword_dfa(&keywords.into_iter().collect::<Vec<_>>(), &out);
    pack_relative_relocations();
}

/// Links the binary with packed relative relocations (`-z pack-relative-relocs`, DT_RELR) where
/// the toolchain and the C library support them: the dynamic loader then applies the binary's
/// tens of thousands of relative relocations from a compact table, which took a twentieth of
/// a small commit's time. Probed by linking and running a tiny program, so an older linker or
/// glibc (before 2.36) just builds without it.
fn pack_relative_relocations() {
    let var = |k: &str| std::env::var(k).unwrap_or_default();
    if var("CARGO_CFG_TARGET_OS") != "linux"
        || var("CARGO_CFG_TARGET_ENV") != "gnu"
        || var("HOST") != var("TARGET")
    {
        return;
    }
    let dir = std::path::PathBuf::from(var("OUT_DIR"));
    let source = dir.join("relr-probe.c");
    let probe = dir.join("relr-probe");
    if std::fs::write(&source, "int main(void) { return 0; }\n").is_err() {
        return;
    }
    let cc = std::env::var("CC").unwrap_or_else(|_| "cc".to_owned());
    let linked = std::process::Command::new(cc)
        .arg(&source)
        .arg("-o")
        .arg(&probe)
        .arg("-pie")
        .arg("-Wl,-z,pack-relative-relocs")
        .output()
        .is_ok_and(|o| o.status.success());
    let runs = linked
        && std::process::Command::new(&probe)
            .status()
            .is_ok_and(|s| s.success());
    if runs {
        println!("cargo:rustc-link-arg-bins=-Wl,-z,pack-relative-relocs");
    }
}

/// Writes `keywords.dfa` (a little-endian dense DFA whose pattern `p` is keyword `ORDER[p]`)
/// and `keywords.rs` (`KEYWORDS`, sorted, and `ORDER`). Patterns go longest first, so the
/// DFA's leftmost-first matches are the leftmost-longest ones the prefilter needs.
fn keyword_dfa(keywords: &[String], out: &Path) {
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
    let source = format!(
        "/// The built-in keywords, lowercase, sorted.\npub const KEYWORDS: &[&str] = &{:?};\n\
         /// `ORDER[p]`: the index in `KEYWORDS` of the DFA's pattern `p`.\n\
         pub const ORDER: &[u16] = &{:?};\n\
         /// `CONTAINS[k]`: the keywords (indices in `KEYWORDS`) inside keyword `k`, itself included.\n\
         pub const CONTAINS: &[&[u16]] = &[{}];\n",
        keywords,
        order,
        contains
            .iter()
            .map(|inner| format!("&{inner:?}"))
            .collect::<Vec<_>>()
            .join(", ")
    );
    std::fs::write(out.join("keywords.rs"), source).expect("write keywords.rs");
}
