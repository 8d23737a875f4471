//! The built-in rules, embedded at build time (build.rs checks it read every rule file).

/// A built-in rule as build.rs lists it: what the prefilter needs (its id and lowercase
/// keywords) without parsing the rule, and the rule as JSON, parsed when it is first needed.
#[derive(Debug)]
pub(super) struct Spec {
    /// The file it comes from (`openai.toml`).
    pub file: &'static str,
    /// The rule's id.
    pub id: &'static str,
    /// Its keywords, lowercase.
    pub keywords: &'static [&'static str],
    /// Whether it is a multi-line rule.
    pub multiline: bool,
    /// The whole rule (shorthands expanded, examples left out), as JSON.
    pub json: &'static str,
}

mod generated {
    use super::Spec;
    include!(concat!(env!("OUT_DIR"), "/rules/rules.rs"));
}

/// Every built-in rule, in load order: specific providers first, generic rules last, so a
/// specific rule claims a secret before a generic one (build.rs `LOAD_ORDER`).
pub(super) static RULES: &[Spec] = generated::RULES;

/// `(file name, {id: {examples, counterExamples, examplePath}} as JSON)` for each built-in
/// file: kept out of [`RULES`], since a scan never reads them.
pub(super) static EXAMPLES: &[(&str, &str)] = generated::EXAMPLES;

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
    fn every_builtin_pattern_decodes_to_what_its_source_parses_to() {
        let ruleset = crate::rules::Ruleset::builtin().unwrap();
        let config = regex_automata::util::syntax::Config::new()
            .unicode(false)
            .utf8(false);
        let mut patterns: Vec<&str> = Vec::new();
        for rule in ruleset.iter() {
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
        assert_eq!(ruleset.len(), super::RULES.len());
    }
}
