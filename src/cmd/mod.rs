//! Subcommand dispatch: each turns resolved arguments into library calls and an exit code.

mod docs;
mod explain;
mod fix;
mod hook;
mod ignore;
mod rules;
mod scan;

use anyhow::Result;
use keyward::report::human::Style;

use crate::cli::{Cli, Command, ScanArgs};

/// Runs the command `cli` names; returns the exit code.
pub fn run(cli: &Cli, style: Style) -> Result<u8> {
    match &cli.command {
        None => scan::run(cli, &ScanArgs::default(), style),
        Some(Command::Scan(args)) => scan::run(cli, args, style),
        Some(Command::Install(args)) => hook::install(cli, args),
        Some(Command::Uninstall(args)) => hook::uninstall(cli, args),
        Some(Command::Ignore(args)) => ignore::run(cli, args, style),
        Some(Command::Rules(args)) => rules::run(cli, args),
        Some(Command::Fix(args)) => fix::run(cli, args),
        Some(Command::Completions(args)) => docs::completions(args.shell),
        Some(Command::Man) => docs::man(),
        Some(Command::Explain(args)) => explain::run(cli, args),
        Some(Command::AddedLines(args)) => scan::added_lines(args.range.as_deref()),
    }
}
