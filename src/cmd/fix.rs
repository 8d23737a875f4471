//! `keyward fix`: scan what is staged, then rewrite the work tree (or show the diff).

use std::io::Write;

use anyhow::{Context, Result};
use keyward::fix;
use keyward::pipeline;
use keyward::source::{Staged, Summary};

use crate::cli::{Cli, FixArgs};
use crate::exit;

/// Plans and applies (or with `--dry-run`, prints) the fix for the staged findings.
pub fn run(cli: &Cli, args: &FixArgs) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let staged = Staged::open(&cwd)?;
    let root = staged
        .workdir()
        .context("keyward fix needs a work tree (this repository is bare)")?
        .to_path_buf();
    let detector = super::scan::detector(cli, &root)?;
    let mut summary = Summary::default();
    let findings = pipeline::scan(&detector, |visit| staged.for_each(&mut summary, visit))?;
    let project = keyward::project::StagedFiles::new(staged);
    let plan = fix::plan(&root, &findings, &project)?;
    let staged = project.staged();
    let mut err = std::io::stderr().lock();
    for note in &plan.skipped {
        writeln!(
            err,
            "keyward fix: left as is: {}",
            keyward::report::sanitize::sanitize(note)
        )?;
    }
    if plan.is_empty() {
        writeln!(err, "keyward fix: nothing to fix.")?;
        return Ok(exit::CLEAN);
    }
    if !plan.env.is_empty() && staged.tracks(b".env") {
        writeln!(
            err,
            "keyward fix: .env is tracked by git, so the keys it would move there would be \
             committed after all; nothing was written. Take it out of the index first (it stays \
             on disk): git rm --cached .env, then run keyward fix again."
        )?;
        return Ok(exit::ERROR);
    }
    if args.dry_run {
        print!("{}", fix::render_diff(&plan));
        writeln!(err, "keyward fix: dry run, nothing was written.")?;
        return Ok(exit::CLEAN);
    }
    fix::apply(&root, &plan)?;
    for (path, edits) in &plan.edits {
        for e in edits {
            writeln!(
                err,
                "keyward fix: rewrote {}:{}",
                keyward::report::sanitize::bytes_for_terminal(path),
                e.line
            )?;
        }
    }
    for (name, _) in &plan.env {
        writeln!(
            err,
            "keyward fix: added {name} to .env (readable by you only)"
        )?;
    }
    if plan.ignore_env {
        writeln!(err, "keyward fix: added .env to .gitignore")?;
    }
    writeln!(
        err,
        "keyward fix: the index is unchanged. Review with `git diff`, then `git add` the files. \
         If a key was ever pushed or shared, rotate it as well."
    )?;
    Ok(exit::CLEAN)
}
