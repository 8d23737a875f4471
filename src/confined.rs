//! Files the repository controls, opened so that a hostile repository cannot redirect them.
//!
//! A committed symlink named `.keywardignore` pointing at `~/.git-credentials`, a `.env` link to
//! `~/.bashrc`, a config naming `/dev/zero` or a FIFO: every file keyward reads or writes because
//! a repository put it there (configs, ignore files, `.env`, `.gitignore`, hooks) goes through
//! this module, which
//!
//! - walks the path from the work tree's root one component at a time with `openat` and
//!   `O_NOFOLLOW`, so no symlink is followed, in the middle or at the end, and `..` is refused;
//! - opens only regular files (a FIFO, a device or a socket is refused before it is read, and
//!   opening never blocks: `O_NONBLOCK`), and reads at most a given size;
//! - writes by creating a temporary file exclusively (`O_CREAT | O_EXCL`, a random name) in the
//!   target's own directory and renaming it over the target, which replaces a symlink rather
//!   than writing through it.
//!
//! Errors name the path and what was wrong with it, never the file's content.

use std::ffi::{CString, OsStr};
use std::fs::File;
use std::io::{self, Read, Write};
use std::os::fd::{AsRawFd, FromRawFd, OwnedFd};
use std::os::unix::ffi::OsStrExt;
use std::path::{Component, Path};

/// The most a repository's own config or ignore file may hold: far above any real one.
pub const MAX_CONFIG_SIZE: u64 = 4 * 1024 * 1024;

/// Reads the regular file at `rel` (relative to `root`) if it exists, up to `max` bytes.
///
/// `Ok(None)` when nothing is there. A symlink anywhere on the path, a `..` component, a file
/// that is not regular, or one larger than `max` is an error that names the path.
///
/// # Errors
/// As above, and any I/O error.
pub fn read(root: &Path, rel: &Path, max: u64) -> io::Result<Option<Vec<u8>>> {
    let Some((dir, name)) = open_parent(root, rel, false)? else {
        return Ok(None);
    };
    let fd = match openat(&dir, &name, libc::O_RDONLY | libc::O_NONBLOCK, 0) {
        Ok(fd) => fd,
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => return Ok(None),
        Err(e) if e.raw_os_error() == Some(libc::ELOOP) => {
            return Err(refused(rel, "is a symbolic link"))
        }
        Err(e) => return Err(e),
    };
    let file = File::from(fd);
    read_bounded(file, rel, max).map(Some)
}

/// Reads a file the user named themselves (`--config PATH`): links are followed, since the user
/// chose the path, but only a regular file is read, and at most `max` bytes.
///
/// # Errors
/// Not a regular file, larger than `max`, or an I/O error.
pub fn read_named(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    let file = std::fs::OpenOptions::new()
        .read(true)
        .custom_flags_nonblock()
        .open(path)?;
    read_bounded(file, path, max)
}

fn read_bounded(mut file: File, shown: &Path, max: u64) -> io::Result<Vec<u8>> {
    let meta = file.metadata()?;
    if !meta.file_type().is_file() {
        return Err(refused(shown, "is not a regular file"));
    }
    if meta.len() > max {
        return Err(refused(
            shown,
            &format!("is {} bytes, more than the {max} allowed", meta.len()),
        ));
    }
    let mut bytes = Vec::with_capacity(meta.len() as usize);
    (&mut file).take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(refused(
            shown,
            &format!("grew past the {max} bytes allowed"),
        ));
    }
    Ok(bytes)
}

/// Replaces the file at `rel` (relative to `root`) with `content` and permissions `mode`.
///
/// The new content goes to a temporary file created exclusively, with a random name, in the
/// target's directory, then is renamed over the target: a symlink at the target is replaced,
/// never written through, and a symlinked directory on the way is refused.
///
/// # Errors
/// A symlink or `..` on the way, a target that exists and is not a regular file, or an I/O
/// error.
pub fn write(root: &Path, rel: &Path, content: &[u8], mode: u32) -> io::Result<()> {
    let Some((dir, name)) = open_parent(root, rel, true)? else {
        return Err(refused(rel, "has no parent directory in the work tree"));
    };
    match fstatat_nofollow(&dir, &name) {
        Ok(kind) if kind == libc::S_IFREG || kind == libc::S_IFLNK => {}
        Ok(_) => return Err(refused(rel, "is not a regular file")),
        Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {}
        Err(e) => return Err(e),
    }
    let (temp_name, fd) = create_exclusive(&dir, &name, mode)?;
    let mut file = File::from(fd);
    let written = file
        .write_all(content)
        .and_then(|()| file.sync_all())
        .and_then(|()| {
            // The mode as asked, whatever the umask made of it.
            if unsafe { libc::fchmod(file.as_raw_fd(), mode as libc::mode_t) } != 0 {
                return Err(io::Error::last_os_error());
            }
            Ok(())
        });
    drop(file);
    let renamed = written.and_then(|()| {
        let rc = unsafe {
            libc::renameat(
                dir.as_raw_fd(),
                temp_name.as_ptr(),
                dir.as_raw_fd(),
                name.as_ptr(),
            )
        };
        if rc != 0 {
            return Err(io::Error::last_os_error());
        }
        Ok(())
    });
    if renamed.is_err() {
        unsafe { libc::unlinkat(dir.as_raw_fd(), temp_name.as_ptr(), 0) };
    }
    renamed
}

