//! keyward's secret detector: bytes and the lines a change adds in, findings with their fix out.
//!
//! This crate is the part of keyward that knows what a credential looks like. It knows nothing
//! of git, terminals or processes (no gix, no CLI, no printing), so anything can embed it: the
//! `keyward` pre-commit hook, tests and benchmarks, fuzz targets, an editor integration, a
//! server that screens pasted text.
//!
//! - A [`Ruleset`] holds the rules: the built-in ones (TOML, embedded at build time, one file per
//!   provider family) and a user's (`.keyward.toml` or `.gitleaks.toml`, through [`config`]).
//! - A [`Detector`] scans one file's bytes, given which lines are added ([`AddedLines`]), and
//!   returns [`Finding`]s: the rule, the secret's exact place, never reported outside the added
//!   lines.
//! - [`suggest::suggest`] turns a finding into the line that reads the key from the environment
//!   instead, in the file's own language, and says where to keep the value.
//! - [`redact`] is the only way a secret becomes text.
//!
//! ```
//! use keyward_detect::{AddedLines, Detector, Ruleset};
//!
//! let detector = Detector::new(Ruleset::builtin()?, Vec::new());
//! // A fake, format-valid token (no real key is ever stored in source).
//! let token = keyward_detect::fake::expand("ghp_{alnum:30}{crc32-base62}", 42)?;
//! let file = format!("import os\nTOKEN = \"{token}\"\n");
//! // Line 2 (0-based range 1..2) is what the change adds.
//! let added = AddedLines::from_ranges(vec![1..2]);
//! let findings = detector.scan(b"deploy.py", file.as_bytes(), &added)?;
//! assert_eq!(findings[0].rule.id.as_str(), "github-pat");
//! assert_eq!(findings[0].location.line, 2);
//! let fix = keyward_detect::suggest::suggest(&findings[0]);
//! assert_eq!(fix.replacement.as_deref(), Some("TOKEN = os.environ[\"GITHUB_TOKEN\"]"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

mod added_lines;
pub mod check;
pub mod config;
pub mod detect;
pub mod fake;
pub mod finding;
pub mod redact;
pub mod rules;
pub mod suggest;

pub use added_lines::{line_count, AddedLines, Chunk};
pub use detect::Detector;
pub use finding::Finding;
pub use rules::Ruleset;
