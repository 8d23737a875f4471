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

/// [`BYPASS`] for the pre-push hook: what is blocked there is the push.
const PUSH_BYPASS: &str = "To push anyway, knowingly: git push --no-verify";

/// Whether this run checks a push (`scan --pre-push`, or the framework's pre-push stage, which
/// passes the pushed refs in PRE_COMMIT_TO_REF): its messages then speak of the push.
fn checks_a_push(args: &[std::ffi::OsString]) -> bool {
    args.iter().any(|a| a == "--pre-push")
        || (args.iter().any(|a| a == "--framework")
            && std::env::var_os("PRE_COMMIT_TO_REF").is_some_and(|v| !v.is_empty()))
}

/// "the commit was blocked. To commit anyway…", its push twin, or, for a range scan (a CI
/// check or an audit, not a hook), that the check failed.
fn blocked(pushing: bool, args: &[std::ffi::OsString]) -> String {
    if pushing {
        format!("the push was blocked. {PUSH_BYPASS}")
    } else if args
        .iter()
        .any(|a| a == "--range" || a.to_string_lossy().starts_with("--range="))
    {
        "the check failed (exit 2).".to_owned()
    } else {
        format!("the commit was blocked. {BYPASS}")
    }
}

/// An interrupted run (Ctrl-C, or the hook's parent terminating it) exits 2 with a message, so
/// the commit stays blocked and the user knows why. A scan writes nothing, so stopping at once
/// is safe; `keyward fix` replaces each file by an atomic rename, so no file is left half
/// written. The handler only calls `write` and `_exit`, which are async-signal-safe, and needs
/// no thread (a small commit starts none).
mod interrupt {
    use std::sync::atomic::{AtomicBool, Ordering};

    #[cfg(unix)]
    const MESSAGE: &[u8] =
        b"\nkeyward: interrupted, so the commit was blocked. To commit anyway, knowingly: git commit --no-verify\n";

    #[cfg(unix)]
    const PUSH_MESSAGE: &[u8] =
        b"\nkeyward: interrupted, so the push was blocked. To push anyway, knowingly: git push --no-verify\n";

    /// Set before the handler is installed: which message it writes.
    static PUSHING: AtomicBool = AtomicBool::new(false);

    #[cfg(unix)]
    extern "C" fn on_signal(_signal: libc::c_int) {
        let message = if PUSHING.load(Ordering::Relaxed) {
            PUSH_MESSAGE
        } else {
            MESSAGE
        };
        // SAFETY: write(2) and _exit(2) are async-signal-safe; the messages are static buffers,
        // and an atomic load is lock-free.
        unsafe {
            libc::write(2, message.as_ptr().cast(), message.len());
            libc::_exit(i32::from(super::exit::ERROR));
        }
    }

    /// Installs the handler for SIGINT, SIGTERM and SIGHUP; `pushing` picks its wording.
    pub fn exit_with_message_on_signal(pushing: bool) {
        PUSHING.store(pushing, Ordering::Relaxed);
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
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    let pushing = checks_a_push(&args);
    interrupt::exit_with_message_on_signal(pushing);
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(e) => {
            let is_error = e.use_stderr();
            let _ = e.print();
            if is_error {
                eprintln!("keyward could not run, so {}", blocked(pushing, &args));
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
                "keyward could not finish, so {}",
                blocked(pushing, &args)
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
