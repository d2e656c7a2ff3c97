export {
  ADVERT_INTERVAL_MS, ADVERT_MAX_SKEW_MS, ADVERT_TOPIC, ADVERT_TTL_MS, INFER_PROTOCOL,
  MAX_ADVERT_BYTES, MAX_COMPLETION_TOKENS, MAX_MESSAGES, MAX_REQUEST_BYTES,
  MAX_RESPONSE_FRAME_BYTES, MAX_STOP_SEQUENCES
} from './constants.ts'
export {
  FrameTooLargeError, InvalidAdvertSignatureError, InvalidMessageError, ProtocolError
} from './errors.ts'
export { canonicalJson } from './canonical-json.ts'
export { decodeMessage, encodeMessage } from './codec.ts'
export {
  advertBodySchema, advertModelSchema, advertSchema, cancelFrameSchema,
  chatMessageSchema, errorFrameSchema,
  finalFrameSchema, hardwareSchema, inferRequestSchema, modelIdSchema, nodeFrameSchema,
  receiptSchema, requestIdSchema, samplingParamsSchema, tokenFrameSchema
} from './schemas.ts'
export type {
  Advert, AdvertBody, AdvertModel, CancelFrame, ChatMessage, ErrorFrame, FinalFrame, Hardware,
  InferRequest, NodeFrame, Receipt, SamplingParams, TokenFrame
} from './schemas.ts'
export {
  POE_DOMAIN, POE_TYPES, hashOutput, hashPrompt, hashReceipt, recoverReceiptSigner, signReceipt
} from './receipt.ts'
export type { PromptCommitment } from './receipt.ts'
export { signAdvert, verifyAdvert } from './advert.ts'
export { createLogger } from './logger.ts'
export type { Logger } from './logger.ts'
