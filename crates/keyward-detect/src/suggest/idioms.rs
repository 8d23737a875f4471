//! How each language reads an environment variable, and how it joins that lookup with the rest
//! of a string: the pieces `replace_literal` puts where the secret was.

use super::language::{CiSystem, DeployFormat, Language};

/// What replaces a secret in one language.
pub(super) struct Idiom {
    /// Replaces the whole string literal, quotes included (or a bare unquoted value).
    pub whole: String,
    /// Inside a longer string: the text in place of the secret, and the quote the string must
    /// use for it to expand (`None`: any).
    pub inside: Option<(String, Option<char>)>,
    /// The operator that joins string literals with the lookup, where interpolation is not
    /// what the language does.
    pub concat: Option<&'static str>,
}

impl Idiom {
    fn call(whole: String, concat: &'static str) -> Idiom {
        Idiom {
            whole,
            inside: None,
            concat: Some(concat),
        }
    }

    fn expr(whole: String) -> Idiom {
        Idiom {
            whole,
            inside: None,
            concat: None,
        }
    }

    fn interpolated(whole: String, inside: String, quote: Option<char>) -> Idiom {
        Idiom {
            whole,
            inside: Some((inside, quote)),
            concat: None,
        }
    }
}

/// `OPENAI_API_KEY` → `openai-api-key`: the name secret stores and credential ids use.
pub(super) fn kebab(var: &str) -> String {
    var.to_ascii_lowercase().replace('_', "-")
}

/// `deploy/chat.service` → `chat`: the name a unit's secrets file is kept under.
pub(super) fn unit_name(path: &str) -> &str {
    path.rsplit('/')
        .next()
        .unwrap_or(path)
        .rsplit_once('.')
        .map(|(stem, _)| stem)
        .unwrap_or("app")
}

/// `OPENAI_API_KEY` → `openaiApiKey`: a parameter name in Bicep and ARM templates.
pub(super) fn camel(var: &str) -> String {
    let mut out = String::new();
    for (i, part) in var.split('_').filter(|p| !p.is_empty()).enumerate() {
        let lower = part.to_ascii_lowercase();
        if i == 0 {
            out.push_str(&lower);
        } else {
            let mut chars = lower.chars();
            if let Some(first) = chars.next() {
                out.push(first.to_ascii_uppercase());
                out.extend(chars);
            }
        }
    }
    out
}

