//! What a walk must not search: pure predicates over paths.
//!
//! Today: hidden files and directories (name starting with `.`), skipped
//! unless `--hidden`. Ignore files, globs and types plug in here; a rule
//! that rejects a directory prunes its whole subtree.

use std::ffi::OsStr;
use std::path::Path;

use std::os::unix::ffi::OsStrExt;

#[derive(Debug, Clone, Default)]
pub struct Rules {
    pub hidden: bool,
}

impl Rules {
    /// True when the entry (below a walk root) must be skipped.
    pub fn skip(&self, _path: &Path, name: &OsStr, _is_dir: bool) -> bool {
        !self.hidden && name.as_bytes().first() == Some(&b'.')
    }
}
