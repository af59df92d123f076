//! The schema as an ordered list of migrations keyed on `PRAGMA user_version`.

pub const MIGRATIONS: &[&str] = &[
    // 1: records, collections, change log, full-text index.
    r#"
    CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE collections (
        id TEXT PRIMARY KEY,
        kind TEXT NOT NULL,
        name TEXT NOT NULL,
        color TEXT,
        sync INTEGER NOT NULL DEFAULT 1,
        UNIQUE (kind, name)
    );
    CREATE TABLE records (
        rowid INTEGER PRIMARY KEY,
        id TEXT NOT NULL UNIQUE,
        kind TEXT NOT NULL,
        collection TEXT NOT NULL REFERENCES collections(id),
        uid TEXT,
        data TEXT NOT NULL,
        start_ts INTEGER,
        end_ts INTEGER,
        recurring INTEGER NOT NULL DEFAULT 0,
        sort_key TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX records_kind_sort ON records (kind, sort_key);
    CREATE INDEX records_kind_start ON records (kind, recurring, start_ts);
    CREATE INDEX records_uid ON records (uid);
    CREATE INDEX records_collection ON records (collection);
    CREATE TABLE changes (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        change_id TEXT NOT NULL UNIQUE,
        hlc TEXT NOT NULL,
        changed_at TEXT NOT NULL,
        submitted_at TEXT NOT NULL DEFAULT '',
        record_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        op TEXT NOT NULL,
        attachments TEXT NOT NULL DEFAULT '[]',
        applied_at TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (device, seq)
    ) WITHOUT ROWID;
    CREATE INDEX changes_record ON changes (record_id);
    CREATE INDEX changes_hlc ON changes (hlc);
    CREATE VIRTUAL TABLE records_fts USING fts5 (
        text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    "#,
];
