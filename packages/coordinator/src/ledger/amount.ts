import { z } from 'zod'

/** Largest uint256: amounts beyond it cannot exist on chain. */
const MAX_UINT256 = 2n ** 256n - 1n

/**
 * A token amount or other uint256 as the API takes it: a decimal string of base units
 * (JSON numbers lose precision past 2^53, so integers are taken only below that).
 */
export const uint256Schema = z.union([
  z.string().regex(/^(0|[1-9][0-9]{0,77})$/, 'expected a decimal string of base units'),
  z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)
]).transform((v, ctx) => {
  const n = BigInt(v)
  if (n > MAX_UINT256) {
    ctx.addIssue({ code: 'custom', message: 'exceeds uint256' })
    return z.NEVER
  }
  return n
})

/** A bigint as the API returns it: a decimal string. */
export function decimal (n: bigint): string {
  return n.toString()
}
