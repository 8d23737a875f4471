//! `keyward` / `keyward scan`: read the source, detect, report, exit 0 (clean) or 1 (found).

use std::io::{BufWriter, IsTerminal, Read, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use anyhow::{Context, Result};
use keyward::ignore::IgnoreList;
use keyward::pipeline;
use keyward::project::{StagedFiles, WorkTreeFiles};
use keyward::report::{self, human::Style, Report, SecretDisplay, Target};
use keyward::source::{paths, History, Limits, Staged, Summary};
use keyward_detect::detect::verdict::{SuppressedFinding, Suppression};
use keyward_detect::suggest::ProjectFiles;
use keyward_detect::{Detector, Finding};

use crate::cli::{Cli, FormatArg, ReportFormatArg, ScanArgs};
use crate::exit;

/// What a scan found, before it is rendered.
pub struct Scanned {
    /// Findings not recorded in an ignore file.
    pub findings: Vec<Finding>,
    /// What was read.
    pub summary: Summary,
    /// What was scanned.
    pub target: Target,
    /// Whether `.gitignore` ignores `.env` (known for repository scans).
    pub env_ignored: Option<bool>,
    /// Findings an ignore file recorded.
    pub ignored: usize,
    /// The salt of the repository's fingerprints.
    pub salt: Vec<u8>,
    /// Where the config and the ignore file live.
    pub root: PathBuf,
    /// Notes for the user beside the findings (what a range's own config would allow, the
    /// inline allow comments it adds).
    pub notes: Vec<String>,
    /// Findings left out of the report by [`FINDINGS_PER_FILE`].
    pub not_shown: usize,
    /// Matches allow comments and allowlists kept out.
    pub suppressed: keyward_detect::detect::Suppressed,
    /// The suppressed findings: by allow comments, allowlists and ignore files.
    pub suppressed_findings: Vec<SuppressedFinding>,
    /// The project the fix reads around each finding: the staged tree for a commit, the work
    /// tree otherwise.
    pub project: Box<dyn ProjectFiles>,
}

/// Runs a scan and renders its report.
pub fn run(cli: &Cli, args: &ScanArgs, style: Style) -> Result<u8> {
    let scanned = scan(cli, args)?;
    render(cli, style, &scanned)?;
    let report = report_of(&scanned);
    Ok(if report.blocks() {
        exit::FOUND
    } else {
        exit::CLEAN
    })
}

/// Reads the source `args` names, runs the detector and drops the findings the ignore files
/// record.
pub fn scan(cli: &Cli, args: &ScanArgs) -> Result<Scanned> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let mut timings: Vec<(&str, Duration)> = Vec::new();
    let mut summary = Summary::default();
    let started = Instant::now();
    // For a range whose base is trusted: the base's ignore list; and the range's own notes.
    let mut range_base: Option<IgnoreList> = None;
    let mut range_notes: Vec<String> = Vec::new();
    let mut source_notes: Vec<String> = Vec::new();
    // The staged changes, kept for the fix's questions about the project around a finding.
    let mut kept_staged: Option<Staged> = None;
    let (whole_files, commits, opened) = if args.framework {
        framework_source(&cwd, &args.paths)?
    } else {
        (
            !args.paths.is_empty(),
            args.range.is_some() || args.pre_push,
            None,
        )
    };
    let (target, root, env_ignored, detector, findings) = if whole_files {
        let files = paths::collect(&args.paths, !args.no_gitignore)?;
        timings.push(("list the files", started.elapsed()));
        let (detector, limits) = detector_and_limits(cli, args, &cwd)?;
        let mut progress = Progress::new(cli, files.len(), "files");
        let findings = pipeline::scan(&detector, |visit| {
            paths::for_each(&files, limits, &mut summary, |file| {
                progress.tick();
                visit(file)
            })
        })?;
        progress.finish();
        (Target::Paths, cwd.clone(), None, detector, findings)
    } else if commits {
        let mut history = match &args.range {
            Some(spec) => History::open(&cwd, spec)?,
            None => pushed(&cwd)?,
        };
        timings.push((
            "open the repository and walk the commits",
            started.elapsed(),
        ));
        let root = history.workdir().unwrap_or(&cwd).to_path_buf();
        source_notes.extend(history.notes().iter().cloned());
        let from_base =
            !args.trust_range_config && cli.config.is_none() && history.base().is_some();
        let (detector, limits) = if from_base {
            let (config, _) = keyward::repo_config::at_base(&history)?;
            detector_from(cli, args, config)?
        } else {
            detector_and_limits(cli, args, &root)?
        };
        history.set_limits(limits);
        let scanning = Instant::now();
        let read = scan_history(cli, &detector, &history, &mut summary)?;
        let inline_allows = read.inline_allows;
        let findings = read.findings;
        if cli.verbose {
            let secs = scanning.elapsed().as_secs_f64().max(1e-9);
            let mb = read.added_bytes as f64 / 1e6;
            eprintln!(
                "keyward: {} commits, {mb:.1} MB of added lines in {secs:.2} s: {:.0} commits/s, {:.1} MB/s",
                history.len(),
                history.len() as f64 / secs,
                mb / secs
            );
        }
        range_base = from_base.then(|| base_ignore(&history)).transpose()?;
        // Listed for a range under review (one with a base); a whole-history audit keeps its
        // report to the findings.
        if from_base {
            range_notes = inline_allows;
        }
        let target = if args.range.is_some() {
            Target::Commits
        } else {
            Target::Push
        };
        (target, root, None, detector, findings)
    } else {
        let mut staged = match opened {
            Some(staged) => staged,
            None => Staged::open(&cwd)?,
        };
        if !staged.unmerged().is_empty() {
            let names: Vec<String> = staged
                .unmerged()
                .iter()
                .map(|p| keyward::report::sanitize::bytes_for_terminal(p))
                .collect();
            source_notes.push(format!(
                "{} path(s) with unresolved merge conflicts were not scanned (the index holds no \
                 resolved content for them yet); resolve and `git add` them, then scan again: {}",
                names.len(),
                listed(&names)
            ));
        }
        timings.push((
            "open the repository and list the changes",
            started.elapsed(),
        ));
        let root = staged.workdir().unwrap_or(&cwd).to_path_buf();
        let gitignore = keyward::confined::read(&root, Path::new(".gitignore"), 1 << 20)
            .ok()
            .flatten()
            .map(|b| String::from_utf8_lossy(&b).into_owned())
            .unwrap_or_default();
        let env_ignored = Some(keyward::fix::ignores_env(&gitignore));
        let started = Instant::now();
        let (detector, limits) = detector_and_limits(cli, args, &root)?;
        staged.set_limits(limits);
        timings.push(("load the rules and build the prefilter", started.elapsed()));
        let scanning = Instant::now();
        let findings = pipeline::scan(&detector, |visit| staged.for_each(&mut summary, visit))?;
        timings.push(("read, diff and scan the staged blobs", scanning.elapsed()));
        kept_staged = Some(staged);
        (Target::Staged, root, env_ignored, detector, findings)
    };
    let mut notes = source_notes;
    let (ignore, findings, ignored) = match range_base {
        Some(base) => {
            let (findings, ignored) = base.filter(findings);
            notes.extend(suppressed_by_the_range(cli, &root, &findings));
            (base, findings, ignored)
        }
        None => {
            let ignore = IgnoreList::load(&root)?;
            let (findings, ignored) = ignore.filter(findings);
            (ignore, findings, ignored)
        }
    };
    let mut suppressed_findings = detector.take_suppressed();
    let ignored_count = ignored.len();
    suppressed_findings.extend(ignored.into_iter().map(|finding| SuppressedFinding {
        finding,
        by: Suppression::IgnoreFile,
    }));
    let (findings, not_shown) = cap_per_file(findings, &mut notes);
    if !range_notes.is_empty() {
        notes.push(format!(
            "the range adds {} inline allow comment(s) (keyward:allow / gitleaks:allow); their \
             lines were not scanned: {}",
            range_notes.len(),
            listed(&range_notes)
        ));
    }
    if cli.verbose {
        for (what, took) in &timings {
            eprintln!("keyward: {:>8.2} ms  {what}", took.as_secs_f64() * 1000.0);
        }
        let rules = detector.ruleset();
        eprintln!(
            "keyward: {} of {} rules were parsed for this scan (those whose keywords occur)",
            rules.parsed_rules(),
            rules.len()
        );
        eprintln!(
            "keyward: {} of {} rule regexes were compiled for this scan: {}",
            rules.compiled_regexes(),
            rules.len(),
            rules.compiled_rule_ids().join(", ")
        );
    }
    let suppressed = detector.suppressed();
    // The process ends soon after the report: freeing the rules, automata and compiled regexes
    // one by one would only cost time (a tenth of a millisecond on a small commit).
    std::mem::forget(detector);
    let project: Box<dyn ProjectFiles> = match kept_staged {
        Some(staged) => Box::new(StagedFiles::new(staged)),
        None => Box::new(WorkTreeFiles::new(&root)),
    };
    Ok(Scanned {
        project,
        findings,
        summary,
        target,
        env_ignored,
        ignored: ignored_count,
        salt: ignore.salt().to_vec(),
        root,
        notes,
        not_shown,
        suppressed,
        suppressed_findings,
    })
}

