//! Default arguments from the file named by `TRAWL_CONFIG_PATH`, with
//! ripgrep's rules: one argument per line, surrounding whitespace ignored,
//! `#` starts a comment line, blank lines skipped. Config arguments are put
//! before the command line's, so the command line wins; `--no-config` on
//! the command line disables the file.

use std::ffi::OsString;
use std::path::Path;

use clap::Parser;

use super::args::Args;

pub const ENV_VAR: &str = "TRAWL_CONFIG_PATH";

/// The full argument list: argv[0], config arguments, then the command
/// line's. Errors name the file and, where one is to blame, the line.
pub fn args_with_config(argv: Vec<OsString>) -> Result<Vec<OsString>, String> {
    let no_config = argv.iter().skip(1).any(|a| a == "--no-config");
    let path = match std::env::var_os(ENV_VAR) {
        Some(path) if !path.is_empty() && !no_config => path,
        _ => return Ok(argv),
    };
    let path = Path::new(&path);
    let text = std::fs::read(path).map_err(|e| format!("{}: {e}", path.display()))?;
    let lines = parse(&text);
    check(path, &lines)?;
    let mut args = Vec::with_capacity(argv.len() + lines.len());
    let mut argv = argv.into_iter();
    args.extend(argv.next());
    args.extend(lines.into_iter().map(|(_, arg)| arg));
    args.extend(argv);
    Ok(args)
}

/// (line number, argument) pairs.
fn parse(text: &[u8]) -> Vec<(usize, OsString)> {
    use std::os::unix::ffi::OsStrExt;
    text.split(|&b| b == b'\n')
        .enumerate()
        .filter_map(|(i, line)| {
            let line = line.trim_ascii();
            if line.is_empty() || line.starts_with(b"#") {
                None
            } else {
                Some((i + 1, std::ffi::OsStr::from_bytes(line).to_os_string()))
            }
        })
        .collect()
}

/// Parses the config's arguments alone so that a bad one is reported with
/// its line instead of as a mystery error in the user's command.
fn check(path: &Path, lines: &[(usize, OsString)]) -> Result<(), String> {
    let all = std::iter::once(OsString::from("trawl")).chain(lines.iter().map(|(_, a)| a.clone()));
    let Err(error) = Args::try_parse_from(all) else {
        return Ok(());
    };
    let first_line =
        |error: &clap::Error| error.to_string().lines().next().unwrap_or("").to_string();
    for (number, arg) in lines {
        let alone = [OsString::from("trawl"), arg.clone()];
        if let Err(line_error) = Args::try_parse_from(alone) {
            // A flag whose value is on the next line fails alone for another
            // reason; only blame a line that fails the same way.
            if line_error.kind() == error.kind() {
                return Err(format!(
                    "{}:{number}: {}",
                    path.display(),
                    first_line(&line_error)
                ));
            }
        }
    }
    Err(format!("{}: {}", path.display(), first_line(&error)))
}
