import { benchGas } from '../packages/contracts/bench/gas.ts'
import { benchLedger } from '../packages/coordinator/bench/ledger.ts'
import { benchScheduler } from '../packages/coordinator/bench/scheduler.ts'
import { benchSpine } from './bench/spine.ts'

// Each benchmark measures against a baseline run in the same process and prints ratios.
// `pnpm bench spine ledger` runs only the named ones.
const benches: Array<[string, () => Promise<string>]> = [
  ['spine', benchSpine],
  ['ledger', benchLedger],
  ['scheduler', benchScheduler],
  ['gas', benchGas]
]

const only = process.argv.slice(2)
for (const [name, run] of benches) {
  if (only.length > 0 && !only.includes(name)) continue
  console.log(await run())
  console.log()
}
