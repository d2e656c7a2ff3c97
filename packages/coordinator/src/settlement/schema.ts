/**
 * Schema steps of settlement. Amounts are decimal TEXT, as in the ledger. A receipt row is
 * written once per metered request that carries a signed receipt; its batch_id is set in the
 * same transaction that stores the batch, so a receipt belongs to at most one batch.
 */
export const SETTLEMENT_MIGRATIONS = [
  `CREATE TABLE settlement_receipts (
    request_id TEXT PRIMARY KEY,
    receipt_hash TEXT NOT NULL,
    account TEXT NOT NULL,
    operator TEXT NOT NULL,
    node TEXT NOT NULL,
    cost TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('pending', 'batched', 'refused')),
    reason TEXT,
    batch_id TEXT,
    leaf_index INTEGER,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  CREATE INDEX settlement_receipts_status ON settlement_receipts (status, created_at);
  CREATE INDEX settlement_receipts_batch ON settlement_receipts (batch_id);
  CREATE INDEX settlement_receipts_operator ON settlement_receipts (operator, status);

  CREATE TABLE settlement_batches (
    batch_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    root TEXT NOT NULL,
    receipt_count INTEGER NOT NULL,
    debited TEXT NOT NULL,
    credited TEXT NOT NULL,
    plan TEXT NOT NULL,
    tree TEXT NOT NULL,
    status TEXT NOT NULL
      CHECK (status IN ('submitting', 'submitted', 'confirmed', 'failed')),
    tx_hash TEXT,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    next_attempt_at INTEGER NOT NULL,
    recorded INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER
  ) WITHOUT ROWID;

  CREATE TABLE settlement_cursor (
    name TEXT PRIMARY KEY,
    last_id INTEGER NOT NULL
  ) WITHOUT ROWID;`,
  // A failed-over request settles per segment: each receipt is keyed by its own request id
  // (<id>-rN) and remembers the client's request. Receipts can wait for a spot check
  // (held), be withheld after a failed one, or be quarantined out of a batch that cannot
  // settle.
  `CREATE TABLE settlement_receipts_v2 (
    request_id TEXT PRIMARY KEY,
    parent_id TEXT NOT NULL,
    receipt_hash TEXT NOT NULL,
    account TEXT NOT NULL,
    operator TEXT NOT NULL,
    node TEXT NOT NULL,
    cost TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN
      ('pending', 'held', 'batched', 'refused', 'withheld', 'quarantined')),
    reason TEXT,
    batch_id TEXT,
    leaf_index INTEGER,
    created_at INTEGER NOT NULL
  ) WITHOUT ROWID;
  INSERT INTO settlement_receipts_v2 SELECT request_id, request_id, receipt_hash, account,
    operator, node, cost, status, reason, batch_id, leaf_index, created_at
    FROM settlement_receipts;
  DROP TABLE settlement_receipts;
  ALTER TABLE settlement_receipts_v2 RENAME TO settlement_receipts;
  CREATE INDEX settlement_receipts_status ON settlement_receipts (status, created_at);
  CREATE INDEX settlement_receipts_batch ON settlement_receipts (batch_id);
  CREATE INDEX settlement_receipts_operator ON settlement_receipts (operator, status);
  CREATE INDEX settlement_receipts_node ON settlement_receipts (node, status);
  CREATE INDEX settlement_receipts_hash ON settlement_receipts (receipt_hash);
  CREATE INDEX settlement_receipts_parent ON settlement_receipts (parent_id);
  CREATE INDEX settlement_receipts_account ON settlement_receipts (account, created_at);

  CREATE TABLE settlement_batches_v2 (
    batch_id TEXT PRIMARY KEY,
    seq INTEGER NOT NULL UNIQUE,
    root TEXT NOT NULL,
    receipt_count INTEGER NOT NULL,
    debited TEXT NOT NULL,
    credited TEXT NOT NULL,
    plan TEXT NOT NULL,
    tree TEXT NOT NULL,
    status TEXT NOT NULL
      CHECK (status IN ('submitting', 'submitted', 'confirmed', 'failed', 'quarantined')),
    tx_hash TEXT,
    attempts INTEGER NOT NULL,
    last_error TEXT,
    next_attempt_at INTEGER NOT NULL,
    recorded INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    confirmed_at INTEGER
  ) WITHOUT ROWID;
  INSERT INTO settlement_batches_v2 SELECT * FROM settlement_batches;
  DROP TABLE settlement_batches;
  ALTER TABLE settlement_batches_v2 RENAME TO settlement_batches;`
]
