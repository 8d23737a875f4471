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
    /// Output format: human on stderr, json on stdout.
    #[arg(long, global = true, value_enum, default_value_t = FormatArg::Human)]
    pub format: FormatArg,
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
    /// Scan the staged changes (default) or files and folders.
    Scan(ScanArgs),
    /// Install the pre-commit hook in this repository (keeps an existing hook, chained).
    Install,
    /// Remove keyward's pre-commit hook (restores a hook it had chained).
    Uninstall,
    /// List the rules in force, or check them.
    Rules(RulesArgs),
    /// Rewrite the staged findings in the work tree to read the environment, move the values to
    /// .env (git-ignored, mode 0600). Never touches the index: review, then git add.
    Fix(FixArgs),
    /// Print the added lines keyward sees, NUL-separated (path, line number, text): for tests.
    #[command(hide = true)]
    AddedLines,
}

/// `keyward scan`.
#[derive(Debug, Args)]
pub struct ScanArgs {
    /// Scan the index against HEAD: the lines the next commit adds (the default).
    #[arg(long, conflicts_with = "paths")]
    pub staged: bool,
    /// Files or folders to scan whole instead.
    pub paths: Vec<PathBuf>,
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