/// The permission bits of the regular file at `rel`, if there is one (links not followed).
pub fn mode(root: &Path, rel: &Path) -> Option<u32> {
    let (dir, name) = open_parent(root, rel, false).ok()??;
    let stat = stat_nofollow(&dir, &name).ok()?;
    (stat.st_mode & libc::S_IFMT == libc::S_IFREG).then_some(stat.st_mode & 0o7777)
}

/// Whether `rel` (relative to `root`) is a symbolic link, or lies under one.
pub fn is_symlink(root: &Path, rel: &Path) -> bool {
    match open_parent(root, rel, false) {
        Ok(Some((dir, name))) => {
            matches!(fstatat_nofollow(&dir, &name), Ok(kind) if kind == libc::S_IFLNK)
        }
        Ok(None) => false,
        Err(_) => true,
    }
}

/// Opens the directory that holds `rel`, walking from `root` without following links.
/// `Ok(None)` if a directory on the way does not exist (and `create` is false).
fn open_parent(root: &Path, rel: &Path, create: bool) -> io::Result<Option<(OwnedFd, CString)>> {
    let root_c = c_path(root.as_os_str())?;
    let root_fd = unsafe {
        libc::open(
            root_c.as_ptr(),
            libc::O_RDONLY | libc::O_DIRECTORY | libc::O_CLOEXEC,
        )
    };
    if root_fd < 0 {
        return Err(io::Error::last_os_error());
    }
    let mut dir = unsafe { OwnedFd::from_raw_fd(root_fd) };
    let mut parts: Vec<&OsStr> = Vec::new();
    for component in rel.components() {
        match component {
            Component::Normal(part) => parts.push(part),
            Component::CurDir => {}
            _ => return Err(refused(rel, "is not a path inside the work tree")),
        }
    }
    let Some(last) = parts.pop() else {
        return Err(refused(rel, "names no file"));
    };
    for part in parts {
        let name = c_path(part)?;
        let flags = libc::O_RDONLY | libc::O_DIRECTORY | libc::O_NOFOLLOW;
        dir = match openat(&dir, &name, flags, 0) {
            Ok(fd) => fd,
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) && !create => return Ok(None),
            Err(e) if e.raw_os_error() == Some(libc::ENOENT) => {
                if unsafe { libc::mkdirat(dir.as_raw_fd(), name.as_ptr(), 0o755) } != 0 {
                    return Err(io::Error::last_os_error());
                }
                openat(&dir, &name, flags, 0)?
            }
            Err(e)
                if e.raw_os_error() == Some(libc::ELOOP)
                    || e.raw_os_error() == Some(libc::ENOTDIR) =>
            {
                return Err(refused(rel, "lies under a symbolic link or a file"))
            }
            Err(e) => return Err(e),
        };
    }
    Ok(Some((dir, c_path(last)?)))
}

fn openat(dir: &OwnedFd, name: &CString, flags: i32, mode: u32) -> io::Result<OwnedFd> {
    let fd = unsafe {
        libc::openat(
            dir.as_raw_fd(),
            name.as_ptr(),
            flags | libc::O_NOFOLLOW | libc::O_CLOEXEC,
            mode as libc::c_uint,
        )
    };
    if fd < 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(unsafe { OwnedFd::from_raw_fd(fd) })
}

/// The file type bits (`S_IFREG`, `S_IFLNK`, …) of `name` in `dir`, links not followed.
fn fstatat_nofollow(dir: &OwnedFd, name: &CString) -> io::Result<libc::mode_t> {
    stat_nofollow(dir, name).map(|stat| stat.st_mode & libc::S_IFMT)
}

