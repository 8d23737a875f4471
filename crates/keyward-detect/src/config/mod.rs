//! Repository config: `.keyward.toml` (or an existing `.gitleaks.toml`) at the work tree's root.
//!
//! A config can add rules (`[[rules]]`, the same schema as the built-in ones), extend a rule
//! already in force (a `[[rules]]` entry with an existing id and no `regex` adds its allowlists,
//! keywords and tags), disable rules (`disabledRules`), and allowlist paths, regexes, stopwords
//! and commits, for every rule (`[allowlist]`, `[[allowlists]]`, optionally `targetRules`) or
//! one (`[[rules.allowlists]]`, or gitleaks' older `[rules.allowlist]`).
//!
//! `[extend]` decides what the config builds on: `useDefault` (keyward's built-in rules) and
//! `path` (another config file, relative to this one). A `.keyward.toml` builds on the built-in
//! rules unless it says `useDefault = false`. A `.gitleaks.toml` means what it means to gitleaks:
//! without `[extend]`, its own rules replace the defaults (unless it defines no rule at all, in
//! which case it only adds allowlists to the built-in rules). gitleaks rule ids that keyward
//! names differently are mapped ([`gitleaks::alias`]); what cannot be translated is reported
//! as a warning or an error, never dropped silently.

pub mod gitleaks;

use std::path::{Path, PathBuf};

use serde::Deserialize;

use crate::detect::Detector;
use crate::rules::schema::{AllowlistSpec, RuleSpec};
use crate::rules::{line_column, Allowlist, Rule, RuleError, Ruleset};

/// The config file names looked for at the work tree's root, in order.
pub const FILE_NAMES: [&str; 2] = [".keyward.toml", ".gitleaks.toml"];

/// How deep `[extend] path` chains may go (gitleaks allows two levels too).
const MAX_EXTEND_DEPTH: usize = 3;

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct ConfigFile {
    extend: Option<Extend>,
    #[serde(default)]
    disabled_rules: Vec<String>,
    #[serde(default)]
    rules: Vec<RuleSpec>,
    allowlist: Option<AllowlistSpec>,
    #[serde(default)]
    allowlists: Vec<AllowlistSpec>,
    limits: Option<LimitsSpec>,
}

/// `[limits]`: sizes as a number of bytes or a string with a unit (`"20MiB"`, `"512 KB"`).
#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct LimitsSpec {
    max_file_size: Option<toml::Value>,
    window_before: Option<toml::Value>,
    window_after: Option<toml::Value>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(rename_all = "camelCase")]
struct Extend {
    use_default: Option<bool>,
    path: Option<String>,
    url: Option<String>,
    #[serde(default)]
    disabled_rules: Vec<String>,
}

/// Which tool's meaning a config file has where the two differ (see the module docs).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Flavor {
    Keyward,
    Gitleaks,
}

impl Flavor {
    fn of(path: &str) -> Flavor {
        let name = path.rsplit(['/', '\\']).next().unwrap_or(path);
        if name.to_ascii_lowercase().contains("gitleaks") {
            Flavor::Gitleaks
        } else {
            Flavor::Keyward
        }
    }
}

/// A config rule: a whole new rule, or additions to one already in force.
#[derive(Debug)]
enum UserRule {
    New(Box<Rule>),
    Extend(Extension),
}

/// What an allowlist-only `[[rules]]` entry adds to an existing rule.
#[derive(Debug)]
struct Extension {
    id: String,
    origin: String,
    location: Option<(usize, usize)>,
    allowlists: Vec<Allowlist>,
    keywords: Vec<String>,
    tags: Vec<String>,
    entropy: Option<f64>,
}

/// Reads the files a config names: the config itself and those its `[extend] path` chains to.
///
/// The detector never opens a file: the caller decides what may be read. keyward reads only
/// regular files inside the work tree, never through a symlink, and with a size bound, because
/// a repository's config is written by whoever wrote the repository.
pub trait ConfigFiles {
    /// The text of the file at `path`, or why it cannot be read. The reason must not quote
    /// the file's content.
    ///
    /// # Errors
    /// The file may not or cannot be read.
    fn read(&self, path: &Path) -> Result<String, String>;
}

/// A loaded config, ready to build the detector.
#[derive(Debug, Default)]
pub struct Config {
    /// The file it came from, if any.
    pub origin: Option<PathBuf>,
    /// Things in the config that keyward reads differently or not at all; the binary prints
    /// them, each naming the file.
    pub warnings: Vec<String>,
    /// Bounds on what a scan reads (`[limits]`).
    pub limits: Limits,
    /// `[limits] windowBefore` / `windowAfter`, when set.
    window: (Option<usize>, Option<usize>),
    use_default: bool,
    /// A `.gitleaks.toml` that builds on gitleaks' defaults: gitleaks' default global
    /// allowlist applies too ([`gitleaks::DEFAULT_ALLOWLIST`]).
    gitleaks_defaults: bool,
    disabled: Vec<String>,
    rules: Vec<UserRule>,
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

