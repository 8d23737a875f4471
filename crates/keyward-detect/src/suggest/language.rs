//! The language of a file, from its path (and, where the path is ambiguous, its text): it
//! decides how the fix reads a secret kept outside the file.

/// How a file can refer to a secret kept outside it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Language {
    /// `.py`, `.pyw`, `.pyi`.
    Python,
    /// Jupyter notebooks: Python inside JSON-escaped strings.
    Notebook,
    /// `.js`, `.mjs`, `.cjs`, `.jsx`, `.ts`, `.mts`, `.cts`, `.tsx`, `.vue`, `.svelte`.
    JavaScript,
    /// `.go`.
    Go,
    /// `.rs`.
    Rust,
    /// `.java`.
    Java,
    /// `.kt`, `.kts` (Gradle's Kotlin scripts included).
    Kotlin,
    /// `.cs`.
    CSharp,
    /// `.rb`, `Rakefile`, `Gemfile`.
    Ruby,
    /// `.php`.
    Php,
    /// `.swift`.
    Swift,
    /// `.c`, `.h`, `.cc`, `.cpp`, `.hpp`, `.cxx`.
    C,
    /// `.sh`, `.bash`, `.zsh`, `.envrc`.
    Shell,
    /// `.ps1`, `.psm1`.
    PowerShell,
    /// `.dart`.
    Dart,
    /// `.ex`, `.exs`.
    Elixir,
    /// `.scala`, `.sc`, `.sbt`.
    Scala,
    /// `.pl`, `.pm`.
    Perl,
    /// `.r`, `.R`.
    R,
    /// `.lua`.
    Lua,
    /// `.groovy`, `build.gradle` and other Groovy Gradle scripts.
    Groovy,
    /// `.clj`, `.cljc`, `.edn`.
    Clojure,
    /// `.m`, `.mm`.
    ObjectiveC,
    /// `.hs`, `.lhs`.
    Haskell,
    /// `.jl`.
    Julia,
    /// `.fs`, `.fsx`, `.fsi`.
    FSharp,
    /// `.vb`.
    VisualBasic,
    /// `.erl`, `.hrl`.
    Erlang,
    /// `.cr`.
    Crystal,
    /// `.nim`, `.nims`.
    Nim,
    /// `.zig`.
    Zig,
    /// `.ml`, `.mli`.
    OCaml,
    /// `.html`, `.htm`: served to the browser as it is.
    Html,
    /// `.github/workflows/*.yml`.
    GithubActions,
    /// A CI system's pipeline file other than GitHub Actions.
    Ci(CiSystem),
    /// A deployment format with its own way to refer to a secret.
    Deploy(DeployFormat),
    /// `docker-compose*.yml`, `compose*.yaml`.
    DockerCompose,
    /// YAML under `k8s/`, `kubernetes/`, `manifests/`, `helm/…/templates`, or `deploy/`.
    Kubernetes,
    /// `Dockerfile`, `*.dockerfile`, `Containerfile`.
    Dockerfile,
    /// `.tf`, `.tfvars`.
    Terraform,
    /// `.env`, `.env.local`, …: the file *is* the secret store, and must not be committed.
    DotEnv,
    /// `.md`, `.mdx`, `.rst`, `.txt`: documentation.
    Markdown,
    /// `.json` and other data files an app reads as they are.
    Json,
    /// Other `.yml` / `.yaml`.
    Yaml,
    /// `.toml`, `.ini`, `.cfg`, `.conf`, `.properties`.
    Config,
    /// Anything else.
    Other,
}

/// CI systems, each with its own secret store and syntax for reading it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum CiSystem {
    /// `.gitlab-ci.yml` and files under `.gitlab/ci/`.
    GitLab,
    /// `.circleci/config.yml`.
    CircleCi,
    /// `Jenkinsfile`.
    Jenkins,
    /// `azure-pipelines*.yml`.
    AzurePipelines,
    /// `bitbucket-pipelines.yml`.
    Bitbucket,
    /// `.drone.yml`.
    Drone,
    /// `.woodpecker.yml`, `.woodpecker/*.yml`.
    Woodpecker,
    /// `.buildkite/*.yml`.
    Buildkite,
    /// `cloudbuild.yaml` (Google Cloud Build).
    CloudBuild,
    /// `.travis.yml`.
    Travis,
    /// `buildspec.yml` (AWS CodeBuild).
    CodeBuild,
}