/// `fstatat(2)` of `name` in `dir`, links not followed.
fn stat_nofollow(dir: &OwnedFd, name: &CString) -> io::Result<libc::stat> {
    let mut stat: libc::stat = unsafe { std::mem::zeroed() };
    let rc = unsafe {
        libc::fstatat(
            dir.as_raw_fd(),
            name.as_ptr(),
            &mut stat,
            libc::AT_SYMLINK_NOFOLLOW,
        )
    };
    if rc != 0 {
        return Err(io::Error::last_os_error());
    }
    Ok(stat)
}

/// A new file `.<name>.<random>.keyward-tmp` in `dir`, created exclusively.
fn create_exclusive(dir: &OwnedFd, name: &CString, mode: u32) -> io::Result<(CString, OwnedFd)> {
    let base = String::from_utf8_lossy(name.as_bytes()).into_owned();
    let mut last = None;
    for _ in 0..16 {
        let temp = format!(".{base}.{:016x}.keyward-tmp", random_u64());
        let temp = c_path(OsStr::new(&temp))?;
        let flags = libc::O_WRONLY | libc::O_CREAT | libc::O_EXCL;
        match openat(dir, &temp, flags, mode & 0o777) {
            Ok(fd) => return Ok((temp, fd)),
            Err(e) if e.kind() == io::ErrorKind::AlreadyExists => last = Some(e),
            Err(e) => return Err(e),
        }
    }
    Err(last.unwrap_or_else(|| io::Error::other("cannot create a temporary file")))
}

/// Random bits (temporary names, the ignore file's salt): from the kernel, else from the clock
/// and the process id, which still differ between calls and repositories.
pub fn random_u64() -> u64 {
    let mut bytes = [0u8; 8];
    let got = unsafe { libc::getrandom(bytes.as_mut_ptr().cast(), 8, 0) };
    if got == 8 {
        return u64::from_ne_bytes(bytes);
    }
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos() as u64)
        .unwrap_or(0);
    nanos ^ (u64::from(std::process::id()) << 32)
}

fn c_path(part: &OsStr) -> io::Result<CString> {
    CString::new(part.as_bytes()).map_err(|_| refused(Path::new(part), "contains a NUL byte"))
}

fn refused(path: &Path, why: &str) -> io::Error {
    io::Error::new(
        io::ErrorKind::InvalidInput,
        format!("{} {why}", crate::report::sanitize::path_for_terminal(path)),
    )
}

trait NonBlocking {
    fn custom_flags_nonblock(&mut self) -> &mut Self;
}

impl NonBlocking for std::fs::OpenOptions {
    fn custom_flags_nonblock(&mut self) -> &mut Self {
        use std::os::unix::fs::OpenOptionsExt;
        self.custom_flags(libc::O_NONBLOCK)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_a_regular_file_and_refuses_links_fifos_and_escapes() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("a.toml"), "x = 1\n").unwrap();
        std::fs::write(root.join("outside"), "secret\n").unwrap();
        std::os::unix::fs::symlink(root.join("outside"), root.join("link")).unwrap();
        std::fs::create_dir(root.join("real")).unwrap();
        std::os::unix::fs::symlink(root.join("real"), root.join("dirlink")).unwrap();
        std::fs::write(root.join("real/f"), "y\n").unwrap();
        let fifo = c_path(root.join("fifo").as_os_str()).unwrap();
        assert_eq!(unsafe { libc::mkfifo(fifo.as_ptr(), 0o600) }, 0);

        assert_eq!(
            read(root, Path::new("a.toml"), 100).unwrap().unwrap(),
            b"x = 1\n"
        );
        assert!(read(root, Path::new("missing"), 100).unwrap().is_none());
        for bad in ["link", "dirlink/f", "fifo", "../outside", "/etc/passwd"] {
            let err = read(root, Path::new(bad), 100).unwrap_err().to_string();
            assert!(!err.contains("secret"), "{bad}: {err}");
        }
        assert!(read(root, Path::new("a.toml"), 3).is_err());
    }

    #[test]
    fn writes_replace_a_link_instead_of_following_it() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        std::fs::write(root.join("victim"), "keep\n").unwrap();
        std::os::unix::fs::symlink(root.join("victim"), root.join(".env")).unwrap();
        write(root, Path::new(".env"), b"A=1\n", 0o600).unwrap();
        assert_eq!(std::fs::read(root.join("victim")).unwrap(), b"keep\n");
        assert_eq!(std::fs::read(root.join(".env")).unwrap(), b"A=1\n");
        use std::os::unix::fs::PermissionsExt;
        let mode = std::fs::metadata(root.join(".env")).unwrap().permissions();
        assert_eq!(mode.mode() & 0o777, 0o600);
        assert!(!is_symlink(root, Path::new(".env")));
    }
}