    /// Loads the config at `path`, and the files it extends, reading each through `files`.
    ///
    /// # Errors
    /// The file cannot be read, is not valid TOML, or a rule or allowlist is invalid; the error
    /// names the file, and the line and column where that is known.
    pub fn load(path: &Path, files: &dyn ConfigFiles) -> Result<Config, RuleError> {
        let mut config = Config::load_at_depth(path, 0, files)?;
        config.origin = Some(path.to_path_buf());
        Ok(config)
    }

    fn load_at_depth(
        path: &Path,
        depth: usize,
        files: &dyn ConfigFiles,
    ) -> Result<Config, RuleError> {
        let origin = path.display().to_string();
        let text = files.read(path).map_err(|message| RuleError {
            origin: origin.clone(),
            location: None,
            message: format!("cannot read: {message}"),
        })?;
        let base_dir = path.parent().unwrap_or(Path::new("."));
        Config::parse_with_base(&origin, &text, Some((base_dir, depth, files)))
    }

    /// Parses config `text`, naming it `origin` in errors. It may not chain another file
    /// (`[extend] path` is an error here: use [`Config::load`] with a [`ConfigFiles`]).
    ///
    /// # Errors
    /// As [`Config::load`].
    pub fn parse(origin: &str, text: &str) -> Result<Config, RuleError> {
        Config::parse_with_base(origin, text, None)
    }

