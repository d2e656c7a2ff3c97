import { benchScheduler } from './scheduler.ts'

// Run with `npx tsx bench/run.ts` from packages/coordinator.
console.log(await benchScheduler())
process.exit(0)
