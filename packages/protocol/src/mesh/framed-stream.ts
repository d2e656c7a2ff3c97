import { lpStream, type LengthPrefixedStream } from '@libp2p/utils'
import { decodeMessage, encodeMessage } from '../codec.ts'
import { FrameTooLargeError } from '../errors.ts'
import type { AbortOptions, Stream } from '@libp2p/interface'
import type { z } from 'zod'

export interface FramedStreamLimits {
  /** Largest frame accepted from the remote. */
  maxInbound: number
  /** Largest frame this side will send. */
  maxOutbound: number
}

/**
 * Length-prefixed JSON frames over a libp2p stream. Every read is validated against a
 * schema and a size limit; an oversized length prefix is refused before its body is read.
 */
export class FramedStream {
  readonly stream: Stream
  private readonly lp: LengthPrefixedStream<Stream>
  private readonly limits: FramedStreamLimits

  constructor (stream: Stream, limits: FramedStreamLimits) {
    this.stream = stream
    this.limits = limits
    this.lp = lpStream(stream, { maxDataLength: limits.maxInbound })
  }

  /** Sends one frame. */
  async write (message: unknown, options?: AbortOptions): Promise<void> {
    await this.lp.write(encodeMessage(message, this.limits.maxOutbound), options)
  }

  /** Reads and validates one frame. Throws at end of stream. */
  async read<S extends z.ZodType> (schema: S, options?: AbortOptions): Promise<z.infer<S>> {
    let bytes
    try {
      bytes = await this.lp.read(options)
    } catch (err) {
      if ((err as Error).name === 'InvalidDataLengthError') {
        throw new FrameTooLargeError(Number.NaN, this.limits.maxInbound)
      }
      throw err
    }
    return decodeMessage(bytes.subarray(), schema, this.limits.maxInbound)
  }
}
