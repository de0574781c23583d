//! Color specs, rendered by the workers as ANSI escapes (termcolor), so the
//! printer thread only copies bytes.

use std::io::Write;

use termcolor::{Ansi, Color, ColorSpec, WriteColor};

#[derive(Debug, Clone)]
pub struct Style(ColorSpec);

impl Style {
    /// Writes `text` in this style. An empty spec writes the text bare, as
    /// ripgrep does for the uncolored column field.
    pub fn write(&self, out: &mut Vec<u8>, text: &[u8]) {
        if self.0.is_none() {
            out.extend_from_slice(text);
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
