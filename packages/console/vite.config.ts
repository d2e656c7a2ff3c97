import { dirname, join } from 'node:path'
import { fileURLToPath } from 'node:url'
import { defineConfig } from 'vite'

const root = dirname(fileURLToPath(import.meta.url))

/** The console's build: one static bundle, no CDN, served by the coordinator at `/`. */
export default defineConfig({
  root,
  base: '/',
  publicDir: 'public',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  resolve: {
    // The vault's EIP-712 definitions, without the package index (it also starts anvil).
    alias: {
      '@parallelix/contracts/typed-data': join(root, '../contracts/src/typed-data.ts')
    }
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: false,
    // viem's signing and hashing code is the bulk of the bundle; one chunk is fine locally.
    chunkSizeWarningLimit: 1024
  }
})
