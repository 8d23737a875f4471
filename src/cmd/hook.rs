//! `keyward install` / `keyward uninstall`.

use anyhow::{Context, Result};
use keyward::hook::{self, HookKind, Installed, Uninstalled};

use crate::cli::{Cli, HookArgs};
use crate::exit;

fn kinds(args: &HookArgs) -> Vec<HookKind> {
    if args.all {
        HookKind::ALL.to_vec()
    } else if args.pre_push {
        vec![HookKind::PrePush]
    } else {
        vec![HookKind::PreCommit]
    }
}

/// Installs the hook, pinned to this binary.
pub fn install(cli: &Cli, args: &HookArgs) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let bin = std::env::current_exe().context("cannot find the keyward binary's own path")?;
    for kind in kinds(args) {
        install_one(cli, &cwd, &bin, kind)?;
    }
    Ok(exit::CLEAN)
}

fn install_one(
    cli: &Cli,
    cwd: &std::path::Path,
    bin: &std::path::Path,
    kind: HookKind,
) -> Result<()> {
    let name = kind.name();
    let message = match hook::install_kind(cwd, bin, kind)? {
        Installed::New(path) => format!("keyward: installed the {name} hook at {}", path.display()),
        Installed::Chained(path, kept) => format!(
            "keyward: installed the {name} hook at {}; the hook that was there runs after it, from {}",
            path.display(),
            kept.display()
        ),
        Installed::AlreadyInstalled(path) => format!(
            "keyward: the {name} hook at {} was already installed; refreshed it",
            path.display()
        ),
    };
    if !cli.quiet {
        eprintln!("{message}");
    }
    Ok(())
}

/// Removes the hook.
pub fn uninstall(cli: &Cli, args: &HookArgs) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    for kind in kinds(args) {
        uninstall_one(cli, &cwd, kind)?;
    }
    Ok(exit::CLEAN)
}

fn uninstall_one(cli: &Cli, cwd: &std::path::Path, kind: HookKind) -> Result<()> {
    let name = kind.name();
    let message = match hook::uninstall_kind(cwd, kind)? {
        Uninstalled::Removed(path) => {
            format!("keyward: removed the {name} hook at {}", path.display())
        }
        Uninstalled::Restored(path) => format!(
            "keyward: removed keyward's {name} hook and restored the previous one at {}",
            path.display()
        ),
        Uninstalled::NotInstalled(path) => format!(
            "keyward: no keyward {name} hook at {}; nothing to remove",
            path.display()
        ),
    };
    if !cli.quiet {
        eprintln!("{message}");
    }
    Ok(())
}
