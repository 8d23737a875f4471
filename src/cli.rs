//! The command line: raw arguments, as clap parses them.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Blocks commits that add API keys and other credentials, and shows the line to write instead.
#[derive(Debug, Parser)]
#[command(name = "keyward", version, about, long_about = None)]
pub struct Cli {
    /// What to do; with none, scan the staged changes (what the hook runs).
    #[command(subcommand)]
    pub command: Option<Command>,
    /// Output format: human on stderr; json or sarif on stdout.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
    /// Also write a machine report to this file (the human report still goes to the terminal).
    #[arg(long, global = true, value_name = "PATH")]
    pub report: Option<PathBuf>,
    /// The format of --report: json, or sarif (the default for a path ending in .sarif or
    /// .sarif.json).
    #[arg(long, global = true, value_enum, value_name = "FORMAT")]
    pub report_format: Option<ReportFormatArg>,
    /// When to colour the human report.
    #[arg(long, global = true, value_enum, default_value_t = ColorArg::Auto)]
    pub color: ColorArg,
    /// Config file (default: .keyward.toml, else .gitleaks.toml, at the work tree's root).
    #[arg(long, global = true, value_name = "PATH")]
    pub config: Option<PathBuf>,
    /// Print secrets in full instead of redacted.
    #[arg(long, global = true)]
    pub show_secrets: bool,
    /// Print nothing but findings and errors.
    #[arg(short, long, global = true)]
    pub quiet: bool,
    /// Also say what was scanned when nothing was found.
    #[arg(short, long, global = true, conflicts_with = "quiet")]
    pub verbose: bool,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Scan the staged changes (default), a range of commits, or files and folders.
    Scan(ScanArgs),
    /// Install the pre-commit hook (or with --pre-push the pre-push hook) in this repository;
    /// a hook already there is kept and runs after keyward's.
    Install(HookArgs),
    /// Remove keyward's hook (restores a hook it had chained).
    Uninstall(HookArgs),
    /// Record the current findings in .keywardignore (after asking), so they stop blocking:
    /// for secrets that were rotated already or are not secret.
    Ignore(IgnoreArgs),
    /// Print a shell completion script (bash, zsh, fish, elvish, powershell) to stdout.
    Completions(CompletionsArgs),
    /// Print the man page (roff) to stdout: keyward man > keyward.1
    Man,
    /// List the rules in force, or check them.
    Rules(RulesArgs),
    /// Rewrite the staged findings in the work tree to read the environment, move the values to
    /// .env (git-ignored, mode 0600). Never touches the index: review, then git add.
    Fix(FixArgs),
    /// Why a value is (or is not) reported: each rule whose keywords occur in it, whether its
    /// regex matched, and which check (checksum, entropy, placeholder, words, allow comment,
    /// allowlist, ignore file) kept or dropped the match.
    Explain(ExplainArgs),
    /// Print the added lines keyward sees, NUL-separated (path, line number, text): for tests.
    #[command(hide = true)]
    AddedLines(AddedLinesArgs),
}

/// `keyward explain`.
#[derive(Debug, Args)]
pub struct ExplainArgs {
    /// FILE:LINE (a line of a file on disk, judged as a scan of that file would), a value or a
    /// whole line in quotes, or - to read the value from stdin (keeps it out of shell history).
    pub what: String,
    /// Judge a value as if it sat in a file of this path (rules for some paths only, the
    /// file's kind). By default a value is judged outside any file.
    #[arg(long, value_name = "PATH")]
    pub path: Option<String>,
}

