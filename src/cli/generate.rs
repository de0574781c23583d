//! `--generate`: the man page (clap_mangen) and shell completions
//! (clap_complete), all from the one flag definition in `args`, arranged
//! by `help`. The man page adds the sections ripgrep's has that flags
//! cannot describe: ignore files, the config file, the environment and
//! the exit status.

use clap_complete::Shell;

use super::args::{GenerateKind, USAGE};

pub fn generate(kind: GenerateKind) -> Vec<u8> {
    let mut cmd = super::help::command();
    let shell = match kind {
        GenerateKind::Man => return man_page(cmd),
        GenerateKind::CompleteBash => Shell::Bash,
        GenerateKind::CompleteZsh => Shell::Zsh,
        GenerateKind::CompleteFish => Shell::Fish,
        GenerateKind::CompletePowershell => Shell::PowerShell,
        GenerateKind::CompleteElvish => Shell::Elvish,
    };
    let mut out = Vec::new();
    clap_complete::generate(shell, &mut cmd, "trawl", &mut out);
    out
}

fn man_page(cmd: clap::Command) -> Vec<u8> {
    let man = clap_mangen::Man::new(cmd);
    let mut out = Vec::new();
    // Writing into a Vec cannot fail.
    let _ = man.render_title(&mut out);
    let _ = man.render_name_section(&mut out);
    // clap_mangen's SYNOPSIS lists every flag; ripgrep's lists the forms.
    out.extend_from_slice(synopsis().as_bytes());
    let _ = man.render_description_section(&mut out);
    out.extend_from_slice(POSITIONAL.as_bytes());
    let _ = man.render_options_section(&mut out);
    out.extend_from_slice(EXTRA_SECTIONS.as_bytes());
    let _ = man.render_version_section(&mut out);
    out
}

/// The usage forms in roff, one per line, flags bold and operands italic.
fn synopsis() -> String {
    let mut roff = String::from(".SH SYNOPSIS\n");
    for (i, form) in USAGE.lines().map(str::trim_start).enumerate() {
        if i > 0 {
            roff.push_str(".br\n");
        }
        let words: Vec<String> = form
            .split(' ')
            .map(|word| {
                let escaped = word.replace('-', "\\-");
                if word.starts_with('-') || word == "trawl" {
                    format!("\\fB{escaped}\\fR")
                } else if let Some(core) = Some(word.trim_matches(['[', ']']))
                    .filter(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_uppercase()))
                {
                    word.replace(core, &format!("\\fI{core}\\fR"))
                } else {
                    escaped
                }
            })
            .collect();
        roff.push_str(&words.join(" "));
        roff.push('\n');
    }
    roff
}

const POSITIONAL: &str = r#".SH "POSITIONAL ARGUMENTS"
.TP
\fIPATTERN\fR
A regular expression used for searching. To search for a pattern starting
with a dash, use \fB\-e\fR/\fB\-\-regexp\fR (\fBtrawl \-e \-foo\fR) or put
\fB\-\-\fR before it (\fBtrawl \-\- \-foo\fR). When \fB\-e\fR/\fB\-\-regexp\fR
or \fB\-f\fR/\fB\-\-file\fR is given, every positional argument is a
\fIPATH\fR.
.TP
\fIPATH\fR...
A file or directory to search. Directories are searched recursively. Paths
named on the command line are searched even when a glob or an ignore file
would skip them. Without a \fIPATH\fR, trawl searches the current
directory, or stdin when it is a pipe or a file.
"#;