/// Findings reported per file (per commit, in a range) at most: a file with thousands of
/// matches is generated or test data, and thousands of blocks of output (each fingerprint a
/// deliberately slow hash) would bury everything else.
pub const FINDINGS_PER_FILE: usize = 100;

/// Keeps the first [`FINDINGS_PER_FILE`] findings of each file (`findings` is sorted by path
/// and position); says in `notes` how many more each file had. Returns the kept findings and
/// how many were left out.
fn cap_per_file(findings: Vec<Finding>, notes: &mut Vec<String>) -> (Vec<Finding>, usize) {
    let mut kept: Vec<Finding> = Vec::with_capacity(findings.len().min(FINDINGS_PER_FILE));
    let mut per_file: std::collections::HashMap<(Vec<u8>, Option<String>), usize> =
        Default::default();
    let mut over: Vec<(Vec<u8>, usize)> = Vec::new();
    for finding in findings {
        let key = (finding.path.clone(), finding.commit.clone());
        let seen = per_file.entry(key).or_default();
        *seen += 1;
        if *seen <= FINDINGS_PER_FILE {
            kept.push(finding);
            continue;
        }
        match over.iter_mut().find(|(path, _)| *path == finding.path) {
            Some((_, n)) => *n += 1,
            None => over.push((finding.path, 1)),
        }
    }
    let not_shown = over.iter().map(|(_, n)| n).sum();
    for (path, n) in &over {
        notes.push(format!(
            "{}: {n} more findings not shown (the first {FINDINGS_PER_FILE} are); a file this \
             full of keys is usually generated or test data: list it under [allowlist] paths \
             in .keyward.toml if it is",
            keyward::report::sanitize::bytes_for_terminal(path)
        ));
    }
    (kept, not_shown)
}

