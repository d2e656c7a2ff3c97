/**
 * The default model: a tiny llama-architecture GGUF file that we generate ourselves, so a node
 * can serve completions on a machine where nobody has provided a real model.
 *
 * The weights are not trained. They are laid out by hand so that the network behaves like a
 * word-class bigram model: the residual stream carries the current word's class, the output
 * projection maps that class to plausible next classes, and a few random dimensions (stirred by
 * the attention and feed-forward layers) pick the word inside the class. Byte, prefix and
 * control tokens are pushed far down, so sampled text reads as English-like word sequences.
 */
import { createHash, randomUUID } from 'node:crypto'
import { mkdir, readFile, rename, rm, writeFile } from 'node:fs/promises'
import { join } from 'node:path'

const FILE_NAME = 'parallelix-tiny.gguf'

const N_EMBD = 64
const N_LAYER = 2
const N_HEAD = 4
const N_FF = 128
const N_CTX = 2048
const ALIGNMENT = 32

/** Dimension 0 holds a constant, so output weights on it act as a per-token logit bias. */
const BIAS_DIM = 0
const BIAS_LEVEL = 2
const CLASS_LEVEL = 2
const NOISE_LEVEL = 0.35
/** Logit given to tokens the model should never produce on its own (bytes, eos, prefixes). */
const BLOCKED_LOGIT = -30
/** Logit for a class that may not follow the current one, well below any allowed transition. */
const FORBIDDEN_LOGIT = -14
const OUTPUT_NOISE = 0.2
const LAYER_STIR = 0.6

const SPACE = '\u2581'
const TOKEN_NORMAL = 1
const TOKEN_UNKNOWN = 2
const TOKEN_CONTROL = 3
const TOKEN_BYTE = 6

type ClassName =
  | 'end' | 'comma' | 'det' | 'detCap' | 'adj' | 'noun' | 'verb' | 'vi'
  | 'prep' | 'adv' | 'advCap' | 'conj' | 'pron' | 'pronCap'

interface WordClass {
  /**
   * Space-separated words, `word*n` marking a word n times as common as the rest of its class.
   * Punctuation classes are bare: they attach to the previous word without a space.
   */
  readonly words: string
  readonly bare?: boolean
  /** Relative odds of the class of the next word. */
  readonly next: Partial<Record<ClassName, number>>
}

const WORD_CLASSES: Record<ClassName, WordClass> = {
  end: { words: '.*8 !*2 ?', bare: true, next: { detCap: 5, pronCap: 3, advCap: 2 } },
  comma: { words: ',*6 ;', bare: true, next: { conj: 4, pron: 3, det: 3 } },
  det: {
    words: 'the*6 a*4 an this that every some his her their my our no each',
    next: { adj: 3, noun: 7 },
  },
  detCap: {
    words: 'The*6 A*3 This That Every Some His Her Their My One No',
    next: { adj: 3, noun: 7 },
  },
  adj: {
    words: 'old young little big small dark bright quiet happy sad kind brave strange wild green '
      + 'red blue golden silver cold warm tall deep gentle tired clever lonely ancient',
    next: { noun: 9, adj: 1 },
  },
  noun: {
    words: 'man woman king queen child boy girl dog cat bird fox wolf horse house tree river '
      + 'forest road city village garden door window sea mountain hill sky sun moon star night '
      + 'day time world book letter song light fire water stone friend mother father teacher '
      + 'farmer ship boat island castle bridge market field dream story morning winter rain',
    next: { verb: 3, vi: 2, prep: 2, end: 2, comma: 1 },
  },
  verb: {
    words: 'saw found took made loved heard knew met followed opened carried built kept watched '
      + 'held painted remembered asked called crossed',
    next: { det: 9, adv: 1 },
  },
  vi: {
    words: 'walked slept laughed smiled waited ran sang cried danced listened worked rested '
      + 'wandered stopped returned',
    next: { prep: 4, adv: 2, end: 3, comma: 1 },
  },
  prep: {
    words: 'in on under near with from to into by over across behind beside through upon along',
    next: { det: 10 },
  },
  adv: {
    words: 'slowly quietly again soon together away home there today',
    next: { end: 5, comma: 2, prep: 3 },
  },
  advCap: { words: 'Once Then Later Soon Suddenly Today', next: { comma: 5, pron: 3, det: 2 } },
  conj: { words: 'and but so while when because until', next: { pron: 6, det: 4 } },
  pron: { words: 'he she they we it', next: { verb: 6, vi: 4 } },
  pronCap: { words: 'He She They We It I', next: { verb: 6, vi: 4 } },
}

