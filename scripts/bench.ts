import { benchSpine } from './bench/spine.ts'

// Each benchmark measures against a baseline run in the same process and prints ratios.
const benches: Array<[string, () => Promise<string>]> = [
  ['spine', benchSpine]
]

const only = process.argv.slice(2)
for (const [name, run] of benches) {
  if (only.length > 0 && !only.includes(name)) continue
  console.log(await run())
  console.log()
}