/// Up to ten items joined, and how many more there are.
fn listed(items: &[String]) -> String {
    const SHOWN: usize = 10;
    let mut text = items[..items.len().min(SHOWN)].join(", ");
    if items.len() > SHOWN {
        text.push_str(&format!(" and {} more", items.len() - SHOWN));
    }
    text
}

/// The ignore files of a range's base commit.
fn base_ignore(history: &History) -> Result<IgnoreList> {
    let read = |name: &str| -> Result<Option<String>> {
        Ok(history
            .read_at_base(name, keyward::confined::MAX_CONFIG_SIZE)?
            .map(|b| String::from_utf8_lossy(&b).into_owned()))
    };
    let keyward = read(keyward::ignore::FILE_NAME)?;
    let gitleaks = read(keyward::ignore::GITLEAKS_FILE_NAME)?;
    Ok(IgnoreList::from_texts(
        keyward.as_deref(),
        gitleaks.as_deref(),
    )?)
}

/// What a history scan found and noticed.
struct HistoryRead {
    findings: Vec<Finding>,
    /// `path:line (commit)` of added lines with an inline allow comment.
    inline_allows: Vec<String>,
    /// Bytes of added lines (counted with `-v`, for the throughput line).
    added_bytes: usize,
}

/// Histories at least this long are read on two cores: reading and diffing blobs is most of a
/// history scan, and commits are independent once their trees are diffed.
const PARALLEL_COMMITS: usize = 64;

