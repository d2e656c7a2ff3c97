import t from 'tap'
import * as mcp from '../src/index.ts'

t.test('exports exactly the public API, nothing more', async (t) => {
  t.same(Object.keys(mcp).sort(), [
    'ConfigError', 'DEFAULT_BASE_URL', 'INPUT_PLACEHOLDER', 'MAX_MAP_INPUTS', 'TOOL_NAMES',
    'createLogger', 'createMcpServer', 'main', 'readConfig', 'renderPrompt'
  ])
})
