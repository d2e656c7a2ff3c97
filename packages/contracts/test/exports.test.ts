import { readdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import t from 'tap'
import * as api from '../src/index.ts'

t.test('exports exactly the pinned public surface', async (t) => {
  t.same(Object.keys(api).sort(), [
    'ANVIL_MNEMONIC',
    'AnvilStartError',
    'COORDINATOR_ROLE',
    'CREDITS_DOMAIN_NAME',
    'CREDITS_DOMAIN_VERSION',
    'DEFAULT_ADMIN_ROLE',
    'DEFAULT_MAX_SLASH_BPS',
    'DEFAULT_SHARE_BPS',
    'DEFAULT_UNBONDING_DELAY',
    'DEFAULT_WITHDRAWAL_DELAY',
    'DeployError',
    'MINTER_ROLE',
    'TREASURY_ROLE',
    'anvilBinary',
    'creditsAbi',
    'creditsBytecode',
    'creditsDomain',
    'deployAll',
    'deployCredits',
    'deployPrlx',
    'deployRegistry',
    'planSettlement',
    'prlxAbi',
    'prlxBytecode',
    'registryAbi',
    'registryBytecode',
    'signSpendingAuthorization',
    'signWithdrawalApproval',
    'solcVersion',
    'sourceHash',
    'spendingAuthorizationTypedData',
    'spendingAuthorizationTypes',
    'startAnvil',
    'verifySpendingAuthorization',
    'withdrawalApprovalTypedData',
    'withdrawalApprovalTypes',
  ])
})

t.test('exports ABIs that name every contract entry point the coordinator needs', async (t) => {
  const functions = (abi: readonly { type: string; name?: string }[]) =>
    abi.filter((item) => item.type === 'function').map((item) => item.name)

  for (const name of ['settle', 'authorize', 'withdraw', 'batchRoot', 'verifyReceipt']) {
    t.ok(functions(api.creditsAbi).includes(name), `creditsAbi has ${name}`)
  }
  for (const name of ['register', 'slash', 'operatorOf', 'peerIdOf', 'isRegistered']) {
    t.ok(functions(api.registryAbi).includes(name), `registryAbi has ${name}`)
  }
  t.match(api.creditsBytecode, /^0x[0-9a-f]+$/)
})

t.test('every custom error of the contracts is asserted by some test', async (t) => {
  const dir = join(import.meta.dirname)
  const tests = readdirSync(dir)
    .filter((name) => name.endsWith('.test.ts'))
    .map((name) => readFileSync(join(dir, name), 'utf8'))
    .join('\n')
  const errors = [...api.creditsAbi, ...api.registryAbi]
    .filter((item) => item.type === 'error')
    .map((item) => item.name)
    .filter((name) => name.startsWith('Credits_') || name.startsWith('Registry_'))

  t.equal(errors.length, 36)
  for (const name of errors) t.ok(tests.includes(`'${name}'`), `${name} is asserted`)
})
