//! The detector over arbitrary bytes, as the added lines of a file: no panic, and every finding
//! points inside the content at exactly the bytes of its secret.
#![no_main]

use std::sync::OnceLock;

use keyward_detect::AddedLines;
use keyward_detect::{Detector, Ruleset};
use libfuzzer_sys::fuzz_target;

fn detector() -> &'static Detector {
    static DETECTOR: OnceLock<Detector> = OnceLock::new();
    DETECTOR.get_or_init(|| Detector::new(Ruleset::builtin().unwrap(), Vec::new()))
}

fuzz_target!(|data: &[u8]| {
    let paths: [&[u8]; 4] = [b"app.py", b".env", b"k8s/secret.yaml", b"weird\nname"];
    let path = paths[data.len() % paths.len()];
    let findings = detector()
        .scan(path, data, &AddedLines::all())
        .expect("built-in rules compile");
    let lines = keyward::source::line_count(data);
    for f in findings {
        assert!(f.location.line >= 1 && f.location.line as usize <= lines.max(1));
        assert!(f.location.end_line >= f.location.line);
        assert!(!f.secret.is_empty());
        assert!(f.line.secret.end <= f.line.text.len());
        let _ = f.fingerprint(b"fuzz-salt");
        let _ = f.secret.redacted();
    }
});
