import { type Abi, parseEventLogs, type TransactionReceipt } from 'viem'

/** Decoded events of `receipt` (name and args), in log order, optionally one name only. */
export function eventsOf(
  abi: Abi,
  receipt: TransactionReceipt,
  name?: string,
): { eventName: string; args: Record<string, unknown> }[] {
  return parseEventLogs({ abi, logs: receipt.logs })
    .map((log) => ({
      eventName: log.eventName as string,
      args: log.args as unknown as Record<string, unknown>,
    }))
    .filter((e) => name === undefined || e.eventName === name)
}
