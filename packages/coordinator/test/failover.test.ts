import t from 'tap'
import { mkdtemp, rm } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { recoverAddress, type Hex } from 'viem'
import { hashOutput, hashPrompt } from '@parallelix/protocol'
import { startNode, type RunningNode } from '@parallelix/node'
import { startCoordinator, type RunningCoordinator } from '../src/index.ts'
import {
  Cluster, MODEL, MODEL_ID, PROMPT, poolPeerIds, postChat, streamChat, waitFor, waitForPool,
  type NodeProcess
} from './helpers/cluster.ts'

const MAX_TOKENS = 400
const messages = [{ role: 'user' as const, content: PROMPT }]

let dir: string
let cluster: Cluster
let coordinator: RunningCoordinator
let nodes: NodeProcess[] = []
/** An in-process node that is never killed; it takes over when the process nodes fail. */
let steady: RunningNode
let reference: string

t.before(async () => {
  dir = await mkdtemp(join(tmpdir(), 'px-failover-'))
  cluster = new Cluster(dir)
  coordinator = await startCoordinator({
    dataDir: join(dir, 'coordinator'), httpPort: 0, auth: false,
    failover: { firstTokenTimeoutMs: 1_500, stallTimeoutMs: 1_500 }
  })
  nodes = await Promise.all(['a', 'b', 'c'].map(async (name) => cluster.node({
    name, bootstrap: coordinator.multiaddrs
  })))
  steady = await startNode({
    dataDir: join(dir, 'steady'), modelPath: MODEL, modelId: MODEL_ID,
    bootstrap: coordinator.multiaddrs, threads: 1, slots: 2, contextSize: 1024,
    tokensPerSecond: 1000
  })
  await waitForPool(coordinator.apiBase, [...nodes.map((n) => n.peerId), steady.peerId])
  // The process nodes are chosen first, so that the node a test kills is one it can kill.
  coordinator.scheduler.setStanding(steady.peerId, 0.01)

  const single = await postChat(coordinator.apiBase, {
    model: MODEL_ID, messages, max_tokens: MAX_TOKENS, temperature: 0
  })
  reference = single.body.choices?.[0]?.message.content ?? ''
  if (single.body.usage?.completion_tokens !== MAX_TOKENS) {
    throw new Error('the reference run must use every token for the comparison to hold')
  }
})

t.teardown(async () => {
  await cluster?.stop()
  await steady?.stop({ graceMs: 0 })
  await coordinator?.stop()
  await rm(dir, { recursive: true, force: true })
})

function serving (): NodeProcess {
  const busy = coordinator.registry.list().find((n) => n.inflight > 0)
  const node = nodes.find((n) => n.peerId === busy?.peerId)
  if (node === undefined) throw new Error('no node is serving')
  return node
}

/** Where the second segment's text starts: its receipt's outputHash names the exact suffix. */
function seamOf (text: string, outputHash: string): number {
  for (let i = 0; i <= text.length; i++) {
    if (hashOutput(text.slice(i)) === outputHash) return i
  }
  throw new Error('no suffix of the text matches the resumed node\'s receipt')
}

type Asserts = Pick<typeof t, 'equal' | 'pass'>

interface SegmentView {
  node: string
  operator: string
  request_id: string
  prompt_tokens: number | null
  completion_tokens: number
  poe: { hash: Hex, signature: Hex } | null
  receipt: { outputHash: string, promptHash: string } | null
}

/**
 * The resumed text must be the single-node text, to the character: the resuming node
 * decodes its first tokens with the prompt as context, so not even the word-initial space
 * at the seam is lost.
 */
function assertContinuation (t: Asserts, text: string, seam: number): void {
  t.equal(text.slice(0, seam), reference.slice(0, seam), 'the first node\'s text is the reference')
  t.equal(text.slice(seam), reference.slice(seam),
    'the resumed node continued exactly as a single node would')
}

