//! Subcommand dispatch: each turns resolved arguments into library calls and an exit code.

mod fix;
mod hook;
mod rules;
mod scan;

use anyhow::Result;
use keyward::report::human::Style;

use crate::cli::{Cli, Command, ScanArgs};

/// Runs the command `cli` names; returns the exit code.
pub fn run(cli: &Cli, style: Style) -> Result<u8> {
    let default_scan = ScanArgs {
        staged: true,
        paths: Vec::new(),
    };
    match &cli.command {
        None => scan::run(cli, &default_scan, style),
        Some(Command::Scan(args)) => scan::run(cli, args, style),
        Some(Command::Install) => hook::install(cli),
        Some(Command::Uninstall) => hook::uninstall(cli),
        Some(Command::Rules(args)) => rules::run(cli, args),
        Some(Command::Fix(args)) => fix::run(cli, args),
        Some(Command::AddedLines) => scan::added_lines(),
    }
}
