//! The read policy: how a file's bytes are read before they are searched
//! (memory map or reads, decompression, a preprocessor).

use crate::cli::args::Args;
use crate::search::source::{Preprocessor, ReadPolicy, MMAP_MAX_PATHS};
use crate::walk::SearchPath;

pub(super) fn read_policy(args: &Args, paths: &[SearchPath]) -> Result<ReadPolicy, String> {
    Ok(ReadPolicy {
        // ripgrep's choice, which decides what binary detection sees
        // (see search::source).
        mmap: !args.no_mmap
            && (args.mmap
                || paths.len() <= MMAP_MAX_PATHS
                    && paths.iter().all(|p| match p {
                        SearchPath::Given(path) => path.is_file(),
                        _ => false,
                    })),
        mmap_walked: args.mmap,
        search_zip: args.search_zip,
        preprocessor: preprocessor(args)?,
    })
}

/// `--pre COMMAND` (an empty COMMAND turns it off, as in ripgrep) and
/// its `--pre-glob`s, matched like `-g` globs.
fn preprocessor(args: &Args) -> Result<Option<Preprocessor>, String> {
    let Some(command) = args.pre.clone().filter(|c| !c.is_empty()) else {
        return Ok(None);
    };
    let command = std::path::PathBuf::from(command);
    let cwd = std::env::current_dir().map_err(|error| format!("current directory: {error}"))?;
    let mut globs = ignore::overrides::OverrideBuilder::new(cwd);
    for glob in &args.pre_glob {
        globs
            .add(glob)
            .map_err(|error| format!("--pre-glob {glob:?}: {error}"))?;
    }
    let globs = globs
        .build()
        .map_err(|error| format!("--pre-glob: {error}"))?;
    Ok(Some(Preprocessor { command, globs }))
}

#[cfg(test)]
mod tests {
    use super::super::tests::args;
    use super::*;

    /// Unit tests run in the crate's directory.
    fn given(path: &str) -> SearchPath {
        SearchPath::Given(path.into())
    }

    #[test]
    fn files_named_alone_are_mapped() {
        let policy = |argv: &[&str], paths: &[SearchPath]| read_policy(&args(argv), paths).unwrap();
        assert!(policy(&["x"], &[given("Cargo.toml")]).mmap);
        assert!(!policy(&["x"], &[given("Cargo.toml"), given("src")]).mmap);
        assert!(!policy(&["x"], &[SearchPath::ImplicitCwd]).mmap);
        assert!(!policy(&["x"], &[SearchPath::Stdin]).mmap);
        let many = vec![given("Cargo.toml"); MMAP_MAX_PATHS + 1];
        assert!(!policy(&["x"], &many).mmap);
        let opts = policy(&["--mmap", "x"], &[SearchPath::ImplicitCwd]);
        assert!(opts.mmap && opts.mmap_walked);
        assert!(!policy(&["--no-mmap", "x"], &[given("Cargo.toml")]).mmap);
    }

    #[test]
    fn preprocessor_and_decompression() {
        let policy = |argv: &[&str]| read_policy(&args(argv), &[SearchPath::ImplicitCwd]).unwrap();
        assert!(policy(&["-z", "x"]).search_zip);
        assert!(policy(&["x"]).preprocessor.is_none());
        assert!(policy(&["--pre", "", "x"]).preprocessor.is_none());
        let pre = policy(&["--pre", "cat", "--pre-glob", "*.pdf", "x"])
            .preprocessor
            .unwrap();
        assert_eq!(pre.command, std::path::Path::new("cat"));
        assert!(pre.globs.matched("a.pdf", false).is_whitelist());
        assert!(read_policy(&args(&["--pre", "cat", "--pre-glob", "a[", "x"]), &[]).is_err());
    }
}
