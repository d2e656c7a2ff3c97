#!/usr/bin/env node
// Runs the TypeScript sources directly; the workspace ships no build step.
import { register } from 'tsx/esm/api'

register()
const { main } = await import('../src/cli.ts')
main().catch((err) => {
  // stdout carries the MCP protocol, so even a fatal error goes to stderr.
  console.error(`parallelix-mcp: ${err instanceof Error ? err.message : String(err)}`)
  process.exit(1)
})
