/**
 * Schema steps of the ledger. Amounts are decimal TEXT: PRLX has 18 decimals, so sums can
 * pass 2^63, and SQLite would turn them into floats. All arithmetic on them is bigint in JS.
 *
 * The tables every request writes to are append-only and unindexed: ledger_entries (three
 * rows a request) and ledger_requests (one). Each CHECK or index measurably slowed the
 * append, and an index of random request ids dirtied a different page with every insert.
 * Entries are written by LedgerBatch.entry alone, which validates them; ledger_once makes
 * those that must happen once (a chain log, a settlement) idempotent. Usage is read from
 * ledger_usage_hourly, which each group commit updates once per account, key and model.
 */
export const LEDGER_MIGRATIONS = [
  `CREATE TABLE ledger_entries (
    id INTEGER PRIMARY KEY,
    account TEXT NOT NULL,
    kind TEXT NOT NULL,
    amount TEXT NOT NULL,
    ref TEXT NOT NULL,
    created_at INTEGER NOT NULL
  );

  CREATE TABLE ledger_once (
    key TEXT PRIMARY KEY
  ) WITHOUT ROWID;

  CREATE TABLE ledger_balances (
    account TEXT PRIMARY KEY,
    balance TEXT NOT NULL,
    reserved TEXT NOT NULL,
    held TEXT NOT NULL,
    unsettled TEXT NOT NULL,
    spent TEXT NOT NULL,
    settled TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE ledger_requests (
    id INTEGER PRIMARY KEY,
    request_id TEXT NOT NULL,
    account TEXT NOT NULL,
    api_key_id TEXT,
    model TEXT NOT NULL,
    status TEXT NOT NULL,
    reserved TEXT NOT NULL,
    cost TEXT NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    node TEXT,
    operator TEXT,
    receipt TEXT,
    created_at INTEGER NOT NULL,
    finished_at INTEGER NOT NULL
  );

  CREATE TABLE ledger_usage_hourly (
    account TEXT NOT NULL,
    hour INTEGER NOT NULL,
    api_key_id TEXT NOT NULL,
    model TEXT NOT NULL,
    requests INTEGER NOT NULL,
    prompt_tokens INTEGER NOT NULL,
    completion_tokens INTEGER NOT NULL,
    cost TEXT NOT NULL,
    PRIMARY KEY (account, hour, api_key_id, model)
  ) WITHOUT ROWID;

  CREATE TABLE ledger_holds (
    id TEXT PRIMARY KEY,
    account TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('instant', 'delayed')),
    amount TEXT NOT NULL,
    nonce TEXT,
    deadline INTEGER,
    signature TEXT,
    created_at INTEGER NOT NULL
  );
  CREATE INDEX ledger_holds_account ON ledger_holds (account);

  CREATE TABLE spending_authorizations (
    account TEXT PRIMARY KEY,
    coordinator TEXT NOT NULL,
    cap TEXT NOT NULL,
    expiry TEXT NOT NULL,
    nonce TEXT NOT NULL,
    signature TEXT NOT NULL,
    settled_base TEXT NOT NULL,
    stored_at INTEGER NOT NULL
  ) WITHOUT ROWID;

  CREATE TABLE chain_cursors (
    name TEXT PRIMARY KEY,
    block TEXT NOT NULL,
    updated_at INTEGER NOT NULL
  ) WITHOUT ROWID;`
]
