//! Default arguments from the file named by `TRAWL_CONFIG_PATH`, or, when
//! that is not set, by ripgrep's `RIPGREP_CONFIG_PATH` (so a user coming
//! from rg keeps their defaults), with ripgrep's rules: one argument per
//! line, surrounding whitespace ignored, `#` starts a comment line, blank
//! lines skipped. Config arguments are put before the command line's, so
//! the command line wins; `--no-config` on the command line disables the
//! file.

use std::ffi::OsString;
use std::path::Path;

use super::args::Args;
use crate::messages;

/// The variables naming the config file, the first one set winning.
pub const ENV_VARS: [&str; 2] = ["TRAWL_CONFIG_PATH", "RIPGREP_CONFIG_PATH"];

/// The arguments of the config file, to go before the command line's.
/// A file that cannot be read is reported (unless the command line says
/// `--no-messages`) and treated as empty, as ripgrep does; a bad argument
/// in it is an error naming the file and, where one is to blame, the line.
/// The command line's `--debug` (or `--trace`) says what is read.
pub fn config_args(command_line: &Args) -> Result<Vec<OsString>, String> {
    let no_messages = command_line.no_messages;
    let debug = command_line.debug || command_line.trace;
    let Some((var, path)) = ENV_VARS
        .iter()
        .find_map(|var| Some((*var, std::env::var_os(var)?)))
    else {
        messages::debug_if(
            debug,
            format_args!(
                "neither TRAWL_CONFIG_PATH nor RIPGREP_CONFIG_PATH environment variable is set, \
             therefore not reading any config file"
            ),
        );
        return Ok(Vec::new());
    };
    // Set but empty: no config file, as in ripgrep (and an empty
    // TRAWL_CONFIG_PATH also turns off RIPGREP_CONFIG_PATH's file).
    if path.is_empty() {
        messages::debug_if(
            debug,
            format_args!("{var} is empty, therefore not reading any config file"),
        );
        return Ok(Vec::new());
    }
    let path = Path::new(&path);
    messages::debug_if(
        debug,
        format_args!("reading config file {} named by {var}", path.display()),
    );
    // As ripgrep words it: the path when the file cannot be opened, not
    // when it cannot be read (a directory).
    let text = std::fs::File::open(path)
        .map_err(|error| format!("{}: {error}", path.display()))
        .and_then(|mut file| {
            let mut text = Vec::new();
            std::io::Read::read_to_end(&mut file, &mut text)
                .map(|_| text)
                .map_err(|error| error.to_string())
        });
    let text = match text {
        Ok(text) => text,
        Err(error) => {
            if !no_messages {
                messages::warning(format_args!(
                    "failed to read the file specified in {var}: {error}"
                ));
            }
            return Ok(Vec::new());
        }
    };
    let lines = parse(&text);
    check(path, &lines)?;
    let args: Vec<OsString> = lines.into_iter().map(|(_, arg)| arg).collect();
    messages::debug_if(
        debug,
        format_args!(
            "{}: arguments loaded from config file: {args:?}",
            path.display()
        ),
    );
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
    let all: Vec<OsString> = std::iter::once(OsString::from("trawl"))
        .chain(lines.iter().map(|(_, a)| a.clone()))
        .collect();
    let Err(error) = Args::parse_from(&all) else {
        return Ok(());
    };
    let first_line = super::errors::message;
    for (number, arg) in lines {
        let alone = [OsString::from("trawl"), arg.clone()];
        if let Err(line_error) = Args::parse_from(&alone) {
            // A flag whose value is on the next line fails alone for another
            // reason; only blame a line that fails the same way.
            if line_error.kind() == error.kind() {
                return Err(format!(
                    "{}:{number}: {}",
                    path.display(),
                    first_line(&line_error, &alone)
                ));
            }
        }
    }
    Err(format!("{}: {}", path.display(), first_line(&error, &all)))
}
