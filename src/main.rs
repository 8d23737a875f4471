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

/// An interrupted run (Ctrl-C, or the hook's parent terminating it) exits 2 with a message, so
/// the commit stays blocked and the user knows why. A scan writes nothing, so stopping at once
/// is safe; `keyward fix` replaces each file by an atomic rename, so no file is left half
/// written. The handler only calls `write` and `_exit`, which are async-signal-safe, and needs
/// no thread (a small commit starts none).
mod interrupt {
    #[cfg(unix)]
    const MESSAGE: &[u8] =
        b"\nkeyward: interrupted, so the commit was blocked. To commit anyway, knowingly: git commit --no-verify\n";

    #[cfg(unix)]
    extern "C" fn on_signal(_signal: libc::c_int) {
        // SAFETY: write(2) and _exit(2) are async-signal-safe; MESSAGE is a static buffer.
        unsafe {
            libc::write(2, MESSAGE.as_ptr().cast(), MESSAGE.len());
            libc::_exit(i32::from(super::exit::ERROR));
        }
    }

    /// Installs the handler for SIGINT, SIGTERM and SIGHUP.
    pub fn exit_with_message_on_signal() {
        #[cfg(unix)]
        for signal in [libc::SIGINT, libc::SIGTERM, libc::SIGHUP] {
            // SAFETY: `on_signal` is an `extern "C" fn(c_int)` that only calls
            // async-signal-safe functions.
            unsafe {
                libc::signal(signal, on_signal as *const () as libc::sighandler_t);
            }
        }
    }
}

fn main() -> ExitCode {
    interrupt::exit_with_message_on_signal();
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
        Err(e) if closed_pipe(&e) => {
            // The reader went away (`keyward rules | head -1`): not an error of keyward's, so
            // no message, as ripgrep and git do. A scan's verdict was not delivered whole, so
            // it still fails closed, quietly.
            let scanning = matches!(cli.command, None | Some(cli::Command::Scan(_)));
            ExitCode::from(if scanning { exit::ERROR } else { exit::CLEAN })
        }
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

/// Whether `error` comes from writing to a pipe whose reader has closed it.
fn closed_pipe(error: &anyhow::Error) -> bool {
    error.chain().any(|cause| {
        cause
            .downcast_ref::<std::io::Error>()
            .is_some_and(|e| e.kind() == std::io::ErrorKind::BrokenPipe)
    })
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