const CLASS_NAMES = Object.keys(WORD_CLASSES) as ClassName[]
const NOISE_START = 1 + CLASS_NAMES.length
/** Class given to tokens that are not words, so a prompt containing them still reads as a noun. */
const FALLBACK_CLASS = CLASS_NAMES.indexOf('noun')
const END_CLASS = CLASS_NAMES.indexOf('end')

interface Vocab {
  readonly tokens: string[]
  readonly scores: number[]
  readonly types: number[]
  /** Word class per token, or -1 for tokens that only exist to tokenize arbitrary text. */
  readonly classes: number[]
  /** Relative frequency of each word inside its class (1 for tokens that are not words). */
  readonly weights: number[]
}

/** Splits a class's word list into words and their relative frequencies. */
function parseWords (words: string): Array<[string, number]> {
  return words.split(' ').map((entry) => {
    const [word = entry, weight] = entry.split('*')
    return [word, weight === undefined ? 1 : Number(weight)]
  })
}

function buildVocab (): Vocab {
  const vocab: Vocab = { tokens: [], scores: [], types: [], classes: [], weights: [] }
  const seen = new Set<string>()
  const add = (text: string, type: number, cls: number, weight = 1): void => {
    if (seen.has(text)) return
    seen.add(text)
    vocab.tokens.push(text)
    vocab.scores.push(type === TOKEN_NORMAL ? -vocab.tokens.length : 0)
    vocab.types.push(type)
    vocab.classes.push(cls)
    vocab.weights.push(weight)
  }

  add('<unk>', TOKEN_UNKNOWN, -1)
  add('<s>', TOKEN_CONTROL, -1)
  add('</s>', TOKEN_CONTROL, -1)
  for (let b = 0; b < 256; b++) {
    add(`<0x${b.toString(16).toUpperCase().padStart(2, '0')}>`, TOKEN_BYTE, -1)
  }

  const spaced: string[] = []
  CLASS_NAMES.forEach((name, cls) => {
    const { words, bare } = WORD_CLASSES[name]
    for (const [word, weight] of parseWords(words)) {
      const text = bare === true ? word : SPACE + word
      if (seen.has(text)) throw new Error(`tiny model vocabulary repeats "${word}"`)
      add(text, TOKEN_NORMAL, cls, weight)
      if (bare !== true) spaced.push(text)
    }
  })

  // SentencePiece merges two pieces only when their concatenation is itself a token, so every
  // prefix of a word must exist for the word to come out as one token.
  for (const text of spaced) {
    for (let i = 1; i < text.length; i++) add(text.slice(0, i), TOKEN_NORMAL, -1)
  }
  // Single characters keep words outside the vocabulary from falling back to raw bytes.
  const chars = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789\'"-():'
  for (const ch of chars) add(ch, TOKEN_NORMAL, -1)
  return vocab
}

/** xorshift32: arithmetic only, so the same seed gives the same floats on every platform. */
function createRandom (seed: number): () => number {
  let state = seed >>> 0 || 0x9e3779b9
  return () => {
    state ^= state << 13
    state ^= state >>> 17
    state ^= state << 5
    state >>>= 0
    return state / 0x100000000
  }
}