/// Deployment formats, each with its own reference to a secret kept elsewhere.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum DeployFormat {
    /// CloudFormation and SAM templates.
    CloudFormation,
    /// `serverless.yml` (Serverless Framework).
    Serverless,
    /// A Helm chart's `values*.yaml`.
    HelmValues,
    /// Ansible playbooks, roles and inventories' variables.
    Ansible,
    /// `Pulumi.<stack>.yaml`.
    Pulumi,
    /// `.bicep` and `.bicepparam`.
    Bicep,
    /// Azure Resource Manager templates and parameter files.
    Arm,
    /// systemd units.
    Systemd,
    /// `vercel.json`.
    Vercel,
    /// `netlify.toml`.
    Netlify,
    /// `fly.toml`.
    Fly,
    /// `render.yaml`.
    Render,
    /// `app.json` (Heroku).
    Heroku,
}

impl Language {
    /// The language of `path` (a repository path, `/`-separated).
    pub fn from_path(path: &str) -> Language {
        let lower = path.to_ascii_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        let yaml = matches!(ext, "yml" | "yaml");
        let under = |dir: &str| lower.starts_with(dir) || lower.contains(&format!("/{dir}"));
        if under(".github/workflows/") && yaml {
            return Language::GithubActions;
        }
        if let Some(ci) = ci_system(&lower, name, ext) {
            return Language::Ci(ci);
        }
        if let Some(format) = deploy_format(&lower, name, ext) {
            return Language::Deploy(format);
        }
        if (name.starts_with("docker-compose") || name.starts_with("compose")) && yaml {
            return Language::DockerCompose;
        }
        let in_k8s_dir = [
            "k8s/",
            "kubernetes/",
            "manifests/",
            "helm/",
            "charts/",
            "deploy/",
        ]
        .iter()
        .any(|d| under(d));
        if in_k8s_dir && yaml {
            return Language::Kubernetes;
        }
        if name == "dockerfile"
            || name.starts_with("dockerfile.")
            || ext == "dockerfile"
            || name == "containerfile"
        {
            return Language::Dockerfile;
        }
        if name == ".env" || name.starts_with(".env.") || ext == "env" {
            return Language::DotEnv;
        }
        if matches!(name, "rakefile" | "gemfile") {
            return Language::Ruby;
        }
        match ext {
            "py" | "pyw" | "pyi" => Language::Python,
            "ipynb" => Language::Notebook,
            "js" | "mjs" | "cjs" | "jsx" | "ts" | "mts" | "cts" | "tsx" | "vue" | "svelte" => {
                Language::JavaScript
            }
            "go" => Language::Go,
            "rs" => Language::Rust,
            "java" => Language::Java,
            "kt" | "kts" => Language::Kotlin,
            "cs" => Language::CSharp,
            "rb" => Language::Ruby,
            "php" => Language::Php,
            "swift" => Language::Swift,
            "c" | "h" | "cc" | "cpp" | "cxx" | "hpp" | "hh" | "hxx" => Language::C,
            "sh" | "bash" | "zsh" | "ksh" | "envrc" => Language::Shell,
            "ps1" | "psm1" => Language::PowerShell,
            "dart" => Language::Dart,
            "ex" | "exs" => Language::Elixir,
            "scala" | "sc" | "sbt" => Language::Scala,
            "pl" | "pm" => Language::Perl,
            "r" => Language::R,
            "lua" => Language::Lua,
            "groovy" | "gradle" => Language::Groovy,
            "clj" | "cljc" | "edn" => Language::Clojure,
            "m" | "mm" => Language::ObjectiveC,
            "hs" | "lhs" => Language::Haskell,
            "jl" => Language::Julia,
            "fs" | "fsx" | "fsi" => Language::FSharp,
            "vb" => Language::VisualBasic,
            "erl" | "hrl" => Language::Erlang,
            "cr" => Language::Crystal,
            "nim" | "nims" => Language::Nim,
            "zig" => Language::Zig,
            "ml" | "mli" => Language::OCaml,
            "html" | "htm" => Language::Html,
            "tf" | "tfvars" => Language::Terraform,
            "md" | "mdx" | "markdown" | "rst" | "txt" | "adoc" => Language::Markdown,
            "json" | "jsonc" | "json5" => Language::Json,
            "yml" | "yaml" => Language::Yaml,
            "toml" | "ini" | "cfg" | "conf" | "properties" => Language::Config,
            _ => Language::Other,
        }
    }

