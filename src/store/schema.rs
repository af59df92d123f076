//! The schema as an ordered list of migrations keyed on `PRAGMA user_version`.

/// The migration after which the spans of open-ended series are recomputed.
pub const REINDEX_OPEN_SERIES: usize = 4;

/// The migrations after which the full-text index is rebuilt from the records (its
/// text changed: 7, phone numbers gained a digits-only token; 9, words with letters
/// such as ß, æ, ø, ł gained their plain spelling). It is rebuilt once, whichever of
/// them a database has not had yet.
pub const REBUILD_SEARCH_INDEX: &[usize] = &[7, 9];

/// The migration after which the spans of series and of events ending before they
/// start are recomputed (a moved occurrence lasting days, RDATE periods, UNTIL before
/// DTSTART, a negative DURATION: each was indexed short of its own days).
pub const REINDEX_SPANS: usize = 12;

/// The migration after which the `listed` column is filled from the records.
pub const FILL_LISTED: usize = 10;

/// The indexes on `listed` (migration [`FILL_LISTED`]).
pub const LISTED_INDEXES: &str = "
    CREATE INDEX IF NOT EXISTS records_listed
        ON records (kind, sort_key, id, collection, listed) WHERE listed IS NOT NULL;
    CREATE INDEX IF NOT EXISTS records_unlisted
        ON records (kind) WHERE listed IS NULL AND kind <> 'event';
";