/// Commits a reader claims at a time: enough for its caches to pay (one commit's new blobs are
/// the next one's old blobs), few enough to keep both readers busy to the end.
const COMMITS_PER_CLAIM: usize = 64;

/// Reads, diffs and scans every commit of `history`: with a long history, a second reader on a
/// thread of its own (its own repository handle and caches) claims chunks of commits beside
/// this one. A terminal shows commits done of the total.
fn scan_history(
    cli: &Cli,
    detector: &Detector,
    history: &History,
    summary: &mut Summary,
) -> Result<HistoryRead> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let total = history.len();
    let two_readers = total >= PARALLEL_COMMITS && keyward_detect::detect::threads() > 1;
    let chunk = if two_readers {
        COMMITS_PER_CLAIM
    } else {
        total
    };
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    let mut progress = Progress::new(cli, total, "commits");
    let (mine, theirs) = std::thread::scope(|scope| {
        let second = two_readers.then(|| {
            let other = history.for_thread();
            let (next, done) = (&next, &done);
            scope.spawn(
                move || -> Result<(HistoryRead, Summary), pipeline::ScanError> {
                    let other = other.open()?;
                    let mut summary = Summary::default();
                    let read = read_claimed(
                        cli.verbose,
                        detector,
                        &other,
                        next,
                        chunk,
                        &mut summary,
                        || {
                            done.fetch_add(1, Ordering::Relaxed);
                        },
                    )?;
                    Ok((read, summary))
                },
            )
        });
        let mine = read_claimed(
            cli.verbose,
            detector,
            history,
            &next,
            chunk,
            summary,
            || {
                progress.set(done.fetch_add(1, Ordering::Relaxed) + 1);
            },
        );
        let theirs = second.map(|h| h.join().unwrap_or_else(|p| std::panic::resume_unwind(p)));
        (mine, theirs)
    });
    progress.finish();
    let mut read = mine?;
    if let Some(theirs) = theirs {
        let (other, other_summary) = theirs?;
        summary.absorb(other_summary);
        read.findings.extend(other.findings);
        read.inline_allows.extend(other.inline_allows);
        read.added_bytes += other.added_bytes;
    }
    // Two readers finish in any order: sort with the commit as the last key.
    read.findings
        .sort_by(|a, b| (&a.path, a.location, &a.commit).cmp(&(&b.path, b.location, &b.commit)));
    read.inline_allows.sort();
    Ok(read)
}

/// One reader's share of a history scan: the chunks it claims from `next`, through the
/// pipeline, noting inline allows and (with `-v`) the bytes of added lines.
fn read_claimed(
    verbose: bool,
    detector: &Detector,
    history: &History,
    next: &std::sync::atomic::AtomicUsize,
    chunk: usize,
    summary: &mut Summary,
    commit_done: impl FnMut(),
) -> Result<HistoryRead, pipeline::ScanError> {
    let mut inline_allows = Vec::new();
    let mut added_bytes = 0;
    let findings = pipeline::scan(detector, |visit| {
        history.for_each_claimed(next, chunk, summary, commit_done, |file| {
            note_inline_allows(&file, &mut inline_allows);
            if verbose {
                added_bytes += file
                    .added
                    .chunks(file.content)
                    .iter()
                    .map(|c| c.bytes.len())
                    .sum::<usize>();
            }
            visit(file)
        })
    })?;
    Ok(HistoryRead {
        findings,
        inline_allows,
        added_bytes,
    })
}

/// Records `path:line` (and the commit) of each added line that carries an inline allow marker.
fn note_inline_allows(file: &keyward::source::FileChange<'_>, out: &mut Vec<String>) {
    use keyward_detect::detect::ALLOW_MARKERS as MARKERS;
    if !MARKERS
        .iter()
        .any(|m| memchr::memmem::find(file.content, m).is_some())
    {
        return;
    }
    for (number, line) in file.added.lines(file.content) {
        if MARKERS
            .iter()
            .any(|m| memchr::memmem::find(line, m).is_some())
        {
            let commit = file
                .commit
                .map(|c| format!(" ({})", &c[..c.len().min(12)]))
                .unwrap_or_default();
            out.push(format!(
                "{}:{number}{commit}",
                keyward::report::sanitize::bytes_for_terminal(file.path)
            ));
        }
    }
}

