//! The suggestion builder: for a secret found on any line of any file type, the replacement
//! line never contains the secret and building it never panics.
#![no_main]

use std::sync::OnceLock;

use keyward_detect::AddedLines;
use keyward_detect::{Detector, Ruleset};
use libfuzzer_sys::fuzz_target;

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| Detector::new(Ruleset::builtin().unwrap(), Vec::new()))
}

const PATHS: [&str; 12] = [
    "app.py", "index.ts", "main.go", "lib.rs", "App.java", "Program.cs", "run.sh", "a.php",
    ".github/workflows/ci.yml", "docker-compose.yml", "main.tf", "README.md",
];

fuzz_target!(|data: &[u8]| {
    if data.is_empty() {
        return;
    }
    // A real-looking key spliced into fuzzed line text, so the suggestion code runs every time.
    let key = keyward_detect::fake::expand("ghp_{alnum:30}{crc32-base62}", u64::from(data[0])).unwrap();
    let path = PATHS[usize::from(data[0]) % PATHS.len()];
    let rest = String::from_utf8_lossy(&data[1..]);
    let cut = rest.char_indices().map(|(i, _)| i).nth(rest.chars().count() / 2).unwrap_or(0);
    let line = format!("{} {key} {}\n", &rest[..cut], &rest[cut..]);
    let findings = detector()
        .scan(path.as_bytes(), line.as_bytes(), &AddedLines::all())
        .expect("built-in rules compile");
    for f in findings.iter().filter(|f| f.secret.as_bytes() == key.as_bytes()) {
        let suggestion = keyward_detect::suggest::suggest(f);
        if let Some(replacement) = suggestion.replacement {
            assert!(!replacement.contains(key.as_str()), "{replacement}");
        }
    }
});
