/** Where the coordinator's API listens when PARALLELIX_BASE_URL is not set (a local devnet). */
export const DEFAULT_BASE_URL = 'http://127.0.0.1:8080/v1'

export const SERVER_NAME = 'parallelix'
export const SERVER_VERSION = '0.1.0'

/** The placeholder of parallel_map's instruction that each input replaces. */
export const INPUT_PLACEHOLDER = '{input}'

/** Most inputs one parallel_map call takes; the batch API holds up to 1,000 per batch. */
export const MAX_MAP_INPUTS = 1_000
