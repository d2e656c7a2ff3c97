import t from 'tap'
import { ConfigError, DEFAULT_BASE_URL, readConfig, renderPrompt } from '../src/index.ts'

t.test('defaults to a local devnet and no API key', async (t) => {
  t.same(readConfig({}), { baseUrl: DEFAULT_BASE_URL, apiKey: undefined })
  t.equal(DEFAULT_BASE_URL, 'http://127.0.0.1:8080/v1')
})

t.test('reads the base URL and API key from the environment', async (t) => {
  t.same(readConfig({
    PARALLELIX_BASE_URL: 'https://api.parallelix.example/v1', PARALLELIX_API_KEY: ' pk_live_x '
  }), { baseUrl: 'https://api.parallelix.example/v1', apiKey: 'pk_live_x' })
})

t.test('refuses a base URL that is not http(s)', async (t) => {
  t.throws(() => readConfig({ PARALLELIX_BASE_URL: 'ftp://x' }),
    { name: 'ConfigError', code: 'invalid_config' })
  t.ok(new ConfigError('x') instanceof Error)
})

t.test('replaces every {input} of the instruction with the input', async (t) => {
  t.equal(renderPrompt('Translate {input} to French; keep {input} short.', 'hello'),
    'Translate hello to French; keep hello short.')
})

t.test('appends the input to an instruction without a placeholder', async (t) => {
  t.equal(renderPrompt('Summarise this:', 'a long text'), 'Summarise this:\n\na long text')
})

t.test('leaves $-patterns in an input as they are', async (t) => {
  t.equal(renderPrompt('Echo {input}', "$& and $'"), "Echo $& and $'")
})
