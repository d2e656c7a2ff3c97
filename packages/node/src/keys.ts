import { chmod, mkdir, readFile, rename, writeFile } from 'node:fs/promises'
import { dirname } from 'node:path'
import { generatePrivateKey, privateKeyToAccount, type PrivateKeyAccount } from 'viem/accounts'

const KEY_PATTERN = /^0x[0-9a-fA-F]{64}$/

/** Thrown when an operator key file or variable does not hold a 32-byte hex key. */
export class InvalidOperatorKeyError extends Error {
  static override readonly name = 'InvalidOperatorKeyError'
  override readonly name = 'InvalidOperatorKeyError'
}

/**
 * The operator's Ethereum account, which signs adverts and PoE receipts. Taken from
 * `explicitKey` when given (e.g. PARALLELIX_OPERATOR_KEY), otherwise from `path`, created
 * with mode 0600 on first run.
 */
export async function loadOrCreateOperatorKey (
  path: string, explicitKey?: string
): Promise<PrivateKeyAccount> {
  if (explicitKey !== undefined && explicitKey !== '') {
    return privateKeyToAccount(parseKey(explicitKey, 'the operator key given'))
  }

  try {
    return privateKeyToAccount(parseKey((await readFile(path, 'utf8')).trim(), path))
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err
  }

  const key = generatePrivateKey()
  await mkdir(dirname(path), { recursive: true, mode: 0o700 })
  const tmp = `${path}.${process.pid}.tmp`
  await writeFile(tmp, `${key}\n`, { mode: 0o600 })
  await chmod(tmp, 0o600)
  await rename(tmp, path)
  return privateKeyToAccount(key)
}

function parseKey (value: string, where: string): `0x${string}` {
  if (!KEY_PATTERN.test(value)) {
    throw new InvalidOperatorKeyError(`${where} is not a 0x-prefixed 32-byte hex private key`)
  }
  return value as `0x${string}`
}
