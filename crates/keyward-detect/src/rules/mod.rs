//! Rules: what a credential looks like, what it is called, and what its owner should do about it.
//!
//! Rules are data. The built-in ones are TOML files in this folder, embedded at build time, one
//! file per provider family; users add their own through config. A [`Rule`]'s regex is compiled
//! the first time the keyword prefilter says it could match, so start-up does not pay for rules a
//! commit never touches ([`Ruleset::compiled_regexes`] counts what was compiled).

mod builtin;
mod hir_codec;
mod id;
mod pattern;
pub mod schema;
mod shorthands;

use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, OnceLock};

use regex_automata::meta::Regex;
use regex_automata::nfa::thompson::backtrack::BoundedBacktracker;

pub use self::id::RuleId;
pub use self::pattern::{LazyRegex, ShortRegex};
use self::schema::{AllowlistSpec, RuleSpec, RulesFile};
pub use self::shorthands::expand_shorthands;
use crate::detect::checksum::Checksum;

/// Windows up to this long are searched for a rule's `requires` literals one literal at a time.
const SHORT_WINDOW: usize = 16 * 1024;

/// How many bytes a rule's bounded backtracker searches before the rule moves to its full
/// regex (see [`Rule::backtrack_budget`]).
const BACKTRACK_BUDGET: usize = 4 * 1024; // keep Rule::backtrack_budget's doc in step

/// Whether a finding blocks the commit.
#[derive(Clone, Copy, Debug, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Severity {
    /// Blocks the commit (exit 1).
    Error,
    /// Reported, does not block.
    Warning,
}

/// The descriptive half of a rule, shared by every finding it produces.
#[derive(Clone, Debug)]
pub struct RuleInfo {
    /// The rule's id.
    pub id: RuleId,
    /// What the secret is, for people.
    pub description: String,
    /// Whether a finding blocks.
    pub severity: Severity,
    /// The environment variable to read the secret from instead.
    pub env: Option<String>,
    /// Where to revoke and rotate it.
    pub rotate: Option<String>,
    /// The consequence of publishing it.
    pub why: Option<String>,
    /// Labels.
    pub tags: Vec<String>,
}

impl RuleInfo {
    /// Whether this is one of the generic rules (tagged `generic`), which name no provider.
    pub fn is_generic(&self) -> bool {
        self.tags.iter().any(|t| t == "generic")
    }
}

/// One detection rule, ready to run.
#[derive(Debug)]
pub struct Rule {
    /// Id, description and advice.
    pub info: Arc<RuleInfo>,
    regex_source: String,
    regex: OnceLock<Result<Regex, String>>,
    fast_regex: OnceLock<Result<Regex, String>>,
    /// The NFA for short windows, searched by the bounded backtracker (see [`Rule::backtracker`]).
    backtracker: OnceLock<Result<BoundedBacktracker, String>>,
    /// Bytes the backtracker has searched so far (see [`Rule::backtrack_budget`]).
    backtracked: AtomicUsize,
    /// The capture group that holds the secret.
    pub secret_group: Option<usize>,
    /// Minimum entropy of the secret.
    pub entropy: Option<f64>,
    /// Prefilter literals (lowercase); empty means "always run".
    pub keywords: Vec<String>,
    /// Second-stage literals, searched in the keyword windows (see [`Rule::requires`]).
    requires: Vec<String>,
    requires_automaton: OnceLock<Option<aho_corasick::AhoCorasick>>,
    /// Only paths matching this apply.
    pub path: Option<LazyRegex>,
    /// Checksum to verify.
    pub checksum: Option<Checksum>,
    /// Whether the value is base64 of the secret.
    pub decode_base64: bool,
    /// Whether values that read as words or identifiers are rejected.
    pub reject_identifiers: bool,
    /// Whether the regex runs over whole runs of lines rather than around keyword hits.
    pub multiline: bool,
    /// Lines that must match (templates).
    pub examples: Vec<String>,
    /// Lines that must not match.
    pub counter_examples: Vec<String>,
    /// The path the examples are checked under.
    pub example_path: String,
    /// Per-rule allowlists.
    pub allowlists: Vec<Allowlist>,
    /// Whether the rule ships with keyward (its examples are in [`Ruleset::builtin_examples`]).
    pub builtin: bool,
}

