import { DEFAULT_BASE_URL } from './constants.ts'

export interface McpConfig {
  baseUrl: string
  apiKey: string | undefined
}

/** Thrown for an environment the server cannot start with. */
export class ConfigError extends Error {
  static override readonly name = 'ConfigError'
  readonly code = 'invalid_config'

  constructor (message: string) {
    super(message)
    this.name = ConfigError.name
  }
}

/** Reads PARALLELIX_BASE_URL (default: a local devnet) and PARALLELIX_API_KEY. */
export function readConfig (env: Record<string, string | undefined>): McpConfig {
  const baseUrl = env.PARALLELIX_BASE_URL?.trim() || DEFAULT_BASE_URL
  if (!/^https?:\/\/\S+$/.test(baseUrl)) {
    throw new ConfigError(`PARALLELIX_BASE_URL must be an http(s) URL, got '${baseUrl}'`)
  }
  const apiKey = env.PARALLELIX_API_KEY?.trim()
  return { baseUrl, apiKey: apiKey === '' ? undefined : apiKey }
}
