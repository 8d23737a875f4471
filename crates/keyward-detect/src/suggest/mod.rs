//! The fix for a finding: which environment variable to read, the replacement line in the
//! file's own language (its CI system's secret store, its deployment format's secret reference),
//! and where to keep the value instead. A file that ships to users' devices gets no replacement:
//! the key must move to a server, and the advice sketches that server.

mod advice;
mod idioms;
mod imports;
mod language;
mod lines;
mod ships;

use std::ops::Range;
use std::sync::OnceLock;

pub use self::imports::{needed_env_import, with_env_import};
pub use self::language::{CiSystem, DeployFormat, Language};
pub use self::ships::{Endpoint, NoProject, ProjectFiles, Shipped, CLIENT_PREFIXES};
use crate::finding::Finding;

/// What the user should write instead.
#[derive(Clone, Debug, PartialEq, Eq, serde::Serialize)]
pub struct Suggestion {
    /// The environment variable (or secret) name to keep the value under.
    pub env_var: String,
    /// The staged line with the literal replaced by a lookup; `None` where the file cannot
    /// read the environment, ships to users' devices, or the line is too long to rewrite.
    pub replacement: Option<String>,
    /// Where the value goes instead, in one sentence.
    pub advice: String,
    /// Where the file ends up when it ships inside an app or a web page: the key must not be
    /// there in any form.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ships: Option<Shipped>,
    /// The server the key moves to when the file ships.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub endpoint: Option<Endpoint>,
}

/// Builds the suggestion for `finding` from its path and line alone.
pub fn suggest(finding: &Finding) -> Suggestion {
    suggest_in(finding, &NoProject)
}

/// Builds the suggestion for `finding`, reading the project around it through `files`: its
/// own text (a CloudFormation template, `"use client"`), the nearest `package.json`, an
/// Android manifest, an Xcode project, a `pubspec.yaml`.
pub fn suggest_in(finding: &Finding, files: &dyn ProjectFiles) -> Suggestion {
    let path = finding.path_lossy();
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
    // A variable named for the browser (`VITE_OPENAI_KEY`) is read on the server without it.
    let env_var = CLIENT_PREFIXES
        .iter()
        .find_map(|p| env_var.strip_prefix(p))
        .filter(|rest| !rest.is_empty())
        .map(str::to_owned)
        .unwrap_or(env_var);
    // The file's own text: what it imports or declares says where it runs and what it is.
    let text = files
        .read(&path)
        .map(|b| String::from_utf8_lossy(&b).into_owned());
    if let Some((ships, endpoint)) = ships::shipped(
        &path,
        &line,
        text.as_deref(),
        files,
        &env_var,
        finding.rule.id.as_str(),
    ) {
        let mut advice = shipped_advice(ships, &endpoint, &env_var);
        // A staged `.env` must leave the index whatever its variables' prefixes say.
        if Language::from_path(&path) == Language::DotEnv {
            advice = format!(
                "{}; and {advice}",
                advice::advice(Language::DotEnv, &env_var, &path)
            );
        }
        return Suggestion {
            env_var,
            replacement: None,
            advice,
            ships: Some(ships),
            endpoint: Some(endpoint),
        };
    }
    let language = match Language::from_path_and_text(&path, text.as_deref()) {
        // A chart's values file, wherever the chart is: `Chart.yaml` sits beside it.
        Language::Yaml | Language::Kubernetes if is_helm_values(&path, files) => {
            Language::Deploy(DeployFormat::HelmValues)
        }
        other => other,
    };
    let replacement = match (&secret, finding.line.is_whole()) {
        (Some(span), true) => lines::replace(language, &path, &line, span.clone(), &env_var),
        _ => None,
    };
    Suggestion {
        advice: advice::advice(language, &env_var, &path),
        env_var,
        replacement,
        ships: None,
        endpoint: None,
    }
}

/// `values*.yaml` beside a `Chart.yaml`.
fn is_helm_values(path: &str, files: &dyn ProjectFiles) -> bool {
    let (dir, name) = path.rsplit_once('/').unwrap_or(("", path));
    let chart = if dir.is_empty() {
        "Chart.yaml".to_owned()
    } else {
        format!("{dir}/Chart.yaml")
    };
    name.starts_with("values") && files.read(&chart).is_some()
}

/// The advice for a key in a file that ships: why no variable helps, and where the key goes.
fn shipped_advice(ships: Shipped, endpoint: &Endpoint, var: &str) -> String {
    format!(
        "this file ships inside {}, so {}: no environment variable or build-time setting \
         (VITE_*, NEXT_PUBLIC_*, BuildConfig, --dart-define, Info.plist) keeps it secret there. \
         Call the provider from a server you control instead, {} at {} that reads {var} from its \
         own environment, and have the app call that endpoint",
        ships.what(),
        ships.who(),
        endpoint.kind,
        endpoint.path
    )
}

/// The secret's byte range in the lossy text, if the lossy conversion kept byte offsets.
fn to_char_boundaries(line: &str, raw: &[u8], span: Range<usize>) -> Option<Range<usize>> {
    (line.len() == raw.len()
        && line.is_char_boundary(span.start)
        && line.is_char_boundary(span.end))
    .then_some(span)
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
        use super::lines::replace_literal;
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
        use super::lines::replace_literal;
        let line = "h = \"Bearer SECRET\"";
        assert_eq!(
            replace_literal(Language::Python, line, 12..18, "TOKEN").unwrap(),
            "h = \"Bearer \" + os.environ[\"TOKEN\"]"
        );
    }
}
