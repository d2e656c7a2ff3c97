import { startSimNode, type SimNode, type SimNodeOptions } from './sim-node.ts'

/**
 * Runs simulated nodes in their own process, so that their signing and pacing do not share
 * the coordinator's event loop. Started by the bench with the options as JSON in argv[2];
 * prints `{"ready":[peer ids]}` once all serve and stops them when stdin closes.
 */
const { count, ...options } = JSON.parse(process.argv[2] ?? '{}') as SimNodeOptions & {
  count: number
}
const nodes: SimNode[] = []
for (let i = 0; i < count; i += 8) {
  nodes.push(...await Promise.all(Array.from({ length: Math.min(8, count - i) },
    async () => startSimNode(options))))
}
process.stdout.write(`${JSON.stringify({ ready: nodes.map((n) => n.peerId) })}\n`)

process.stdin.resume()
process.stdin.on('end', () => {
  void Promise.all(nodes.map(async (n) => n.stop())).finally(() => process.exit(0))
})
