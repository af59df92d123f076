//! Device identity, restoring settings, and keeping a profile's secrets private:
//! device names that tell profiles apart, `devices forget` refusing a shared name,
//! the sync key kept out of `ps`, 0600 files, and homes pim must not chmod.

mod support;

use std::io::Write;
use std::os::unix::fs::PermissionsExt;
use std::path::Path;
use std::process::Stdio;

use serde_json::Value;
use support::mailserver::MailServer;
use support::pim::Pim;

fn stderr(o: &std::process::Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn mode(p: &Path) -> u32 {
    std::fs::metadata(p).unwrap().permissions().mode() & 0o7777
}

fn pim_at(home: &Path, args: &[&str]) -> std::process::Output {
    std::process::Command::new(env!("CARGO_BIN_EXE_pim"))
        .arg("--home")
        .arg(home)
        .args(args)
        .env_remove("PIM_HOME")
        .env("TZ", "UTC")
        .output()
        .unwrap()
}

fn devices(p: &Pim) -> Vec<Value> {
    p.json(&["devices", "list", "--json"])
        .as_array()
        .unwrap()
        .clone()
}

#[test]
fn device_names_are_unique_and_forget_refuses_a_shared_name() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "carol", "newest");
    let b = Pim::mail_profile(server, "carol", "newest");
    let c = Pim::mail_profile(server, "carol", "newest");

    // No --device-name: the host plus the start of the device id.
    let key = a.init(&[]);
    let me = devices(&a)
        .into_iter()
        .find(|d| d["this_device"] == true)
        .unwrap();
    let (id, name) = (me["id"].as_str().unwrap(), me["name"].as_str().unwrap());
    assert!(name.ends_with(&format!("-{}", &id[..4])), "{me}");

    // The key from a file, and from stdin with `--key -`: never on the command line.
    let key_file = b.home().join("key.txt");
    std::fs::write(&key_file, format!("{key}\n")).unwrap();
    b.ok(&[
        "sync",
        "join",
        "--key-file",
        key_file.to_str().unwrap(),
        "--device-name",
        "vm",
    ]);
    let mut join = c
        .command(&["sync", "join", "--key", "-", "--device-name", "vm"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    writeln!(join.stdin.take().unwrap(), "{key}").unwrap();
    let out = join.wait_with_output().unwrap();
    assert!(out.status.success(), "{}", stderr(&out));
    a.ok(&["sync"]);

    let vms: Vec<String> = devices(&a)
        .iter()
        .filter(|d| d["name"] == "vm")
        .map(|d| d["id"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(vms.len(), 2);

    // A shared name picks neither: the error lists both ids.
    let o = a.run(&["devices", "forget", "vm"]);
    assert_eq!(o.status.code(), Some(2), "{}", stderr(&o));
    let err = stderr(&o);
    assert!(err.contains("matches 2 devices"), "{err}");
    assert!(err.contains(&vms[0]) && err.contains(&vms[1]), "{err}");
    assert!(devices(&a).iter().all(|d| d["forgotten"] == false));

    // By id it forgets that one only.
    a.ok(&["devices", "forget", &vms[1]]);
    let after = devices(&a);
    let forgotten: Vec<&str> = after
        .iter()
        .filter(|d| d["forgotten"] == true)
        .map(|d| d["id"].as_str().unwrap())
        .collect();
    assert_eq!(forgotten, vec![vms[1].as_str()], "{after:?}");
}

#[test]
fn join_reads_the_key_file_and_says_what_is_wrong_with_it() {
    let server = MailServer::shared();
    let a = Pim::mail_profile(server, "dave", "newest");
    let b = Pim::mail_profile(server, "dave", "newest");
    a.init(&[]);
    let missing = b.home().join("no-such-key");
    let o = b.run(&["sync", "join", "--key-file", missing.to_str().unwrap()]);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("cannot read the key file"),
        "{}",
        stderr(&o)
    );
    let empty = b.home().join("empty-key");
    std::fs::write(&empty, "\n").unwrap();
    let o = b.run(&["sync", "join", "--key-file", empty.to_str().unwrap()]);
    assert!(stderr(&o).contains("no key in"), "{}", stderr(&o));
    let o = b.run(&["sync", "join", "--key", "PIM1-AAAA", "--key-file", "x"]);
    assert_eq!(o.status.code(), Some(2));
}

#[test]
fn help_warns_that_key_is_visible_to_other_users() {
    let t = tempfile::tempdir().unwrap();
    let o = pim_at(t.path(), &["sync", "join", "--help"]);
    let help = String::from_utf8_lossy(&o.stdout);
    assert!(help.contains("visible to other users"), "{help}");
    assert!(help.contains("--key-file"), "{help}");
}

#[test]
fn every_profile_file_is_private() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("profile");
    let o = pim_at(&home, &["add", "contact", "--name", "Ada"]);
    assert!(o.status.success(), "{}", stderr(&o));
    let o = pim_at(
        &home,
        &[
            "account",
            "add",
            "mail",
            "--imap",
            "127.0.0.1:1",
            "--smtp",
            "127.0.0.1:1",
            "--user",
            "ada",
            "--email",
            "ada@example.org",
            "--password-command",
            "echo pw",
        ],
    );
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(mode(&home), 0o700);
    // While a connection is open SQLite keeps -wal and -shm files next to the
    // database: they take its mode.
    let store = pim::store::Store::open(&home.join("pim.sqlite3")).unwrap();
    store.set_meta("test.touch", "1").unwrap();
    assert!(home.join("pim.sqlite3-wal").exists());
    let mut files = Vec::new();
    for e in std::fs::read_dir(&home).unwrap().flatten() {
        files.push(e.file_name().to_string_lossy().into_owned());
        assert_eq!(mode(&e.path()), 0o600, "{}", e.path().display());
    }
    assert!(files.iter().any(|f| f == "pim.sqlite3"), "{files:?}");
    assert!(files.iter().any(|f| f == "config.toml"), "{files:?}");
    drop(store);
}

#[test]
fn older_profile_files_are_narrowed_on_open() {
    let t = tempfile::tempdir().unwrap();
    let home = t.path().join("profile");
    assert!(
        pim_at(&home, &["add", "note", "--title", "x"])
            .status
            .success()
    );
    let db = home.join("pim.sqlite3");
    std::fs::set_permissions(&db, std::fs::Permissions::from_mode(0o644)).unwrap();
    assert!(pim_at(&home, &["list", "notes"]).status.success());
    assert_eq!(mode(&db), 0o600);
}

#[test]
fn an_existing_home_keeps_its_mode_and_a_world_writable_one_is_refused() {
    let t = tempfile::tempdir().unwrap();
    let mine = t.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::set_permissions(&mine, std::fs::Permissions::from_mode(0o755)).unwrap();
    let o = pim_at(&mine, &["list", "contacts"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(
        mode(&mine),
        0o755,
        "pim changed a directory it did not make"
    );
    assert_eq!(mode(&mine.join("pim.sqlite3")), 0o600);

    let shared = t.path().join("shared-tmp");
    std::fs::create_dir(&shared).unwrap();
    std::fs::set_permissions(&shared, std::fs::Permissions::from_mode(0o1777)).unwrap();
    let o = pim_at(&shared, &["list", "contacts"]);
    assert_eq!(o.status.code(), Some(2));
    let err = stderr(&o);
    assert!(err.contains(&shared.display().to_string()), "{err}");
    assert!(err.contains("writable by every user"), "{err}");
    assert_eq!(mode(&shared), 0o1777);
    assert_eq!(std::fs::read_dir(&shared).unwrap().count(), 0);
}

#[test]
fn a_json_backup_restores_collection_settings() {
    let t = tempfile::tempdir().unwrap();
    let (old, new) = (t.path().join("old"), t.path().join("new"));
    let run = |home: &Path, args: &[&str]| {
        let o = pim_at(home, args);
        assert!(o.status.success(), "pim {args:?}: {}", stderr(&o));
        String::from_utf8(o.stdout).unwrap()
    };
    run(&old, &["collections", "add", "tasks", "Private"]);
    run(
        &old,
        &[
            "collections",
            "set",
            "tasks",
            "Private",
            "--sync",
            "off",
            "--color",
            "#aa0000",
        ],
    );
    run(&old, &["collections", "set", "calendar", "--sync", "off"]);
    run(
        &old,
        &[
            "add",
            "task",
            "--summary",
            "Hidden",
            "--collection",
            "Private",
        ],
    );
    run(
        &old,
        &[
            "add",
            "event",
            "--summary",
            "Local",
            "--start",
            "2026-01-02 10:00",
        ],
    );
    let backup = t.path().join("backup.json");
    run(
        &old,
        &[
            "export",
            "all",
            "--format",
            "json",
            "-o",
            backup.to_str().unwrap(),
        ],
    );

    run(&new, &["import", backup.to_str().unwrap()]);
    let list: Value = serde_json::from_str(&run(&new, &["collections", "list", "--json"])).unwrap();
    let find = |name: &str| {
        list.as_array()
            .unwrap()
            .iter()
            .find(|c| c["name"] == name)
            .unwrap_or_else(|| panic!("no {name}: {list}"))
            .clone()
    };
    let private = find("Private");
    assert_eq!(private["sync"], false, "{private}");
    assert_eq!(private["color"], "#aa0000", "{private}");
    assert_eq!(find("calendar")["sync"], false);
    assert_eq!(find("contacts")["sync"], true);
}
