//! What a walk searches: ignore files, globs, types, limits. Each test
//! asserts the exact file list (`--files`, in walk order).

use crate::util::Fixture;

fn files(f: &Fixture, args: &[&str]) -> String {
    let run = f.run_ordered(&[&["--files"], args].concat());
    assert!(run.code == 0 || run.code == 1, "{run:?}");
    run.stdout
}

#[test]
fn gitignore_in_a_repository() {
    let f = Fixture::new();
    f.git_init("");
    f.create(
        ".gitignore",
        "target/\n*.log\n/root-only.txt\ndir/*\n!dir/keep\n# comment\nspace\\ \n",
    );
    f.create("src/main.rs", "");
    f.create("target/debug/out.rs", "");
    f.create("app.log", "");
    f.create("root-only.txt", "");
    f.create("src/root-only.txt", "");
    f.create("dir/drop", "");
    f.create("dir/keep", "");
    f.create("space ", "");
    f.create("dir2/x.log", "");
    assert_eq!(files(&f, &[]), "dir/keep\nsrc/main.rs\nsrc/root-only.txt\n");
    // Explicit paths are searched even when ignored.
    f.run(&["--files", "app.log"]).expect("app.log\n", 0);
    assert_eq!(
        files(&f, &["--no-ignore"]),
        "app.log\ndir/drop\ndir/keep\ndir2/x.log\nroot-only.txt\nspace \nsrc/main.rs\n\
         src/root-only.txt\ntarget/debug/out.rs\n"
    );
}

#[test]
fn ignore_file_globs_case_insensitively_on_request() {
    let f = Fixture::new();
    f.git_init("");
    f.create(".gitignore", "*.LOG\nBuild/\n");
    f.create(".ignore", "SKIP.txt\n");
    f.create("a.log", "");
    f.create("b.txt", "");
    f.create("build/c.txt", "");
    f.create("skip.txt", "");
    assert_eq!(files(&f, &[]), "a.log\nb.txt\nbuild/c.txt\nskip.txt\n");
    assert_eq!(files(&f, &["--ignore-file-case-insensitive"]), "b.txt\n");
    assert_eq!(
        files(
            &f,
            &[
                "--ignore-file-case-insensitive",
                "--no-ignore-file-case-insensitive"
            ]
        ),
        "a.log\nb.txt\nbuild/c.txt\nskip.txt\n"
    );
}

#[test]
fn gitignore_needs_a_repository_unless_no_require_git() {
    let f = Fixture::new();
    f.create(".gitignore", "*.log\n");
    f.create("a.log", "");
    f.create("b.txt", "");
    assert_eq!(files(&f, &[]), "a.log\nb.txt\n");
    assert_eq!(files(&f, &["--no-require-git"]), "b.txt\n");
    assert_eq!(
        files(&f, &["--no-ignore-vcs", "--no-require-git"]),
        "a.log\nb.txt\n"
    );
}

#[test]
fn dot_ignore_files_take_precedence_over_gitignore() {
    let f = Fixture::new();
    f.git_init("");
    f.create(".gitignore", "log/\nrg/\ntrawl/\n");
    f.create(".ignore", "!log/\n!rg/\n!trawl/\n");
    f.create(".rgignore", "rg/\n");
    f.create(".trawlignore", "!rg/\n*.tmp\n");
    f.create("log/a", "");
    f.create("rg/b", "");
    f.create("trawl/c", "");
    f.create("x.tmp", "");
    assert_eq!(files(&f, &[]), "log/a\nrg/b\ntrawl/c\n");
    assert_eq!(files(&f, &["--no-ignore-dot"]), "x.tmp\n");
}

#[test]
fn deeper_ignore_files_override_shallower_ones() {
    let f = Fixture::new();
    f.git_init("");
    f.create(".gitignore", "*.gen\n");
    f.create("sub/.gitignore", "!keep.gen\n");
    f.create("a.gen", "");
    f.create("sub/keep.gen", "");
    f.create("sub/drop.gen", "");
    assert_eq!(files(&f, &[]), "sub/keep.gen\n");
}

