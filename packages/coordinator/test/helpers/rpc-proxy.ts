import { createConnection, createServer, type Server, type Socket } from 'node:net'

/** A TCP relay in front of an RPC endpoint that a test can take down and bring back. */
export interface RpcProxy {
  url: string
  up: () => Promise<void>
  down: () => Promise<void>
}

/** A relay on `port` to `target` (host:port); starts down. */
export function rpcProxy (port: number, targetPort: number): RpcProxy {
  let server: Server | undefined
  const sockets = new Set<Socket>()
  return {
    url: `http://127.0.0.1:${port}`,
    up: async () => new Promise((resolve, reject) => {
      server = createServer((client) => {
        const upstream = createConnection(targetPort, '127.0.0.1')
        for (const s of [client, upstream]) {
          sockets.add(s)
          s.on('close', () => sockets.delete(s))
          s.on('error', () => { client.destroy(); upstream.destroy() })
        }
        client.pipe(upstream).pipe(client)
      })
      server.once('error', reject)
      server.listen(port, '127.0.0.1', () => resolve())
    }),
    down: async () => new Promise((resolve) => {
      for (const s of sockets) s.destroy()
      if (server === undefined) return resolve()
      server.close(() => resolve())
      server = undefined
    })
  }
}