/// A rule's examples, as `keyward rules --check` tests them.
#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct Examples {
    /// Lines that must match (templates).
    #[serde(default)]
    pub examples: Vec<String>,
    /// Lines that must not match.
    #[serde(default)]
    pub counter_examples: Vec<String>,
    /// The path they are checked under.
    pub example_path: Option<String>,
}

/// What an allowlist regex is matched against.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AllowTarget {
    /// The secret alone.
    Secret,
    /// The whole regex match.
    Match,
    /// The line holding the secret.
    Line,
}

/// A compiled allowlist.
#[derive(Debug, Default)]
pub struct Allowlist {
    /// Regexes on [`Allowlist::target`].
    pub regexes: Vec<LazyRegex>,
    /// What the regexes see.
    pub target: Option<AllowTarget>,
    /// Regexes on the path.
    pub paths: Vec<LazyRegex>,
    /// Lowercase substrings of the secret.
    pub stopwords: Vec<String>,
    /// Commit ids (lowercase hex, maybe abbreviated) whose findings are allowed.
    pub commits: Vec<String>,
    /// Every criterion that is set must match (gitleaks' `condition = "AND"`), not just one.
    pub all_criteria: bool,
    /// The rules a global allowlist applies to; empty for all.
    pub target_rules: Vec<String>,
    /// What the allowlist is for, as its author wrote it: reports give it as the reason a
    /// finding was suppressed.
    pub description: String,
}

/// Why a rule could not be loaded. Names the file, and where the TOML had it, line and column.
#[derive(Debug, thiserror::Error)]
#[error("{origin}{}: {message}", location.map(|(l, c)| format!(":{l}:{c}")).unwrap_or_default())]
pub struct RuleError {
    /// The file the rule came from (`src/rules/openai.toml`, `.keyward.toml`).
    pub origin: String,
    /// 1-based line and column in that file, when known.
    pub location: Option<(usize, usize)>,
    /// What is wrong.
    pub message: String,
}

/// Whether `name` can be an environment variable's name in every language keyward writes a
/// lookup for: ASCII letters, digits and `_`, not starting with a digit.
fn is_env_name(name: &str) -> bool {
    let mut chars = name.chars();
    chars
        .next()
        .is_some_and(|c| c.is_ascii_alphabetic() || c == '_')
        && chars.all(|c| c.is_ascii_alphanumeric() || c == '_')
}

impl Rule {
    /// Builds a rule from its TOML form. Regexes other than the main one are compiled now;
    /// the main one on first use.
    ///
    /// `builtin` sets the default of `multiline` (see [`schema::RuleSpec::multiline`]).
    pub fn from_spec(spec: RuleSpec, origin: &str, builtin: bool) -> Result<Rule, RuleError> {
        let err = |message: String| RuleError {
            origin: origin.to_owned(),
            location: None,
            message: format!("rule {:?}: {message}", spec.id),
        };
        let id = RuleId::new(&spec.id).map_err(err)?;
        let regex_source = expand_shorthands(
            spec.regex
                .as_deref()
                .ok_or_else(|| err("has no `regex`".into()))?,
        );
        let decode_base64 = match spec.decode.as_deref() {
            None => false,
            Some("base64") => true,
            Some(other) => return Err(err(format!("decode {other:?} is not `base64`"))),
        };
        let severity = match spec.severity.as_deref() {
            None | Some("error") => Severity::Error,
            Some("warning") => Severity::Warning,
            Some(other) => {
                return Err(err(format!(
                    "severity {other:?} is not `error` or `warning`"
                )))
            }
        };
        let checksum = spec
            .checksum
            .as_deref()
            .map(|c| Checksum::from_name(c).ok_or_else(|| err(format!("unknown checksum {c:?}"))))
            .transpose()?;
        let path = spec
            .path
            .as_deref()
            .map(|p| LazyRegex::new(p, builtin).map_err(|e| err(format!("path regex: {e}"))))
            .transpose()?;
        let allowlists = spec
            .allowlists
            .iter()
            .chain(&spec.allowlist)
            .map(|a| Allowlist::from_spec(a, builtin).map_err(&err))
            .collect::<Result<_, _>>()?;
        // Every text a rule carries ends up on a terminal, in a CI log or in a rewritten line:
        // a config that comes with a repository must not smuggle control characters into them.
        if let Some(env) = &spec.env {
            if !is_env_name(env) {
                return Err(err(format!(
                    "env {env:?} is not a variable name (letters, digits and _, not starting \
                     with a digit)"
                )));
            }
        }
        for (field, text) in [
            ("description", Some(&spec.description)),
            ("why", spec.why.as_ref()),
            ("rotate", spec.rotate.as_ref()),
        ] {
            if text.is_some_and(|t| t.chars().any(crate::finding::is_unprintable)) {
                return Err(err(format!(
                    "{field} holds a control or bidirectional character"
                )));
            }
        }
        let description = if spec.description.is_empty() {
            spec.id.clone()
        } else {
            spec.description.clone()
        };
        Ok(Rule {
            info: Arc::new(RuleInfo {
                id,
                description,
                severity,
                env: spec.env,
                rotate: spec.rotate,
                why: spec.why,
                tags: spec.tags,
            }),
            regex_source,
            regex: OnceLock::new(),
            fast_regex: OnceLock::new(),
            backtracker: OnceLock::new(),
            backtracked: AtomicUsize::new(0),
            secret_group: spec.secret_group,
            entropy: spec.entropy,
            keywords: spec.keywords.iter().map(|k| k.to_lowercase()).collect(),
            requires: spec
                .requires
                .iter()
                .map(|r| r.to_ascii_lowercase())
                .collect(),
            requires_automaton: OnceLock::new(),
            path,
            checksum,
            decode_base64,
            multiline: spec.multiline.unwrap_or(!builtin),
            reject_identifiers: spec.reject_identifiers.unwrap_or(false),
            examples: spec.examples,
            counter_examples: spec.counter_examples,
            example_path: spec
                .example_path
                .unwrap_or_else(|| "example.txt".to_owned()),
            allowlists,
            builtin,
        })
    }

