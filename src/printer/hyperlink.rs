//! Terminal hyperlinks (OSC 8) around printed paths: `--hyperlink-format`.
//!
//! As in ripgrep, links are written only when colors are on. A format is an
//! alias (`default`, `file`, `vscode`, ...) or a template with `{path}`
//! (the file's canonical absolute path, percent-encoded), `{line}` and
//! `{column}` (1 when unknown), `{host}` (the hostname, or what
//! `--hostname-bin` prints) and `{wslprefix}` (`wsl$/DISTRO` under WSL).
//! The link covers the path and the line and column fields after it; when
//! paths are under headings, lines get their own link only if the format
//! uses `{line}`.

use std::ffi::OsStr;
use std::path::Path;

/// ripgrep's aliases, in its display order for error messages.
const ALIASES: &[(&str, &str)] = &[
    ("default", "file://{host}{path}"),
    ("none", ""),
    ("cursor", "cursor://file{path}:{line}:{column}"),
    ("file", "file://{host}{path}"),
    ("grep+", "grep+://{path}:{line}"),
    ("kitty", "file://{host}{path}#{line}"),
    (
        "macvim",
        "mvim://open?url=file://{path}&line={line}&column={column}",
    ),
    (
        "textmate",
        "txmt://open?url=file://{path}&line={line}&column={column}",
    ),
    ("vscode", "vscode://file{path}:{line}:{column}"),
    (
        "vscode-insiders",
        "vscode-insiders://file{path}:{line}:{column}",
    ),
    ("vscodium", "vscodium://file{path}:{line}:{column}"),
];

#[derive(Debug, Clone, PartialEq, Eq)]
enum Part {
    Text(String),
    Host,
    WslPrefix,
    Path,
    Line,
    Column,
}

#[derive(Debug, Clone)]
pub struct Hyperlinks {
    parts: Vec<Part>,
    host: String,
    wsl_prefix: String,
}

/// Parses a format (or alias). Ok(empty) means no links (`none`, "").
fn parse(format: &str) -> Result<Vec<Part>, String> {
    let template = ALIASES
        .iter()
        .find(|(name, _)| *name == format)
        .map_or(format, |(_, template)| template);
    let mut parts: Vec<Part> = Vec::new();
    let mut text = String::new();
    let mut chars = template.chars();
    while let Some(ch) = chars.next() {
        match ch {
            '}' => {
                if chars.next() != Some('}') {
                    return Err("unopened variable: found '}' without a corresponding '{' \
                                preceding it"
                        .into());
                }
                text.push('}');
            }
            '{' => {
                let mut name = String::new();
                let mut closed = false;
                for ch in chars.by_ref() {
                    if ch == '{' && name.is_empty() {
                        // `{{` is a literal brace.
                        text.push('{');
                        closed = true;
                        name.push('{');
                        break;
                    }
                    if ch == '}' {
                        closed = true;
                        break;
                    }
                    name.push(ch);
                }
                if !closed {
                    return Err("unclosed variable: found '{' without a corresponding '}' \
                                following it"
                        .into());
                }
                if name == "{" {
                    continue;
                }
                let part = match name.as_str() {
                    "host" => Part::Host,
                    "wslprefix" => Part::WslPrefix,
                    "path" => Part::Path,
                    "line" => Part::Line,
                    "column" => Part::Column,
                    other => {
                        return Err(format!(
                            "invalid hyperlink format variable: '{other}', choose from: \
                             path, line, column, host, wslprefix"
                        ))
                    }
                };
                if !text.is_empty() {
                    parts.push(Part::Text(std::mem::take(&mut text)));
                }
                parts.push(part);
            }
            _ => text.push(ch),
        }
    }
    if !text.is_empty() {
        parts.push(Part::Text(text));
    }
    validate(&parts)?;
    Ok(parts)
}

fn validate(parts: &[Part]) -> Result<(), String> {
    if parts.is_empty() {
        return Ok(());
    }
    if parts.iter().all(|p| matches!(p, Part::Text(_))) {
        let names: Vec<&str> = ALIASES.iter().map(|(name, _)| *name).collect();
        return Err(format!(
            "at least a {{path}} variable is required in a hyperlink format, or otherwise \
             use a valid alias: {}",
            names.join(", ")
        ));
    }
    if !parts.contains(&Part::Path) {
        return Err("the {path} variable is required in a hyperlink format".into());
    }
    if parts.contains(&Part::Column) && !parts.contains(&Part::Line) {
        return Err(
            "the hyperlink format contains a {column} variable, but no {line} \
                    variable is present"
                .into(),
        );
    }
    let scheme_ok = match parts.first() {
        Some(Part::Text(text)) => text.find(':').is_some_and(|colon| {
            colon > 0
                && text[..colon]
                    .bytes()
                    .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'-' | b'.'))
        }),
        _ => false,
    };
    if !scheme_ok {
        return Err(
            "the hyperlink format must start with a valid URL scheme, i.e., \
                    [0-9A-Za-z+-.]+:"
                .into(),
        );
    }
    Ok(())
}

