//! What it takes for a `.gitleaks.toml` to work as it is: gitleaks' rule ids mapped onto
//! keyward's, and Go RE2 patterns turned into Rust `regex` syntax where the two differ.

/// gitleaks' default global allowlist, as its `config/gitleaks.toml` (v8.25 and later) has it:
/// well-known vendored and generated paths, values that are template references or booleans,
/// and two stopwords. A `.gitleaks.toml` with `[extend] useDefault = true` builds on gitleaks'
/// whole default config, this allowlist included, so keyward applies it there too (regexes as
/// gitleaks writes them, precedence quirks and all: the same file gives the same results).
pub const DEFAULT_ALLOWLIST: &str = r#"description = "global allow lists"
paths = [
    '''gitleaks\.toml''',
    '''(?i)\.(?:bmp|gif|jpe?g|png|svg|tiff?)$''',
    '''(?i)\.(?:eot|[ot]tf|woff2?)$''',
    '''(?i)\.(?:docx?|xlsx?|pdf|bin|socket|vsidx|v2|suo|wsuo|.dll|pdb|exe|gltf)$''',
    '''go\.(?:mod|sum|work(?:\.sum)?)$''',
    '''(?:^|/)vendor/modules\.txt$''',
    '''(?:^|/)vendor/(?:github\.com|golang\.org/x|google\.golang\.org|gopkg\.in|istio\.io|k8s\.io|sigs\.k8s\.io)(?:/.*)?$''',
    '''(?:^|/)gradlew(?:\.bat)?$''',
    '''(?:^|/)gradle\.lockfile$''',
    '''(?:^|/)mvnw(?:\.cmd)?$''',
    '''(?:^|/)\.mvn/wrapper/MavenWrapperDownloader\.java$''',
    '''(?:^|/)node_modules(?:/.*)?$''',
    '''(?:^|/)(?:deno\.lock|npm-shrinkwrap\.json|package-lock\.json|pnpm-lock\.yaml|yarn\.lock)$''',
    '''(?:^|/)bower_components(?:/.*)?$''',
    '''(?:^|/)(?:angular|bootstrap|jquery(?:-?ui)?|plotly|swagger-?ui)[a-zA-Z0-9.-]*(?:\.min)?\.js(?:\.map)?$''',
    '''(?:^|/)javascript\.json$''',
    '''(?:^|/)(?:Pipfile|poetry)\.lock$''',
    '''(?i)(?:^|/)(?:v?env|virtualenv)/lib(?:64)?(?:/.*)?$''',
    '''(?i)(?:^|/)(?:lib(?:64)?/python[23](?:\.\d{1,2})+|python/[23](?:\.\d{1,2})+/lib(?:64)?)(?:/.*)?$''',
    '''(?i)(?:^|/)[a-z0-9_.]+-[0-9.]+\.dist-info(?:/.+)?$''',
    '''(?:^|/)vendor/(?:bundle|ruby)(?:/.*?)?$''',
    '''\.gem$''',
    '''verification-metadata\.xml''',
    '''Database.refactorlog''',
    '''(?:^|/)\.git$''',
]
regexes = [
    '''(?i)^true|false|null$''',
    '''^(?i:a+|b+|c+|d+|e+|f+|g+|h+|i+|j+|k+|l+|m+|n+|o+|p+|q+|r+|s+|t+|u+|v+|w+|x+|y+|z+|\*+|\.+)$''',
    '''^\$(?:\d+|{\d+})$''',
    '''^\$(?:[A-Z_]+|[a-z_]+)$''',
    '''^\${(?:[A-Z_]+|[a-z_]+)}$''',
    '''^\{\{[ \t]*[\w ().|]+[ \t]*}}$''',
    '''^\$\{\{[ \t]*(?:(?:env|github|secrets|vars)(?:\.[A-Za-z]\w+)+[\w "'&./=|]*)[ \t]*}}$''',
    '''^%(?:[A-Z_]+|[a-z_]+)%$''',
    '''^%[+\-# 0]?[bcdeEfFgGoOpqstTUvxX]$''',
    '''^\{\d{0,2}}$''',
    '''^@(?:[A-Z_]+|[a-z_]+)@$''',
    '''^/Users/(?i)[a-z0-9]+/[\w .-/]+$''',
    '''^/(?:bin|etc|home|opt|tmp|usr|var)/[\w ./-]+$''',
]
stopwords = [
    "014df517-39d1-4453-b7b3-9930c563627c",
    "abcdefghijklmnopqrstuvwxyz",
]
"#;

/// [`DEFAULT_ALLOWLIST`], parsed.
///
/// # Panics
/// Never: the text is a constant, and a test parses it.
pub fn default_allowlist() -> crate::rules::schema::AllowlistSpec {
    translate_allowlist(
        &toml::from_str(DEFAULT_ALLOWLIST).expect("gitleaks' default allowlist parses"),
    )
}

