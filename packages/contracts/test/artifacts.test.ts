import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import { solcVersion, sourceHash as committedHash } from '../src/index.ts'
import {
  compile,
  loadSolc,
  PACKAGE_ROOT,
  readSources,
  SOLC_SETTINGS,
  sourceHash,
} from '../scripts/compile.ts'
import { renderArtifact } from '../scripts/render.ts'

t.test('compiles with the pinned solc 0.8.28 for cancun', async (t) => {
  t.match(loadSolc().version(), /^0\.8\.28\+commit\.7893614a/)
  t.equal(solcVersion, loadSolc().version())
  t.equal(SOLC_SETTINGS.evmVersion, 'cancun')
})

t.test('records the hash of the sources the artifacts were built from', async (t) => {
  t.equal(committedHash, sourceHash(readSources()), 'run `pnpm build` after editing contracts/')
})

t.test('committed artifacts match a fresh compile of the sources', async (t) => {
  const artifacts = compile()

  t.equal(artifacts.length, 3)
  for (const artifact of artifacts) {
    const path = join(PACKAGE_ROOT, 'src', 'generated', `${artifact.stem}.ts`)
    const committed = readFileSync(path, 'utf8')
    t.ok(committed === renderArtifact(artifact), `src/generated/${artifact.stem}.ts is current`)
    t.ok(artifact.bytecode.length > 2_000, `${artifact.contract} has bytecode`)
  }
})
