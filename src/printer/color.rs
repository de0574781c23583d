//! Color specs, rendered by the workers as ANSI escapes (termcolor), so the
//! printer thread only copies bytes.

use std::io::Write;

use termcolor::{Ansi, Color, ColorSpec, WriteColor};

#[derive(Debug, Clone)]
pub struct Style(ColorSpec);

impl Style {
    /// Writes `text` in this style, between a reset and a reset even when
    /// the style is empty: byte for byte what ripgrep writes.
    pub fn write(&self, out: &mut Vec<u8>, text: &[u8]) {
        // Nothing to color (an empty match): no escapes either, as in rg.
        if text.is_empty() {
            return;
        }
        let mut ansi = Ansi::new(out);
        // Writing into a Vec cannot fail.
        let _ = ansi.set_color(&self.0);
        let _ = ansi.write_all(text);
        let _ = ansi.reset();
    }
}

#[derive(Debug, Clone)]
pub struct Colors {
    pub path: Style,
    pub line: Style,
    pub column: Style,
    pub matched: Style,
}

impl Default for Colors {
    /// ripgrep's defaults on Unix: magenta paths, green line numbers, bold
    /// red matches, uncolored columns.
    fn default() -> Colors {
        let mut path = ColorSpec::new();
        path.set_fg(Some(Color::Magenta));
        let mut line = ColorSpec::new();
        line.set_fg(Some(Color::Green));
        let mut matched = ColorSpec::new();
        matched.set_fg(Some(Color::Red)).set_bold(true);
        Colors {
            path: Style(path),
            line: Style(line),
            column: Style(ColorSpec::new()),
            matched: Style(matched),
        }
    }
}

impl Colors {
    /// Applies one `--colors` spec: `TYPE:none`, `TYPE:fg:COLOR`,
    /// `TYPE:bg:COLOR` or `TYPE:style:{bold,nobold,intense,nointense,
    /// underline,nounderline,italic,noitalic}`, TYPE being path, line,
    /// column or match. COLOR is a name, 0-255 or `r,g,b`.
    ///
    /// Errors are worded as ripgrep's (grep-printer's `ColorError`).
    pub fn apply(&mut self, spec: &str) -> Result<(), String> {
        let invalid = || {
            format!(
                "invalid color spec format: '{spec}'. Valid format is \
                 '(path|line|column|match|highlight):(fg|bg|style):(value)'."
            )
        };
        let parts: Vec<&str> = spec.split(':').collect();
        if parts.len() <= 1 || parts.len() > 3 {
            return Err(invalid());
        }
        let target = match parts[0] {
            "path" => &mut self.path,
            "line" => &mut self.line,
            "column" => &mut self.column,
            "match" => &mut self.matched,
            // ripgrep's `highlight` (the whole matching line) is not
            // implemented.
            other => {
                return Err(format!(
                    "unrecognized output type '{other}'. Choose from: path, line, column, match."
                ))
            }
        };
        let spec_ref = &mut target.0;
        let value = || parts.get(2).copied().ok_or_else(invalid);
        match parts[1] {
            "none" => *spec_ref = ColorSpec::new(),
            "fg" => {
                spec_ref.set_fg(Some(value()?.parse::<Color>().map_err(|e| e.to_string())?));
            }
            "bg" => {
                spec_ref.set_bg(Some(value()?.parse::<Color>().map_err(|e| e.to_string())?));
            }
            "style" => {
                let style = value()?;
                match style {
                    "bold" => spec_ref.set_bold(true),
                    "nobold" => spec_ref.set_bold(false),
                    "intense" => spec_ref.set_intense(true),
                    "nointense" => spec_ref.set_intense(false),
                    "underline" => spec_ref.set_underline(true),
                    "nounderline" => spec_ref.set_underline(false),
                    "italic" => spec_ref.set_italic(true),
                    "noitalic" => spec_ref.set_italic(false),
                    other => {
                        return Err(format!(
                            "unrecognized style attribute '{other}'. Choose from: nobold, bold, \
                             nointense, intense, nounderline, underline, noitalic, italic."
                        ))
                    }
                };
            }
            other => {
                return Err(format!(
                    "unrecognized spec type '{other}'. Choose from: fg, bg, style, none."
                ))
            }
        }
        Ok(())
    }
}
