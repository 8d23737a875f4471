//! `keyward completions SHELL` and `keyward man`: generated from the clap definition, so they
//! never drift from the real options.

use std::io::Write;

use anyhow::{Context, Result};
use clap::CommandFactory;

use crate::cli::Cli;
use crate::exit;

/// Prints the completion script for `shell`.
pub fn completions(shell: clap_complete::Shell) -> Result<u8> {
    let mut script = Vec::new();
    clap_complete::generate(shell, &mut Cli::command(), "keyward", &mut script);
    print(&script)
}

/// Prints the man page (keyward(1), listing the subcommands).
pub fn man() -> Result<u8> {
    let mut page = Vec::new();
    clap_mangen::Man::new(Cli::command())
        .render(&mut page)
        .context("cannot render the man page")?;
    print(&page)
}

/// Writes `bytes` to stdout; a reader that stops early (`| head`) is not an error.
fn print(bytes: &[u8]) -> Result<u8> {
    match std::io::stdout().lock().write_all(bytes) {
        Err(e) if e.kind() != std::io::ErrorKind::BrokenPipe => {
            Err(e).context("cannot write to stdout")
        }
        _ => Ok(exit::CLEAN),
    }
}