    fn parse_with_base(
        origin: &str,
        text: &str,
        base: Option<(&Path, usize, &dyn ConfigFiles)>,
    ) -> Result<Config, RuleError> {
        let error = |location: Option<(usize, usize)>, message: String| RuleError {
            origin: origin.to_owned(),
            location,
            message,
        };
        // Fields serde skips, kept to say so: a misspelt field (`counterExample`, `envVar`) is
        // otherwise ignored without a word.
        let mut unread: Vec<String> = Vec::new();
        let file: ConfigFile = toml::Deserializer::parse(text)
            .and_then(|de| serde_ignored::deserialize(de, |path| unread.push(path.to_string())))
            .map_err(|e| {
                error(
                    e.span().map(|s| line_column(text, s.start)),
                    e.message().to_owned(),
                )
            })?;
        let flavor = Flavor::of(origin);
        let extend = file.extend.unwrap_or_default();
        let mut warnings: Vec<String> = unread
            .iter()
            .filter(|path| !is_read_elsewhere(path))
            .map(|path| {
                let field = path.rsplit('.').next().unwrap_or(path);
                format!(
                    "{origin}{}: `{path}` is not a field keyward reads (misspelt?); it is ignored",
                    where_(locate(text, field))
                )
            })
            .collect();
        if extend.url.is_some() {
            return Err(error(
                locate(text, "url"),
                "[extend] url is not supported: keyward never fetches rules from the network; \
                 download the file and name it with [extend] path"
                    .into(),
            ));
        }

        // What this file builds on: another config, or nothing.
        let mut config =
            match (&extend.path, base) {
                (Some(_), None) => return Err(error(
                    locate(text, "path"),
                    "[extend] path: this config was given as text, so it cannot name another file"
                        .into(),
                )),
                (Some(_), Some((_, depth, _))) if depth + 1 >= MAX_EXTEND_DEPTH => {
                    return Err(error(
                        locate(text, "path"),
                        format!(
                            "[extend] path: more than {MAX_EXTEND_DEPTH} configs extend each other"
                        ),
                    ))
                }
                (Some(rel), Some((dir, depth, files))) => {
                    Config::load_at_depth(&dir.join(rel), depth + 1, files).map_err(|e| {
                        error(locate(text, "path"), format!("[extend] path {rel:?}: {e}"))
                    })?
                }
                _ => Config::default(),
            };
        let defines_rules = file.rules.iter().any(|r| r.regex.is_some());
        config.use_default = match extend.use_default {
            Some(yes) => yes,
            None if extend.path.is_some() => config.use_default,
            None => flavor == Flavor::Keyward || !defines_rules,
        };
        if flavor == Flavor::Gitleaks && extend.use_default == Some(true) {
            config.gitleaks_defaults = true;
        }

        for spec in file.rules {
            let location = rule_location(text, &spec.id);
            let at = |mut e: RuleError| {
                e.location = location.or(e.location);
                e
            };
            if !spec.required.is_empty() {
                warnings.push(format!(
                    "{origin}{}: rule {:?}: [[rules.required]] (composite rules) is not supported; \
                     the rule reports its own matches, whether or not the required ones are near",
                    where_(location),
                    spec.id
                ));
            }
            if spec.regex.is_none() && spec.path.is_some() {
                // gitleaks reports any file whose name matches such a rule (`*.p12`); keyward
                // scans added lines, so it says so and goes on, as gitleaks' own default
                // config has such rules.
                warnings.push(format!(
                    "{origin}{}: rule {:?}: a rule with a `path` and no `regex` (a file reported \
                     by its name) is not supported; it is skipped",
                    where_(location),
                    spec.id
                ));
                continue;
            }
            if spec.regex.is_none() {
                config
                    .rules
                    .push(UserRule::Extend(extension(spec, origin, location)?));
                continue;
            }
            // keyward's own shorthands first: they are braces RE2 would read as literals.
            // Its path and allowlists are RE2 too (gitleaks' default config has `{{ VAR }}` in
            // a rule's allowlist).
            let spec = RuleSpec {
                regex: spec
                    .regex
                    .as_deref()
                    .map(|r| gitleaks::translate_regex(&crate::rules::expand_shorthands(r))),
                path: spec.path.as_deref().map(gitleaks::translate_regex),
                allowlists: spec
                    .allowlists
                    .iter()
                    .map(gitleaks::translate_allowlist)
                    .collect(),
                allowlist: spec.allowlist.as_ref().map(gitleaks::translate_allowlist),
                ..spec
            };
            let id = spec.id.clone();
            let rule = Rule::from_spec(spec, origin, false).map_err(at)?;
            // A user's regex is compiled now, so a mistake is reported at load, with its place.
            rule.regex(&Default::default(), false).map_err(|message| {
                at(error(
                    None,
                    format!("rule {id:?}: regex does not compile: {message}"),
                ))
            })?;
            config.rules.push(UserRule::New(Box::new(rule)));
        }
        for spec in file.allowlist.iter().chain(&file.allowlists) {
            let translated;
            let spec = if flavor == Flavor::Gitleaks {
                translated = gitleaks::translate_allowlist(spec);
                &translated
            } else {
                spec
            };
            config.allowlists.push(
                Allowlist::from_spec(spec, false)
                    .map_err(|message| error(locate(text, "allowlist"), message))?,
            );
        }
        let limits = file.limits.unwrap_or_default();
        let size = |key: &str, value: &toml::Value| {
            parse_size(value).ok_or_else(|| {
                error(
                    locate(text, key),
                    format!(
                        "[limits] {key} {value} is not a size (bytes, or a string such as \"20MiB\")"
                    ),
                )
            })
        };
        let window = |n: u64| usize::try_from(n).unwrap_or(usize::MAX);
        if let Some(max) = &limits.max_file_size {
            config.limits.max_file_size = size("maxFileSize", max)?;
        }
        if let Some(before) = &limits.window_before {
            config.window.0 = Some(window(size("windowBefore", before)?));
        }
        if let Some(after) = &limits.window_after {
            config.window.1 = Some(window(size("windowAfter", after)?));
        }
        config.disabled.extend(file.disabled_rules);
        config.disabled.extend(extend.disabled_rules);
        config.warnings.extend(warnings);
        Ok(config)
    }

    /// Whether gitleaks' default global allowlist applies (a `.gitleaks.toml` with
    /// `[extend] useDefault = true`), for `-v` to say so.
    pub fn applies_gitleaks_default_allowlist(&self) -> bool {
        self.gitleaks_defaults
    }

    /// The detector this config describes.
    ///
    /// # Errors
    /// A built-in rule file is broken (ruled out by the tests), or a `[[rules]]` entry without a
    /// `regex` names no rule in force.
    pub fn detector(self) -> Result<Detector, RuleError> {
        let mut ruleset = if self.use_default {
            Ruleset::builtin()?
        } else {
            Ruleset::default()
        };
        for rule in self.rules {
            match rule {
                UserRule::New(rule) => ruleset.push(*rule),
                UserRule::Extend(ext) => apply(&mut ruleset, ext)?,
            }
        }
        let disabled: Vec<&str> = self
            .disabled
            .iter()
            .map(|id| resolve(&ruleset, id))
            .collect();
        ruleset.disable(disabled);
        let mut allowlists = self.allowlists;
        if self.gitleaks_defaults {
            allowlists.push(
                Allowlist::from_spec(&gitleaks::default_allowlist(), true)
                    .expect("gitleaks' default allowlist compiles"),
            );
        }
        for list in &mut allowlists {
            for id in &mut list.target_rules {
                *id = resolve(&ruleset, id).to_owned();
            }
        }
        let mut detector = Detector::new(ruleset, allowlists);
        if self.window != (None, None) {
            detector.set_window(
                self.window.0.unwrap_or(crate::detect::WINDOW_BEFORE),
                self.window.1.unwrap_or(crate::detect::WINDOW_AFTER),
            );
        }
        Ok(detector)
    }
}

