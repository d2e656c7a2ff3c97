import { createHash } from 'node:crypto'
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getLlama, LlamaCompletion } from 'node-llama-cpp'
import t from 'tap'
import { buildTinyGguf, ensureTinyModel } from '../src/model/tiny-gguf.ts'

// Pinned so that any change to the generator is a deliberate one: nodes that compare model
// hashes across the network would otherwise disagree silently.
const TINY_SHA256 = '456199d1184360c4327c46d4b8b6f66416f54ceef49975c20df3318aaf83ad45'

const sha256 = (bytes: Uint8Array): string => createHash('sha256').update(bytes).digest('hex')

const dir = await mkdtemp(join(tmpdir(), 'parallelix-tiny-'))
t.teardown(() => rm(dir, { recursive: true, force: true }))

t.test('builds the same bytes on every call', async (t) => {
  const first = buildTinyGguf()
  const second = buildTinyGguf()

  t.same(Buffer.from(first).equals(Buffer.from(second)), true)
  t.equal(sha256(first), TINY_SHA256)
  t.ok(first.length < 2 * 1024 * 1024, `${first.length} bytes stays under 2 MB`)
  t.equal(Buffer.from(first.subarray(0, 4)).toString('latin1'), 'GGUF')
})

t.test('writes the model once and then reuses the file', async (t) => {
  const first = await ensureTinyModel(dir)
  const { mtimeMs } = await stat(first.path)
  const second = await ensureTinyModel(dir)

  t.equal(first.path, join(dir, 'parallelix-tiny.gguf'))
  t.equal(first.sha256, TINY_SHA256)
  t.same(second, first)
  t.equal((await stat(second.path)).mtimeMs, mtimeMs)
  t.equal(sha256(await readFile(first.path)), TINY_SHA256)
})

t.test('replaces a model file whose content has changed', async (t) => {
  const own = await mkdtemp(join(dir, 'corrupt-'))
  await writeFile(join(own, 'parallelix-tiny.gguf'), 'not a model')

  const { path, sha256: reported } = await ensureTinyModel(own)

  t.equal(reported, TINY_SHA256)
  t.equal(sha256(await readFile(path)), TINY_SHA256)
})

t.test('node-llama-cpp runs the model', async (t) => {
  const { path } = await ensureTinyModel(dir)
  const llama = await getLlama({ gpu: false, build: 'never' })
  const model = await llama.loadModel({ modelPath: path })
  const context = await model.createContext({ threads: 1, contextSize: 256 })
  t.teardown(async () => {
    await context.dispose()
    await model.dispose()
    await llama.dispose()
  })

  t.test('generates the same non-empty text twice at temperature 0', async (t) => {
    const completion = new LlamaCompletion({
      contextSequence: context.getSequence(),
      autoDisposeSequence: true,
    })
    const options = { maxTokens: 30, temperature: 0 }

    const first = await completion.generateCompletion('Once upon a time', options)
    const second = await completion.generateCompletion('Once upon a time', options)
    completion.dispose()

    t.ok(first.trim().length > 0, `generated ${JSON.stringify(first)}`)
    t.equal(second, first)
    t.match(first, /^[\s\w.,;!?]+$/, 'reads as words and punctuation, not raw bytes')
  })

  t.test('keeps generating rather than ending at once', async (t) => {
    const completion = new LlamaCompletion({
      contextSequence: context.getSequence(),
      autoDisposeSequence: true,
    })
    let tokens = 0

    await completion.generateCompletion('The old king', {
      maxTokens: 50,
      temperature: 0,
      onToken: (chunk) => { tokens += chunk.length },
    })
    completion.dispose()

    t.equal(tokens, 50)
  })

  t.test('round-trips an English sentence, one token per word', async (t) => {
    const sentence = 'The old king saw a dark forest, and she walked home.'

    const tokens = model.tokenize(sentence)

    t.equal(tokens.length, 13)
    t.equal(model.detokenize(tokens), sentence)
  })
})
