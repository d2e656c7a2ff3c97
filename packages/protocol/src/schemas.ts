import { z } from 'zod'
import {
  MAX_COMPLETION_TOKENS, MAX_MESSAGES, MAX_STOP_SEQUENCES
} from './constants.ts'

const hex32 = z.string().regex(/^0x[0-9a-f]{64}$/, 'expected 0x-prefixed 32-byte lowercase hex')
const address = z.string().regex(/^0x[0-9a-fA-F]{40}$/, 'expected a 0x-prefixed address')
const signature = z.string().regex(/^0x[0-9a-fA-F]{130}$/, 'expected a 65-byte signature')
const uint = z.number().int().nonnegative().max(Number.MAX_SAFE_INTEGER)

export const requestIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,128}$/)
export const modelIdSchema = z.string().min(1).max(128)

export const chatMessageSchema = z.strictObject({
  role: z.enum(['system', 'user', 'assistant']),
  content: z.string().max(512 * 1024)
})

export const samplingParamsSchema = z.strictObject({
  maxTokens: z.number().int().min(1).max(MAX_COMPLETION_TOKENS),
  temperature: z.number().min(0).max(2),
  topP: z.number().gt(0).max(1),
  seed: z.number().int().nonnegative().max(2 ** 32 - 1).optional(),
  stop: z.array(z.string().min(1).max(64)).max(MAX_STOP_SEQUENCES)
})

export const inferRequestSchema = z.strictObject({
  type: z.literal('request'),
  requestId: requestIdSchema,
  model: modelIdSchema,
  modelHash: hex32.optional(),
  messages: z.array(chatMessageSchema).min(1).max(MAX_MESSAGES),
  params: samplingParamsSchema,
  /** Text already delivered by another node; generation continues after it (failover). */
  prefill: z.string().max(512 * 1024).optional()
})

/** Sent by the requester after the request to stop generation early; a final frame follows. */
export const cancelFrameSchema = z.strictObject({ type: z.literal('cancel') })

export const receiptSchema = z.strictObject({
  requestId: requestIdSchema,
  model: modelIdSchema,
  modelHash: hex32,
  promptHash: hex32,
  outputHash: hex32,
  promptTokens: uint,
  completionTokens: uint,
  node: z.string().min(1).max(128),
  operator: address,
  startedAt: uint,
  finishedAt: uint
})

export const tokenFrameSchema = z.strictObject({
  type: z.literal('token'),
  text: z.string(),
  tokens: z.number().int().min(1).max(64)
})

export const finalFrameSchema = z.strictObject({
  type: z.literal('final'),
  finishReason: z.enum(['stop', 'length', 'cancelled']),
  usage: z.strictObject({ promptTokens: uint, completionTokens: uint }),
  receipt: receiptSchema,
  hash: hex32,
  signature
})

export const errorFrameSchema = z.strictObject({
  type: z.literal('error'),
  code: z.string().min(1).max(64),
  message: z.string().max(2048),
  retryable: z.boolean()
})

export const nodeFrameSchema = z.discriminatedUnion('type', [
  tokenFrameSchema, finalFrameSchema, errorFrameSchema
])

export const advertModelSchema = z.strictObject({
  id: modelIdSchema,
  modelHash: hex32,
  contextSize: z.number().int().positive().max(10_000_000),
  sizeBytes: uint,
  architecture: z.string().max(64).optional(),
  quantization: z.string().max(32).optional()
})

export const hardwareSchema = z.strictObject({
  gpu: z.string().max(32),
  devices: z.array(z.string().max(256)).max(16),
  cpuCores: z.number().int().positive().max(4096),
  threads: z.number().int().nonnegative().max(4096),
  vramBytes: uint.optional()
})

export const advertBodySchema = z.strictObject({
  v: z.literal(1),
  peerId: z.string().min(1).max(128),
  operator: address,
  addrs: z.array(z.string().max(256)).max(16),
  models: z.array(advertModelSchema).min(1).max(32),
  hardware: hardwareSchema,
  slots: z.strictObject({
    total: z.number().int().min(0).max(1024),
    free: z.number().int().min(0)
  }),
  tokensPerSecond: z.number().nonnegative().max(1e7),
  draining: z.boolean(),
  issuedAt: uint,
  seq: uint
}).refine((a) => a.slots.free <= a.slots.total, 'free slots exceed total slots')

export const advertSchema = z.strictObject({
  body: advertBodySchema,
  signature
})

export type ChatMessage = z.infer<typeof chatMessageSchema>
export type SamplingParams = z.infer<typeof samplingParamsSchema>
export type InferRequest = z.infer<typeof inferRequestSchema>
export type CancelFrame = z.infer<typeof cancelFrameSchema>
export type Receipt = z.infer<typeof receiptSchema>
export type TokenFrame = z.infer<typeof tokenFrameSchema>
export type FinalFrame = z.infer<typeof finalFrameSchema>
export type ErrorFrame = z.infer<typeof errorFrameSchema>
export type NodeFrame = z.infer<typeof nodeFrameSchema>
export type AdvertModel = z.infer<typeof advertModelSchema>
export type Hardware = z.infer<typeof hardwareSchema>
export type AdvertBody = z.infer<typeof advertBodySchema>
export type Advert = z.infer<typeof advertSchema>