/// A size: a non-negative integer of bytes, or a string with a unit (B, KB, KiB, MB, MiB, GB,
/// GiB; case-insensitive).
fn parse_size(value: &toml::Value) -> Option<u64> {
    match value {
        toml::Value::Integer(n) => u64::try_from(*n).ok(),
        toml::Value::String(s) => {
            let s = s.trim();
            let split = s.find(|c: char| !c.is_ascii_digit()).unwrap_or(s.len());
            let number: u64 = s[..split].parse().ok()?;
            let unit: u64 = match s[split..].trim().to_ascii_lowercase().as_str() {
                "" | "b" => 1,
                "kb" => 1000,
                "kib" | "k" => 1024,
                "mb" => 1000 * 1000,
                "mib" | "m" => 1024 * 1024,
                "gb" => 1000 * 1000 * 1000,
                "gib" | "g" => 1024 * 1024 * 1024,
                _ => return None,
            };
            number.checked_mul(unit)
        }
        _ => None,
    }
}

/// `id` as the ruleset knows it: itself, or the keyward id of a gitleaks id.
fn resolve<'a>(ruleset: &Ruleset, id: &'a str) -> &'a str {
    if ruleset.contains(id) {
        return id;
    }
    gitleaks::alias(id)
        .filter(|alias| ruleset.contains(alias))
        .unwrap_or(id)
}

fn extension(
    spec: RuleSpec,
    origin: &str,
    location: Option<(usize, usize)>,
) -> Result<Extension, RuleError> {
    let err = |message: String| RuleError {
        origin: origin.to_owned(),
        location,
        message: format!("rule {:?}: {message}", spec.id),
    };
    let allowlists = spec
        .allowlists
        .iter()
        .chain(&spec.allowlist)
        .map(|a| Allowlist::from_spec(a, false).map_err(&err))
        .collect::<Result<_, _>>()?;
    Ok(Extension {
        id: spec.id.clone(),
        origin: origin.to_owned(),
        location,
        allowlists,
        keywords: spec.keywords.iter().map(|k| k.to_lowercase()).collect(),
        tags: spec.tags.clone(),
        entropy: spec.entropy,
    })
}

fn apply(ruleset: &mut Ruleset, ext: Extension) -> Result<(), RuleError> {
    let id = resolve(ruleset, &ext.id).to_owned();
    let Some(rule) = ruleset.get_mut(&id) else {
        return Err(RuleError {
            origin: ext.origin,
            location: ext.location,
            message: format!(
                "rule {:?} has no `regex` and extends no rule in force (see `keyward rules`)",
                ext.id
            ),
        });
    };
    rule.allowlists.extend(ext.allowlists);
    for k in ext.keywords {
        if !rule.keywords.contains(&k) {
            rule.keywords.push(k);
        }
    }
    if let Some(entropy) = ext.entropy {
        rule.entropy = Some(entropy);
    }
    if !ext.tags.is_empty() {
        let info = std::sync::Arc::make_mut(&mut rule.info);
        info.tags.extend(ext.tags);
    }
    Ok(())
}

/// Fields of gitleaks' format that keyward knows and leaves alone on purpose: the config's
/// `title`, the gitleaks version it wants, and a rule's `skipReport` (a rule that only feeds
/// composite rules, which keyward does not support: it reports on its own).
fn is_read_elsewhere(path: &str) -> bool {
    let field = path.rsplit('.').next().unwrap_or(path);
    matches!(field, "title" | "minVersion" | "skipReport")
}

fn where_(location: Option<(usize, usize)>) -> String {
    location
        .map(|(l, c)| format!(":{l}:{c}"))
        .unwrap_or_default()
}

fn locate(text: &str, needle: &str) -> Option<(usize, usize)> {
    text.find(needle).map(|offset| line_column(text, offset))
}

/// Where `id = "<id>"` is written, to point a rule error at its rule.
fn rule_location(text: &str, id: &str) -> Option<(usize, usize)> {
    let needle = regex::Regex::new(&format!(
        r#"(?m)^\s*id\s*=\s*["']{}["']"#,
        regex::escape(id)
    ))
    .ok()?;
    needle.find(text).map(|m| line_column(text, m.start()))
}

