import { createHash } from 'node:crypto'
import { readFileSync, readdirSync } from 'node:fs'
import { createRequire } from 'node:module'
import { dirname, join, relative, sep } from 'node:path'
import { fileURLToPath } from 'node:url'

/** The solc release the artifacts are built with; the build refuses any other. */
export const SOLC_VERSION = '0.8.28'

export const PACKAGE_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..')
export const CONTRACTS_DIR = join(PACKAGE_ROOT, 'contracts')

/** Each deployable contract and the stem of its generated TypeScript module. */
export const TARGETS = [
  { source: 'contracts/PRLX.sol', contract: 'PRLX', stem: 'prlx' },
  { source: 'contracts/OperatorRegistry.sol', contract: 'OperatorRegistry', stem: 'registry' },
  { source: 'contracts/ParalleliXAICredits.sol', contract: 'ParalleliXAICredits', stem: 'credits' },
] as const

export const SOLC_SETTINGS = {
  evmVersion: 'cancun',
  viaIR: false,
  optimizer: { enabled: true, runs: 10_000 },
} as const

export type Artifact = {
  contract: string
  stem: string
  abi: unknown[]
  bytecode: `0x${string}`
}

type CompiledContract = { abi: unknown[]; evm: { bytecode: { object: string } } }

type SolcOutput = {
  errors?: { severity: string; formattedMessage: string }[]
  contracts: Record<string, Record<string, CompiledContract>>
}

type ImportResult = { contents?: string; error?: string }

type Solc = {
  version(): string
  compile(input: string, callbacks: { import(path: string): ImportResult }): string
}

const require = createRequire(import.meta.url)

/** Raised when solc reports errors or is not the pinned release. */
export class CompileError extends Error {
  static override name = 'CompileError'
  override name = CompileError.name
}

/** Loads the pinned solc-js (a wasm build, nothing is downloaded). */
export function loadSolc(): Solc {
  const solc = require('solc') as Solc
  const version = solc.version()
  if (!version.startsWith(`${SOLC_VERSION}+`)) {
    throw new CompileError(`solc ${SOLC_VERSION} expected, found ${version}`)
  }
  return solc
}

/** Every .sol file under contracts/, keyed by its path relative to the package. */
export function readSources(): Record<string, string> {
  const sources: Record<string, string> = {}
  const walk = (dir: string): void => {
    for (const entry of readdirSync(dir, { withFileTypes: true }).sort(byName)) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) walk(path)
      else if (entry.name.endsWith('.sol')) {
        sources[relative(PACKAGE_ROOT, path).split(sep).join('/')] = readFileSync(path, 'utf8')
      }
    }
  }
  walk(CONTRACTS_DIR)
  return sources
}

/**
 * Hash of everything that determines the artifacts: compiler, settings, our sources and
 * the pinned OpenZeppelin release their imports resolve to.
 */
export function sourceHash(sources: Record<string, string> = readSources()): string {
  const oz = require('@openzeppelin/contracts/package.json') as { version: string }
  const hash = createHash('sha256')
  hash.update(JSON.stringify({ solc: SOLC_VERSION, settings: SOLC_SETTINGS, oz: oz.version }))
  for (const [path, text] of Object.entries(sources)) hash.update(`\0${path}\0${text}`)
  return hash.digest('hex')
}

/** Compiles the contracts with solc-js and returns the deployable artifacts. */
export function compile(sources: Record<string, string> = readSources()): Artifact[] {
  const solc = loadSolc()
  const input = {
    language: 'Solidity',
    sources: Object.fromEntries(
      Object.entries(sources).map(([path, content]) => [path, { content }]),
    ),
    settings: {
      ...SOLC_SETTINGS,
      outputSelection: Object.fromEntries(
        TARGETS.map((t) => [t.source, { [t.contract]: ['abi', 'evm.bytecode.object'] }]),
      ),
    },
  }
  const output = JSON.parse(solc.compile(JSON.stringify(input), { import: resolveImport }))
  const { errors = [], contracts } = output as SolcOutput
  const failures = errors.filter((e) => e.severity === 'error')
  if (failures.length > 0) {
    throw new CompileError(failures.map((e) => e.formattedMessage).join('\n'))
  }

  return TARGETS.map((t) => {
    const compiled = contracts[t.source]?.[t.contract]
    if (!compiled) throw new CompileError(`${t.contract} missing from solc output`)
    return {
      contract: t.contract,
      stem: t.stem,
      abi: compiled.abi,
      bytecode: `0x${compiled.evm.bytecode.object}`,
    }
  })
}

function resolveImport(path: string): ImportResult {
  try {
    return { contents: readFileSync(require.resolve(path), 'utf8') }
  } catch {
    return { error: `cannot resolve ${path}` }
  }
}

function byName(a: { name: string }, b: { name: string }): number {
  return a.name < b.name ? -1 : a.name > b.name ? 1 : 0
}
