//! The fix for a finding: which environment variable to read, the replacement line in the
//! file's own language, and where to keep the value instead.

mod imports;
mod language;

use std::ops::Range;
use std::sync::OnceLock;

pub use self::imports::{needed_env_import, with_env_import};
pub use self::language::Language;
use crate::finding::Finding;

/// What the user should write instead.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    /// The environment variable (or secret) name to keep the value under.
    pub env_var: String,
    /// The staged line with the literal replaced by a lookup; `None` where the file cannot
    /// read the environment or the line is too long to rewrite.
    pub replacement: Option<String>,
    /// Where the value goes instead, in one sentence.
    pub advice: String,
}

/// Builds the suggestion for `finding`.
pub fn suggest(finding: &Finding) -> Suggestion {
    let path = finding.path_lossy();
    let language = Language::from_path(&path);
    let line = String::from_utf8_lossy(&finding.line.text).into_owned();
    let secret = to_char_boundaries(&line, &finding.line.text, finding.line.secret.clone());
    let env_var = finding
        .rule
        .env
        .clone()
        .or_else(|| {
            secret
                .as_ref()
                .and_then(|s| env_from_identifier(&line[..s.start]))
        })
        .unwrap_or_else(|| finding.rule.id.as_str().to_uppercase().replace('-', "_"));
    let replacement = match (&secret, finding.line.is_whole()) {
        (Some(span), true) => replace_literal(language, &line, span.clone(), &env_var),
        _ => None,
    };
    let advice = match client_exposed_prefix(&line) {
        Some(prefix) => format!(
            "a {prefix}* variable is inlined into the browser bundle, so every visitor gets this key: \
             call the provider from a server route that reads {env_var} (no {prefix} prefix) and rotate the key"
        ),
        None => advice(language, &env_var, &path),
    };
    Suggestion {
        env_var,
        replacement,
        advice,
    }
}

/// The secret's byte range in the lossy text, if the lossy conversion kept byte offsets.
fn to_char_boundaries(line: &str, raw: &[u8], span: Range<usize>) -> Option<Range<usize>> {
    (line.len() == raw.len()
        && line.is_char_boundary(span.start)
        && line.is_char_boundary(span.end))
    .then_some(span)
}

/// The bundler prefix (`NEXT_PUBLIC_`, `VITE_`, …) of a variable on `line` that ships to the
/// browser, if any: a key there is public whatever the provider.
fn client_exposed_prefix(line: &str) -> Option<&'static str> {
    const PREFIXES: [&str; 7] = [
        "NEXT_PUBLIC_",
        "VITE_",
        "REACT_APP_",
        "EXPO_PUBLIC_",
        "NUXT_PUBLIC_",
        "GATSBY_",
        "VUE_APP_",
    ];
    PREFIXES.into_iter().find(|p| line.contains(p))
}

/// `smtp_password = "…"` → `SMTP_PASSWORD`; `apiKey: "…"` → `API_KEY`.
pub fn env_from_identifier(before_literal: &str) -> Option<String> {
    // Compiled as the rules are (ASCII classes, a backtracker for short text): a hook that
    // reports one finding should not pay for a full-featured regex build.
    static ASSIGNED: OnceLock<Option<crate::rules::ShortRegex>> = OnceLock::new();
    let re = ASSIGNED
        .get_or_init(|| {
            crate::rules::ShortRegex::new(
                r#"([A-Za-z_][A-Za-z0-9_.\-]*)["'`\]]*\s*(?::=|=>|=|:|,)\s*(?:[A-Za-z]*\(\s*)?["'`]?$"#,
            )
            .ok()
        })
        .as_ref()?;
    let caps = re.captures(before_literal.as_bytes())?;
    let span = caps.get_group(1)?;
    let ident = &before_literal[span.range()];
    let ident = ident.rsplit('.').next().unwrap_or(ident);
    let name = upper_snake(ident);
    (!name.is_empty() && name.len() <= 64).then_some(name)
}

