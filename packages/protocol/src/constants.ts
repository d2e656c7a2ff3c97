/** Protocol id for one inference request per stream. */
export const INFER_PROTOCOL = '/parallelix/infer/1.0.0'

/** Gossip topic carrying signed capability adverts. */
export const ADVERT_TOPIC = 'parallelix/adverts/1'

/** Largest request frame a node accepts (messages plus parameters). */
export const MAX_REQUEST_BYTES = 1024 * 1024

/** Largest frame a node may send back (one token, the final frame or an error). */
export const MAX_RESPONSE_FRAME_BYTES = 64 * 1024

/** Largest advert accepted from gossip. */
export const MAX_ADVERT_BYTES = 16 * 1024

/** How often a node republishes its advert. */
export const ADVERT_INTERVAL_MS = 2_000

/** A node whose last advert is older than this leaves the pool. */
export const ADVERT_TTL_MS = 6_000

/** Adverts dated further than this in the future are refused (clock skew bound). */
export const ADVERT_MAX_SKEW_MS = 30_000

/** Upper bounds on what one request may ask for. */
export const MAX_MESSAGES = 256
export const MAX_STOP_SEQUENCES = 4
export const MAX_COMPLETION_TOKENS = 32_768
