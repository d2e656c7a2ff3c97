import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { compile, loadSolc, PACKAGE_ROOT, readSources, sourceHash, TARGETS } from './compile.ts'
import { renderArtifact, renderBuildInfo } from './render.ts'

const GENERATED_DIR = join(PACKAGE_ROOT, 'src', 'generated')
const BUILD_INFO = join(GENERATED_DIR, 'build-info.ts')

/**
 * Compiles contracts/ into src/generated/*.ts, unless the recorded source hash shows the
 * artifacts are current. Pass --force to compile anyway.
 */
function main(): void {
  const force = process.argv.includes('--force')
  const sources = readSources()
  const hash = sourceHash(sources)
  const complete = TARGETS.every((t) => existsSync(join(GENERATED_DIR, `${t.stem}.ts`)))
  if (!force && complete && existsSync(BUILD_INFO)) {
    if (readFileSync(BUILD_INFO, 'utf8').includes(`'${hash}'`)) {
      console.log(`contracts: up to date (${hash.slice(0, 12)})`)
      return
    }
  }

  const started = Date.now()
  const version = loadSolc().version()
  const artifacts = compile(sources)
  mkdirSync(GENERATED_DIR, { recursive: true })
  for (const artifact of artifacts) {
    writeFileSync(join(GENERATED_DIR, `${artifact.stem}.ts`), renderArtifact(artifact))
  }
  writeFileSync(BUILD_INFO, renderBuildInfo(hash, version))

  const sizes = artifacts.map((a) => `${a.contract} ${(a.bytecode.length - 2) / 2} B`)
  console.log(`contracts: compiled in ${Date.now() - started} ms (${sizes.join(', ')})`)
}

main()
