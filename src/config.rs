//! Repository config: `.keyward.toml` (or an existing `.gitleaks.toml`) at the work tree's root.
//!
//! A config can add rules (`[[rules]]`, the same schema as the built-in ones), disable built-in
//! rules (`disabledRules`), and allowlist paths, regexes and stopwords for every rule
//! (`[allowlist]` or `[[allowlists]]`). By default it extends the built-in rules; gitleaks'
//! `[extend] useDefault = false` replaces them.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::detect::Detector;
use crate::rules::schema::{AllowlistSpec, RuleSpec};
use crate::rules::{line_column, Allowlist, Rule, RuleError, Ruleset};

/// The config file names looked for at the work tree's root, in order.
pub const FILE_NAMES: [&str; 2] = [".keyward.toml", ".gitleaks.toml"];

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    #[serde(default)]
    extend: Extend,
    #[serde(default)]
    disabled_rules: Vec<String>,
    #[serde(default)]
    rules: Vec<RuleSpec>,
    allowlist: Option<AllowlistSpec>,
    #[serde(default)]
    allowlists: Vec<AllowlistSpec>,
}

#[derive(Debug, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Extend {
    #[serde(default = "yes")]
    use_default: bool,
}

impl Default for Extend {
    fn default() -> Self {
        Extend { use_default: true }
    }
}

fn yes() -> bool {
    true
}

/// A loaded config, ready to build the detector.
#[derive(Debug, Default)]
pub struct Config {
    /// The file it came from, if any.
    pub origin: Option<PathBuf>,
    use_default: bool,
    disabled: Vec<String>,
    rules: Vec<Rule>,
    allowlists: Vec<Allowlist>,
}

impl Config {
    /// No file: the built-in rules as they are.
    pub fn builtin() -> Config {
        Config {
            use_default: true,
            ..Config::default()
        }
    }

    /// Finds the config in `root` (the work tree's root); the built-in rules if there is none.
    ///
    /// # Errors
    /// A config file exists but cannot be read or is invalid.
    pub fn discover(root: &Path) -> Result<Config, RuleError> {
        for name in FILE_NAMES {
            let path = root.join(name);
            if path.is_file() {
                return Config::load(&path);
            }
        }
        Ok(Config::builtin())
    }

    /// Loads the config at `path`.
    ///
    /// # Errors
    /// The file cannot be read, is not valid TOML, or a rule or allowlist is invalid; the error
    /// names the file, and the line and column where that is known.
    pub fn load(path: &Path) -> Result<Config, RuleError> {
        let origin = path.display().to_string();
        let text = std::fs::read_to_string(path).map_err(|e| RuleError {
            origin: origin.clone(),
            location: None,
            message: format!("cannot read: {e}"),
        })?;
        let mut config = Config::parse(&origin, &text)?;
        config.origin = Some(path.to_path_buf());
        Ok(config)
    }

    /// Parses config `text`, naming it `origin` in errors.
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn parse(origin: &str, text: &str) -> Result<Config, RuleError> {
        let file: ConfigFile = toml::from_str(text).map_err(|e| RuleError {
            origin: origin.to_owned(),
            location: e.span().map(|s| line_column(text, s.start)),
            message: e.message().to_owned(),
        })?;
        let mut rules = Vec::new();
        for spec in file.rules {
            let id = spec.id.clone();
            let at = |mut e: RuleError| {
                e.location = locate(text, &format!("id = \"{id}\"")).or(e.location);
                e
            };
            let rule = Rule::from_spec(spec, origin, false).map_err(at)?;
            // A user's regex is compiled now, so a mistake is reported at load, with its place.
            rule.regex(&Default::default(), false).map_err(|message| {
                at(RuleError {
                    origin: origin.to_owned(),
                    location: None,
                    message: format!("rule {:?}: regex does not compile: {message}", id),
                })
            })?;
            rules.push(rule);
        }
        let allowlists = file
            .allowlist
            .iter()
            .chain(&file.allowlists)
            .map(|spec| {
                Allowlist::from_spec(spec, false).map_err(|message| RuleError {
                    origin: origin.to_owned(),
                    location: locate(text, "allowlist"),
                    message,
                })
            })
            .collect::<Result<_, _>>()?;
        Ok(Config {
            origin: None,
            use_default: file.extend.use_default,
            disabled: file.disabled_rules,
            rules,
            allowlists,
        })
    }

    /// The detector this config describes.
    ///
    /// # Errors
    /// A built-in rule file is broken (ruled out by the tests).
    pub fn detector(self) -> Result<Detector, RuleError> {
        let mut ruleset = if self.use_default {
            Ruleset::builtin()?
        } else {
            Ruleset::default()
        };
        for rule in self.rules {
            ruleset.push(rule);
        }
        ruleset.disable(self.disabled.iter().map(String::as_str));
        Ok(Detector::new(ruleset, self.allowlists))
    }
}

fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    text.find(needle).map(|offset| line_column(text, offset))
}

#[cfg(test)]
mod tests {
    use super::Config;

    #[test]
    fn errors_name_the_file_line_and_column() {
        let err = Config::parse(".keyward.toml", "[allowlist]\npaths = [\n  42,\n]\n").unwrap_err();
        let text = err.to_string();
        assert!(text.starts_with(".keyward.toml:3:"), "{text}");
        let err = Config::parse(
            "c.toml",
            "\n[[rules]]\nid = \"x\"\nregex = '(unclosed'\nkeywords=['x']\n",
        )
        .unwrap_err();
        assert!(err.to_string().starts_with("c.toml:3:1"), "{err}");
    }
}
