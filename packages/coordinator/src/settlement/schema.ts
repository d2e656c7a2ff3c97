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
  ) WITHOUT ROWID;`
]
