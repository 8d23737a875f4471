//! The repository's config (`.keyward.toml` or `.gitleaks.toml`), read the safe way.
//!
//! The detector parses configs but never opens a file ([`keyward_detect::config::ConfigFiles`]);
//! this module decides what may be read. A config found in the work tree, and every file its
//! `[extend] path` chains to, must be a regular file inside the work tree, reached without a
//! symlink, and at most [`confined::MAX_CONFIG_SIZE`] bytes: a repository's config is written
//! by whoever wrote the repository. A config the user names with `--config` is the user's
//! choice and may be anywhere, but is still only read if it is a regular file of bounded size.

use std::path::{Path, PathBuf};

use keyward_detect::config::{Config, ConfigFiles, FILE_NAMES};
use keyward_detect::rules::RuleError;

use crate::confined;
use crate::source::History;

/// Reads config files inside one work tree only.
struct InTree<'a> {
    root: &'a Path,
}

impl ConfigFiles for InTree<'_> {
    fn read(&self, path: &Path) -> Result<String, String> {
        let rel = path.strip_prefix(self.root).unwrap_or(path);
        let bytes = confined::read(self.root, rel, confined::MAX_CONFIG_SIZE)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "no such file in the work tree".to_owned())?;
        String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())
    }
}

/// Reads the files a user-named config chains to: anywhere, but regular and bounded.
struct Named;

impl ConfigFiles for Named {
    fn read(&self, path: &Path) -> Result<String, String> {
        let bytes =
            confined::read_named(path, confined::MAX_CONFIG_SIZE).map_err(|e| e.to_string())?;
        String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())
    }
}

/// The config at the work tree's root (`.keyward.toml`, else `.gitleaks.toml`); the built-in
/// rules if there is none.
///
/// # Errors
/// A config is there but is not a regular file inside the tree, cannot be read, or is invalid.
pub fn discover(root: &Path) -> Result<Config, RuleError> {
    for name in FILE_NAMES {
        let rel = Path::new(name);
        let present = confined::is_symlink(root, rel) || root.join(rel).symlink_metadata().is_ok();
        if present {
            let files = InTree { root };
            return Config::load(&root.join(rel), &files);
        }
    }
    Ok(Config::builtin())
}

/// The config the user named (`--config PATH`).
///
/// # Errors
/// The file is not a regular file, cannot be read, or is invalid.
pub fn load_named(path: &Path) -> Result<Config, RuleError> {
    Config::load(path, &Named)
}

/// The config to use: the one named with `--config`, else the one discovered at `root`.
///
/// # Errors
/// As [`discover`] and [`load_named`].
pub fn resolve(named: Option<&PathBuf>, root: &Path) -> Result<Config, RuleError> {
    match named {
        Some(path) => load_named(path),
        None => discover(root),
    }
}

/// Reads config files from the base commit of a range ([`History::read_at_base`]).
struct AtBase<'a> {
    history: &'a History,
}

impl ConfigFiles for AtBase<'_> {
    fn read(&self, path: &Path) -> Result<String, String> {
        let mut parts = Vec::new();
        for component in path.components() {
            match component {
                std::path::Component::Normal(part) => {
                    parts.push(part.to_str().ok_or("not a UTF-8 path")?)
                }
                std::path::Component::CurDir => {}
                _ => return Err("not a path inside the repository".into()),
            }
        }
        let bytes = self
            .history
            .read_at_base(&parts.join("/"), confined::MAX_CONFIG_SIZE)
            .map_err(|e| e.to_string())?
            .ok_or_else(|| "no such file in the base commit".to_owned())?;
        String::from_utf8(bytes).map_err(|_| "not UTF-8 text".to_owned())
    }
}

/// The config of a range's base commit (`.keyward.toml`, else `.gitleaks.toml`, as they are in
/// that commit), and which file it came from; the built-in rules if it has none.
///
/// # Errors
/// A config in the base commit cannot be read or is invalid.
pub fn at_base(history: &History) -> Result<(Config, Option<&'static str>), RuleError> {
    for name in FILE_NAMES {
        let present = history
            .read_at_base(name, confined::MAX_CONFIG_SIZE)
            .map_err(|e| RuleError {
                origin: (*name).to_owned(),
                location: None,
                message: e.to_string(),
            })?;
        if present.is_some() {
            return Ok((
                Config::load(Path::new(name), &AtBase { history })?,
                Some(name),
            ));
        }
    }
    Ok((Config::builtin(), None))
}