    /// [`Language::from_path`], refined by the file's `text` where the path alone cannot tell:
    /// a CloudFormation template or an Ansible playbook is any YAML file, an ARM template any
    /// JSON file.
    pub fn from_path_and_text(path: &str, text: Option<&str>) -> Language {
        let by_path = Language::from_path(path);
        let Some(text) = text else {
            return by_path;
        };
        match by_path {
            Language::Yaml | Language::Json | Language::Kubernetes
                if text.contains("AWSTemplateFormatVersion")
                    || text.contains("AWS::Serverless-2016-10-31") =>
            {
                Language::Deploy(DeployFormat::CloudFormation)
            }
            Language::Json
                if text.contains("schemas/2015-01-01/deploymentTemplate.json")
                    || text.contains("deploymentParameters.json")
                    || text.contains("schemas/2019-04-01/deploymentTemplate.json") =>
            {
                Language::Deploy(DeployFormat::Arm)
            }
            Language::Yaml if is_playbook(text) => Language::Deploy(DeployFormat::Ansible),
            Language::Yaml if is_manifest(text) => Language::Kubernetes,
            other => other,
        }
    }

    /// Whether the file is a CI pipeline (GitHub Actions included).
    pub fn is_ci(self) -> bool {
        matches!(self, Language::GithubActions | Language::Ci(_))
    }
}

/// A Kubernetes manifest: top-level `apiVersion:` and `kind:`.
fn is_manifest(text: &str) -> bool {
    text.lines().any(|l| l.starts_with("apiVersion:"))
        && text.lines().any(|l| l.starts_with("kind:"))
}

/// A playbook: a YAML list of plays, each with `hosts:` and `tasks:` or `roles:`.
fn is_playbook(text: &str) -> bool {
    let has = |key: &str| {
        text.lines().any(|l| {
            let t = l.trim_start().trim_start_matches("- ");
            t.starts_with(key)
        })
    };
    has("hosts:") && (has("tasks:") || has("roles:") || has("import_playbook:"))
}

fn ci_system(lower: &str, name: &str, ext: &str) -> Option<CiSystem> {
    let yaml = matches!(ext, "yml" | "yaml");
    let under = |dir: &str| lower.starts_with(dir) || lower.contains(&format!("/{dir}"));
    Some(match () {
        _ if yaml && (name.ends_with("gitlab-ci.yml") || name.ends_with("gitlab-ci.yaml")) => {
            CiSystem::GitLab
        }
        _ if yaml && under(".gitlab/ci/") => CiSystem::GitLab,
        _ if yaml && under(".circleci/") => CiSystem::CircleCi,
        _ if name == "jenkinsfile" || name.starts_with("jenkinsfile.") || ext == "jenkinsfile" => {
            CiSystem::Jenkins
        }
        _ if yaml && (name.starts_with("azure-pipelines") || under(".azure-pipelines/")) => {
            CiSystem::AzurePipelines
        }
        _ if name == "bitbucket-pipelines.yml" => CiSystem::Bitbucket,
        _ if yaml && name.starts_with(".drone.") => CiSystem::Drone,
        _ if yaml && (name.starts_with(".woodpecker.") || under(".woodpecker/")) => {
            CiSystem::Woodpecker
        }
        _ if yaml && under(".buildkite/") => CiSystem::Buildkite,
        _ if (yaml || ext == "json") && name.starts_with("cloudbuild") => CiSystem::CloudBuild,
        _ if name == ".travis.yml" => CiSystem::Travis,
        _ if yaml && name.starts_with("buildspec") => CiSystem::CodeBuild,
        _ => return None,
    })
}