#[test]
fn nested_repository_does_not_inherit_parent_gitignore() {
    let f = Fixture::new();
    f.git_init("");
    f.create(".gitignore", "*.dat\n");
    f.git_init("nested");
    f.create("nested/inner.dat", "");
    f.create("outer.dat", "");
    assert_eq!(files(&f, &[]), "nested/inner.dat\n");
}

#[test]
fn parent_gitignore_applies_when_starting_in_a_subdirectory() {
    let f = Fixture::new();
    f.git_init("");
    f.create(".gitignore", "*.log\nsub/generated/\n");
    f.create("sub/a.log", "");
    f.create("sub/b.txt", "");
    f.create("sub/generated/c.txt", "");
    let run = f
        .cmd(&["--files"])
        .current_dir(f.path().join("sub"))
        .output()
        .unwrap();
    assert_eq!(String::from_utf8_lossy(&run.stdout), "b.txt\n");
    f.run(&["--files", "sub"]).expect("sub/b.txt\n", 0);
    f.run(&["--files", "--no-ignore-parent", "sub"])
        .expect("sub/a.log\nsub/b.txt\nsub/generated/c.txt\n", 0);
}

#[test]
fn git_info_exclude_and_global_excludes_file() {
    let f = Fixture::new();
    f.git_init("repo");
    f.create("repo/.git/info/exclude", "*.excluded\n");
    f.create("xdg/git/ignore", "*.global\n");
    f.create("repo/a.excluded", "");
    f.create("repo/b.global", "");
    f.create("repo/c.txt", "");
    let xdg = f.path().join("xdg");
    let list = |args: &[&str]| {
        let out = f
            .cmd(&[&["--files", "repo"], args].concat())
            .env("XDG_CONFIG_HOME", &xdg)
            .output()
            .unwrap();
        String::from_utf8_lossy(&out.stdout).into_owned()
    };
    assert_eq!(list(&[]), "repo/c.txt\n");
    assert_eq!(
        list(&["--no-ignore-exclude"]),
        "repo/a.excluded\nrepo/c.txt\n"
    );
    assert_eq!(list(&["--no-ignore-global"]), "repo/b.global\nrepo/c.txt\n");
}

#[test]
fn ignore_file_flag_has_lowest_precedence() {
    let f = Fixture::new();
    f.create("extra-ignore", "*.a\n*.b\n");
    f.create(".ignore", "!*.b\n");
    f.create("x.a", "");
    f.create("x.b", "");
    f.create("x.c", "");
    assert_eq!(
        files(&f, &["--ignore-file", "extra-ignore"]),
        "extra-ignore\nx.b\nx.c\n"
    );
    assert_eq!(
        files(&f, &["--ignore-file", "extra-ignore", "--no-ignore-files"]),
        "extra-ignore\nx.a\nx.b\nx.c\n"
    );
}

#[test]
fn malformed_ignore_line_warns_and_other_rules_apply() {
    let f = Fixture::new();
    f.create(".ignore", "*.a\n{broken\n*.b\n");
    f.create("x.a", "");
    f.create("x.b", "");
    f.create("x.c", "");
    let run = f.run(&["--files"]);
    assert_eq!(run.stdout, "x.c\n");
    assert!(run.stderr.contains(".ignore: line 2:"), "{}", run.stderr);
    let quiet = f.run(&["--files", "--no-ignore-messages"]);
    assert_eq!(quiet.stderr, "");
}

