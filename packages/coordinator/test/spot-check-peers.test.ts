import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { startDevnet, type Devnet } from '../../../scripts/lib/devnet.ts'
import type { ManagedProcess } from '../../../scripts/lib/processes.ts'
import { TEST_MODEL_PATH } from '../../../scripts/lib/test-devnet.ts'
import { readDb, startImpostor, until } from './helpers/settlement-devnet.ts'

// No fallback: references can only be other nodes, and two of them must agree.
const COORDINATOR_ARGS = ['--no-fallback', '--spot-check-rate', '1',
  '--settle-every-receipts', '1000', '--settle-interval-ms', '600000']
const CHEAT = 5

let devnet: Devnet
let stateDir: string
let cheat: ManagedProcess | undefined

t.before(async () => {
  stateDir = await mkdtemp(join(tmpdir(), 'px-spot-peers-'))
  devnet = await startDevnet({
    nodes: 2, model: TEST_MODEL_PATH, port: 0, stateDir, threads: 1, slots: 1,
    contextSize: 256, coordinatorArgs: COORDINATOR_ARGS
  })
})
t.teardown(async () => {
  await cheat?.stop('SIGKILL')
  await devnet?.stop()
  await rm(stateDir, { recursive: true, force: true })
})

interface Check { request_id: string, node: string, status: string, reference_outputs: string }
interface Reference { node: string, outputHash: string }

async function complete (i: number): Promise<{ id: string, node: string }> {
  const res = await fetch(`${devnet.apiBase}/chat/completions`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${devnet.apiKey}` },
    body: JSON.stringify({
      model: devnet.model.id, max_tokens: 12, temperature: 0,
      messages: [{ role: 'user', content: `Once upon a time there was a cat ${i}` }]
    })
  })
  const body = await res.json() as { parallelix: { request_id: string, node: string } }
  if (res.status !== 200) throw new Error(`completion failed: ${res.status}`)
  return { id: body.parallelix.request_id, node: body.parallelix.node }
}

async function verdict (requestId: string): Promise<Check> {
  return until('a verdict', () => readDb<Check>(stateDir,
    `SELECT request_id, node, status, reference_outputs FROM spot_checks
    WHERE request_id = ? AND status <> 'scheduled'`, requestId)[0], 60_000)
}

t.test('two other nodes that agree catch a node serving another model', async (t) => {
  const impostor = await startImpostor(devnet, stateDir, CHEAT)
  cheat = impostor.process
  const { peerId } = impostor

  // The cheat's tiny model measures fastest, so the scheduler soon gives it a request.
  const honest = new Set(devnet.nodes.map((n) => n.peerId))
  let cheated: string | undefined
  let fair: string | undefined
  for (let i = 0; i < 12 && (cheated === undefined || fair === undefined); i++) {
    const { id, node } = await complete(i)
    if (node === peerId) cheated ??= id
    else if (honest.has(node)) fair ??= id
    await verdict(id)
  }
  t.ok(cheated !== undefined, 'the cheating node served a request')
  t.ok(fair !== undefined, 'an honest node served one too')

  const caught = await verdict(cheated!)
  const refs = JSON.parse(caught.reference_outputs) as Reference[]
  t.equal(caught.status, 'failed', 'the cheat is caught')
  t.same(new Set(refs.map((r) => r.node)), honest, 'by the two honest nodes')
  t.equal(refs[0]!.outputHash, refs[1]!.outputHash, 'which agree with each other')

  const passed = await verdict(fair!)
  t.equal(passed.status, 'passed', 'an honest node\'s request passes its check')
  const withheld = await until('the cheat\'s receipt withheld', () => readDb<{ status: string }>(
    stateDir, `SELECT status FROM settlement_receipts WHERE request_id = ?
    AND status = 'withheld'`, cheated)[0], 30_000)
  t.equal(withheld.status, 'withheld', 'its receipt is withheld')
})