    /// The rule's id.
    pub fn id(&self) -> &RuleId {
        &self.info.id
    }

    /// Whether `window` holds one of the rule's `requires` literals (always, when it has none).
    ///
    /// A short window (the usual case: a few lines around a keyword) is lowercased once and
    /// searched for each literal with `memmem`, which costs microseconds; building an automaton
    /// over a hundred provider names costs a tenth of a millisecond, so it is only built for
    /// long windows (minified code), where it pays for itself.
    pub fn requires(&self, window: &[u8]) -> bool {
        if self.requires.is_empty() {
            return true;
        }
        if window.len() <= SHORT_WINDOW && self.requires_automaton.get().is_none() {
            let lower = window.to_ascii_lowercase();
            return self
                .requires
                .iter()
                .any(|literal| memchr::memmem::find(&lower, literal.as_bytes()).is_some());
        }
        let automaton = self.requires_automaton.get_or_init(|| {
            aho_corasick::AhoCorasickBuilder::new()
                .ascii_case_insensitive(true)
                .build(&self.requires)
                .ok()
        });
        automaton.as_ref().is_none_or(|a| a.is_match(window))
    }

    /// The regex source as written.
    pub fn regex_source(&self) -> &str {
        &self.regex_source
    }

    /// The compiled regex, compiling it on first use: the lean build (no literal prefilter) for a
    /// few short windows, or with `large` the build with a literal prefilter, which costs twice
    /// as much to make but searches megabytes of minified code several times faster.
    ///
    /// # Errors
    /// The regex does not compile or is larger than the size limit.
    pub fn regex(&self, counter: &AtomicUsize, large: bool) -> Result<&Regex, &str> {
        let (cell, prefilter) = if large {
            (&self.fast_regex, true)
        } else {
            (&self.regex, false)
        };
        cell.get_or_init(|| {
            if !self.is_compiled() {
                counter.fetch_add(1, Ordering::Relaxed);
            }
            pattern::compile_with(&pattern::parse(&self.regex_source)?, prefilter)
        })
        .as_ref()
        .map_err(|e| e.as_str())
    }

    /// The rule's pattern as a bounded backtracker, compiled on first use: what a few short
    /// windows (a typical commit) are searched with. It is only the pattern's NFA, which costs
    /// about a third of the full regex (no reverse NFA, no lazy DFA to set up and warm), and on
    /// a window of a few hundred bytes it finds the match and its groups in one pass faster
    /// than the lazy DFA can build its first states. It searches windows up to
    /// [`BoundedBacktracker::max_haystack_len`] bytes (kilobytes for keyward's rules).
    ///
    /// # Errors
    /// The regex does not compile or is larger than the size limit.
    pub fn backtracker(&self, counter: &AtomicUsize) -> Result<&BoundedBacktracker, &str> {
        self.backtracker
            .get_or_init(|| {
                if !self.is_compiled() {
                    counter.fetch_add(1, Ordering::Relaxed);
                }
                pattern::compile_backtracker(&pattern::parse(&self.regex_source)?)
            })
            .as_ref()
            .map_err(|e| e.as_str())
    }

