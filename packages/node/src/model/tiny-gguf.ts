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
import { encodeGguf, GGUF_ALIGNMENT, type MetaValue, type Tensor } from './gguf-writer.ts'
import { createRandom, gaussian, ln, seedFor } from './seeded-math.ts'
import {
  buildVocab, CLASS_NAMES, END_CLASS, FALLBACK_CLASS, NOISE_START, parseWords, WORD_CLASSES,
  type Vocab
} from './tiny-vocab.ts'

const FILE_NAME = 'parallelix-tiny.gguf'

const N_EMBD = 64
const N_LAYER = 2
const N_HEAD = 4
const N_FF = 128
const N_CTX = 2048
const ALIGNMENT = GGUF_ALIGNMENT

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
