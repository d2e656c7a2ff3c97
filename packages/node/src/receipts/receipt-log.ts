import { createReadStream } from 'node:fs'
import { mkdir, open, type FileHandle } from 'node:fs/promises'
import { dirname } from 'node:path'
import { createInterface } from 'node:readline'
import { createLogger, finalFrameSchema } from '@parallelix/protocol'
import type { ServedReceipt } from '../serve.ts'

const log = createLogger('node:receipt-log')

/** The log's file name in the node's data directory. */
export const RECEIPT_LOG_FILE = 'receipts.jsonl'

/** One line of the log: a served request's signed receipt and how generation ended. */
export const loggedReceiptSchema = finalFrameSchema.pick({
  receipt: true, hash: true, signature: true, finishReason: true
})

export type LoggedReceipt = ServedReceipt

/** The log was closed; nothing more can be appended. */
export class ReceiptLogClosedError extends Error {
  static override readonly name = 'ReceiptLogClosedError'
  override readonly name = 'ReceiptLogClosedError'
}

/**
 * The operator's own append-only record of every receipt it signed, one JSON line each
 * (`receipts.jsonl`, mode 0600). Appends go through one file handle, one at a time, so
 * lines never interleave.
 */
export class ReceiptLog {
  readonly path: string
  private readonly handle: FileHandle
  private tail: Promise<void> = Promise.resolve()
  private closed = false

  private constructor (path: string, handle: FileHandle) {
    this.path = path
    this.handle = handle
  }

  /** Opens (or creates) the log at `path` for appending. */
  static async open (path: string): Promise<ReceiptLog> {
    await mkdir(dirname(path), { recursive: true, mode: 0o700 })
    const handle = await open(path, 'a+', 0o600)
    try {
      await handle.chmod(0o600)
      // A crash mid-append leaves a line without its newline; end it so the next entry
      // starts on a line of its own and only the torn one is lost.
      const { size } = await handle.stat()
      if (size > 0) {
        const last = Buffer.alloc(1)
        await handle.read(last, 0, 1, size - 1)
        if (last[0] !== 0x0a) await handle.appendFile('\n')
      }
    } catch (err) {
      await handle.close()
      throw err
    }
    return new ReceiptLog(path, handle)
  }

  /** Appends one entry; resolves once its line is written. */
  async append (entry: LoggedReceipt): Promise<void> {
    if (this.closed) throw new ReceiptLogClosedError(`${this.path} is closed`)
    const line = `${JSON.stringify({
      receipt: entry.receipt, hash: entry.hash, signature: entry.signature,
      finishReason: entry.finishReason
    })}\n`
    const written = this.tail.then(async () => { await this.handle.appendFile(line) })
    this.tail = written.catch(() => {})
    return written
  }

  /** Waits for pending appends, then closes the file. */
  async close (): Promise<void> {
    if (this.closed) return
    this.closed = true
    await this.tail
    await this.handle.close()
  }
}

/**
 * Every entry of the log at `path`, in order. Lines that do not parse (the torn last line
 * of a crash mid-append) are skipped with a warning.
 */
export async function * readReceiptLog (
  path: string, options: { signal?: AbortSignal } = {}
): AsyncGenerator<LoggedReceipt> {
  const input = createReadStream(path, { encoding: 'utf8', signal: options.signal })
  const lines = createInterface({ input, crlfDelay: Infinity })
  let lineNumber = 0
  try {
    for await (const line of lines) {
      lineNumber++
      if (line.trim() === '') continue
      const entry = parseLine(line)
      if (entry === undefined) {
        log.warn({ path, line: lineNumber }, 'skipped an unreadable receipt log line')
        continue
      }
      yield entry
    }
  } finally {
    lines.close()
    input.destroy()
  }
}

function parseLine (line: string): LoggedReceipt | undefined {
  let json: unknown
  try {
    json = JSON.parse(line)
  } catch {
    return undefined
  }
  const parsed = loggedReceiptSchema.safeParse(json)
  return parsed.success ? parsed.data : undefined
}