#[test]
fn globs_include_exclude_and_override_ignore_rules() {
    let f = Fixture::new();
    f.create(".ignore", "*.log\n");
    f.create("a.rs", "");
    f.create("b.txt", "");
    f.create("c.log", "");
    f.create("sub/d.rs", "");
    f.create("sub/E.RS", "");
    assert_eq!(files(&f, &["-g", "*.rs"]), "a.rs\nsub/d.rs\n");
    assert_eq!(files(&f, &["-g", "!*.rs"]), "b.txt\nsub/E.RS\n");
    assert_eq!(files(&f, &["-g", "*.log"]), "c.log\n");
    assert_eq!(files(&f, &["-g", "!sub"]), "a.rs\nb.txt\n");
    assert_eq!(
        files(&f, &["--iglob", "*.rs"]),
        "a.rs\nsub/E.RS\nsub/d.rs\n"
    );
    assert_eq!(
        files(&f, &["--glob-case-insensitive", "-g", "*.rs"]),
        "a.rs\nsub/E.RS\nsub/d.rs\n"
    );
    // A later glob wins.
    assert_eq!(files(&f, &["-g", "*.rs", "-g", "!a.rs"]), "sub/d.rs\n");
}

#[test]
fn globs_are_rooted_at_the_current_directory_for_relative_and_absolute_paths() {
    // As in rg 15.2.0: a glob with a slash is matched relative to the
    // current directory, whether the path searched is relative or
    // absolute (its current-directory prefix is stripped first).
    let f = Fixture::new();
    f.create("sub/a.rs", "");
    f.create("sub/b.txt", "");
    f.create("sub/deep/d.rs", "");
    f.create("c.rs", "");
    let root = f.path().canonicalize().unwrap();
    let abs = root.to_str().unwrap();
    assert_eq!(files(&f, &["-g", "sub/*.rs"]), "sub/a.rs\n");
    assert_eq!(
        files(&f, &["-g", "sub/*.rs", abs]),
        format!("{abs}/sub/a.rs\n")
    );
    assert_eq!(
        files(&f, &["-g", "!sub/", "-t", "rust", abs]),
        format!("{abs}/c.rs\n")
    );
    // From sub/, "sub/*.rs" names sub/sub/*.rs: nothing, either way.
    let run = f.run(&["--files", "-g", "sub/*.rs", abs]);
    assert_eq!(
        (run.stdout.as_str(), run.code),
        (format!("{abs}/sub/a.rs\n").as_str(), 0)
    );
    let mut cmd = f.cmd(&["-j8", "--files", "-g", "sub/*.rs", abs]);
    let run = cmd.current_dir(root.join("sub")).output().unwrap();
    assert_eq!(
        (run.stdout.as_slice(), run.status.code()),
        (&b""[..], Some(1))
    );
    let mut cmd = f.cmd(&["-j8", "--files", "-g", "*.rs", "-g", "!deep/", abs]);
    let run = cmd.current_dir(root.join("sub")).output().unwrap();
    assert_eq!(
        String::from_utf8(run.stdout).unwrap(),
        format!("{abs}/c.rs\n{abs}/sub/a.rs\n")
    );
}

