import t from 'tap'
import { appendFile, mkdtemp, readFile, rm, stat } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { generatePrivateKey, privateKeyToAccount } from 'viem/accounts'
import {
  readReceiptLog, ReceiptLog, type LoggedReceipt
} from '../src/receipts/receipt-log.ts'
import { signedEntry } from './helpers/signed-receipt.ts'

const operator = privateKeyToAccount(generatePrivateKey())
let dir: string

t.before(async () => { dir = await mkdtemp(join(tmpdir(), 'px-receipt-log-')) })
t.teardown(async () => { await rm(dir, { recursive: true, force: true }) })

async function readAll (path: string): Promise<LoggedReceipt[]> {
  const entries: LoggedReceipt[] = []
  for await (const entry of readReceiptLog(path)) entries.push(entry)
  return entries
}

t.test('reads back every entry appended, in order, one line each', async (t) => {
  const path = join(dir, 'ordered', 'receipts.jsonl')
  const log = await ReceiptLog.open(path)
  const entries = await Promise.all(Array.from({ length: 40 },
    async (_, i) => signedEntry(operator, { completionTokens: i })))
  await Promise.all(entries.map(async (e) => log.append(e)))
  await log.close()

  t.same(await readAll(path), entries, 'the entries come back as appended')
  const lines = (await readFile(path, 'utf8')).split('\n')
  t.equal(lines.length, 41, 'forty lines and a final newline')
  t.equal(lines.at(-1), '', 'the file ends with a newline')
  t.same(JSON.parse(lines[3]!), entries[3], 'each line is one entry\'s JSON')
  t.equal((await stat(path)).mode & 0o777, 0o600, 'only the operator can read the log')
})

t.test('skips a torn last line and starts the next entry on a line of its own', async (t) => {
  const path = join(dir, 'torn.jsonl')
  const first = await ReceiptLog.open(path)
  const kept = await signedEntry(operator)
  await first.append(kept)
  await first.close()
  const torn = JSON.stringify(await signedEntry(operator))
  await appendFile(path, torn.slice(0, torn.length / 2))

  t.same(await readAll(path), [kept], 'the torn line is skipped, the whole one kept')

  const reopened = await ReceiptLog.open(path)
  const later = await signedEntry(operator)
  await reopened.append(later)
  await reopened.close()
  t.same(await readAll(path), [kept, later], 'an entry appended after the crash survives')
})

t.test('reads an empty log as no entries', async (t) => {
  const path = join(dir, 'empty.jsonl')
  await (await ReceiptLog.open(path)).close()
  t.same(await readAll(path), [], 'nothing to read')
})

t.test('refuses appends once closed', async (t) => {
  const log = await ReceiptLog.open(join(dir, 'closed.jsonl'))
  await log.close()
  await t.rejects(log.append(await signedEntry(operator)), { name: 'ReceiptLogClosedError' },
    'an append after close fails')
})
