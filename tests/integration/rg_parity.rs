//! The last differences from ripgrep 15.2 found in daily use and in
//! ripgrep's own test suite (issue 17), each checked against `rg`.

use crate::util::{Fixture, Run};

const PATH: &str = "\x1b[0m\x1b[35mf.txt\x1b[0m";
const LINE: &str = "\x1b[0m\x1b[32m1\x1b[0m";
const MATCH: &str = "\x1b[0m\x1b[1m\x1b[31mneedle\x1b[0m";

#[test]
fn pretty_sets_three_settings_each_overridable_by_a_later_flag() {
    let f = Fixture::new();
    f.create("f.txt", "a needle\n");
    let run = |args: &[&str]| f.run(&[args, &["needle"]].concat());
    run(&["-p"]).expect(&format!("{PATH}\n{LINE}:a {MATCH}\n"), 0);
    run(&["-p", "--color=never"]).expect("f.txt\n1:a needle\n", 0);
    run(&["-p", "--no-heading"]).expect(&format!("{PATH}:{LINE}:a {MATCH}\n"), 0);
    run(&["-p", "-N"]).expect(&format!("{PATH}\na {MATCH}\n"), 0);
    run(&["-p", "--color=never", "--no-heading", "-N"]).expect("f.txt:a needle\n", 0);
    // -p after a flag overrides it.
    run(&["--color=never", "--no-heading", "-N", "-p"])
        .expect(&format!("{PATH}\n{LINE}:a {MATCH}\n"), 0);
    // From the config file, the command line's flags come later.
    f.create("config", "--pretty\n");
    let with_config = |args: &[&str]| {
        Run::from(
            f.cmd(&[args, &["needle"]].concat())
                .env("TRAWL_CONFIG_PATH", f.path().join("config"))
                .output()
                .unwrap(),
        )
    };
    with_config(&["--color=never", "--no-heading"]).expect("f.txt:1:a needle\n", 0);
    with_config(&["--color=never"]).expect("f.txt\n1:a needle\n", 0);
}

#[test]
fn ripgreps_config_file_is_read_when_trawls_is_not_named() {
    let f = Fixture::new();
    f.create("a.txt", "Needle here\n");
    f.create("rg-config", "# rg's\n--smart-case\n");
    f.create("trawl-config", "--line-number\n");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut cmd = f.cmd(&[args, &["needle", "a.txt"]].concat());
        for (var, value) in env {
            cmd.env(var, value);
        }
        Run::from(cmd.output().unwrap())
    };
    let rg = ("RIPGREP_CONFIG_PATH", "rg-config");
    run(&[], &[rg]).expect("Needle here\n", 0);
    run(&["--no-config"], &[rg]).expect("", 1);
    // TRAWL_CONFIG_PATH wins; set but empty, it means no file at all.
    let trawl = ("TRAWL_CONFIG_PATH", "trawl-config");
    run(&["-i"], &[rg, trawl]).expect("1:Needle here\n", 0);
    run(&[], &[rg, ("TRAWL_CONFIG_PATH", "")]).expect("", 1);
    // --debug names the file and the variable; a missing file is named
    // with its variable.
    let debug = run(&["--debug"], &[rg]);
    assert!(
        debug.stderr.contains(
            "trawl: DEBUG: reading config file rg-config named by RIPGREP_CONFIG_PATH\n\
             trawl: DEBUG: rg-config: arguments loaded from config file: [\"--smart-case\"]\n"
        ),
        "{}",
        debug.stderr
    );
    let missing = run(&[], &[("RIPGREP_CONFIG_PATH", "nonexistent")]);
    missing.expect("", 1);
    assert_eq!(
        missing.stderr,
        "trawl: failed to read the file specified in RIPGREP_CONFIG_PATH: nonexistent: \
         No such file or directory (os error 2)\n"
    );
}
