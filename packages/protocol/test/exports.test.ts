import t from 'tap'
import * as protocol from '../src/index.ts'
import * as mesh from '../src/mesh/index.ts'

t.test('the public surface is exactly these names', async (t) => {
  t.same(Object.keys(protocol).sort(), [
    'ADVERT_INTERVAL_MS', 'ADVERT_MAX_SKEW_MS', 'ADVERT_TOPIC', 'ADVERT_TTL_MS',
    'FrameTooLargeError', 'INFER_PROTOCOL', 'InvalidAdvertSignatureError', 'InvalidMessageError',
    'MAX_ADVERT_BYTES', 'MAX_COMPLETION_TOKENS', 'MAX_MESSAGES', 'MAX_REQUEST_BYTES',
    'MAX_RESPONSE_FRAME_BYTES', 'MAX_STOP_SEQUENCES', 'POE_DOMAIN', 'POE_TYPES', 'ProtocolError',
    'advertBodySchema', 'advertModelSchema', 'advertSchema', 'cancelFrameSchema', 'canonicalJson',
    'chatMessageSchema', 'createLogger', 'decodeMessage', 'encodeMessage', 'errorFrameSchema',
    'finalFrameSchema', 'hardwareSchema', 'hashOutput', 'hashPrompt', 'hashReceipt',
    'inferRequestSchema', 'modelIdSchema', 'nodeFrameSchema', 'receiptSchema',
    'recoverReceiptSigner', 'requestIdSchema', 'samplingParamsSchema', 'signAdvert', 'signReceipt',
    'tokenFrameSchema', 'verifyAdvert'
  ])
  t.same(Object.keys(mesh).sort(), ['FramedStream', 'createPeer', 'loadOrCreatePeerKey'])
})