/// How `language` reads `var`, or `None` where the file has no way to (data files, shipped
/// formats, deployment files whose fix is a different line).
pub(super) fn idiom(language: Language, var: &str) -> Option<Idiom> {
    let lower = var.to_ascii_lowercase();
    Some(match language {
        Language::Python => Idiom::call(format!("os.environ[\"{var}\"]"), " + "),
        Language::Notebook => Idiom::expr(format!("os.environ[\\\"{var}\\\"]")),
        Language::JavaScript => Idiom::call(format!("process.env.{var}"), " + "),
        Language::Go => Idiom::call(format!("os.Getenv(\"{var}\")"), " + "),
        Language::Rust => Idiom::expr(format!(
            "std::env::var(\"{var}\").expect(\"{var} is not set\")"
        )),
        Language::Java | Language::Kotlin => {
            Idiom::call(format!("System.getenv(\"{var}\")"), " + ")
        }
        Language::CSharp => Idiom::call(
            format!("Environment.GetEnvironmentVariable(\"{var}\")"),
            " + ",
        ),
        Language::Ruby => Idiom::call(format!("ENV.fetch(\"{var}\")"), " + "),
        Language::Php => Idiom::call(format!("getenv('{var}')"), " . "),
        Language::Swift => Idiom::call(
            format!("ProcessInfo.processInfo.environment[\"{var}\"]"),
            " + ",
        ),
        Language::C => Idiom::expr(format!("getenv(\"{var}\")")),
        Language::Shell => {
            Idiom::interpolated(format!("\"${var}\""), format!("${{{var}}}"), Some('"'))
        }
        Language::PowerShell => {
            Idiom::interpolated(format!("$env:{var}"), format!("$env:{var}"), Some('"'))
        }
        Language::Dart => Idiom::call(format!("Platform.environment['{var}']!"), " + "),
        Language::Elixir => Idiom::call(format!("System.fetch_env!(\"{var}\")"), " <> "),
        Language::Scala => Idiom::call(format!("sys.env(\"{var}\")"), " + "),
        Language::Perl => Idiom::call(format!("$ENV{{{var}}}"), " . "),
        Language::R => Idiom::expr(format!("Sys.getenv(\"{var}\")")),
        Language::Lua => Idiom::call(format!("os.getenv(\"{var}\")"), " .. "),
        Language::Groovy => Idiom::call(format!("System.getenv('{var}')"), " + "),
        Language::Clojure => Idiom::expr(format!("(System/getenv \"{var}\")")),
        Language::ObjectiveC => {
            Idiom::expr(format!("NSProcessInfo.processInfo.environment[@\"{var}\"]"))
        }
        Language::Haskell => Idiom::expr(format!("getEnv \"{var}\"")),
        Language::Julia => Idiom::call(format!("ENV[\"{var}\"]"), " * "),
        Language::FSharp => Idiom::call(
            format!("System.Environment.GetEnvironmentVariable(\"{var}\")"),
            " + ",
        ),
        Language::VisualBasic => Idiom::call(
            format!("Environment.GetEnvironmentVariable(\"{var}\")"),
            " & ",
        ),
        Language::Erlang => Idiom::expr(format!("os:getenv(\"{var}\")")),
        Language::Crystal => Idiom::call(format!("ENV[\"{var}\"]"), " + "),
        Language::Nim => Idiom::call(format!("getEnv(\"{var}\")"), " & "),
        Language::Zig => Idiom::expr(format!(
            "std.posix.getenv(\"{var}\") orelse @panic(\"{var} is not set\")"
        )),
        Language::OCaml => Idiom::call(format!("Sys.getenv \"{var}\""), " ^ "),
        Language::GithubActions => Idiom::interpolated(
            format!("${{{{ secrets.{var} }}}}"),
            format!("${{{{ secrets.{var} }}}}"),
            None,
        ),
        Language::Ci(ci) => ci_idiom(ci, var, &lower),
        Language::DockerCompose => {
            Idiom::interpolated(format!("${{{var}}}"), format!("${{{var}}}"), None)
        }
        Language::Terraform => Idiom::expr(format!("var.{lower}")),
        Language::Markdown => Idiom::interpolated(format!("<{var}>"), format!("<{var}>"), None),
        Language::Deploy(format) => return deploy_idiom(format, var),
        _ => return None,
    })
}

fn ci_idiom(ci: CiSystem, var: &str, lower: &str) -> Idiom {
    match ci {
        CiSystem::AzurePipelines => {
            Idiom::interpolated(format!("$({var})"), format!("$({var})"), None)
        }
        CiSystem::Buildkite | CiSystem::CloudBuild => {
            Idiom::interpolated(format!("$${var}"), format!("$${{{var}}}"), None)
        }
        CiSystem::Drone | CiSystem::Woodpecker => Idiom::interpolated(
            format!("{{from_secret: {lower}}}"),
            format!("$${{{var}}}"),
            None,
        ),
        // Inside a string, the shell expands `$X` (lines.rs escapes it from Groovy's "…").
        CiSystem::Jenkins => Idiom::interpolated(
            format!("credentials('{}')", kebab(var)),
            format!("${var}"),
            None,
        ),
        CiSystem::GitLab
        | CiSystem::CircleCi
        | CiSystem::Bitbucket
        | CiSystem::Travis
        | CiSystem::CodeBuild => {
            Idiom::interpolated(format!("${var}"), format!("${{{var}}}"), None)
        }
    }
}

fn deploy_idiom(format: DeployFormat, var: &str) -> Option<Idiom> {
    let name = kebab(var);
    Some(match format {
        DeployFormat::CloudFormation => {
            Idiom::expr(format!("'{{{{resolve:secretsmanager:{name}}}}}'"))
        }
        DeployFormat::Serverless => Idiom::interpolated(
            format!("${{ssm:/{name}}}"),
            format!("${{ssm:/{name}}}"),
            None,
        ),
        DeployFormat::Ansible => Idiom::interpolated(
            format!("\"{{{{ lookup('env', '{var}') }}}}\""),
            format!("{{{{ lookup('env', '{var}') }}}}"),
            None,
        ),
        DeployFormat::Bicep => Idiom::expr(camel(var)),
        DeployFormat::Arm => Idiom::expr(format!("\"[parameters('{}')]\"", camel(var))),
        _ => return None,
    })
}