    /// Whether the backtracker may search `bytes` more: it may until it has searched 4 KiB in
    /// all. The backtracker is the cheapest way to search a few windows, but slower per byte
    /// than the lazy DFA; a rule that keeps being searched (a large commit, a whole history)
    /// moves to its full regex, whose build then pays off.
    pub fn backtrack_budget(&self, bytes: usize) -> bool {
        self.backtracked.fetch_add(bytes, Ordering::Relaxed) + bytes <= BACKTRACK_BUDGET
    }

    /// Whether any form of the rule's pattern has been compiled.
    fn is_compiled(&self) -> bool {
        self.regex.get().is_some()
            || self.fast_regex.get().is_some()
            || self.backtracker.get().is_some()
    }
}

impl Allowlist {
    /// Compiles an allowlist from its TOML form.
    ///
    /// # Errors
    /// A regex does not compile or the target is unknown.
    ///
    /// `trusted` skips the syntax check, for the built-in rules the test suite already checks.
    pub fn from_spec(spec: &AllowlistSpec, trusted: bool) -> Result<Allowlist, String> {
        let target = match spec.regex_target.as_deref() {
            None | Some("secret") => AllowTarget::Secret,
            Some("match") => AllowTarget::Match,
            Some("line") => AllowTarget::Line,
            Some(other) => {
                return Err(format!(
                    "allowlist regexTarget {other:?} is not secret, match or line"
                ))
            }
        };
        let all_criteria = match spec.condition.as_deref().map(str::to_ascii_uppercase) {
            None => false,
            Some(c) if c == "OR" => false,
            Some(c) if c == "AND" => true,
            Some(c) => return Err(format!("allowlist condition {c:?} is not OR or AND")),
        };
        let all = |v: &[String]| {
            v.iter()
                .map(|r| LazyRegex::new(r, trusted))
                .collect::<Result<Vec<_>, _>>()
        };
        Ok(Allowlist {
            regexes: all(&spec.regexes).map_err(|e| format!("allowlist regex: {e}"))?,
            target: Some(target),
            paths: all(&spec.paths).map_err(|e| format!("allowlist path: {e}"))?,
            stopwords: spec.stopwords.iter().map(|s| s.to_lowercase()).collect(),
            commits: spec
                .commits
                .iter()
                .map(|c| c.to_ascii_lowercase())
                .collect(),
            all_criteria,
            target_rules: spec.target_rules.clone(),
            description: spec.description.trim().to_owned(),
        })
    }
}

/// Every rule in force, in a stable order.
///
/// A built-in rule is parsed from its JSON only when something needs more of it than its id
/// and keywords (which the prefilter reads from build.rs's table): a small commit parses the
/// handful of rules its keywords pick, not all of them. Parsing every rule and building it took
/// half a millisecond of every run.
#[derive(Debug, Default)]
pub struct Ruleset {
    entries: Vec<Entry>,
    compiled: AtomicUsize,
    /// Whether a rule was added, removed or extended since [`Ruleset::builtin`].
    changed: bool,
}

/// One rule of a [`Ruleset`]: parsed, or a built-in one not needed yet.
#[derive(Debug)]
struct Entry {
    builtin: Option<&'static builtin::Spec>,
    /// Boxed: a rule is large, and most built-in ones are never parsed.
    rule: OnceLock<Box<Rule>>,
}

impl Entry {
    fn parsed(rule: Rule) -> Entry {
        Entry {
            builtin: None,
            rule: OnceLock::from(Box::new(rule)),
        }
    }

    fn id(&self) -> &str {
        match (self.rule.get(), self.builtin) {
            (Some(rule), _) => rule.id().as_str(),
            (None, Some(spec)) => spec.id,
            (None, None) => unreachable!("an entry is a parsed rule or a built-in one"),
        }
    }

    fn rule(&self) -> &Rule {
        self.rule.get_or_init(|| {
            let spec = self
                .builtin
                .expect("an entry is a parsed rule or a built-in one");
            Box::new(parse_builtin(spec))
        })
    }

    fn rule_mut(&mut self) -> &mut Rule {
        self.rule();
        self.rule.get_mut().expect("parsed just above").as_mut()
    }
}

