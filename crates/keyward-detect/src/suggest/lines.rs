//! The replacement line: the literal holding the secret swapped for the file's own way of
//! reading it, or, where the format keeps secrets in another form (a Kubernetes
//! `secretKeyRef`, a systemd `EnvironmentFile=`, a Render `sync: false`), the line in that form.

use std::ops::Range;

use super::idioms::{idiom, kebab, unit_name, Idiom};
use super::language::{CiSystem, DeployFormat, Language};

/// The line at `path` with the secret at `secret` replaced, or `None` where no line can say it
/// (the advice does).
pub(super) fn replace(
    language: Language,
    path: &str,
    line: &str,
    secret: Range<usize>,
    var: &str,
) -> Option<String> {
    if let Some(whole_line) = replace_whole_line(language, path, line, secret.clone(), var) {
        return whole_line;
    }
    let mut out = replace_literal(language, line, secret, var)?;
    if language == Language::Deploy(DeployFormat::CloudFormation) && path.ends_with(".json") {
        out = out.replace(
            &format!("'{{{{resolve:secretsmanager:{}}}}}'", kebab(var)),
            &format!("\"{{{{resolve:secretsmanager:{}}}}}\"", kebab(var)),
        );
    }
    Some(out)
}

/// `key: <secret>` (a YAML mapping whose whole value is the secret), giving the key.
fn mapping_key<'a>(line: &'a str, secret: &Range<usize>) -> Option<&'a str> {
    let (key, value) = line.split_once(':')?;
    let key = key
        .trim()
        .trim_start_matches("- ")
        .trim_matches(['"', '\'']);
    let value = value.trim().trim_matches(['"', '\'']);
    let whole = value.len() == secret.len() && line[secret.clone()] == *value;
    (whole && !key.is_empty() && !key.contains(' ')).then_some(key)
}

