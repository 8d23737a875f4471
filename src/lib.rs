//! keyward: the secret-blocking pre-commit hook, as a library.
//!
//! keyward reads what a commit adds (the index against HEAD, through gix), finds API keys and
//! other credentials on the added lines with the shared detector ([`keyward_detect`]), and
//! explains each one: where it is, what it is, why it must not be committed, and the line that
//! reads it from the environment instead. The `keyward` binary is a thin layer over this crate:
//!
//! - [`source`]: the staged changes ([`source::Staged`]), a range of commits
//!   ([`source::History`]) or plain files, one [`source::FileChange`] at a time, with the lines
//!   that are added;
//! - [`repo_config`]: the repository's `.keyward.toml` / `.gitleaks.toml`, read safely;
//! - [`pipeline`]: a whole source through the detector, on several cores for large changes;
//! - [`report`]: human, JSON and SARIF output into any writer;
//! - [`fix`]: the opt-in rewrite of the work tree (`keyward fix`);
//! - [`ignore`]: the ignore file of known findings;
//! - [`hook`]: installing the git hook;
//! - [`confined`]: the one way files the repository controls are opened;
//! - [`project`]: the project around a finding, for the fix (what ships, which CI).
//!
//! ```
//! use keyward_detect::{Detector, Ruleset};
//!
//! let detector = Detector::new(Ruleset::builtin()?, Vec::new());
//! let token = keyward_detect::fake::expand("ghp_{alnum:30}{crc32-base62}", 42)?;
//! let old = b"import os\n";
//! let new = format!("import os\nTOKEN = \"{token}\"\n");
//! let added = keyward::source::added_lines(old, new.as_bytes());
//! let findings = detector.scan(b"deploy.py", new.as_bytes(), &added)?;
//! assert_eq!(findings[0].rule.id.as_str(), "github-pat");
//! # Ok::<(), Box<dyn std::error::Error>>(())
//! ```
#![deny(missing_docs)]

pub mod confined;
pub mod fix;
pub mod hook;
pub mod ignore;
pub mod pipeline;
pub mod project;
pub mod repo_config;
pub mod report;
pub mod source;