/// Parses a built-in rule. build.rs wrote its JSON from a rule file that the test suite loads
/// and checks rule by rule, so this cannot fail in a tested build; if it did, the run stops
/// (and a hook blocks the commit) naming the rule.
fn parse_builtin(spec: &builtin::Spec) -> Rule {
    let origin = format!("src/rules/{}", spec.file);
    serde_json::from_str::<RuleSpec>(spec.json)
        .map_err(|e| e.to_string())
        .and_then(|parsed| Rule::from_spec(parsed, &origin, true).map_err(|e| e.to_string()))
        .unwrap_or_else(|e| panic!("built-in rule {} in {origin} is broken: {e}", spec.id))
}

/// A rule's keywords, lowercase, read without parsing the rule.
pub enum Keywords<'a> {
    /// A built-in rule's, from build.rs's table.
    Builtin(std::slice::Iter<'a, &'static str>),
    /// A parsed rule's.
    Parsed(std::slice::Iter<'a, String>),
}

impl<'a> Iterator for Keywords<'a> {
    type Item = &'a str;

    fn next(&mut self) -> Option<&'a str> {
        match self {
            Keywords::Builtin(it) => it.next().copied(),
            Keywords::Parsed(it) => it.next().map(String::as_str),
        }
    }
}

impl Ruleset {
    /// The rules that ship with keyward (each parsed when first needed).
    ///
    /// # Errors
    /// None today: the rules were checked when keyward was built. The signature leaves room
    /// for rules read at run time.
    pub fn builtin() -> Result<Ruleset, RuleError> {
        Ok(Ruleset {
            entries: builtin::RULES
                .iter()
                .map(|spec| Entry {
                    builtin: Some(spec),
                    rule: OnceLock::new(),
                })
                .collect(),
            compiled: AtomicUsize::new(0),
            changed: false,
        })
    }

    /// Whether these are the built-in rules as shipped: no config added, removed or extended
    /// one. The prefilter then uses tables build.rs computed.
    pub fn is_as_shipped(&self) -> bool {
        !self.changed && self.entries.len() == builtin::RULES.len()
    }

    /// The built-in rules' examples, counter-examples and example paths, by rule id: kept out
    /// of [`Ruleset::builtin`] (a scan never needs them), read by `keyward rules --check`.
    ///
    /// # Errors
    /// Only if a built-in file is broken, which the test suite rules out.
    pub fn builtin_examples() -> Result<std::collections::HashMap<String, Examples>, RuleError> {
        let mut all = std::collections::HashMap::new();
        for (name, json) in builtin::EXAMPLES {
            let file: std::collections::HashMap<String, Examples> = serde_json::from_str(json)
                .map_err(|e| RuleError {
                    origin: format!("src/rules/{name}"),
                    location: None,
                    message: e.to_string(),
                })?;
            all.extend(file);
        }
        Ok(all)
    }

    /// Parses a rules file and adds its rules; a rule with an id already present replaces it.
    ///
    /// # Errors
    /// The TOML is malformed or a rule is invalid; the error names `origin` and the position.
    pub fn add_toml(&mut self, origin: &str, text: &str) -> Result<(), RuleError> {
        let file: RulesFile = toml::from_str(text).map_err(|e| RuleError {
            origin: origin.to_owned(),
            location: e.span().map(|s| line_column(text, s.start)),
            message: e.message().to_owned(),
        })?;
        for spec in file.rules {
            let id = spec.id.clone();
            let rule = Rule::from_spec(spec, origin, true).map_err(|mut e| {
                e.location = find_rule_location(text, &id);
                e
            })?;
            self.push(rule);
        }
        Ok(())
    }

    /// Adds a rule, replacing one with the same id.
    pub fn push(&mut self, rule: Rule) {
        self.changed = true;
        match self
            .entries
            .iter_mut()
            .find(|e| e.id() == rule.id().as_str())
        {
            Some(slot) => *slot = Entry::parsed(rule),
            None => self.entries.push(Entry::parsed(rule)),
        }
    }

