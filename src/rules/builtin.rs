//! The built-in rule files, embedded at build time. A test checks this list against the folder.

/// `(file name, contents)` of every built-in rules file, in load order: specific providers
/// first, generic rules last, so a specific rule claims a secret before a generic one.
pub(super) const FILES: &[(&str, &str)] = &[
    ("openai.toml", include_str!("openai.toml")),
    ("anthropic.toml", include_str!("anthropic.toml")),
    ("ai.toml", include_str!("ai.toml")),
    ("github.toml", include_str!("github.toml")),
    ("registries.toml", include_str!("registries.toml")),
    ("aws.toml", include_str!("aws.toml")),
    ("cloud.toml", include_str!("cloud.toml")),
    ("payments.toml", include_str!("payments.toml")),
    ("messaging.toml", include_str!("messaging.toml")),
    ("saas.toml", include_str!("saas.toml")),
    ("observability.toml", include_str!("observability.toml")),
    ("keys.toml", include_str!("keys.toml")),
    ("urls.toml", include_str!("urls.toml")),
    ("generic.toml", include_str!("generic.toml")),
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
        let mut listed: Vec<String> = super::FILES.iter().map(|(n, _)| n.to_string()).collect();
        listed.sort();
        assert_eq!(listed, on_disk);
    }
}
