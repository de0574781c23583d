//! The design rule on imports: options types live with the stage that
//! uses them, so imports point one way, cli → run → the stages (walk,
//! index, pool, search, printer, output, ...). Checked on the source text,
//! so that a new `use` against the arrow fails here rather than in review.

use std::path::{Path, PathBuf};

/// Every `.rs` file under `src/`, as (path relative to `src/`, code
/// without comment lines: doc comments may name any module).
fn sources() -> Vec<(String, String)> {
    fn visit(dir: &Path, out: &mut Vec<PathBuf>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                visit(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path);
            }
        }
    }
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let mut files = Vec::new();
    visit(&src, &mut files);
    files.sort();
    files
        .into_iter()
        .map(|path| {
            let text = std::fs::read_to_string(&path).unwrap();
            let code: String = text
                .lines()
                .filter(|line| !line.trim_start().starts_with("//"))
                .map(|line| format!("{line}\n"))
                .collect();
            let rel = path.strip_prefix(&src).unwrap().to_string_lossy();
            (rel.replace('\\', "/"), code)
        })
        .collect()
}

/// The files (relative to `src/`) outside `allowed` whose code names `module`.
fn importers(module: &str, allowed: &[&str]) -> Vec<String> {
    let sources = sources();
    assert!(sources.len() > 20, "src/ not found: {sources:?}");
    sources
        .into_iter()
        .filter(|(rel, _)| {
            !allowed
                .iter()
                .any(|a| rel == a || (a.ends_with('/') && rel.starts_with(a)))
        })
        .filter(|(_, code)| code.contains(module))
        .map(|(rel, _)| rel)
        .collect()
}

#[test]
fn only_cli_and_lib_import_cli() {
    let found = importers("crate::cli", &["cli/", "lib.rs", "main.rs"]);
    assert!(found.is_empty(), "these import crate::cli: {found:?}");
}

#[test]
fn stages_below_run_never_import_run() {
    let found = importers(
        "crate::run",
        &["cli/", "run.rs", "run/", "lib.rs", "main.rs"],
    );
    assert!(found.is_empty(), "these import crate::run: {found:?}");
}