/// Which of `findings` (found with the range base's config) the work tree's own config or
/// ignore file would allow: a range that allowlists its own key is reported, not obeyed.
fn suppressed_by_the_range(cli: &Cli, root: &Path, findings: &[Finding]) -> Vec<String> {
    if findings.is_empty() {
        return Vec::new();
    }
    let head_ignore = IgnoreList::load(root).ok();
    let head = detector_and_limits(cli, &ScanArgs::default(), root)
        .ok()
        .map(|(d, _)| d);
    let mut allowed = Vec::new();
    for f in findings {
        let by_ignore = head_ignore.as_ref().is_some_and(|i| i.ignores(f));
        let by_config = head.as_ref().is_some_and(|d| {
            let mut line = f.line.text.clone();
            line.push(b'\n');
            let secret = f.secret.expose();
            !d.scan(&f.path, &line, &keyward::source::AddedLines::all())
                .unwrap_or_default()
                .iter()
                .any(|g| g.rule.id == f.rule.id && g.secret.expose() == secret)
        });
        if by_ignore || by_config {
            let how = if by_ignore {
                "an ignore entry"
            } else {
                "an allowlist or disabled rule"
            };
            allowed.push(format!(
                "{}:{} ({}) by {how}",
                keyward::report::sanitize::bytes_for_terminal(&f.path),
                f.location.line,
                f.rule.id
            ));
        }
    }
    if allowed.is_empty() {
        return Vec::new();
    }
    vec![format!(
        "{} finding(s) would be allowed by config or ignore files as the range leaves them \
         (.keyward.toml, .gitleaks.toml, .keywardignore, .gitleaksignore), not as its base \
         has them; they still count: {}. If the change is reviewed and intended, scan with \
         --trust-range-config.",
        allowed.len(),
        listed(&allowed)
    )]
}

/// What to scan when the pre-commit framework runs keyward (`--framework`), from the files it
/// names and its environment: `(whole files, commits, the staged changes to read)`.
///
/// The framework passes the staged files at commit time and for a plain `pre-commit run`;
/// every file for `--all-files`; the files given for `--files`; and for `--from-ref A
/// --to-ref B` the files changed between them, with the refs in PRE_COMMIT_FROM_REF and
/// PRE_COMMIT_TO_REF. Only the refs are told apart by the environment, so the file list
/// decides the rest: when every named file has staged changes this is a commit (and a long
/// list the framework split over several runs stays one per run, each its files' staged
/// lines); a named file without staged changes means the user named files to audit, whole.
fn framework_source(cwd: &Path, files: &[PathBuf]) -> Result<(bool, bool, Option<Staged>)> {
    let set = |k: &str| std::env::var_os(k).is_some_and(|v| !v.is_empty());
    if set("PRE_COMMIT_TO_REF") {
        return Ok((false, true, None));
    }
    let mut staged = Staged::open(cwd)?;
    let root = staged.workdir().unwrap_or(cwd).to_path_buf();
    let named: Vec<Vec<u8>> = files
        .iter()
        .map(|file| repo_path(&cwd.join(file), &root))
        .collect();
    let named: Vec<&[u8]> = named.iter().map(Vec::as_slice).collect();
    if !staged.changes_all(&named) {
        return Ok((true, false, None));
    }
    if !named.is_empty() {
        staged.keep_only(&named);
    }
    Ok((false, false, Some(staged)))
}

/// `path` relative to the work tree's `root`, as git names it (bytes, `/`-separated).
fn repo_path(path: &Path, root: &Path) -> Vec<u8> {
    use std::os::unix::ffi::OsStrExt;
    let relative = path.strip_prefix(root).unwrap_or(path);
    let mut out = Vec::new();
    for part in relative.components() {
        match part {
            std::path::Component::CurDir => continue,
            part => {
                if !out.is_empty() {
                    out.push(b'/');
                }
                out.extend_from_slice(part.as_os_str().as_bytes());
            }
        }
    }
    out
}