/// An allowlist of a gitleaks config with its path and value regexes in Rust syntax
/// ([`translate_regex`]).
pub fn translate_allowlist(
    spec: &crate::rules::schema::AllowlistSpec,
) -> crate::rules::schema::AllowlistSpec {
    let translate = |list: &[String]| list.iter().map(|r| translate_regex(r)).collect();
    crate::rules::schema::AllowlistSpec {
        regexes: translate(&spec.regexes),
        paths: translate(&spec.paths),
        ..spec.clone()
    }
}

/// gitleaks' rule id → the keyward rule that covers the same secrets.
///
/// Used where a gitleaks config or ignore file names a rule that keyward has under another id:
/// `disabledRules`, an allowlist-only `[[rules]]` entry that extends a default rule,
/// `targetRules`, and `.gitleaksignore` fingerprints.
const ALIASES: &[(&str, &str)] = &[
    ("generic-api-key", "generic-secret"),
    ("anthropic-admin-api-key", "anthropic-admin-key"),
    ("github-oauth", "github-oauth-token"),
    ("gitlab-pat", "gitlab-token"),
    ("gitlab-ptt", "gitlab-pipeline-trigger-token"),
    ("gitlab-rrt", "gitlab-runner-registration-token"),
    ("gitlab-kubernetes-agent-token", "gitlab-agent-token"),
    ("gitlab-session-cookie", "gitlab-token"),
    ("gitlab-cicd-job-token", "gitlab-ci-job-token"),
    ("bitbucket-client-secret", "bitbucket-token"),
    ("aws-access-token", "aws-access-key-id"),
    ("gcp-api-key", "google-api-key"),
    ("slack-bot-token", "slack-token"),
    ("slack-user-token", "slack-token"),
    ("slack-app-token", "slack-token"),
    ("slack-config-access-token", "slack-token"),
    ("slack-config-refresh-token", "slack-token"),
    ("slack-legacy-bot-token", "slack-token"),
    ("slack-legacy-token", "slack-token"),
    ("slack-legacy-workspace-token", "slack-token"),
    ("stripe-access-token", "stripe-secret-key"),
    ("npm-access-token", "npm-token"),
    ("pypi-upload-token", "pypi-token"),
    ("rubygems-api-token", "rubygems-api-key"),
    ("sendgrid-api-token", "sendgrid-api-key"),
    ("mailgun-private-api-token", "mailgun-api-key"),
    ("mailgun-pub-key", "mailgun-api-key"),
    ("mailgun-signing-key", "mailgun-api-key"),
    ("digitalocean-pat", "digitalocean-token"),
    ("digitalocean-access-token", "digitalocean-token"),
    ("digitalocean-refresh-token", "digitalocean-token"),
    ("discord-api-token", "discord-bot-token"),
    ("discord-client-secret", "discord-bot-token"),
    ("telegram-bot-api-token", "telegram-bot-token"),
    ("shopify-access-token", "shopify-admin-access-token"),
    ("shopify-custom-access-token", "shopify-custom-app-token"),
    (
        "shopify-private-app-access-token",
        "shopify-private-app-password",
    ),
    ("hashicorp-tf-api-token", "terraform-cloud-token"),
    ("vault-service-token", "vault-token"),
    ("vault-batch-token", "vault-token"),
    ("databricks-api-token", "databricks-token"),
    ("doppler-api-token", "doppler-token"),
    ("flyio-access-token", "flyio-token"),
    ("huggingface-access-token", "huggingface-token"),
    ("huggingface-organization-api-token", "huggingface-token"),
    ("cloudflare-api-key", "cloudflare-api-token"),
    ("cloudflare-global-api-key", "cloudflare-api-token"),
    ("sentry-access-token", "sentry-auth-token"),
    ("sentry-org-token", "sentry-auth-token"),
    ("sentry-user-token", "sentry-auth-token"),
    ("datadog-access-token", "datadog-api-key"),
    ("new-relic-user-api-key", "newrelic-key"),
    ("new-relic-user-api-id", "newrelic-key"),
    ("new-relic-browser-api-token", "newrelic-key"),
    ("new-relic-insert-key", "newrelic-key"),
    ("grafana-api-key", "grafana-token"),
    ("grafana-cloud-api-token", "grafana-token"),
    ("grafana-service-account-token", "grafana-token"),
    ("notion-api-token", "notion-token"),
    ("airtable-api-key", "airtable-token"),
    ("airtable-personnal-access-token", "airtable-token"),
    ("figma-personal-access-token", "figma-token"),
    ("contentful-delivery-api-token", "contentful-token"),
    ("mapbox-api-token", "mapbox-secret-token"),
    ("postman-api-token", "postman-api-key"),
    ("sonar-api-token", "sonarqube-token"),
    ("squarespace-access-token", "squarespace-api-key"),
    ("plaid-api-token", "plaid-access-token"),
    ("plaid-secret-key", "plaid-access-token"),
    ("planetscale-api-token", "planetscale-token"),
    ("planetscale-password", "planetscale-database-password"),
    ("netlify-access-token", "netlify-token"),
    ("linear-client-secret", "linear-api-key"),
    ("azure-ad-client-secret", "azure-ad-client-secret"),
    ("twilio-api-key", "twilio-api-key"),
    ("heroku-api-key-v2", "heroku-api-key"),
    ("openshift-user-token", "openshift-oauth-token"),
    ("curl-auth-user", "basic-auth-url"),
];

