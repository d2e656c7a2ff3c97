import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { openDatabase } from '../src/db/database.ts'
import { auditLedger } from '../src/ledger/audit.ts'
import { Ledger } from '../src/ledger/ledger.ts'

const GOAL_PER_SECOND = 20_000
const REQUESTS = 40_000
const CONCURRENCY = 2048
const ACCOUNTS = 64
const RATE = 1_000_000_000_000n

/**
 * Durable metered debits per second: each request reserves its maximum cost, then debits
 * what it used and releases the rest, on a real SQLite file (WAL, synchronous=FULL).
 * Transitions share group commits; each still resolves only once its commit is durable.
 */
export async function benchLedger (): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'px-bench-ledger-'))
  try {
    const db = openDatabase(join(dir, 'coordinator.db'))
    const ledger = await Ledger.open(db)
    const accounts = Array.from({ length: ACCOUNTS },
      (_, i) => `0x${(i + 1).toString(16).padStart(40, '0')}`)
    await fund(ledger, accounts)

    let next = 0
    const worker = async (): Promise<void> => {
      for (let i = next++; i < REQUESTS; i = next++) {
        const requestId = `bench-${i}`
        await ledger.reserve({
          account: accounts[i % ACCOUNTS]!, requestId, apiKeyId: 'key_bench',
          model: 'bench', amount: 512n * RATE
        })
        await ledger.settle({
          requestId, status: 'completed', cost: BigInt(40 + (i % 100)) * RATE,
          promptTokens: 40, completionTokens: i % 100
        })
      }
    }
    const started = process.hrtime.bigint()
    const cpu = process.cpuUsage()
    await Promise.all(Array.from({ length: CONCURRENCY }, worker))
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    const used = process.cpuUsage(cpu)
    const cpuSeconds = (used.user + used.system) / 1e6

    const clean = auditLedger(db).length === 0
    db.close()
    const perSecond = Math.round(REQUESTS / seconds)
    return [
      '## Ledger: durable metered debits (reserve + debit + release per request)',
      '',
      `${perSecond.toLocaleString('en-US')} requests/s over ${REQUESTS.toLocaleString('en-US')} ` +
        `requests, ${CONCURRENCY} concurrent, ${ACCOUNTS} accounts, SQLite WAL synchronous=FULL`,
      `CPU: ${(cpuSeconds / REQUESTS * 1e6).toFixed(1)} µs per request ` +
        `(${Math.round(REQUESTS / cpuSeconds).toLocaleString('en-US')}/s of CPU time; the ` +
        'wall-clock rate also reflects other load on the machine)',
      `goal >= ${GOAL_PER_SECOND.toLocaleString('en-US')}/s: ` +
        `${perSecond >= GOAL_PER_SECOND ? 'met' : 'NOT met'}; ` +
        `balances equal the sums of entries: ${clean ? 'yes' : 'NO'}`
    ].join('\n')
  } finally {
    await rm(dir, { recursive: true, force: true })
  }
}

async function fund (ledger: Ledger, accounts: string[]): Promise<void> {
  await ledger.transact((batch) => {
    for (const account of accounts) batch.entry(account, 'deposit', 10n ** 30n, `fund:${account}`)
  })
  for (const account of accounts) {
    await ledger.storeAuthorization({
      user: account as `0x${string}`,
      coordinator: '0x0000000000000000000000000000000000000001',
      cap: 10n ** 30n,
      expiry: 2n ** 40n,
      nonce: 0n,
      signature: '0x'
    })
  }
}

if (import.meta.url === `file://${process.argv[1]}`) console.log(await benchLedger())