t.test('a node killed mid-stream: the client gets one continuous answer', async (t) => {
  let killed: NodeProcess | undefined
  const result = await streamChat(coordinator.apiBase, {
    model: MODEL_ID, messages, max_tokens: MAX_TOKENS, temperature: 0
  }, (_text, chunks) => {
    if (chunks === 50) {
      killed = serving()
      killed.signal('SIGKILL')
    }
  })
  if (killed === undefined) throw new Error('the stream ended before 50 tokens')

  t.equal(result.status, 200)
  t.equal(result.error, undefined, 'no error reached the client')
  t.equal(result.finishReason, 'length')
  t.equal(result.usage?.completion_tokens, MAX_TOKENS, 'the client is charged for 400 tokens')

  const segments = result.parallelix?.segments as unknown as SegmentView[]
  t.equal(segments.length, 2)
  const [first, second] = segments as [SegmentView, SegmentView]
  t.equal(first.node, killed.peerId)
  t.equal(first.receipt, null, 'the killed node never sent a receipt')
  t.ok(first.completion_tokens >= 50, `${first.completion_tokens} tokens came from the first node`)
  t.not(second.node, killed.peerId)
  t.equal(first.completion_tokens + second.completion_tokens, MAX_TOKENS,
    'the segments together cover every delivered token')
  t.equal(second.request_id, `${first.request_id}-r1`)
  const operator = nodes.find((n) => n.peerId === second.node)?.operator
  t.equal(await recoverAddress(second.poe!), operator, 'the resumed node signed its receipt')

  const seam = seamOf(result.text, second.receipt!.outputHash)
  t.equal(second.receipt!.promptHash, hashPrompt({
    messages,
    params: { maxTokens: MAX_TOKENS - first.completion_tokens, temperature: 0, topP: 1, stop: [] },
    prefill: result.text.slice(0, seam)
  }), 'the second node was asked to continue after exactly the delivered text')
  assertContinuation(t, result.text, seam)
})

t.test('a node killed mid-generation of a non-streaming request: completed elsewhere',
  async (t) => {
    const pending = postChat(coordinator.apiBase, {
      model: MODEL_ID, messages, max_tokens: MAX_TOKENS, temperature: 0
    })
    const victim = await waitFor(() => {
      try { return serving() } catch { return undefined }
    }, 5_000, 'a node to take the request', 2)
    await new Promise((resolve) => setTimeout(resolve, 60))
    victim.signal('SIGKILL')

    const res = await pending
    t.equal(res.status, 200)
    t.equal(res.body.usage?.completion_tokens, MAX_TOKENS)
    const segments = res.body.parallelix?.segments as unknown as SegmentView[]
    t.equal(segments.length, 2, 'one partial segment, one completed elsewhere')
    t.equal(segments[0]?.node, victim.peerId)
    const text = res.body.choices?.[0]?.message.content ?? ''
    assertContinuation(t, text, seamOf(text, segments[1]!.receipt!.outputHash))
  })

t.test('a node stalled before its first token is replaced without the client noticing',
  async (t) => {
    const live = nodes.filter((n) => coordinator.registry.get(n.peerId) !== undefined)
    t.equal(live.length, 1, 'one process node is left')
    const frozen = live[0]!
    frozen.signal('SIGSTOP')
    const started = performance.now()
    const res = await postChat(coordinator.apiBase, {
      model: MODEL_ID, messages, max_tokens: 16, temperature: 0
    })
    const elapsed = performance.now() - started
    frozen.signal('SIGCONT')

    t.equal(res.status, 200)
    t.equal(res.body.parallelix?.node, steady.peerId)
    t.equal(res.body.parallelix?.segments.length, 1, 'the stalled node delivered nothing')
    const text = res.body.choices?.[0]?.message.content ?? ''
    t.equal(text, reference.slice(0, text.length), 'the answer is the usual one')
    t.ok(elapsed >= 1_400 && elapsed < 8_000,
      `answered after ${elapsed.toFixed(0)} ms: one stall timeout (1.5 s), then the other node`)
    t.ok(coordinator.scheduler.stats.get(frozen.peerId).failures(Date.now()) > 0.9,
      'the stall counts against the frozen node')
  })

t.test('a frozen node and a killed node each leave /v1/nodes within 3 s', async (t) => {
  const node = nodes.find((n) => n.process.child.exitCode === null &&
    n.process.child.signalCode === null)!
  await waitForPool(coordinator.apiBase, [node.peerId], 15_000)
  const gone = async () => waitFor(async () =>
    (await poolPeerIds(coordinator.apiBase)).includes(node.peerId) ? undefined : true,
  15_000, `${node.peerId} to leave`)

  let started = performance.now()
  node.signal('SIGSTOP')
  await gone()
  const freezeMs = performance.now() - started
  node.signal('SIGCONT')
  t.ok(freezeMs <= 3_000, `a frozen node detected in ${freezeMs.toFixed(0)} ms (liveness probe)`)

  await waitForPool(coordinator.apiBase, [node.peerId], 15_000)
  t.pass('the thawed node rejoined with its next advert')

  started = performance.now()
  node.signal('SIGKILL')
  await gone()
  const killMs = performance.now() - started
  t.ok(killMs <= 3_000, `kill -9 detected in ${killMs.toFixed(0)} ms (connection closed)`)
})