/// Formats where the fix replaces the line's form rather than the literal. `Some(None)`: the
/// line cannot be rewritten (the advice says what to run instead).
fn replace_whole_line(
    language: Language,
    path: &str,
    line: &str,
    secret: Range<usize>,
    var: &str,
) -> Option<Option<String>> {
    let trimmed = line.trim_start();
    let indent = &line[..line.len() - trimmed.len()];
    let lower = var.to_ascii_lowercase();
    let name = kebab(var);
    match language {
        Language::Kubernetes => trimmed.starts_with("value:").then(|| {
            Some(format!(
                "{indent}valueFrom: {{secretKeyRef: {{name: app-secrets, key: {name}}}}}"
            ))
        }),
        Language::Dockerfile => {
            let upper = trimmed.to_ascii_uppercase();
            (upper.starts_with("ENV ") || upper.starts_with("ARG ")).then(|| {
                Some(format!(
                    "{indent}# {var} is passed at run time (docker run -e {var}), or as a build secret (RUN --mount=type=secret,id={lower})"
                ))
            })
        }
        Language::Deploy(DeployFormat::HelmValues) => mapping_key(line, &secret).map(|key| {
            Some(format!(
                "{indent}{key}: \"\"  # from the Secret named by existingSecret (key {name}), read with secretKeyRef"
            ))
        }),
        Language::Deploy(DeployFormat::Systemd) => {
            let assignments = trimmed
                .strip_prefix("Environment=")?
                .trim_matches('"')
                .split_whitespace()
                .count();
            let unit = unit_name(path);
            Some((assignments == 1).then(|| format!("{indent}EnvironmentFile=/etc/{unit}/secrets.env")))
        }
        Language::Deploy(DeployFormat::Render) => trimmed
            .starts_with("value:")
            .then(|| Some(format!("{indent}sync: false"))),
        Language::Deploy(DeployFormat::Heroku) => {
            let comma = if line.trim_end().ends_with(',') { "," } else { "" };
            let key = line[..secret.start].trim().trim_end_matches(['"', ' ', ':']);
            let key = key.trim_start_matches('"');
            Some((!key.is_empty() && !key.contains('"')).then(|| {
                if key == "value" {
                    format!("{indent}\"required\": true{comma}")
                } else {
                    format!("{indent}\"{key}\": {{\"required\": true}}{comma}")
                }
            }))
        }
        Language::Deploy(DeployFormat::Fly) => Some(Some(format!(
            "{indent}# {var} is a Fly secret: fly secrets set {var}=<value>"
        ))),
        Language::Deploy(DeployFormat::Netlify) => Some(Some(format!(
            "{indent}# {var} is a secret environment variable: netlify env:set {var} <value> --secret"
        ))),
        Language::Deploy(DeployFormat::Vercel | DeployFormat::Pulumi) => Some(None),
        Language::Deploy(DeployFormat::Bicep) if trimmed.starts_with("param ") => {
            let declaration = line[..secret.start].trim_end().trim_end_matches(['\'', ' ', '=']);
            Some(Some(declaration.to_owned()))
        }
        Language::Deploy(DeployFormat::Arm) => {
            let key = trimmed.trim_start_matches('"');
            if key.starts_with("value\"") {
                let comma = if line.trim_end().ends_with(',') { "," } else { "" };
                Some(Some(format!(
                    "{indent}\"reference\": {{\"keyVault\": {{\"id\": \"<vault resource id>\"}}, \"secretName\": \"{name}\"}}{comma}"
                )))
            } else if key.starts_with("defaultValue\"") {
                Some(None)
            } else {
                None
            }
        }
        Language::Ci(CiSystem::CircleCi) => mapping_key(line, &secret).map(|key| {
            Some(format!(
                "{indent}# {key} comes from Project Settings > Environment Variables (or a context)"
            ))
        }),
        Language::Ci(CiSystem::Buildkite) => mapping_key(line, &secret).map(|key| {
            Some(format!(
                "{indent}# {key} comes from Buildkite Secrets: list it under the step's secrets:"
            ))
        }),
        // `env: ['KEY=value']`: an env entry is not expanded; the value moves to secretEnv.
        Language::Ci(CiSystem::CloudBuild) => {
            let before = line[..secret.start].trim_end_matches('=');
            let name_start = before
                .rfind(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
                .map_or(0, |i| i + 1);
            let in_env_entry = line[..secret.start].ends_with('=')
                && name_start < before.len()
                && before[..name_start].ends_with(['\'', '"']);
            in_env_entry.then_some(None)
        }
        Language::Ci(CiSystem::Travis | CiSystem::CodeBuild) => {
            let assigned = trimmed.trim_start_matches("- ").split_once('=').is_some_and(|(k, _)| {
                !k.is_empty() && k.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_')
            });
            let mapped = mapping_key(line, &secret).is_some();
            (assigned || mapped).then_some(None)
        }
        _ => None,
    }
}

/// The line with the literal holding the secret replaced by the lookup.
pub(super) fn replace_literal(
    language: Language,
    line: &str,
    secret: Range<usize>,
    var: &str,
) -> Option<String> {
    let idiom = idiom(language, var)?;
    let before = &line[..secret.start];
    // Notebook sources are JSON strings: the quotes around the literal are `\"`.
    if language == Language::Notebook {
        let after = &line[secret.end..];
        if before.ends_with("\\\"") && after.starts_with("\\\"") {
            return Some(format!(
                "{}{}{}",
                &before[..before.len() - 2],
                idiom.whole,
                &after[2..]
            ));
        }
        return None;
    }
    // `\"…\"`: the literal sits inside another string, which the lookup cannot enter.
    if before
        .rfind(['"', '\'', '`'])
        .is_some_and(|open| line[..open].ends_with('\\'))
    {
        return None;
    }
    // The string literal around the secret: the nearest quote before it that opens a string
    // (an even number of that quote precedes it) and the same quote after it.
    let quoted = before.rfind(['"', '\'', '`']).and_then(|open| {
        let q = line.as_bytes()[open] as char;
        let opens = line[..open].matches(q).count().is_multiple_of(2);
        let close = secret.end + line[secret.end..].find(q)?;
        opens.then_some((open, close, q))
    });
    let Some((open, close, q)) = quoted else {
        // Unquoted: YAML values, shell assignments, URLs. Swap the bare value; in a CI file,
        // a value inside a command (not a `key: value` of its own) takes the shell's form.
        let bare = match &idiom.inside {
            Some((inside, _)) if language.is_ci() && mapping_key(line, &secret).is_none() => {
                inside.clone()
            }
            _ => idiom.whole.clone(),
        };
        return Some(format!("{before}{bare}{}", &line[secret.end..]));
    };
    // `b"…"`, `r"…"`: a Rust byte or raw string, which no lookup replaces as it is.
    let before_quote = line[..open].chars().next_back();
    if language == Language::Rust && matches!(before_quote, Some('b' | 'r' | '#')) {
        return None;
    }
    let prefix = &line[open + 1..secret.start];
    let suffix = &line[secret.end..close];
    let (mut head, tail) = (&line[..open], &line[close + 1..]);
    if prefix.is_empty() && suffix.is_empty() {
        // `@"…"` is an Objective-C string object: the lookup replaces the `@` too.
        if language == Language::ObjectiveC {
            head = head.strip_suffix('@').unwrap_or(head);
        }
        return Some(format!("{head}{}{tail}", idiom.whole));
    }
    // The secret is part of a longer string ("Bearer sk-…"): interpolate or concatenate, as
    // the language does.
    Some(format!(
        "{head}{}{tail}",
        joined(language, &idiom, line, q, prefix, suffix)?
    ))
}

/// The string `q prefix SECRET suffix q` rewritten to read the secret.
fn joined(
    language: Language,
    idiom: &Idiom,
    line: &str,
    q: char,
    prefix: &str,
    suffix: &str,
) -> Option<String> {
    if let Some((inside, needs)) = &idiom.inside {
        let inside = if language == Language::Ci(CiSystem::Jenkins) {
            // In a Groovy "…" string `$` interpolates Groovy's variables: escape it so the
            // shell expands the credential, never Groovy.
            let outer = line.find(['\'', '"']).map(|i| line.as_bytes()[i] as char);
            if outer == Some('"') {
                format!("\\{inside}")
            } else {
                inside.clone()
            }
        } else {
            inside.clone()
        };
        return Some(match needs {
            Some(quote) if *quote != q => {
                format!("{quote}{prefix}{inside}{suffix}{quote}")
            }
            _ => format!("{q}{prefix}{inside}{suffix}{q}"),
        });
    }
    let join = idiom.concat?;
    let mut parts = Vec::new();
    if !prefix.is_empty() {
        parts.push(format!("{q}{prefix}{q}"));
    }
    parts.push(idiom.whole.clone());
    if !suffix.is_empty() {
        parts.push(format!("{q}{suffix}{q}"));
    }
    Some(parts.join(join))
}