/// `apiKey` → `API_KEY`, `openai-key` → `OPENAI_KEY`.
pub fn upper_snake(ident: &str) -> String {
    let mut out = String::new();
    let mut prev_lower = false;
    for c in ident.chars() {
        if c == '-' || c == '_' || c == ' ' {
            if !out.ends_with('_') && !out.is_empty() {
                out.push('_');
            }
            prev_lower = false;
        } else if c.is_ascii_alphanumeric() {
            if c.is_ascii_uppercase() && prev_lower {
                out.push('_');
            }
            out.push(c.to_ascii_uppercase());
            prev_lower = c.is_ascii_lowercase() || c.is_ascii_digit();
        }
    }
    out.trim_matches('_').to_owned()
}

/// How `language` reads `var` from the environment, as an expression.
fn lookup(language: Language, var: &str) -> Option<String> {
    Some(match language {
        Language::Python => format!("os.environ[\"{var}\"]"),
        Language::Notebook => format!("os.environ[\\\"{var}\\\"]"),
        Language::JavaScript => format!("process.env.{var}"),
        Language::Go => format!("os.Getenv(\"{var}\")"),
        Language::Rust => format!("std::env::var(\"{var}\").expect(\"{var} is not set\")"),
        Language::Java | Language::Kotlin => format!("System.getenv(\"{var}\")"),
        Language::CSharp => format!("Environment.GetEnvironmentVariable(\"{var}\")"),
        Language::Ruby => format!("ENV.fetch(\"{var}\")"),
        Language::Php => format!("getenv('{var}')"),
        Language::Swift => format!("ProcessInfo.processInfo.environment[\"{var}\"]"),
        Language::C => format!("getenv(\"{var}\")"),
        Language::Shell => format!("\"${var}\""),
        Language::PowerShell => format!("$env:{var}"),
        Language::GithubActions => format!("${{{{ secrets.{var} }}}}"),
        Language::DockerCompose => format!("${{{var}}}"),
        Language::Terraform => format!("var.{}", var.to_ascii_lowercase()),
        Language::Markdown => format!("<{var}>"),
        _ => return None,
    })
}

/// Languages where the fix replaces the line's form rather than just the literal: a Kubernetes
/// `value:` becomes a `secretKeyRef`, a Dockerfile `ENV`/`ARG` goes away (a value baked into an
/// image is readable from every copy of it).
fn replace_whole_line(language: Language, line: &str, var: &str) -> Option<Option<String>> {
    let indent = &line[..line.len() - line.trim_start().len()];
    match language {
        Language::Kubernetes => line.trim_start().starts_with("value:").then(|| {
            let key = var.to_ascii_lowercase().replace('_', "-");
            Some(format!(
                "{indent}valueFrom: {{secretKeyRef: {{name: app-secrets, key: {key}}}}}"
            ))
        }),
        Language::Dockerfile => {
            let upper = line.trim_start().to_ascii_uppercase();
            (upper.starts_with("ENV ") || upper.starts_with("ARG ")).then(|| {
                Some(format!(
                    "{indent}# {var} is passed at run time (docker run -e {var}), or as a build secret (RUN --mount=type=secret,id={})",
                    var.to_ascii_lowercase()
                ))
            })
        }
        _ => None,
    }
}

/// The line with the literal holding the secret replaced by the lookup.
fn replace_literal(
    language: Language,
    line: &str,
    secret: Range<usize>,
    var: &str,
) -> Option<String> {
    if let Some(whole_line) = replace_whole_line(language, line, var) {
        return whole_line;
    }
    let expr = lookup(language, var)?;
    let before = &line[..secret.start];
    // Notebook sources are JSON strings: the quotes around the literal are `\"`.
    if language == Language::Notebook {
        let after = &line[secret.end..];
        if before.ends_with("\\\"") && after.starts_with("\\\"") {
            return Some(format!(
                "{}{expr}{}",
                &before[..before.len() - 2],
                &after[2..]
            ));
        }
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
        // Unquoted: YAML values, shell assignments, URLs. Swap the bare value.
        return Some(format!("{before}{expr}{}", &line[secret.end..]));
    };
    let prefix = &line[open + 1..secret.start];
    let suffix = &line[secret.end..close];
    let (head, tail) = (&line[..open], &line[close + 1..]);
    if prefix.is_empty() && suffix.is_empty() {
        return Some(format!("{head}{expr}{tail}"));
    }
    // The secret is part of a longer string ("Bearer sk-…"): concatenate where the language can.
    let joined = match language {
        Language::Python
        | Language::JavaScript
        | Language::Java
        | Language::Kotlin
        | Language::CSharp
        | Language::Go
        | Language::Swift
        | Language::Ruby
        | Language::Php => {
            let join = if language == Language::Php {
                " . "
            } else {
                " + "
            };
            let mut parts = Vec::new();
            if !prefix.is_empty() {
                parts.push(format!("{q}{prefix}{q}"));
            }
            parts.push(expr);
            if !suffix.is_empty() {
                parts.push(format!("{q}{suffix}{q}"));
            }
            parts.join(join)
        }
        Language::Shell => format!("\"{prefix}${{{var}}}{suffix}\""),
        _ => return None,
    };
    Some(format!("{head}{joined}{tail}"))
}

