import t from 'tap'
import * as node from '../src/index.ts'

t.test('the public surface is exactly these names', async (t) => {
  t.same(Object.keys(node).sort(), [
    'ContextLengthExceededError', 'EngineClosedError', 'EngineError', 'InferenceEngine',
    'InvalidOperatorKeyError', 'NoFreeSlotError', 'buildTinyGguf', 'countPromptTokens',
    'ensureTinyModel', 'hasChatTemplate', 'loadOrCreateOperatorKey', 'renderPlainPrompt',
    'serveInferStream', 'sha256File', 'startNode'
  ])
})