fn deploy_format(lower: &str, name: &str, ext: &str) -> Option<DeployFormat> {
    let yaml = matches!(ext, "yml" | "yaml");
    let under = |dir: &str| lower.starts_with(dir) || lower.contains(&format!("/{dir}"));
    Some(match () {
        _ if yaml && name.starts_with("serverless.") => DeployFormat::Serverless,
        _ if (yaml || ext == "json")
            && (name.starts_with("template.")
                || name.contains(".template.")
                || under("cloudformation/")
                || under("cfn/")) =>
        {
            DeployFormat::CloudFormation
        }
        _ if yaml && name.starts_with("values") && (under("helm/") || under("charts/")) => {
            DeployFormat::HelmValues
        }
        _ if yaml
            && (under("group_vars/")
                || under("host_vars/")
                || under("playbooks/")
                || under("ansible/")
                || under("inventories/")
                || name.starts_with("playbook")
                || (under("roles/")
                    && ["/vars/", "/defaults/", "/tasks/", "/handlers/"]
                        .iter()
                        .any(|d| lower.contains(d)))) =>
        {
            DeployFormat::Ansible
        }
        _ if yaml && name.starts_with("pulumi.") => DeployFormat::Pulumi,
        _ if matches!(ext, "bicep" | "bicepparam") => DeployFormat::Bicep,
        _ if ext == "json" && name.starts_with("azuredeploy") => DeployFormat::Arm,
        _ if matches!(ext, "service" | "socket" | "timer") || under(".service.d/") => {
            DeployFormat::Systemd
        }
        _ if name == "vercel.json" || name == "now.json" => DeployFormat::Vercel,
        _ if name == "netlify.toml" => DeployFormat::Netlify,
        _ if name == "fly.toml" || (name.starts_with("fly.") && ext == "toml") => DeployFormat::Fly,
        _ if name == "render.yaml" || name == "render.yml" => DeployFormat::Render,
        _ if name == "app.json" && !lower.contains('/') => DeployFormat::Heroku,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::Language::{self, *};
    use super::{CiSystem, DeployFormat};

    #[test]
    fn languages_from_paths() {
        for (path, lang) in [
            ("src/app.py", Python),
            ("web/index.tsx", JavaScript),
            ("main.go", Go),
            ("src/lib.rs", Rust),
            (".github/workflows/ci.yml", GithubActions),
            ("docker-compose.prod.yml", DockerCompose),
            ("Dockerfile", Dockerfile),
            (".env.local", DotEnv),
            ("docs/README.md", Markdown),
            ("config/app.yaml", Yaml),
            ("k8s/deployment.yaml", Kubernetes),
            ("charts/app/templates/deployment.yaml", Kubernetes),
            ("charts/app/values.yaml", Deploy(DeployFormat::HelmValues)),
            (".gitlab-ci.yml", Ci(CiSystem::GitLab)),
            ("Jenkinsfile", Ci(CiSystem::Jenkins)),
            ("build.gradle", Groovy),
            ("lib/main.dart", Dart),
            ("Makefile", Other),
        ] {
            assert_eq!(Language::from_path(path), lang, "{path}");
        }
    }

    #[test]
    fn text_decides_what_the_path_cannot() {
        let cfn = "AWSTemplateFormatVersion: '2010-09-09'\nResources: {}\n";
        assert_eq!(
            Language::from_path_and_text("infra/stack.yaml", Some(cfn)),
            Deploy(DeployFormat::CloudFormation)
        );
        let play = "- hosts: web\n  tasks:\n    - debug: msg=hi\n";
        assert_eq!(
            Language::from_path_and_text("site.yml", Some(play)),
            Deploy(DeployFormat::Ansible)
        );
        assert_eq!(Language::from_path_and_text("a.yml", Some("a: 1\n")), Yaml);
    }
}