fn advice(language: Language, var: &str, path: &str) -> String {
    match language {
        Language::GithubActions => format!(
            "add {var} as an encrypted secret (repository Settings > Secrets and variables > Actions) and refer to it as ${{{{ secrets.{var} }}}}"
        ),
        Language::DotEnv => format!(
            "a .env file holds real values and must not be committed: run `git rm --cached {path}`, add it to .gitignore, and commit a .env.example with placeholders instead"
        ),
        Language::Markdown => format!(
            "documentation shows a placeholder such as <{var}>; the reader sets {var} in their own environment"
        ),
        Language::Json | Language::Yaml | Language::Config | Language::Other => format!(
            "this file cannot read the environment: have the program that loads it take {var} from the environment (or a secret manager) and leave the value out of the file"
        ),
        Language::Kubernetes => format!(
            "keep {var} in a Secret (kubectl create secret generic app-secrets --from-literal={}=..., or External Secrets from your secret manager) and reference it with secretKeyRef",
            var.to_ascii_lowercase().replace('_', "-")
        ),
        Language::Dockerfile => format!(
            "never bake a key into an image with ENV or ARG: pass {var} at run time (docker run -e {var}) or use a build secret (RUN --mount=type=secret,id={})",
            var.to_ascii_lowercase()
        ),
        Language::Terraform => format!(
            "declare variable \"{}\" {{ sensitive = true }} and set it with TF_VAR_{} in the environment",
            var.to_ascii_lowercase(),
            var.to_ascii_lowercase()
        ),
        Language::DockerCompose => format!(
            "compose reads ${{{var}}} from your shell or from a .env file beside it that git ignores"
        ),
        Language::Python | Language::Notebook => format!(
            "put {var}=... in your shell or in a .env file that git ignores (and `import os` if the file does not yet)"
        ),
        _ => format!("put {var}=... in your shell or in a .env file that git ignores"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn env_names_from_assignments() {
        assert_eq!(
            env_from_identifier("smtp_password = \"").as_deref(),
            Some("SMTP_PASSWORD")
        );
        assert_eq!(
            env_from_identifier("  apiKey: '").as_deref(),
            Some("API_KEY")
        );
        assert_eq!(
            env_from_identifier("config.stripeKey = \"").as_deref(),
            Some("STRIPE_KEY")
        );
        assert_eq!(
            env_from_identifier("\"openai-key\": \"").as_deref(),
            Some("OPENAI_KEY")
        );
        assert_eq!(env_from_identifier("call(\"").as_deref(), None);
    }

    #[test]
    fn replaces_the_quoted_literal() {
        let line = "client = OpenAI(api_key=\"SECRET\")";
        let span = 25..31;
        assert_eq!(
            replace_literal(Language::Python, line, span.clone(), "OPENAI_API_KEY").unwrap(),
            "client = OpenAI(api_key=os.environ[\"OPENAI_API_KEY\"])"
        );
        assert_eq!(
            replace_literal(Language::JavaScript, line, span, "OPENAI_API_KEY").unwrap(),
            "client = OpenAI(api_key=process.env.OPENAI_API_KEY)"
        );
    }

    #[test]
    fn concatenates_when_the_secret_is_part_of_a_string() {
        let line = "h = \"Bearer SECRET\"";
        assert_eq!(
            replace_literal(Language::Python, line, 12..18, "TOKEN").unwrap(),
            "h = \"Bearer \" + os.environ[\"TOKEN\"]"
        );
    }
}
