//! The rule linter: every rule's regex compiles, has keywords, matches its examples and not its
//! counter-examples. The test suite runs it on the built-in rules; `keyward rules --check` runs it
//! on a user's.

use std::fmt;

use crate::detect::Detector;
use crate::rules::{Examples, Ruleset};
use crate::AddedLines;

/// One thing wrong with one rule.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Problem {
    /// The rule's id.
    pub rule: String,
    /// What is wrong.
    pub message: String,
}

impl fmt::Display for Problem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}: {}", self.rule, self.message)
    }
}

/// Seed for example templates: fixed, so a failure reproduces.
const EXAMPLE_SEED: u64 = 0x006b_6579_7761_7264;

/// Checks every rule of `detector`; returns all problems at once (empty when all is well).
pub fn check(detector: &Detector) -> Vec<Problem> {
    let ruleset: &Ruleset = detector.ruleset();
    let mut problems = Vec::new();
    let mut seen = std::collections::HashSet::new();
    let builtin = Ruleset::builtin_examples().unwrap_or_default();
    for (index, rule) in ruleset.iter().enumerate() {
        let id = rule.id().to_string();
        let mut problem = |message: String| {
            problems.push(Problem {
                rule: id.clone(),
                message,
            })
        };
        if !seen.insert(rule.id().clone()) {
            problem("duplicate id".into());
        }
        if let Err(e) = ruleset.regex(index, false) {
            problem(format!("regex does not compile: {e}"));
            continue;
        }
        if rule.keywords.is_empty() {
            problem("no keywords: its regex would run on every line of every commit".into());
        }
        let own = Examples {
            examples: rule.examples.clone(),
            counter_examples: rule.counter_examples.clone(),
            example_path: Some(rule.example_path.clone()),
        };
        let shipped = rule
            .builtin
            .then(|| builtin.get(rule.id().as_str()))
            .flatten();
        let examples = shipped.unwrap_or(&own);
        let example_path = examples
            .example_path
            .clone()
            .unwrap_or_else(|| "example.txt".to_owned());
        if examples.examples.is_empty() {
            problem("no examples that must match".into());
        }
        for (n, template) in examples.examples.iter().enumerate() {
            match expand(template, n) {
                Err(e) => problem(e),
                Ok(line) => {
                    if !rule.keywords.is_empty()
                        && !rule
                            .keywords
                            .iter()
                            .any(|k| line.to_lowercase().contains(k))
                    {
                        problem(format!("example {n} contains none of the keywords: {line}"));
                    }
                    if !fires(detector, &example_path, &line, &id) {
                        problem(format!("example {n} does not match: {line}"));
                    }
                }
            }
        }
        for (n, template) in examples.counter_examples.iter().enumerate() {
            match expand(template, n) {
                Err(e) => problem(e),
                Ok(line) if fires(detector, &example_path, &line, &id) => {
                    problem(format!("counter-example {n} matches: {line}"))
                }
                Ok(_) => {}
            }
        }
    }
    problems
}

fn expand(template: &str, n: usize) -> Result<String, String> {
    crate::fake::expand(template, EXAMPLE_SEED + n as u64).map_err(|e| e.to_string())
}

fn fires(detector: &Detector, path: &str, line: &str, id: &str) -> bool {
    let content = format!("{line}\n");
    detector
        .scan(path.as_bytes(), content.as_bytes(), &AddedLines::all())
        .map(|found| found.iter().any(|f| f.rule.id.as_str() == id))
        .unwrap_or(false)
}