/// The keyward id for a gitleaks rule id, when they differ.
pub fn alias(gitleaks_id: &str) -> Option<&'static str> {
    ALIASES
        .iter()
        .find(|(from, _)| *from == gitleaks_id)
        .map(|(_, to)| *to)
}

/// Rewrites the parts of Go RE2 syntax that Rust's `regex` reads differently or not at all:
/// `\Q…\E` literal quoting (Rust has none; the text is escaped instead) and `\z` already
/// matches. Everything else RE2 accepts, `regex` accepts with the same meaning, except `\C`
/// (any byte), which is reported by the compiler.
pub fn translate_regex(pattern: &str) -> String {
    let mut out = String::with_capacity(pattern.len());
    let mut rest = pattern;
    while let Some(at) = find_unescaped(rest, "\\Q") {
        out.push_str(&rest[..at]);
        let quoted = &rest[at + 2..];
        let end = quoted.find("\\E").unwrap_or(quoted.len());
        out.push_str(&regex::escape(&quoted[..end]));
        rest = quoted.get(end + 2..).unwrap_or("");
    }
    out.push_str(rest);
    escape_literal_braces(&out)
}

/// RE2 reads a `{` that does not open a repetition (`{n}`, `{n,}`, `{n,m}`) as a literal brace,
/// as in gitleaks' own `^\$(?:\d+|{\d+})$`; Rust's `regex` rejects it. Such braces are escaped.
fn escape_literal_braces(pattern: &str) -> String {
    let bytes = pattern.as_bytes();
    let mut out = String::with_capacity(pattern.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'\\' => {
                let next = pattern[i + 1..].chars().next().map_or(0, char::len_utf8);
                out.push_str(&pattern[i..i + 1 + next]);
                i += 1 + next;
                continue;
            }
            b'{' if !opens_repetition(&bytes[i + 1..]) => out.push_str("\\{"),
            _ => {
                let len = pattern[i..].chars().next().map_or(1, char::len_utf8);
                out.push_str(&pattern[i..i + len]);
                i += len;
                continue;
            }
        }
        i += 1;
    }
    out
}

/// Whether `after` (what follows a `{`) is `n}`, `n,}` or `n,m}`.
fn opens_repetition(after: &[u8]) -> bool {
    let digits = |s: &[u8]| s.iter().take_while(|b| b.is_ascii_digit()).count();
    let n = digits(after);
    if n == 0 {
        return false;
    }
    match after.get(n) {
        Some(b'}') => true,
        Some(b',') => {
            let m = digits(&after[n + 1..]);
            after.get(n + 1 + m) == Some(&b'}')
        }
        _ => false,
    }
}

/// The first `needle` (a two-byte escape) in `text` not itself escaped by a backslash.
fn find_unescaped(text: &str, needle: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut i = 0;
    while i + 1 < bytes.len() {
        if bytes[i] == b'\\' {
            if &text[i..i + 2] == needle {
                return Some(i);
            }
            i += 2;
        } else {
            i += 1;
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::{alias, translate_regex};

    #[test]
    fn quoted_literals_become_escaped_text() {
        assert_eq!(translate_regex(r"a\Q.b*\Ec"), r"a\.b\*c");
        assert_eq!(translate_regex(r"\\Q"), r"\\Q");
        assert_eq!(translate_regex(r"x\Q(open"), r"x\(open");
    }

    #[test]
    fn gitleaks_ids_map_to_keyward_ids() {
        assert_eq!(alias("generic-api-key"), Some("generic-secret"));
        assert_eq!(alias("no-such-rule"), None);
    }

    #[test]
    fn every_alias_names_a_built_in_rule() {
        let rules = crate::Ruleset::builtin().unwrap();
        for (from, to) in super::ALIASES {
            assert!(rules.contains(to), "{from} -> {to}: no such rule");
        }
    }

    #[test]
    fn braces_that_open_no_repetition_are_literal_as_in_re2() {
        use super::translate_regex;
        assert_eq!(translate_regex(r"^\$(?:\d+|{\d+})$"), r"^\$(?:\d+|\{\d+})$");
        assert_eq!(translate_regex(r"a{2,3}b{4}c{5,}"), r"a{2,3}b{4}c{5,}");
        assert_eq!(translate_regex(r"\{x\}"), r"\{x\}");
    }

    #[test]
    fn the_default_allowlist_parses_and_compiles() {
        let spec = super::default_allowlist();
        assert!(spec.paths.len() > 20 && spec.regexes.len() > 10);
        crate::rules::Allowlist::from_spec(&spec, false).unwrap();
    }
}