/// What a push sends. Under the pre-commit framework (`stages: [pre-push]`) the refs come in
/// `PRE_COMMIT_FROM_REF` / `PRE_COMMIT_TO_REF`, as pre-commit reads git's stdin itself;
/// otherwise they are git's ref lines on stdin.
fn pushed(cwd: &Path) -> Result<History> {
    let var = |k: &str| std::env::var(k).ok().filter(|v| !v.trim().is_empty());
    if let Some(to) = var("PRE_COMMIT_TO_REF") {
        return Ok(match var("PRE_COMMIT_FROM_REF") {
            Some(from) if from.bytes().any(|b| b != b'0') => {
                History::open(cwd, &format!("{from}..{to}"))?
            }
            // A new branch: what no remote-tracking branch has.
            _ => History::for_push(cwd, &format!("- {to} - {}", "0".repeat(to.len())))?,
        });
    }
    let mut refs = String::new();
    std::io::stdin()
        .read_to_string(&mut refs)
        .context("cannot read the refs git is pushing from stdin")?;
    Ok(History::for_push(cwd, &refs)?)
}

fn report_of(scanned: &Scanned) -> Report<'_> {
    Report {
        findings: &scanned.findings,
        summary: &scanned.summary,
        target: scanned.target,
        env_ignored: scanned.env_ignored,
        ignored: scanned.ignored,
        salt: &scanned.salt,
        not_shown: scanned.not_shown,
        suppressed: scanned.suppressed,
        suppressed_findings: &scanned.suppressed_findings,
        project: &*scanned.project,
    }
}

/// Renders the report in `--format`, and the `--report` file if asked for.
pub fn render(cli: &Cli, style: Style, scanned: &Scanned) -> Result<()> {
    let report = report_of(scanned);
    let show = if cli.show_secrets {
        SecretDisplay::Full
    } else {
        SecretDisplay::Redacted
    };
    match cli.format {
        FormatArg::Human => {
            if !cli.quiet || report.blocks() {
                let mut err = BufWriter::new(std::io::stderr().lock());
                report::human::render(&report, show, style, cli.verbose, &mut err)
                    .and_then(|()| err.flush())
                    .context("cannot write the report")?;
            }
        }
        FormatArg::Json | FormatArg::Sarif => {
            let mut out = BufWriter::new(std::io::stdout().lock());
            machine(cli.format == FormatArg::Sarif, &report, show, &mut out)
                .and_then(|()| out.flush())
                .context("cannot write the report")?;
        }
    }
    if let Some(path) = &cli.report {
        write_report_file(cli, path, &report, show)?;
    }
    if !cli.quiet {
        for note in &scanned.notes {
            eprintln!("keyward: note: {note}");
        }
    }
    Ok(())
}

fn machine(
    sarif: bool,
    report: &Report<'_>,
    show: SecretDisplay,
    out: &mut dyn Write,
) -> std::io::Result<()> {
    if sarif {
        report::sarif::render(report, show, out)
    } else {
        report::json::render(report, show, out)
    }
}

/// Writes the machine report to `path` through a temporary file in the same folder, renamed
/// into place: a reader never sees half a report.
fn write_report_file(
    cli: &Cli,
    path: &Path,
    report: &Report<'_>,
    show: SecretDisplay,
) -> Result<()> {
    let name = path.to_string_lossy().to_ascii_lowercase();
    let sarif = match cli.report_format {
        Some(ReportFormatArg::Sarif) => true,
        Some(ReportFormatArg::Json) => false,
        None => name.ends_with(".sarif") || name.ends_with(".sarif.json"),
    };
    let mut bytes = Vec::new();
    machine(sarif, report, show, &mut bytes)?;
    let tmp = path.with_file_name(format!(
        ".{}.keyward-tmp",
        path.file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_default()
    ));
    std::fs::write(&tmp, &bytes)
        .and_then(|()| std::fs::rename(&tmp, path))
        .inspect_err(|_| {
            let _ = std::fs::remove_file(&tmp);
        })
        .with_context(|| format!("cannot write the report to {}", path.display()))
}

