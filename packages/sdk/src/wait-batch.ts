import { getBatch, isBatchDone, type Batch } from './batch.ts'
import { DEFAULT_POLL_MS } from './constants.ts'
import { sleep } from './signal.ts'
import type { Transport } from './transport.ts'

export interface WaitBatchOptions {
  /** Called with every polled state, the final one included. */
  onProgress?: (batch: Batch) => void
  signal?: AbortSignal
  pollMs?: number
}

/** Polls a batch until it is done and returns its final state with every item. */
export async function waitBatch (transport: Transport, id: string,
  options: WaitBatchOptions = {}): Promise<Batch> {
  const pollMs = options.pollMs ?? DEFAULT_POLL_MS
  for (;;) {
    const batch = await getBatch(transport, id, { signal: options.signal })
    options.onProgress?.(batch)
    if (isBatchDone(batch)) return batch
    await sleep(pollMs, options.signal)
  }
}
