import { createHash } from 'node:crypto'
import { createReadStream } from 'node:fs'

/** sha256 of a file as 0x-prefixed lowercase hex, streamed so large GGUFs fit in memory. */
export async function sha256File (path: string): Promise<`0x${string}`> {
  const hash = createHash('sha256')
  for await (const chunk of createReadStream(path, { highWaterMark: 4 * 1024 * 1024 })) {
    hash.update(chunk as Buffer)
  }
  return `0x${hash.digest('hex')}`
}
