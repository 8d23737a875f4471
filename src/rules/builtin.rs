//! The built-in rule files, embedded at build time. A test checks this list against the folder.

/// `(file name, the rules as JSON, their examples as JSON)`: build.rs converts each TOML file
/// to JSON, which parses in a tenth of the time, and moves the examples (`{id: {examples,
/// counterExamples, examplePath}}`) to a file of their own that a scan never parses.
macro_rules! builtin {
    ($name:literal) => {
        (
            concat!($name, ".toml"),
            include_str!(concat!(env!("OUT_DIR"), "/rules/", $name, ".json")),
            include_str!(concat!(env!("OUT_DIR"), "/rules/", $name, ".examples.json")),
        )
    };
}

/// Every built-in rules file, in load order: specific providers first, generic rules last, so a
/// specific rule claims a secret before a generic one.
pub(super) const FILES: &[(&str, &str, &str)] = &[
    builtin!("openai"),
    builtin!("anthropic"),
    builtin!("ai"),
    builtin!("github"),
    builtin!("registries"),
    builtin!("aws"),
    builtin!("cloud"),
    builtin!("payments"),
    builtin!("messaging"),
    builtin!("saas"),
    builtin!("observability"),
    builtin!("keys"),
    builtin!("urls"),
    builtin!("generic"),
];

mod parsed {
    include!(concat!(env!("OUT_DIR"), "/rules/hir.rs"));
}

/// The parsed form of `pattern`, in [`super::hir_codec`]'s form, if it is one of the built-in
/// rules' patterns (regexes, path filters, allowlists): build.rs parsed them.
pub(super) fn parsed_pattern(pattern: &str) -> Option<&'static [u8]> {
    parsed::HIR
        .binary_search_by(|(k, _)| (*k).cmp(pattern))
        .ok()
        .map(|i| parsed::HIR[i].1)
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_toml_file_in_the_folder_is_listed() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("src/rules");
        let mut on_disk: Vec<String> = std::fs::read_dir(dir)
            .unwrap()
            .filter_map(|e| e.ok()?.file_name().into_string().ok())
            .filter(|n| n.ends_with(".toml"))
            .collect();
        on_disk.sort();
        let mut listed: Vec<String> = super::FILES.iter().map(|(n, _, _)| n.to_string()).collect();
        listed.sort();
        assert_eq!(listed, on_disk);
    }

    #[test]
    fn every_builtin_pattern_decodes_to_what_its_source_parses_to() {
        let ruleset = crate::rules::Ruleset::builtin().unwrap();
        let config = regex_automata::util::syntax::Config::new()
            .unicode(false)
            .utf8(false);
        let mut patterns: Vec<&str> = Vec::new();
        for rule in ruleset.rules() {
            patterns.push(rule.regex_source());
            patterns.extend(rule.path.as_ref().map(|p| p.as_str()));
            for list in &rule.allowlists {
                patterns.extend(list.regexes.iter().chain(&list.paths).map(|r| r.as_str()));
            }
        }
        for pattern in &patterns {
            let encoded = super::parsed_pattern(pattern)
                .unwrap_or_else(|| panic!("build.rs did not parse {pattern}"));
            let decoded = super::super::hir_codec::decode(encoded)
                .unwrap_or_else(|| panic!("{pattern} does not decode"));
            let parsed = regex_automata::util::syntax::parse_with(pattern, &config).unwrap();
            assert_eq!(decoded, parsed, "{pattern}");
        }
        patterns.sort_unstable();
        patterns.dedup();
        assert_eq!(super::parsed::HIR.len(), patterns.len());
    }
}
