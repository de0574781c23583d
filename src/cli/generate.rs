//! `--generate`: the man page (clap_mangen) and shell completions
//! (clap_complete), all from the one flag definition in `args`.

use clap::CommandFactory;
use clap_complete::Shell;

use super::args::{Args, GenerateKind};

pub fn generate(kind: GenerateKind) -> Vec<u8> {
    let mut cmd = Args::command();
    let mut out = Vec::new();
    let shell = match kind {
        GenerateKind::Man => {
            // Writing into a Vec cannot fail.
            let _ = clap_mangen::Man::new(cmd).render(&mut out);
            return out;
        }
        GenerateKind::CompleteBash => Shell::Bash,
        GenerateKind::CompleteZsh => Shell::Zsh,
        GenerateKind::CompleteFish => Shell::Fish,
        GenerateKind::CompletePowershell => Shell::PowerShell,
        GenerateKind::CompleteElvish => Shell::Elvish,
    };
    clap_complete::generate(shell, &mut cmd, "trawl", &mut out);
    out
}