#[test]
fn file_types() {
    let f = Fixture::new();
    f.create("a.rs", "");
    f.create("b.py", "");
    f.create("c.md", "");
    f.create("d.foo", "");
    assert_eq!(files(&f, &["-t", "rust"]), "a.rs\n");
    assert_eq!(files(&f, &["-trust", "-tpy"]), "a.rs\nb.py\n");
    assert_eq!(files(&f, &["-T", "rust"]), "b.py\nc.md\nd.foo\n");
    assert_eq!(
        files(&f, &["--type-add", "foo:*.foo", "-t", "foo"]),
        "d.foo\n"
    );
    assert_eq!(
        files(
            &f,
            &[
                "--type-add",
                "foo:*.foo",
                "--type-add",
                "mine:include:foo,py",
                "-tmine"
            ]
        ),
        "b.py\nd.foo\n"
    );
    assert_eq!(
        files(
            &f,
            &["--type-clear", "rust", "--type-add", "rust:*.py", "-trust"]
        ),
        "b.py\n"
    );
    let run = f.run(&["-t", "nosuch", "x"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("unrecognized file type: nosuch"),
        "{}",
        run.stderr
    );
    let list = f.run(&["--type-list"]);
    assert!(
        list.stdout.lines().any(|l| l == "rust: *.rs"),
        "{}",
        list.stdout
    );
    assert!(
        list.stdout.lines().any(|l| l.starts_with("py: ")),
        "{}",
        list.stdout
    );
}

#[test]
fn types_and_ignore_files_together() {
    // The walk asks the types first when --debug is off: the files it
    // keeps, and --debug's reasons, must be those of ripgrep's order.
    let f = Fixture::new();
    f.create(".ignore", "a.rs\n*.py\n");
    f.create("a.rs", "x\n");
    f.create("b.rs", "x\n");
    f.create(".c.rs", "x\n");
    f.create("d.py", "x\n");
    f.create("e.md", "x\n");
    f.create("sub/f.rs", "x\n");
    // A type's whitelist lets a hidden file through, as in ripgrep.
    assert_eq!(files(&f, &["-t", "rust"]), ".c.rs\nb.rs\nsub/f.rs\n");
    assert_eq!(files(&f, &["-T", "rust"]), "e.md\n");
    assert_eq!(files(&f, &["-t", "py", "--no-ignore"]), "d.py\n");
    let run = f.run(&["--debug", "-t", "rust", "x"]);
    assert_eq!(run.stdout, ".c.rs:x\nb.rs:x\nsub/f.rs:x\n");
    for (path, reason) in [
        ("./a.rs", "ignored by ./.ignore: a.rs"),
        ("./d.py", "ignored by ./.ignore: *.py"),
        ("./e.md", "excluded by --type/--type-not"),
    ] {
        let line = format!("skipping {path}: {reason}");
        assert!(run.stderr.contains(&line), "no {line:?} in\n{}", run.stderr);
    }
}

#[test]
fn max_depth_and_max_filesize() {
    let f = Fixture::new();
    f.create("a", "");
    f.create("d1/b", "");
    f.create("d1/d2/c", "");
    f.create("big", "x".repeat(2048));
    assert_eq!(files(&f, &["--max-depth", "1"]), "a\nbig\n");
    assert_eq!(files(&f, &["-d", "2"]), "a\nbig\nd1/b\n");
    assert_eq!(files(&f, &["--max-filesize", "1K"]), "a\nd1/b\nd1/d2/c\n");
    assert_eq!(
        files(&f, &["--max-filesize", "2K"]),
        "a\nbig\nd1/b\nd1/d2/c\n"
    );
    assert_eq!(f.run(&["--files", "--max-filesize", "x1"]).code, 2);
}

#[test]
fn hidden_unrestricted_and_binary() {
    let f = Fixture::new();
    f.create(".ignore", "ignored\n");
    f.create("ignored", "needle\n");
    f.create(".hidden", "needle\n");
    f.create("bin", b"needle\0\n");
    f.create("text", "needle\n");
    f.run(&["-l", "needle"]).expect("text\n", 0);
    f.run(&["-l", "-u", "needle"]).expect("ignored\ntext\n", 0);
    f.run(&["-l", "-uu", "needle"])
        .expect(".hidden\nignored\ntext\n", 0);
    f.run(&["-uuu", "needle"]).expect(
        ".hidden:needle\nbin: binary file matches (found \"\\0\" byte around offset 6)\n\
         ignored:needle\ntext:needle\n",
        0,
    );
    f.run(&["--binary", "-c", "needle"])
        .expect("bin:1\ntext:1\n", 0);
}

#[test]
fn files_with_null_separator() {
    let f = Fixture::new();
    f.create("a b", "");
    f.create("c", "");
    f.run(&["--files", "-0"]).expect("a b\0c\0", 0);
}

#[test]
fn fifo_in_tree_is_skipped_without_blocking() {
    let f = Fixture::new();
    f.create("a.txt", "needle\n");
    let fifo = f.path().join("pipe");
    let status = std::process::Command::new("mkfifo")
        .arg(&fifo)
        .status()
        .unwrap();
    assert!(status.success());
    f.run(&["needle"]).expect("a.txt:needle\n", 0);
    assert_eq!(files(&f, &[]), "a.txt\n");
}

#[test]
fn symlinks_followed_with_follow_and_loops_reported_once() {
    let f = Fixture::new();
    f.create("real/a.txt", "needle\n");
    std::os::unix::fs::symlink("real", f.path().join("link")).unwrap();
    std::os::unix::fs::symlink("..", f.path().join("real/up")).unwrap();
    assert_eq!(files(&f, &[]), "real/a.txt\n");
    let run = f.run(&["--files", "-L"]);
    assert_eq!(run.stdout, "link/a.txt\nreal/a.txt\n");
    assert_eq!(run.code, 2);
    let loops: Vec<&str> = run.stderr.lines().collect();
    assert_eq!(loops.len(), 2, "{}", run.stderr);
    assert!(
        loops.iter().all(|l| l.contains("File system loop found")),
        "{}",
        run.stderr
    );
}

#[test]
fn nothing_searched_is_reported() {
    let f = Fixture::new();
    f.create(".only-hidden", "needle\n");
    let run = f.run(&["needle"]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.starts_with("trawl: No files were searched"),
        "{}",
        run.stderr
    );
    // Not when a path was given.
    assert_eq!(f.run(&["needle", "."]).code, 1);
}

#[test]
fn a_directory_rules_never_leak_into_its_siblings() {
    // Regression: ignore levels are loaded lazily from the walk; a level
    // left on the stack hid arch/*/kernel/vmlinux.lds.S in the kernel tree
    // behind a sibling boot/.gitignore.
    let f = Fixture::new();
    f.git_init("");
    f.create("arch/boot/.gitignore", "vm*\n");
    f.create("arch/boot/Makefile", "");
    f.create("arch/boot/dts/x.dts", "");
    f.create("arch/configs/defconfig", "");
    f.create("arch/configs/sub/deep", "");
    f.create("arch/kernel/.gitignore", "vm.lds\n");
    f.create("arch/kernel/Makefile", "");
    f.create("arch/kernel/vm.lds.S", "");
    f.create("arch/kernel/vm.lds", "");
    f.create("arch/lib/vmx", "");
    assert_eq!(
        files(&f, &[]),
        "arch/boot/Makefile\narch/boot/dts/x.dts\narch/configs/defconfig\narch/configs/sub/deep\n\
         arch/kernel/Makefile\narch/kernel/vm.lds.S\narch/lib/vmx\n"
    );
    // Hidden entries sort before the ignore files and are held back until
    // the directory's rules are known.
    f.create("arch/kernel/.aaa", "");
    f.create("arch/kernel/.gitignore", "vm.lds\n!.aaa\n");
    assert_eq!(
        files(&f, &[]),
        "arch/boot/Makefile\narch/boot/dts/x.dts\narch/configs/defconfig\narch/configs/sub/deep\n\
         arch/kernel/.aaa\narch/kernel/Makefile\narch/kernel/vm.lds.S\narch/lib/vmx\n"
    );
}

#[test]
fn one_file_system_stays_on_the_root_device() {
    use std::os::unix::fs::MetadataExt;
    // /dev/shm is a tmpfs: another file system than the fixture's, reached
    // here through a followed symlink.
    let shm = std::path::Path::new("/dev/shm");
    let f = Fixture::new();
    let other_device =
        shm.metadata().map(|m| m.dev()).ok() != f.path().metadata().map(|m| m.dev()).ok();
    if !shm.is_dir() || !other_device {
        assert!(
            std::env::var_os("CI").is_none(),
            "CI needs /dev/shm on another file system"
        );
        return;
    }
    let foreign = tempfile::Builder::new()
        .prefix("trawl-test")
        .tempdir_in(shm)
        .unwrap();
    std::fs::write(foreign.path().join("far.txt"), "x\n").unwrap();
    std::os::unix::fs::symlink(foreign.path(), f.path().join("link")).unwrap();
    f.create("near.txt", "x\n");
    assert_eq!(files(&f, &["-L"]), "link/far.txt\nnear.txt\n");
    assert_eq!(files(&f, &["-L", "--one-file-system"]), "near.txt\n");
}

/// With -L a link to a directory above the search root is a loop at
/// once (the target holds the root), reported before any rule (a glob
/// that excludes the link does not hide it), as the ignore crate 0.4.35
/// does; rg 15.2.0 (ignore 0.4.29) follows it once (README: deliberate
/// differences).
#[test]
fn a_link_above_the_root_is_a_loop() {
    let f = Fixture::new();
    f.create("r/f", "foo\n");
    std::os::unix::fs::symlink("..", f.path().join("r/up")).unwrap();
    let root = f.path().join("r");
    let above = f.path().canonicalize().unwrap();
    let expected = format!(
        "trawl: File system loop found: ./up points to an ancestor {}\n",
        above.display()
    );
    for args in [&["--files", "-L"][..], &["--files", "-L", "-g", "!up"]] {
        let out = f.cmd(args).current_dir(&root).output().unwrap();
        assert_eq!(String::from_utf8_lossy(&out.stdout), "f\n", "{args:?}");
        assert_eq!(String::from_utf8_lossy(&out.stderr), expected, "{args:?}");
        assert_eq!(out.status.code(), Some(2));
    }
}

/// -t, -T, --type-add and --type-clear apply in command-line order, as
/// in ripgrep 15.2: the last selection matching a file decides, and a
/// clear removes only what was added before it.
#[test]
fn type_flags_apply_in_command_line_order() {
    let f = Fixture::new();
    f.create("a.rs", "foo\n").create("b.py", "foo\n");
    let listed = |args: &[&str]| {
        let run = f.run_ordered(&[&["--files"][..], args].concat());
        (run.stdout, run.code)
    };
    assert_eq!(listed(&["-Trust", "-trust"]), ("a.rs\n".into(), 0));
    assert_eq!(listed(&["-trust", "-Trust"]), ("".into(), 1));
    assert_eq!(
        listed(&["-Trust", "-tpy", "-trust"]),
        ("a.rs\nb.py\n".into(), 0)
    );
    assert_eq!(listed(&["-Tpy", "-tall"]), ("a.rs\nb.py\n".into(), 0));
    assert_eq!(
        listed(&[
            "--type-add",
            "z:*.rs",
            "--type-clear",
            "z",
            "--type-add",
            "z:*.py",
            "-tz"
        ]),
        ("b.py\n".into(), 0)
    );
    let run = f.run_ordered(&[
        "--files",
        "--type-add",
        "z:*.rs",
        "--type-clear",
        "z",
        "-tz",
    ]);
    assert_eq!(run.stderr, "trawl: unrecognized file type: z\n");
    assert_eq!(run.code, 2);
    let run = f.run_ordered(&["--type-add", "z:*.rs", "--type-clear", "z", "--type-list"]);
    assert!(!run.stdout.contains("\nz:"), "{}", run.stdout);
}

/// --no-ignore-parent leaves the ancestors' rules out, but a repository
/// above the root still makes the .gitignore files inside the root apply,
/// as in ripgrep 15.2.
#[test]
fn no_ignore_parent_still_sees_the_repository_above() {
    let f = Fixture::new();
    f.git_init(".")
        .create(".gitignore", "y.txt\n")
        .create("sub/.gitignore", "*.dat\n")
        .create("sub/x.dat", "foo\n")
        .create("sub/y.txt", "foo\n");
    assert_eq!(files(&f, &["--no-ignore-parent", "sub"]), "sub/y.txt\n");
    assert_eq!(files(&f, &["sub"]), "");
    assert_eq!(
        files(&f, &["--no-ignore-parent", "--no-ignore-vcs", "sub"]),
        "sub/x.dat\nsub/y.txt\n"
    );
}
