import type { ParalleliX } from '@parallelix/sdk'
import type { Logger } from '../log.ts'

/** What every tool is given: the SDK client it calls through and its logger. */
export interface ToolContext {
  client: ParalleliX
  log: Logger
}
