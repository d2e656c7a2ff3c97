import { spawn } from 'node:child_process'
import { existsSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { ROOT } from './lib/devnet.ts'

// Runs every workspace package's tap suite in turn, streams its TAP output, and ends with
// one line `N passed, N failed` counting the tests (t.test blocks) across all packages.
const dirs = [
  ...readdirSync(join(ROOT, 'packages')).map((d) => join(ROOT, 'packages', d)),
  join(ROOT, 'scripts')
].filter((d) => existsSync(join(d, 'test')))
const only = process.argv.slice(2)

let passed = 0
let failed = 0
let suitesFailed = 0
for (const dir of dirs) {
  const name = dir.slice(ROOT.length + 1)
  if (only.length > 0 && !only.some((o) => name.includes(o))) continue
  console.log(`\n### ${name}`)
  const code = await new Promise<number>((resolve) => {
    const child = spawn(join(ROOT, 'node_modules/.bin/tap'), ['--reporter=tap'], {
      cwd: dir, stdio: ['ignore', 'pipe', 'inherit']
    })
    let buffer = ''
    child.stdout.on('data', (chunk: Buffer) => {
      process.stdout.write(chunk)
      buffer += chunk.toString()
      const lines = buffer.split('\n')
      buffer = lines.pop() ?? ''
      for (const line of lines) {
        // Depth 1 (four spaces) is a t.test inside a test file.
        const m = /^ {4}(not )?ok \d+ - /.exec(line)
        if (m === null || / # SKIP/.test(line)) continue
        if (m[1] === undefined) passed++
        else failed++
      }
    })
    child.on('exit', (c) => resolve(c ?? 1))
  })
  if (code !== 0) suitesFailed++
}

if (suitesFailed > 0 && failed === 0) failed = suitesFailed
console.log(`${passed} passed, ${failed} failed`)
process.exit(failed > 0 || suitesFailed > 0 ? 1 : 0)
