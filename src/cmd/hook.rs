//! `keyward install` / `keyward uninstall`.

use anyhow::{Context, Result};
use keyward::hook::{self, Installed, Uninstalled};

use crate::cli::Cli;
use crate::exit;

/// Installs the hook, pinned to this binary.
pub fn install(cli: &Cli) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let bin = std::env::current_exe().context("cannot find the keyward binary's own path")?;
    let message = match hook::install(&cwd, &bin)? {
        Installed::New(path) => format!("keyward: installed the pre-commit hook at {}", path.display()),
        Installed::Chained(path, kept) => format!(
            "keyward: installed the pre-commit hook at {}; the hook that was there runs after it, from {}",
            path.display(),
            kept.display()
        ),
        Installed::AlreadyInstalled(path) => {
            format!("keyward: the pre-commit hook at {} was already installed; refreshed it", path.display())
        }
    };
    if !cli.quiet {
        eprintln!("{message}");
    }
    Ok(exit::CLEAN)
}

/// Removes the hook.
pub fn uninstall(cli: &Cli) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let message = match hook::uninstall(&cwd)? {
        Uninstalled::Removed(path) => {
            format!("keyward: removed the pre-commit hook at {}", path.display())
        }
        Uninstalled::Restored(path) => {
            format!(
                "keyward: removed keyward's hook and restored the previous one at {}",
                path.display()
            )
        }
        Uninstalled::NotInstalled(path) => {
            format!(
                "keyward: no keyward hook at {}; nothing to remove",
                path.display()
            )
        }
    };
    if !cli.quiet {
        eprintln!("{message}");
    }
    Ok(exit::CLEAN)
}