/** Seeds each tensor from its name, so changing one tensor leaves the others' bytes alone. */
function seedFor (name: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

const UNIT_SPREAD = Math.sqrt(3)

/** Roughly normal with unit variance (sum of four uniforms); avoids Math.log and Math.cos. */
function gaussian (random: () => number): number {
  return (random() + random() + random() + random() - 2) * UNIT_SPREAD
}

/** Natural logarithm from +, * and / only, so results cannot vary with the JS engine's libm. */
function ln (x: number): number {
  let exponent = 0
  while (x >= 2) { x /= 2; exponent++ }
  while (x < 1) { x *= 2; exponent-- }
  const y = (x - 1) / (x + 1)
  let term = y
  let sum = 0
  for (let n = 1; n < 40; n += 2) {
    sum += term / n
    term *= y * y
  }
  return exponent * Math.LN2 + 2 * sum
}

/** Log-odds of each class following each class, spread over the words of the next class. */
function transitionLogits (): number[][] {
  const sizes = CLASS_NAMES.map((name) =>
    parseWords(WORD_CLASSES[name].words).reduce((sum, [, weight]) => sum + weight, 0))
  return CLASS_NAMES.map((from) => {
    const next = WORD_CLASSES[from].next
    const total = Object.values(next).reduce((a, b) => a + b, 0)
    return CLASS_NAMES.map((to, i) => {
      const odds = next[to]
      return odds === undefined ? FORBIDDEN_LOGIT : ln(odds / total) - ln(sizes[i] ?? 1)
    })
  })
}

interface Tensor {
  readonly name: string
  /** Dimensions in ggml order: ne0 (the contiguous one) first. */
  readonly dims: readonly number[]
  readonly data: Float32Array
}

function randomTensor (name: string, dims: readonly number[], scale: number): Tensor {
  const random = createRandom(seedFor(name))
  const data = new Float32Array(dims.reduce((a, b) => a * b, 1))
  for (let i = 0; i < data.length; i++) data[i] = gaussian(random) * scale
  return { name, dims, data }
}

/** A projection that writes only to the noise dimensions, so class and bias survive it. */
function stirTensor (name: string, nIn: number): Tensor {
  const tensor = randomTensor(name, [nIn, N_EMBD], LAYER_STIR / Math.sqrt(nIn))
  tensor.data.fill(0, 0, NOISE_START * nIn)
  return tensor
}

function onesTensor (name: string): Tensor {
  return { name, dims: [N_EMBD], data: new Float32Array(N_EMBD).fill(1) }
}

function buildTensors (vocab: Vocab): Tensor[] {
  const nVocab = vocab.tokens.length
  const embd = randomTensor('token_embd.weight', [N_EMBD, nVocab], NOISE_LEVEL)
  const output = randomTensor('output.weight', [N_EMBD, nVocab], OUTPUT_NOISE)
  const logits = transitionLogits()

  // After RMS norm the bias and class dimensions land near these values; dividing by them lets
  // the output weights be written directly in logits.
  const rms = Math.sqrt((BIAS_LEVEL ** 2 + CLASS_LEVEL ** 2
    + (N_EMBD - NOISE_START) * NOISE_LEVEL ** 2) / N_EMBD)
  const normBias = BIAS_LEVEL / rms
  const normClass = CLASS_LEVEL / rms

  for (let t = 0; t < nVocab; t++) {
    const row = t * N_EMBD
    const cls = vocab.classes[t] ?? -1
    const inputClass = cls >= 0 ? cls : t === 1 || t === 2 ? END_CLASS : FALLBACK_CLASS
    embd.data.fill(0, row, row + NOISE_START)
    embd.data[row + BIAS_DIM] = BIAS_LEVEL
    embd.data[row + 1 + inputClass] = CLASS_LEVEL

    output.data.fill(0, row, row + NOISE_START)
    if (cls < 0) {
      output.data[row + BIAS_DIM] = BLOCKED_LOGIT / normBias
      continue
    }
    output.data[row + BIAS_DIM] = ln(vocab.weights[t] ?? 1) / normBias
    logits.forEach((fromRow, from) => {
      output.data[row + 1 + from] = (fromRow[cls] ?? FORBIDDEN_LOGIT) / normClass
    })
  }

  const tensors = [embd, onesTensor('output_norm.weight'), output]
  const attnScale = 1 / Math.sqrt(N_EMBD)
  for (let layer = 0; layer < N_LAYER; layer++) {
    const p = `blk.${layer}.`
    tensors.push(
      onesTensor(`${p}attn_norm.weight`),
      randomTensor(`${p}attn_q.weight`, [N_EMBD, N_EMBD], 2 * attnScale),
      randomTensor(`${p}attn_k.weight`, [N_EMBD, N_EMBD], 2 * attnScale),
      randomTensor(`${p}attn_v.weight`, [N_EMBD, N_EMBD], attnScale),
      stirTensor(`${p}attn_output.weight`, N_EMBD),
      onesTensor(`${p}ffn_norm.weight`),
      randomTensor(`${p}ffn_gate.weight`, [N_EMBD, N_FF], attnScale),
      randomTensor(`${p}ffn_up.weight`, [N_EMBD, N_FF], attnScale),
      stirTensor(`${p}ffn_down.weight`, N_FF),
    )
  }
  return tensors
}

// GGUF metadata value type codes.
const GGUF_U32 = 4
const GGUF_I32 = 5
const GGUF_F32 = 6
const GGUF_BOOL = 7
const GGUF_STRING = 8
const GGUF_ARRAY = 9
const GGML_TYPE_F32 = 0

type MetaValue =
  | { readonly type: 'u32' | 'i32' | 'f32', readonly value: number }
  | { readonly type: 'bool', readonly value: boolean }
  | { readonly type: 'string', readonly value: string }
  | { readonly type: 'string[]', readonly value: readonly string[] }
  | { readonly type: 'f32[]' | 'i32[]', readonly value: readonly number[] }

const utf8 = new TextEncoder()

/** Little-endian byte sink that grows as needed. */
class ByteWriter {
  private buf = new Uint8Array(1 << 20)
  private view = new DataView(this.buf.buffer)
  length = 0

  private reserve (n: number): DataView {
    if (this.length + n > this.buf.length) {
      let size = this.buf.length * 2
      while (size < this.length + n) size *= 2
      const next = new Uint8Array(size)
      next.set(this.buf.subarray(0, this.length))
      this.buf = next
      this.view = new DataView(next.buffer)
    }
    return this.view
  }

  u8 (v: number): void { this.reserve(1).setUint8(this.length, v); this.length += 1 }
  u32 (v: number): void { this.reserve(4).setUint32(this.length, v, true); this.length += 4 }
  i32 (v: number): void { this.reserve(4).setInt32(this.length, v, true); this.length += 4 }
  f32 (v: number): void { this.reserve(4).setFloat32(this.length, v, true); this.length += 4 }
  u64 (v: number): void {
    this.reserve(8).setBigUint64(this.length, BigInt(v), true)
    this.length += 8
  }

  string (s: string): void {
    const bytes = utf8.encode(s)
    this.u64(bytes.length)
    this.reserve(bytes.length)
    this.buf.set(bytes, this.length)
    this.length += bytes.length
  }

  pad (alignment: number): void {
    while (this.length % alignment !== 0) this.u8(0)
  }

  bytes (): Uint8Array { return this.buf.slice(0, this.length) }
}

function writeMeta (w: ByteWriter, key: string, meta: MetaValue): void {
  w.string(key)
  switch (meta.type) {
    case 'u32': w.u32(GGUF_U32); w.u32(meta.value); break
    case 'i32': w.u32(GGUF_I32); w.i32(meta.value); break
    case 'f32': w.u32(GGUF_F32); w.f32(meta.value); break
    case 'bool': w.u32(GGUF_BOOL); w.u8(meta.value ? 1 : 0); break
    case 'string': w.u32(GGUF_STRING); w.string(meta.value); break
    case 'string[]':
      w.u32(GGUF_ARRAY); w.u32(GGUF_STRING); w.u64(meta.value.length)
      for (const s of meta.value) w.string(s)
      break
    case 'f32[]':
      w.u32(GGUF_ARRAY); w.u32(GGUF_F32); w.u64(meta.value.length)
      for (const v of meta.value) w.f32(v)
      break
    case 'i32[]':
      w.u32(GGUF_ARRAY); w.u32(GGUF_I32); w.u64(meta.value.length)
      for (const v of meta.value) w.i32(v)
      break
  }
}

function padded (n: number): number {
  return Math.ceil(n / ALIGNMENT) * ALIGNMENT
}

function encodeGguf (
  meta: ReadonlyArray<[string, MetaValue]>,
  tensors: readonly Tensor[],
): Uint8Array {
  const w = new ByteWriter()
  for (const ch of 'GGUF') w.u8(ch.charCodeAt(0))
  w.u32(3)
  w.u64(tensors.length)
  w.u64(meta.length)
  for (const [key, value] of meta) writeMeta(w, key, value)

  // ggml requires each tensor to start exactly where the previous one's padded data ends.
  let offset = 0
  for (const t of tensors) {
    w.string(t.name)
    w.u32(t.dims.length)
    for (const d of t.dims) w.u64(d)
    w.u32(GGML_TYPE_F32)
    w.u64(offset)
    offset += padded(t.data.byteLength)
  }

  w.pad(ALIGNMENT)
  for (const t of tensors) {
    for (const v of t.data) w.f32(v)
    w.pad(ALIGNMENT)
  }
  return w.bytes()
}

/** Builds the tiny model's GGUF bytes; the same bytes on every call and every machine. */
export function buildTinyGguf (): Uint8Array {
  const vocab = buildVocab()
  const u32 = (value: number): MetaValue => ({ type: 'u32', value })
  const meta: Array<[string, MetaValue]> = [
    ['general.architecture', { type: 'string', value: 'llama' }],
    ['general.name', { type: 'string', value: 'ParalleliX Tiny' }],
    ['general.alignment', u32(ALIGNMENT)],
    ['general.file_type', u32(0)],
    ['llama.context_length', u32(N_CTX)],
    ['llama.embedding_length', u32(N_EMBD)],
    ['llama.block_count', u32(N_LAYER)],
    ['llama.feed_forward_length', u32(N_FF)],
    ['llama.attention.head_count', u32(N_HEAD)],
    ['llama.attention.head_count_kv', u32(N_HEAD)],
    ['llama.rope.dimension_count', u32(N_EMBD / N_HEAD)],
    ['llama.rope.freq_base', { type: 'f32', value: 10000 }],
    ['llama.attention.layer_norm_rms_epsilon', { type: 'f32', value: 1e-5 }],
    ['llama.vocab_size', u32(vocab.tokens.length)],
    ['tokenizer.ggml.model', { type: 'string', value: 'llama' }],
    ['tokenizer.ggml.tokens', { type: 'string[]', value: vocab.tokens }],
    ['tokenizer.ggml.scores', { type: 'f32[]', value: vocab.scores }],
    ['tokenizer.ggml.token_type', { type: 'i32[]', value: vocab.types }],
    ['tokenizer.ggml.unknown_token_id', u32(0)],
    ['tokenizer.ggml.bos_token_id', u32(1)],
    ['tokenizer.ggml.eos_token_id', u32(2)],
    ['tokenizer.ggml.add_bos_token', { type: 'bool', value: true }],
    ['tokenizer.ggml.add_eos_token', { type: 'bool', value: false }],
  ]
  return encodeGguf(meta, buildTensors(vocab))
}

/**
 * Makes sure `<dir>/parallelix-tiny.gguf` holds the current tiny model, rewriting it only when
 * it is missing or differs, and returns its path and sha256 (hex).
 */
export async function ensureTinyModel (dir: string): Promise<{ path: string, sha256: string }> {
  const bytes = buildTinyGguf()
  const sha256 = createHash('sha256').update(bytes).digest('hex')
  const path = join(dir, FILE_NAME)

  const existing = await readFile(path).catch(() => undefined)
  if (existing !== undefined && createHash('sha256').update(existing).digest('hex') === sha256) {
    return { path, sha256 }
  }

  // Write beside the target and rename, so a reader never sees a half-written model.
  await mkdir(dir, { recursive: true })
  const temp = `${path}.${process.pid}.${randomUUID()}.tmp`
  try {
    await writeFile(temp, bytes)
    await rename(temp, path)
  } catch (err) {
    await rm(temp, { force: true })
    throw err
  }
  return { path, sha256 }
}
