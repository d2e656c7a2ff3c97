import type { JSX } from 'preact'
import { formatCount, formatRate } from '../format/text.ts'
import { session } from '../api/session.ts'
import { useStore } from '../state/use-store.ts'
import { SignInButton } from '../wallet/sign-in-button.tsx'
import { PageHeader } from '../ui/page-header.tsx'
import { usePoll } from '../ui/use-poll.ts'
import { ModelsTable } from './models-table.tsx'
import { NodeRow } from './node-row.tsx'
import { POOL_REFRESH_MS, pool, refreshPool } from './pool-state.ts'

function Stat ({ label, value, sub }: { label: string, value: string, sub?: string }):
  JSX.Element {
  return (
    <div class="stat">
      <span class="stat-label">{label}</span>
      <span class="stat-value">{value}</span>
      {sub !== undefined && <span class="stat-sub">{sub}</span>}
    </div>
  )
}

/** The live pool: totals, then every node with its hardware, models and load. */
export function PoolView (): JSX.Element {
  const { nodes, updatedAt, error, needsSignIn } = useStore(pool)
  const signedIn = useStore(session) !== null
  usePoll(refreshPool, POOL_REFRESH_MS, [signedIn])

  const slotsTotal = nodes.reduce((n, node) => n + node.slots.total, 0)
  const slotsFree = nodes.reduce((n, node) => n + node.slots.free, 0)
  const inflight = nodes.reduce((n, node) => n + node.load, 0)
  const throughput = nodes.reduce((n, node) => n + node.tokens_per_second, 0)
  const modelIds = new Set(nodes.flatMap((node) => node.models.map((m) => m.id)))

  return (
    <section class="page pool">
      <PageHeader title="Pool">
        <span class={`live${error === null ? '' : ' stale'}`} data-testid="pool-live"
          title={error ?? `Refreshes every ${POOL_REFRESH_MS / 1000} s`}>
          <span class="pulse" aria-hidden="true" />
          {error === null ? 'Live' : 'Reconnecting'}
        </span>
      </PageHeader>
      <div class="scroll">
        <div class="content">
          <div class="stats">
            <Stat label="Nodes" value={formatCount(nodes.length)} />
            <Stat label="Free slots"
              value={`${formatCount(slotsFree)} / ${formatCount(slotsTotal)}`}
              sub={`${formatCount(inflight)} in flight`} />
            <Stat label="Models" value={formatCount(modelIds.size)}
              sub={[...modelIds].slice(0, 3).join(', ')} />
            <Stat label="Throughput" value={`${formatRate(throughput)} tok/s`}
              sub="measured by each node" />
          </div>
          {needsSignIn && !signedIn
            ? (
              <section class="card sign-in-card">
                <h2 class="card-title">Sign in to see the pool</h2>
                <p class="muted">This coordinator shows its nodes to signed-in accounts.</p>
                <SignInButton />
              </section>
              )
            : error !== null && <p class="form-error" role="alert">{error}</p>}
          <h2 class="section-title">Nodes</h2>
          <div class="table-card">
            <table class="nodes" data-testid="pool-table">
              <thead>
                <tr>
                  <th>Peer</th><th>Operator</th><th>Hardware</th><th>Models</th>
                  <th class="num">Load</th><th>Slots</th><th class="num">Tokens/s</th>
                </tr>
              </thead>
              <tbody>
                {nodes.map((node) => <NodeRow key={node.peer_id} node={node} />)}
              </tbody>
            </table>
            {nodes.length === 0 && (
              <p class="empty-table muted">
                {updatedAt === null ? 'Loading the pool…' : 'No node is online.'}
              </p>
            )}
          </div>
          <ModelsTable />
        </div>
      </div>
    </section>
  )
}