/// The migration after which collections have a `default_alarms` column.
pub const COLLECTION_DEFAULT_ALARMS: usize = 8;

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
    CREATE TABLE changes (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        change_id TEXT NOT NULL,
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
    CREATE VIRTUAL TABLE records_fts USING fts5 (
        text, content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
    );
    "#,
    // 2: sync state (DESIGN.md §5, §6): version vector, out-of-order changes, folder
    // state, known server messages, devices, conflicts and the values that lost one.
    r#"
    CREATE TABLE sync_vector (device TEXT PRIMARY KEY, seq INTEGER NOT NULL) WITHOUT ROWID;
    CREATE TABLE sync_pending (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        hlc TEXT NOT NULL,
        change TEXT NOT NULL,
        PRIMARY KEY (device, seq)
    ) WITHOUT ROWID;
    CREATE TABLE sync_folders (
        folder TEXT PRIMARY KEY,
        uidvalidity INTEGER NOT NULL,
        uidnext INTEGER NOT NULL,
        highestmodseq INTEGER,
        exists_count INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE sync_messages (
        folder TEXT NOT NULL,
        uid INTEGER NOT NULL,
        kind TEXT NOT NULL,
        tag TEXT NOT NULL,
        seq_from INTEGER NOT NULL DEFAULT 0,
        seq_to INTEGER NOT NULL DEFAULT 0,
        message_id TEXT NOT NULL DEFAULT '',
        size INTEGER NOT NULL DEFAULT 0,
        PRIMARY KEY (folder, uid)
    );
    CREATE TABLE sync_devices (
        device TEXT PRIMARY KEY,
        tag TEXT NOT NULL,
        name TEXT NOT NULL DEFAULT '',
        last_seen TEXT NOT NULL DEFAULT '',
        vector TEXT NOT NULL DEFAULT '{}',
        forgotten INTEGER NOT NULL DEFAULT 0
    );
    CREATE INDEX sync_devices_tag ON sync_devices (tag);
    CREATE TABLE sync_base (
        record_id TEXT PRIMARY KEY,
        state TEXT NOT NULL
    );
    CREATE TABLE conflicts (
        id INTEGER PRIMARY KEY,
        record_id TEXT NOT NULL,
        kind TEXT NOT NULL,
        key TEXT NOT NULL,
        base TEXT,
        local TEXT,
        remote TEXT,
        remote_change TEXT NOT NULL,
        remote_hlc TEXT NOT NULL,
        created_at TEXT NOT NULL,
        resolved_at TEXT NOT NULL DEFAULT '',
        resolution TEXT NOT NULL DEFAULT ''
    );
    CREATE INDEX conflicts_open ON conflicts (resolved_at, record_id);
    CREATE TABLE conflict_losers (
        id INTEGER PRIMARY KEY,
        record_id TEXT NOT NULL,
        key TEXT NOT NULL,
        value TEXT,
        lost_change TEXT NOT NULL,
        won_change TEXT NOT NULL,
        policy TEXT NOT NULL,
        at TEXT NOT NULL
    );
    CREATE INDEX conflict_losers_record ON conflict_losers (record_id);
    "#,
    // 3: own changes written by a conflict policy (so a policy defends an edit once).
    r#"
    CREATE TABLE sync_resolutions (hlc TEXT PRIMARY KEY) WITHOUT ROWID;
    "#,
    // 4: window queries filter on the span from the index alone (no table reads for
    // events that cannot overlap); COUNT-bounded series get an end (see
    // `store::migrate::reindex_spans`, run by the migration).
    r#"
    DROP INDEX records_kind_start;
    CREATE INDEX records_kind_span ON records (kind, recurring, start_ts, end_ts);
    "#,
    // 5: remote changes received by a sync limited to some collections (or for a
    // collection with sync off) but outside them: kept here (the vector already
    // covers them) until a sync that includes their collection applies them; own
    // changes a collection with sync off kept from the server, found quickly.
    r#"
    CREATE TABLE IF NOT EXISTS sync_held (
        device TEXT NOT NULL,
        seq INTEGER NOT NULL,
        hlc TEXT NOT NULL,
        record_id TEXT NOT NULL,
        change TEXT NOT NULL,
        PRIMARY KEY (device, seq)
    ) WITHOUT ROWID;
    CREATE INDEX IF NOT EXISTS sync_held_record ON sync_held (record_id);
    CREATE INDEX IF NOT EXISTS changes_skipped ON changes (device, record_id) WHERE submitted_at = 'skipped';
    "#,
    // 6: invitations (DESIGN.md §7): the INBOX scan position, the invitations found,
    // replies waiting for SMTP. `IF NOT EXISTS`: older pims created these on first use.
    r#"
    CREATE TABLE IF NOT EXISTS invite_scan (
        account TEXT NOT NULL,
        folder TEXT NOT NULL,
        uidvalidity INTEGER NOT NULL,
        next_uid INTEGER NOT NULL,
        PRIMARY KEY (account, folder)
    );
    CREATE TABLE IF NOT EXISTS invitations (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        message_key TEXT NOT NULL,
        data TEXT NOT NULL,
        UNIQUE (account, message_key)
    );
    CREATE TABLE IF NOT EXISTS mail_outbox (
        id INTEGER PRIMARY KEY AUTOINCREMENT,
        account TEXT NOT NULL,
        sender TEXT NOT NULL,
        recipients TEXT NOT NULL,
        message BLOB NOT NULL,
        last_error TEXT NOT NULL DEFAULT ''
    );
    -- Statuses are a closed set now; older pims also wrote other PARTSTATs learnt
    -- through sync (e.g. "delegated"): nothing left to answer.
    UPDATE invitations SET data = json_set(data, '$.status', 'ignored')
    WHERE json_valid(data) AND json_extract(data, '$.status') NOT IN (
        'new', 'update', 'accepted', 'tentative', 'declined', 'applied', 'outdated',
        'ignored', 'invalid', 'counter-accepted', 'counter-declined');
    "#,
    // 7: the full-text index is emptied here and rebuilt from the records in Rust
    // (store::migrate, REBUILD_SEARCH_INDEX): its text is computed by index.rs.
    r#"
    INSERT INTO records_fts (records_fts) VALUES ('delete-all');
    "#,
    // 8 (BDAY; renumber at merge, with COLLECTION_DEFAULT_ALARMS): a collection's default
    // alarms, synced with its name and colour. The column is added by store::migrate when
    // missing (a profile migrated again must not fail on it); they were a setting of one
    // device in `meta`: Store::adopt_device_default_alarms moves them as a logged change.
    "",
    // 9: the full-text index is rebuilt again (REBUILD_SEARCH_INDEX): folded spellings.
    r#"
    INSERT INTO records_fts (records_fts) VALUES ('delete-all');
    "#,
    // 10: listings read each row's few properties (`listed`, model::listed) from an
    // index in listing order, not every body from the table; the rows without them
    // (repeating tasks) are found through a small index. The column is added, indexed
    // and filled by store::migrate (FILL_LISTED, LISTED_INDEXES): a profile migrated
    // again must not fail on it. (An index keeping recurring events' bodies beside
    // their span sped a window's read of them up 4×, but made importing 100 000 events
    // 16 % slower: not kept.)
    "",
    // 11 (11A until the coordinator renumbers): a body rewritten without its `listed`
    // copy (by a pim from before migration 10 still running when another process
    // upgraded the profile, or by hand) drops the copy, so listings read the body
    // whole instead of showing what it held before. pim's own write sets the copy
    // again after its update (store::write).
    r#"
    CREATE TRIGGER IF NOT EXISTS records_listed_stale AFTER UPDATE OF data ON records
        WHEN NEW.listed IS NOT NULL AND NEW.listed IS OLD.listed
            AND NEW.data IS NOT OLD.data
    BEGIN
        UPDATE records SET listed = NULL WHERE rowid = NEW.rowid;
    END;
    "#,
    // 12: the spans of series, and of events that ended before they started, are
    // computed again (REINDEX_SPANS): the span of a moved occurrence, of RDATE
    // periods, of a series whose UNTIL lies before DTSTART and of a negative DURATION
    // fell short of the days they cover, which windows, the agenda and reminders then
    // missed.
    "",
];
