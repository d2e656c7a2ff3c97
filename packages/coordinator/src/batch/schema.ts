import { migrate, type Db } from '../db/database.ts'

/**
 * Batch tables, append-only steps. Items are the unit of work and of durability: an item
 * is `queued` until a runner claims it, `running` while a node works on it, then
 * `completed`, `failed` or `cancelled`. A coordinator that stops finds its `running`
 * items and queues them again.
 */
const STEPS = [
  `CREATE TABLE batches (
    id TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    model TEXT NOT NULL,
    request TEXT NOT NULL,
    item_count INTEGER NOT NULL,
    created_at INTEGER NOT NULL,
    cancelled_at INTEGER,
    completed_at INTEGER
  );
  CREATE INDEX batches_owner ON batches (owner, created_at);
  CREATE INDEX batches_open ON batches (completed_at);
  CREATE TABLE batch_items (
    batch_id TEXT NOT NULL REFERENCES batches (id) ON DELETE CASCADE,
    idx INTEGER NOT NULL,
    messages TEXT NOT NULL,
    status TEXT NOT NULL
      CHECK (status IN ('queued', 'running', 'completed', 'failed', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0,
    not_before INTEGER NOT NULL DEFAULT 0,
    request_id TEXT,
    result TEXT,
    finish_reason TEXT,
    prompt_tokens INTEGER,
    completion_tokens INTEGER,
    node TEXT,
    parallelix TEXT,
    error TEXT,
    started_at INTEGER,
    finished_at INTEGER,
    PRIMARY KEY (batch_id, idx)
  );
  CREATE INDEX batch_items_status ON batch_items (status, not_before);`
]

/** Creates or upgrades the batch tables in the coordinator database. */
export function migrateBatches (db: Db): void {
  migrate(db, 'batch', STEPS)
}
