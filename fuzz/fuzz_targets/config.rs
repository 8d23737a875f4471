//! Config parsing (`.keyward.toml` and `.gitleaks.toml` meanings): any text is either a config
//! or an error that names the file; a config always builds a detector that can scan.
#![no_main]

use keyward_detect::config::Config;
use keyward_detect::AddedLines;
use libfuzzer_sys::fuzz_target;

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    for origin in [".keyward.toml", ".gitleaks.toml"] {
        match Config::parse(origin, text) {
            Ok(config) => {
                if let Ok(detector) = config.detector() {
                    let _ = detector.scan(b"a.txt", text.as_bytes(), &AddedLines::all());
                }
            }
            Err(e) => assert!(e.to_string().starts_with(origin)),
        }
    }
});