    /// Removes the rules with these ids; returns the ids that were not present.
    pub fn disable<'a>(&mut self, ids: impl IntoIterator<Item = &'a str>) -> Vec<String> {
        let mut missing = Vec::new();
        for id in ids {
            let before = self.entries.len();
            self.entries.retain(|e| e.id() != id);
            if self.entries.len() == before {
                missing.push(id.to_owned());
            } else {
                self.changed = true;
            }
        }
        missing
    }

    /// How many rules are in force.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether no rule is in force.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    /// Rule `index` (parsed now if it was not yet).
    ///
    /// # Panics
    /// `index` is out of range.
    pub fn rule(&self, index: usize) -> &Rule {
        self.entries[index].rule()
    }

    /// The id of rule `index`, without parsing it.
    pub fn id(&self, index: usize) -> &str {
        self.entries[index].id()
    }

    /// Whether rule `index` is multi-line, without parsing it.
    pub fn is_multiline(&self, index: usize) -> bool {
        let entry = &self.entries[index];
        match (entry.rule.get(), entry.builtin) {
            (None, Some(spec)) => spec.multiline,
            _ => entry.rule().multiline,
        }
    }

    /// The keywords of rule `index` (lowercase), without parsing it.
    pub fn keywords(&self, index: usize) -> Keywords<'_> {
        let entry = &self.entries[index];
        match (entry.rule.get(), entry.builtin) {
            (None, Some(spec)) => Keywords::Builtin(spec.keywords.iter()),
            _ => Keywords::Parsed(entry.rule().keywords.iter()),
        }
    }

    /// Every rule, in order (parsing those not parsed yet).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = &Rule> {
        self.entries.iter().map(Entry::rule)
    }

    /// Whether a rule with this id is in force (without parsing it).
    pub fn contains(&self, id: &str) -> bool {
        self.entries.iter().any(|e| e.id() == id)
    }

    /// The rule with this id.
    pub fn get(&self, id: &str) -> Option<&Rule> {
        self.entries.iter().find(|e| e.id() == id).map(Entry::rule)
    }

    /// The rule with this id, to extend it (a config's allowlist-only `[[rules]]` entry).
    pub fn get_mut(&mut self, id: &str) -> Option<&mut Rule> {
        self.changed = true;
        self.entries
            .iter_mut()
            .find(|e| e.id() == id)
            .map(Entry::rule_mut)
    }

    /// The ids of the rules whose regexes have been compiled so far.
    pub fn compiled_rule_ids(&self) -> Vec<&str> {
        self.entries
            .iter()
            .filter_map(|e| e.rule.get())
            .filter(|r| r.is_compiled())
            .map(|r| r.id().as_str())
            .collect()
    }

    /// How many rules have been parsed so far (built-in rules are parsed when first needed):
    /// small for a small commit.
    pub fn parsed_rules(&self) -> usize {
        self.entries
            .iter()
            .filter(|e| e.rule.get().is_some())
            .count()
    }

    /// How many rule regexes have been compiled so far: small for a small commit.
    pub fn compiled_regexes(&self) -> usize {
        self.compiled.load(Ordering::Relaxed)
    }

    /// The regex of rule `index`, compiled on first use.
    pub(crate) fn regex(&self, index: usize, large: bool) -> Result<&Regex, &str> {
        self.rule(index).regex(&self.compiled, large)
    }

    /// The bounded backtracker of rule `index`, compiled on first use.
    pub(crate) fn backtracker(&self, index: usize) -> Result<&BoundedBacktracker, &str> {
        self.rule(index).backtracker(&self.compiled)
    }
}

/// 1-based line and column (in characters) of byte `offset` in `text`.
pub(crate) fn line_column(text: &str, offset: usize) -> (usize, usize) {
    let offset = offset.min(text.len());
    let before = &text[..text.floor_char_boundary_compat(offset)];
    let line = before.matches('\n').count() + 1;
    let column = before.rsplit('\n').next().map_or(0, |l| l.chars().count()) + 1;
    (line, column)
}

/// Where `id = "<id>"` is written, to point a rule error at its rule.
fn find_rule_location(text: &str, id: &str) -> Option<(usize, usize)> {
    let needle = regex::Regex::new(&format!(
        r#"(?m)^\s*id\s*=\s*["']{}["']"#,
        regex::escape(id)
    ))
    .ok()?;
    needle.find(text).map(|m| line_column(text, m.start()))
}

trait FloorCharBoundary {
    fn floor_char_boundary_compat(&self, index: usize) -> usize;
}

impl FloorCharBoundary for str {
    fn floor_char_boundary_compat(&self, mut index: usize) -> usize {
        while index > 0 && !self.is_char_boundary(index) {
            index -= 1;
        }
        index
    }
}
