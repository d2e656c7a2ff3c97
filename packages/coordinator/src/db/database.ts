import { mkdirSync } from 'node:fs'
import { dirname } from 'node:path'
import Database from 'better-sqlite3'

export type Db = Database.Database

/**
 * Opens the coordinator's SQLite file in WAL mode with durable commits. Every component
 * that keeps state (ledger, batches, settlement) lives in this one file so that a single
 * transaction can span them.
 */
export function openDatabase (path: string): Db {
  if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true })
  const db = new Database(path)
  db.pragma('journal_mode = WAL')
  db.pragma('synchronous = FULL')
  db.pragma('foreign_keys = ON')
  db.pragma('busy_timeout = 5000')
  db.exec(`CREATE TABLE IF NOT EXISTS migrations (
    component TEXT NOT NULL,
    version INTEGER NOT NULL,
    applied_at INTEGER NOT NULL,
    PRIMARY KEY (component, version)
  )`)
  return db
}

/**
 * Applies a component's schema steps in order, each once, each in its own transaction.
 * Steps are append-only: never edit one that has shipped, add the next.
 */
export function migrate (db: Db, component: string, steps: string[]): void {
  const applied = db.prepare('SELECT version FROM migrations WHERE component = ?')
    .pluck().all(component) as number[]
  const done = new Set(applied)
  steps.forEach((sql, i) => {
    const version = i + 1
    if (done.has(version)) return
    db.transaction(() => {
      db.exec(sql)
      db.prepare('INSERT INTO migrations (component, version, applied_at) VALUES (?, ?, ?)')
        .run(component, version, Date.now())
    })()
  })
}