impl Hyperlinks {
    /// Checks `format` (always, as ripgrep does) and, when `wanted` (colors
    /// are on) and it is not empty, returns the links to write. `{host}` is
    /// resolved here, once.
    pub fn new(
        format: &str,
        hostname_bin: Option<&OsStr>,
        wanted: bool,
    ) -> Result<Option<Hyperlinks>, String> {
        let parts = parse(format).map_err(|why| {
            format!("error parsing flag --hyperlink-format: invalid hyperlink format: {why}")
        })?;
        if parts.is_empty() || !wanted {
            return Ok(None);
        }
        let host = if parts.contains(&Part::Host) {
            hostname(hostname_bin).unwrap_or_default()
        } else {
            String::new()
        };
        let wsl_prefix = std::env::var("WSL_DISTRO_NAME")
            .map(|distro| format!("wsl$/{distro}"))
            .unwrap_or_default();
        Ok(Some(Hyperlinks {
            parts,
            host,
            wsl_prefix,
        }))
    }

    /// Whether links depend on the line (then lines under a heading get
    /// their own link).
    pub fn line_dependent(&self) -> bool {
        self.parts.contains(&Part::Line)
    }

    /// Writes the escape opening a link to `path` (from `link_path`).
    /// Returns the number of bytes written.
    pub fn open(
        &self,
        out: &mut Vec<u8>,
        path: &[u8],
        line: Option<u64>,
        column: Option<u64>,
    ) -> usize {
        let before = out.len();
        out.extend_from_slice(b"\x1b]8;;");
        for part in &self.parts {
            match part {
                Part::Text(text) => out.extend_from_slice(text.as_bytes()),
                Part::Host => out.extend_from_slice(self.host.as_bytes()),
                Part::WslPrefix => out.extend_from_slice(self.wsl_prefix.as_bytes()),
                Part::Path => out.extend_from_slice(path),
                Part::Line => out.extend_from_slice(line.unwrap_or(1).to_string().as_bytes()),
                Part::Column => out.extend_from_slice(column.unwrap_or(1).to_string().as_bytes()),
            }
        }
        out.extend_from_slice(b"\x1b\\");
        out.len() - before
    }

    /// Writes the escape closing a link. Returns its length.
    pub fn close(out: &mut Vec<u8>) -> usize {
        const CLOSE: &[u8] = b"\x1b]8;;\x1b\\";
        out.extend_from_slice(CLOSE);
        CLOSE.len()
    }
}

/// The `{path}` of a file: canonical, absolute, percent-encoded (all but
/// ASCII letters, digits, `/:-._~` and non-ASCII bytes). None when the
/// path cannot be resolved (no link then).
pub fn link_path(path: &[u8]) -> Option<Vec<u8>> {
    use std::os::unix::ffi::OsStrExt;
    let canonical = Path::new(OsStr::from_bytes(path)).canonicalize().ok()?;
    let bytes = canonical.as_os_str().as_bytes();
    if !bytes.starts_with(b"/") {
        return None;
    }
    let mut out = Vec::with_capacity(bytes.len());
    for &b in bytes {
        if b.is_ascii_alphanumeric() || b >= 0x80 || b"/:-._~".contains(&b) {
            out.push(b);
        } else {
            out.extend_from_slice(format!("%{b:02X}").as_bytes());
        }
    }
    Some(out)
}

/// The hostname: what `--hostname-bin` prints (trimmed), else the
/// system's, as ripgrep does.
fn hostname(bin: Option<&OsStr>) -> Option<String> {
    if let Some(bin) = bin {
        let output = std::process::Command::new(bin)
            .stdin(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .output();
        if let Ok(output) = output {
            let text = String::from_utf8_lossy(&output.stdout);
            let name = text.trim();
            if output.status.success() && !name.is_empty() {
                return Some(name.to_string());
            }
        }
        crate::messages::debug(format_args!(
            "--hostname-bin {bin:?} gave no hostname: using the system's"
        ));
    }
    let mut buf = [0u8; 256];
    // SAFETY: gethostname writes at most buf.len() bytes into buf.
    let rc = unsafe { libc::gethostname(buf.as_mut_ptr().cast(), buf.len()) };
    if rc != 0 {
        return None;
    }
    let len = buf.iter().position(|&b| b == 0).unwrap_or(buf.len());
    std::str::from_utf8(&buf[..len]).ok().map(str::to_string)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_parse_and_validate_like_ripgrep() {
        assert!(parse("none").unwrap().is_empty());
        assert!(parse("").unwrap().is_empty());
        assert_eq!(parse("vscode").unwrap().len(), 6);
        assert!(parse("x://{{path}}{path}").is_ok());
        assert!(parse("9x:{path}").is_ok());
        let err = |format: &str| parse(format).unwrap_err();
        assert!(err("foo").starts_with("at least a {path} variable"));
        assert!(err("x://{nope}").contains("'nope'"));
        assert!(err("{path}").contains("valid URL scheme"));
        assert!(err("x://{line}").contains("{path} variable is required"));
        assert!(err("x://{path}{column}").contains("no {line}"));
        assert!(err("x://{path").starts_with("unclosed"));
        assert!(err("x://}{path}").starts_with("unopened"));
    }

    #[test]
    fn links_interpolate_values() {
        let links = Hyperlinks {
            parts: parse("x://{host}/{path}:{line}:{column}").unwrap(),
            host: "h".into(),
            wsl_prefix: String::new(),
        };
        let mut out = Vec::new();
        links.open(&mut out, b"/a%20b", Some(3), None);
        assert_eq!(out, b"\x1b]8;;x://h//a%20b:3:1\x1b\\");
    }
}
