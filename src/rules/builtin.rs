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
}
