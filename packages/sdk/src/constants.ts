/** Retries after the first attempt for a request that failed transiently. */
export const DEFAULT_MAX_RETRIES = 2

/** Per-attempt limit, until the response headers for a stream and the whole body otherwise. */
export const DEFAULT_TIMEOUT_MS = 60_000

/** First backoff step; each further retry doubles it, up to MAX_RETRY_DELAY_MS. */
export const INITIAL_RETRY_DELAY_MS = 500

export const MAX_RETRY_DELAY_MS = 8_000

/** A Retry-After longer than this is ignored in favour of the exponential backoff. */
export const MAX_RETRY_AFTER_MS = 60_000

/** Share of each backoff step removed at random, so that clients do not retry in lockstep. */
export const RETRY_JITTER = 0.25

/** How often batch status is polled. */
export const DEFAULT_POLL_MS = 500

/**
 * The most inputs one batch may hold (the coordinator's limit): parallelMap's batch size when
 * the caller sets no concurrency, so that the network, not the client, paces the work.
 */
export const MAX_BATCH_ITEMS = 1_000
