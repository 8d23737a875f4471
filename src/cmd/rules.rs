//! `keyward rules`: list the rules in force, or check them.

use std::io::Write;

use anyhow::{Context, Result};
use keyward_detect::check::check;
use serde::Serialize;

use crate::cli::{Cli, FormatArg, RulesArgs};
use crate::exit;

#[derive(Serialize)]
struct RuleRow<'a> {
    id: &'a str,
    description: &'a str,
    severity: keyward_detect::rules::Severity,
    keywords: &'a [String],
    env: Option<&'a str>,
    rotate: Option<&'a str>,
    tags: &'a [String],
}

/// Lists (or with `--check`, lints) the rules.
pub fn run(cli: &Cli, args: &RulesArgs) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let config = keyward::repo_config::resolve(cli.config.as_ref(), &cwd)?;
    if !cli.quiet {
        for warning in &config.warnings {
            eprintln!("keyward: warning: {warning}");
        }
    }
    let detector = config.detector()?;
    let mut out = std::io::stdout().lock();
    if args.check {
        let problems = check(&detector);
        for p in &problems {
            writeln!(out, "{p}")?;
        }
        writeln!(
            out,
            "{} rules checked, {} problems",
            detector.ruleset().len(),
            problems.len()
        )?;
        return Ok(if problems.is_empty() {
            exit::CLEAN
        } else {
            exit::FOUND
        });
    }
    let rows: Vec<RuleRow<'_>> = detector
        .ruleset()
        .iter()
        .map(|r| RuleRow {
            id: r.id().as_str(),
            description: &r.info.description,
            severity: r.info.severity,
            keywords: &r.keywords,
            env: r.info.env.as_deref(),
            rotate: r.info.rotate.as_deref(),
            tags: &r.info.tags,
        })
        .collect();
    match cli.format {
        FormatArg::Json | FormatArg::Sarif => {
            serde_json::to_writer_pretty(&mut out, &rows)?;
            writeln!(out)?;
        }
        FormatArg::Human => {
            let width = rows.iter().map(|r| r.id.len()).max().unwrap_or(0);
            for r in &rows {
                writeln!(out, "{:width$}  {}", r.id, r.description)?;
            }
        }
    }
    Ok(exit::CLEAN)
}