/// roff: `\-` is a hyphen that stays one (option names), `\(aq` a quote.
const EXTRA_SECTIONS: &str = r#".SH "AUTOMATIC FILTERING"
When a directory is searched, trawl skips what ripgrep skips:
.IP \(bu 2
files and directories matched by ignore files;
.IP \(bu 2
hidden files and directories (names starting with a dot), unless
\fB\-\-hidden\fR is given;
.IP \(bu 2
binary files (a NUL byte), unless \fB\-\-binary\fR or \fB\-a\fR is given;
.IP \(bu 2
symbolic links, unless \fB\-L\fR is given.
.PP
Paths named on the command line are always searched.
\fB\-u\fR turns off ignore files, \fB\-uu\fR also searches hidden files and
\fB\-uuu\fR also binary files.
.SS "Ignore files"
Ignore files use the syntax of \fI.gitignore\fR (with \fB{a,b}\fR
alternatives). Each applies to the directory holding it and everything
below; a later rule overrides an earlier one, a deeper file overrides a
shallower one, and \fB!\fR re\-includes. From lowest to highest precedence:
.IP \(bu 2
files given with \fB\-\-ignore\-file\fR;
.IP \(bu 2
the global git ignore file (\fIcore.excludesFile\fR, by default
\fI$XDG_CONFIG_HOME/git/ignore\fR);
.IP \(bu 2
\fI.git/info/exclude\fR (in a \fBgit worktree\fR, the repository's);
.IP \(bu 2
\fI.gitignore\fR;
.IP \(bu 2
\fI.ignore\fR;
.IP \(bu 2
\fI.rgignore\fR;
.IP \(bu 2
\fI.trawlignore\fR.
.PP
The git files apply only inside a git repository (a directory with
\fI.git\fR or \fI.jj\fR), unless \fB\-\-no\-require\-git\fR is given.
Ignore files in the parent directories of a searched path apply too
(\fB\-\-no\-ignore\-parent\fR turns that off). \fB\-g\fR globs override
all ignore files. The \fB\-\-no\-ignore\fR family turns each kind off;
\fB\-\-debug\fR says which rule skipped a path.
.SH "CONFIGURATION FILE"
trawl reads default arguments from the file named by the
\fBTRAWL_CONFIG_PATH\fR environment variable or, when it is not set, by
ripgrep's \fBRIPGREP_CONFIG_PATH\fR, so ripgrep's config file keeps
working. An empty \fBTRAWL_CONFIG_PATH\fR means no file. There is no
default location.
.PP
The file holds one argument per line; surrounding whitespace is removed,
and empty lines and lines starting with \fB#\fR are skipped. A flag and its
value go on one line joined by \fB=\fR (\fB\-\-max\-columns=150\fR) or on
two lines. The arguments are put before those of the command line, so the
command line wins (every flag can be overridden or negated by a later one).
.PP
A file that cannot be read is reported and the search goes on without it;
a bad argument in it is an error that names the file and line.
\fB\-\-no\-config\fR ignores the file; \fB\-\-debug\fR says which file was
read and what it held.
.PP
Example:
.PP
.nf
    # Long lines are cut to 150 bytes.
    \-\-max\-columns=150
    \-\-smart\-case
    \-\-glob=!.git/*
.fi
.SH ENVIRONMENT
.TP
\fBTRAWL_CONFIG_PATH\fR, \fBRIPGREP_CONFIG_PATH\fR
The configuration file (see above).
.TP
\fBNO_COLOR\fR
When set and not empty, \fB\-\-color auto\fR prints no colors.
.TP
\fBTERM\fR
When unset or \fBdumb\fR, \fB\-\-color auto\fR prints no colors.
.TP
\fBXDG_CONFIG_HOME\fR, \fBHOME\fR
Where the global git configuration and ignore file are found.
.SH "EXIT STATUS"
.TP
\fB0\fR
A match was found (with \fB\-\-files\fR: a file was listed; with
\fB\-\-files\-without\-match\fR: a file without a match was printed).
.TP
\fB1\fR
Nothing matched (or nothing was listed).
.TP
\fB2\fR
An error occurred: a bad flag or pattern, a path that cannot be read.
An error wins over a match, except with \fB\-q\fR, where a match still
gives 0.
"#;
