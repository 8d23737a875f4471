//! The `keyward` binary: arguments in, a library call, a report out, an exit code.

mod cli;
mod cmd;

use std::io::{IsTerminal, Write};
use std::process::ExitCode;

use clap::Parser;

use cli::{Cli, ColorArg};
use keyward::report::human::Style;

/// Exit codes: the hook's contract with git and with scripts.
mod exit {
    /// Nothing found.
    pub const CLEAN: u8 = 0;
    /// Secrets found: the commit is blocked.
    pub const FOUND: u8 = 1;
    /// Usage, config or repository error: the commit is blocked too (fail closed).
    pub const ERROR: u8 = 2;
}

const BYPASS: &str = "To commit anyway, knowingly: git commit --no-verify";

fn main() -> ExitCode {
    let cli = match Cli::try_parse() {
        Ok(cli) => cli,
        Err(e) => {
            let is_error = e.use_stderr();
            let _ = e.print();
            if is_error {
                eprintln!("keyward could not run, so the commit was blocked. {BYPASS}");
                return ExitCode::from(exit::ERROR);
            }
            return ExitCode::from(exit::CLEAN);
        }
    };
    match cmd::run(&cli, style(cli.color)) {
        Ok(code) => ExitCode::from(code),
        Err(e) => {
            let mut err = std::io::stderr().lock();
            let _ = writeln!(err, "keyward: error: {e:#}");
            let _ = writeln!(
                err,
                "keyward could not finish, so the commit was blocked. {BYPASS}"
            );
            ExitCode::from(exit::ERROR)
        }
    }
}

/// The colour decision, made once: `--color`, then `NO_COLOR`, then whether stderr (where the
/// human report goes) is a terminal.
fn style(color: ColorArg) -> Style {
    let color = match color {
        ColorArg::Always => true,
        ColorArg::Never => false,
        ColorArg::Auto => {
            std::env::var_os("NO_COLOR").is_none_or(|v| v.is_empty())
                && std::io::stderr().is_terminal()
        }
    };
    Style { color }
}
