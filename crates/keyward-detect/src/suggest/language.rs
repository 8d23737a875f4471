//! The language of a file, from its path: it decides how the fix reads an environment variable.

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
    /// `.kt`, `.kts`.
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
    /// `.github/workflows/*.yml`.
    GithubActions,
    /// `docker-compose*.yml`, `compose*.yaml`.
    DockerCompose,
    /// YAML under `k8s/`, `kubernetes/`, `manifests/`, `helm/`, `charts/` or `deploy/`.
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

impl Language {
    /// The language of `path` (a repository path, `/`-separated).
    pub fn from_path(path: &str) -> Language {
        let lower = path.to_ascii_lowercase();
        let name = lower.rsplit('/').next().unwrap_or(&lower);
        let ext = name.rsplit_once('.').map(|(_, e)| e).unwrap_or("");
        if (lower.starts_with(".github/workflows/") || lower.contains("/.github/workflows/"))
            && matches!(ext, "yml" | "yaml")
        {
            return Language::GithubActions;
        }
        if (name.starts_with("docker-compose") || name.starts_with("compose"))
            && matches!(ext, "yml" | "yaml")
        {
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
        .any(|d| lower.starts_with(d) || lower.contains(&format!("/{d}")));
        if in_k8s_dir && matches!(ext, "yml" | "yaml") {
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
            "tf" | "tfvars" => Language::Terraform,
            "md" | "mdx" | "markdown" | "rst" | "txt" | "adoc" => Language::Markdown,
            "json" | "jsonc" | "json5" => Language::Json,
            "yml" | "yaml" => Language::Yaml,
            "toml" | "ini" | "cfg" | "conf" | "properties" => Language::Config,
            _ => Language::Other,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Language::{self, *};

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
            ("Makefile", Other),
        ] {
            assert_eq!(Language::from_path(path), lang, "{path}");
        }
    }
}
