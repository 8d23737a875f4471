//! keyward: the secret-blocking pre-commit hook, as a library.
//!
//! keyward reads what a commit adds (the index against HEAD, through gix), finds API keys and
//! other credentials on the added lines, and explains each one: where it is, what it is, why it
//! must not be committed, and the line that reads it from the environment instead. The `keyward`
//! binary is a thin layer over this crate; tests, benchmarks and embedders use the same pieces:
//!
//! - [`source`]: the staged changes ([`source::Staged`]) or plain files, one [`source::FileChange`]
//!   at a time, with the lines that are added;
//! - [`rules`]: the rule model and the built-in rules (TOML, embedded);
//! - [`detect`]: the detector, a keyword prefilter plus lazily compiled regexes;
//! - [`suggest`]: the replacement line in the file's language;
//! - [`report`]: human and JSON output into any writer;
//! - [`pipeline`]: a whole source through the detector, on several cores for large changes;
//! - [`fix`]: the opt-in rewrite of the work tree (`keyward fix`);
//! - [`hook`]: installing the git hook.
//!
//! ```
//! use keyward::{detect::Detector, rules::Ruleset, source::AddedLines};
//!
//! let detector = Detector::new(Ruleset::builtin()?, Vec::new());
//! let token = keyward::fake::expand("ghp_{alnum:30}{crc32-base62}", 42)?;
//! let old = b"import os\n";
//! let new = format!("import os\nTOKEN = \"{token}\"\n");
//! let added = AddedLines::between(old, new.as_bytes());
//! let findings = detector.scan(b"deploy.py", new.as_bytes(), &added)?;
//! assert_eq!(findings[0].rule.id.as_str(), "github-pat");
//! let fix = keyward::suggest::suggest(&findings[0]);
//! assert_eq!(fix.replacement.as_deref(), Some("TOKEN = os.environ[\"GITHUB_TOKEN\"]"));
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod config;
pub mod detect;
pub mod fake;
pub mod finding;
pub mod fix;
pub mod hook;
pub mod ignore;
pub mod pipeline;
pub mod redact;
pub mod report;
pub mod rules;
pub mod source;
pub mod suggest;

pub use detect::Detector;
pub use finding::Finding;
pub use rules::Ruleset;