/// Bounds on what a scan reads, so a hostile or accidental giant cannot exhaust memory.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Limits {
    /// Files (blobs) larger than this many bytes are skipped and counted, not read. The default,
    /// 100 MiB, is far above any source file and above the 20 MiB minified bundles keyward must
    /// still scan; `[limits] maxFileSize` in the config changes it.
    pub max_file_size: u64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_file_size: 100 * 1024 * 1024,
        }
    }
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

    #[test]
    fn a_user_rule_may_use_the_built_in_shorthands() {
        let text = "[[rules]]\nid = \"acme\"\nregex = '''{START}(acme_[a-z0-9]{20}){END}'''\n\
                    keywords = ['acme_']\n";
        let detector = Config::parse(".keyward.toml", text)
            .unwrap()
            .detector()
            .unwrap();
        let line = b"token = \"acme_q8r3m1x7c4v9z2k6w5t0\"\n"; // keyward:allow
        let found = detector
            .scan(b"a.py", line, &crate::added_lines::AddedLines::all())
            .unwrap();
        assert!(
            found.iter().any(|f| f.rule.id.as_str() == "acme"),
            "{found:?}"
        );
    }

    #[test]
    fn a_gitleaks_config_with_rules_and_no_extend_replaces_the_defaults() {
        let text = "[[rules]]\nid = \"internal\"\nregex = '''int_[a-z0-9]{20}'''\n";
        let own = Config::parse(".gitleaks.toml", text)
            .unwrap()
            .detector()
            .unwrap();
        assert_eq!(own.ruleset().len(), 1);
        let extended = Config::parse(".keyward.toml", text)
            .unwrap()
            .detector()
            .unwrap();
        assert!(extended.ruleset().len() > 100);
    }

    #[test]
    fn gitleaks_ids_reach_keyward_rules() {
        let text = "[extend]\nuseDefault = true\ndisabledRules = ['generic-api-key']\n\
                    [[rules]]\nid = 'aws-access-token'\n[[rules.allowlists]]\nstopwords = ['x']\n";
        let detector = Config::parse(".gitleaks.toml", text)
            .unwrap()
            .detector()
            .unwrap();
        assert!(detector.ruleset().get("generic-secret").is_none());
        let aws = detector.ruleset().get("aws-access-key-id").unwrap();
        assert_eq!(aws.allowlists.last().unwrap().stopwords, ["x"]);
    }

    #[test]
    fn sizes_read_with_units_and_bad_ones_are_named() {
        let config = Config::parse("k.toml", "[limits]\nmaxFileSize = \"2MiB\"\n").unwrap();
        assert_eq!(config.limits.max_file_size, 2 * 1024 * 1024);
        let config = Config::parse("k.toml", "[limits]\nmaxFileSize = 1000\n").unwrap();
        assert_eq!(config.limits.max_file_size, 1000);
        let err = Config::parse("k.toml", "[limits]\nmaxFileSize = \"lots\"\n").unwrap_err();
        assert!(err.to_string().starts_with("k.toml:2:1"), "{err}");
    }

    #[test]
    fn the_keyword_window_is_configurable() {
        use crate::AddedLines;
        // A token 2,000 bytes after its keyword on one long line: beyond the default window.
        let line = format!("api_key={}Zx9Qw7Er5Ty3Ui1Op8As6Df4\n", " ".repeat(2000));
        let text = "[[rules]]\nid = 'far'\nkeywords = ['api_key']\nregex = 'Zx9Q[A-Za-z0-9]{20}'\nmultiline = false\n";
        let near = Config::parse("k.toml", text).unwrap().detector().unwrap();
        let found = near
            .scan(b"a.js", line.as_bytes(), &AddedLines::all())
            .unwrap();
        assert!(found.iter().all(|f| f.rule.id.as_str() != "far"));
        let wide = format!("{text}[limits]\nwindowAfter = \"4KiB\"\n");
        let far = Config::parse("k.toml", &wide).unwrap().detector().unwrap();
        let found = far
            .scan(b"a.js", line.as_bytes(), &AddedLines::all())
            .unwrap();
        assert!(found.iter().any(|f| f.rule.id.as_str() == "far"));
    }

    #[test]
    fn an_extension_of_an_unknown_rule_is_an_error() {
        let err = Config::parse(".keyward.toml", "\n[[rules]]\nid = 'nope'\n")
            .unwrap()
            .detector()
            .unwrap_err();
        assert!(err.to_string().starts_with(".keyward.toml:3:1"), "{err}");
    }
}
