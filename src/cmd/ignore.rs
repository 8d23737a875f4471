//! `keyward ignore`: record the current findings in `.keywardignore`, after asking.

use std::io::{BufRead, IsTerminal, Write};

use anyhow::{bail, Context, Result};
use keyward::report::human::Style;

use crate::cli::{Cli, IgnoreArgs};
use crate::exit;

/// Scans as `keyward scan` would, shows the findings not yet recorded, and appends their
/// fingerprints once the user says yes (or `--yes`). Never records without one or the other.
pub fn run(cli: &Cli, args: &IgnoreArgs, style: Style) -> Result<u8> {
    let scanned = super::scan::scan(cli, &args.scan)?;
    if scanned.findings.is_empty() {
        if !cli.quiet {
            eprintln!("keyward: no findings to record.");
        }
        return Ok(exit::CLEAN);
    }
    super::scan::render(cli, style, &scanned)?;
    let n = scanned.findings.len();
    let file = scanned.root.join(keyward::ignore::FILE_NAME);
    if !args.yes {
        let stdin = std::io::stdin();
        if !stdin.is_terminal() {
            bail!(
                "{n} findings were not recorded: there is no terminal to confirm on; \
                 review them and run `keyward ignore --yes`"
            );
        }
        eprint!(
            "Record these {n} findings in {}? Only do this for secrets that are rotated or not secret. [y/N] ",
            file.display()
        );
        std::io::stderr().flush().ok();
        let mut answer = String::new();
        stdin
            .lock()
            .read_line(&mut answer)
            .context("cannot read the answer")?;
        if !matches!(answer.trim(), "y" | "Y" | "yes" | "Yes" | "YES") {
            eprintln!("keyward: nothing recorded.");
            return Ok(exit::FOUND);
        }
    }
    let added = keyward::ignore::append(&scanned.root, &scanned.findings)?;
    if !cli.quiet {
        eprintln!(
            "keyward: recorded {added} findings in {}; commit that file so the team shares it.",
            file.display()
        );
    }
    Ok(exit::CLEAN)
}