/// `keyward scan`.
#[derive(Debug, Default, Args)]
pub struct ScanArgs {
    /// Scan the index against HEAD: the lines the next commit adds (the default).
    #[arg(long, conflicts_with_all = ["paths", "range", "pre_push"])]
    pub staged: bool,
    /// Scan the lines added by the commits of a range: A..B (what B has and A lacks), A.. (up to
    /// HEAD) or one revision (its whole history). Each finding names its commit.
    #[arg(long, value_name = "A..B", conflicts_with_all = ["paths", "pre_push"])]
    pub range: Option<String>,
    /// Scan what `git push` is about to send, from the ref lines git writes on a pre-push
    /// hook's stdin (what the installed pre-push hook runs).
    #[arg(long, conflicts_with = "paths")]
    pub pre_push: bool,
    /// With --range or --pre-push: take allowlists, ignore entries, disabled rules and limits
    /// from the work tree's config, as keyward 0.1 did. By default they come from the range's
    /// base commit (what reviewers already trust), so a pull request cannot allowlist its own
    /// key; what the range's own config changes would allow is reported as a note.
    #[arg(long)]
    pub trust_range_config: bool,
    /// Run by the pre-commit framework, PATHS being the files it names: at commit time (each
    /// named file has staged changes) their staged lines; for `pre-commit run --all-files` or
    /// `--files` (a named file without staged changes) the named files whole; for
    /// `--from-ref A --to-ref B` (PRE_COMMIT_FROM_REF / PRE_COMMIT_TO_REF) the commits of A..B.
    #[arg(long, conflicts_with_all = ["staged", "range", "pre_push"])]
    pub framework: bool,
    /// Ignore inline allow comments (keyward:allow, gitleaks:allow, keyward:allow-next-line):
    /// for a CI check whose reviewer wants to see everything. Allowlists and ignore files
    /// still apply.
    #[arg(long)]
    pub no_allow_comments: bool,
    /// With PATHS: also scan files that .gitignore ignores.
    #[arg(long, requires = "paths")]
    pub no_gitignore: bool,
    /// Files or folders to scan whole instead (honouring .gitignore).
    pub paths: Vec<PathBuf>,
}

/// The hidden `keyward added-lines`.
#[derive(Debug, Args)]
pub struct AddedLinesArgs {
    /// The lines a range of commits adds instead of the staged ones.
    #[arg(long)]
    pub range: Option<String>,
}

/// `keyward install` / `uninstall`.
#[derive(Debug, Args)]
pub struct HookArgs {
    /// The pre-push hook (scans the commits being pushed) instead of the pre-commit hook.
    #[arg(long, conflicts_with = "all")]
    pub pre_push: bool,
    /// Every hook: pre-commit, pre-merge-commit (`git merge` runs it instead of pre-commit
    /// when it commits by itself) and pre-push (the net for rebases and other ways commits are
    /// made without a hook).
    #[arg(long)]
    pub all: bool,
}

/// `keyward ignore`.
#[derive(Debug, Args)]
pub struct IgnoreArgs {
    /// Record without asking (for scripts; review the findings first).
    #[arg(short, long)]
    pub yes: bool,
    /// What to scan, as for `keyward scan`.
    #[command(flatten)]
    pub scan: ScanArgs,
}

/// `keyward completions`.
#[derive(Debug, Args)]
pub struct CompletionsArgs {
    /// The shell.
    #[arg(value_enum)]
    pub shell: clap_complete::Shell,
}

/// `keyward fix`.
#[derive(Debug, Args)]
pub struct FixArgs {
    /// Show what would change, as a diff (secrets redacted), and write nothing.
    #[arg(long)]
    pub dry_run: bool,
}

/// `keyward rules`.
#[derive(Debug, Args)]
pub struct RulesArgs {
    /// Check every rule: regex, keywords, examples and counter-examples.
    #[arg(long)]
    pub check: bool,
}

/// `--format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum FormatArg {
    /// For people.
    Human,
    /// The versioned JSON contract.
    Json,
    /// SARIF 2.1.0, for code-scanning uploads.
    Sarif,
}

/// `--report-format`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ReportFormatArg {
    /// The versioned JSON contract.
    Json,
    /// SARIF 2.1.0.
    Sarif,
}

/// `--color`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
pub enum ColorArg {
    /// Colour when stderr is a terminal and NO_COLOR is not set.
    Auto,
    /// Always colour.
    Always,
    /// Never colour.
    Never,
}
