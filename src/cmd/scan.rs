//! `keyward` / `keyward scan`: read the source, detect, report, exit 0 (clean) or 1 (found).

use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use keyward::config::Config;
use keyward::pipeline;
use keyward::report::{self, human::Style, Report, SecretDisplay, Target};
use keyward::source::{paths, Staged, Summary};
use keyward::{Detector, Finding};

use crate::cli::{Cli, FormatArg, ScanArgs};
use crate::exit;

/// Runs a scan and renders its report.
pub fn run(cli: &Cli, args: &ScanArgs, style: Style) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let findings: Vec<Finding>;
    let mut timings: Vec<(&str, Duration)> = Vec::new();
    let mut env_ignored = None;
    let mut summary = Summary::default();
    let (target, detector) = if args.paths.is_empty() {
        let started = Instant::now();
        let staged = Staged::open(&cwd)?;
        timings.push((
            "open the repository and list the changes",
            started.elapsed(),
        ));
        let root = staged.workdir().unwrap_or(&cwd);
        let gitignore = std::fs::read_to_string(root.join(".gitignore")).unwrap_or_default();
        env_ignored = Some(keyward::fix::ignores_env(&gitignore));
        let started = Instant::now();
        let detector = detector(cli, root)?;
        timings.push(("load the rules and build the prefilter", started.elapsed()));
        let scanning = Instant::now();
        findings = pipeline::scan(&detector, |visit| staged.for_each(&mut summary, visit))?;
        timings.push(("read, diff and scan the staged blobs", scanning.elapsed()));
        (Target::Staged, detector)
    } else {
        let detector = detector(cli, &cwd)?;
        findings = pipeline::scan(&detector, |visit| {
            paths::for_each(&args.paths, &mut summary, visit)
        })?;
        (Target::Paths, detector)
    };
    if cli.verbose {
        for (what, took) in &timings {
            eprintln!("keyward: {:>8.2} ms  {what}", took.as_secs_f64() * 1000.0);
        }
        let rules = detector.ruleset();
        eprintln!(
            "keyward: {} of {} rule regexes were compiled for this scan: {}",
            rules.compiled_regexes(),
            rules.rules().len(),
            rules.compiled_rule_ids().join(", ")
        );
    }
    let report = Report {
        findings: &findings,
        summary,
        target,
        env_ignored,
    };
    let show = if cli.show_secrets {
        SecretDisplay::Full
    } else {
        SecretDisplay::Redacted
    };
    match cli.format {
        FormatArg::Human => {
            if !cli.quiet || !findings.is_empty() {
                let mut err = BufWriter::new(std::io::stderr().lock());
                report::human::render(&report, show, style, cli.verbose, &mut err)
                    .and_then(|()| err.flush())
                    .context("cannot write the report")?;
            }
        }
        FormatArg::Json => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            report::json::render(&report, show, &mut out).context("cannot write the report")?;
            out.flush().context("cannot write the report")?;
        }
    }
    Ok(if report.blocks() {
        exit::FOUND
    } else {
        exit::CLEAN
    })
}

/// The detector for the config named with `--config`, else the one at `root`.
pub fn detector(cli: &Cli, root: &Path) -> Result<Detector> {
    let config = match &cli.config {
        Some(path) => Config::load(path)?,
        None => Config::discover(root)?,
    };
    Ok(config.detector()?)
}

/// The hidden `added-lines` command: what keyward sees, for comparison with `git diff --cached`.
/// Records are `path NUL line NUL text NUL`.
pub fn added_lines() -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let staged = Staged::open(&cwd)?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut summary = Summary::default();
    staged.for_each(&mut summary, |file| -> Result<()> {
        for (number, text) in file.added.lines(file.content) {
            out.write_all(file.path)?;
            write!(out, "\0{number}\0")?;
            out.write_all(text)?;
            out.write_all(b"\0")?;
        }
        Ok(())
    })?;
    out.flush()?;
    Ok(exit::CLEAN)
}