/// The detector for the config named with `--config`, else the one at `root`. Config warnings
/// (what keyward reads differently from gitleaks) go to stderr.
pub fn detector(cli: &Cli, root: &Path) -> Result<Detector> {
    Ok(detector_and_limits(cli, &ScanArgs::default(), root)?.0)
}

/// [`detector`], with the config's limits.
pub(crate) fn detector_and_limits(
    cli: &Cli,
    args: &ScanArgs,
    root: &Path,
) -> Result<(Detector, Limits)> {
    let config = keyward::repo_config::resolve(cli.config.as_ref(), root)?;
    detector_from(cli, args, config)
}

/// The detector and limits `config` describes, as the scan's options want them; its warnings
/// on stderr (unless `-q`), and with `-v` what it brings besides its own lines.
fn detector_from(
    cli: &Cli,
    args: &ScanArgs,
    config: keyward_detect::config::Config,
) -> Result<(Detector, Limits)> {
    if !cli.quiet {
        for warning in &config.warnings {
            eprintln!("keyward: warning: {warning}");
        }
    }
    if cli.verbose {
        say_applied(&config);
    }
    let limits = config.limits;
    let mut detector = config.detector()?;
    detector.set_allow_comments(!args.no_allow_comments);
    Ok((detector, limits))
}

/// What `-v` says the config brought besides its own lines.
fn say_applied(config: &keyward_detect::config::Config) {
    if config.applies_gitleaks_default_allowlist() {
        eprintln!(
            "keyward: the .gitleaks.toml builds on gitleaks' defaults (useDefault = true), so \
             gitleaks' default global allowlist applies too (vendored and lock files, template \
             references such as ${{VAR}} and {{{{ x }}}}, booleans)."
        );
    }
}

/// A progress bar for scans of files on disk: on a terminal only, and only once the scan has
/// taken long enough to be worth one.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
    /// What is counted ("files", "commits").
    unit: &'static str,
    enabled: bool,
    started: Instant,
    total: usize,
    done: usize,
}

impl Progress {
    const AFTER: Duration = Duration::from_millis(300);

    fn new(cli: &Cli, total: usize, unit: &'static str) -> Progress {
        Progress {
            bar: None,
            unit,
            enabled: !cli.quiet && std::io::stderr().is_terminal(),
            started: Instant::now(),
            total,
            done: 0,
        }
    }

    fn tick(&mut self) {
        self.done += 1;
        self.show();
    }

    /// Shows the count done, once the work has taken long enough to be worth a bar.
    fn show(&mut self) {
        if !self.enabled {
            return;
        }
        if self.bar.is_none() && self.started.elapsed() >= Self::AFTER {
            let bar = indicatif::ProgressBar::new(self.total as u64);
            let template = format!(
                "keyward: scanning {{bar:30}} {{pos}}/{{len}} {} ({{eta}} left)",
                self.unit
            );
            if let Ok(style) = indicatif::ProgressStyle::with_template(&template) {
                bar.set_style(style);
            }
            self.bar = Some(bar);
        }
        if let Some(bar) = &self.bar {
            bar.set_position(self.done as u64);
        }
    }

    /// Sets the count done (when other threads count too) and shows it.
    fn set(&mut self, done: usize) {
        self.done = done;
        self.show();
    }

    fn finish(self) {
        if let Some(bar) = self.bar {
            bar.finish_and_clear();
        }
    }
}

/// The hidden `added-lines` command: what keyward sees, for comparison with `git diff --cached`
/// (or, with a range, `git show` of each commit). Records are `path NUL line NUL text NUL`.
pub fn added_lines(range: Option<&str>) -> Result<u8> {
    let cwd = std::env::current_dir().context("cannot read the current directory")?;
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut summary = Summary::default();
    let visit = |file: keyward::source::FileChange<'_>| -> Result<()> {
        for (number, text) in file.added.lines(file.content) {
            out.write_all(file.path)?;
            write!(out, "\0{number}\0")?;
            out.write_all(text)?;
            out.write_all(b"\0")?;
        }
        Ok(())
    };
    match range {
        Some(spec) => History::open(&cwd, spec)?.for_each(&mut summary, visit)?,
        None => Staged::open(&cwd)?.for_each(&mut summary, visit)?,
    }
    out.flush()?;
    Ok(exit::CLEAN)
}
