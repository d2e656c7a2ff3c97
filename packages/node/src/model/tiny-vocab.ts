// The tiny model's vocabulary: English words grouped into classes that say which class may
// follow, plus the byte, letter and control tokens a llama tokenizer needs.

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

export const WORD_CLASSES: Record<ClassName, WordClass> = {
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

export const CLASS_NAMES = Object.keys(WORD_CLASSES) as ClassName[]
export const NOISE_START = 1 + CLASS_NAMES.length
/** Class given to tokens that are not words, so a prompt containing them still reads as a noun. */
export const FALLBACK_CLASS = CLASS_NAMES.indexOf('noun')
export const END_CLASS = CLASS_NAMES.indexOf('end')

export interface Vocab {
  readonly tokens: string[]
  readonly scores: number[]
  readonly types: number[]
  /** Word class per token, or -1 for tokens that only exist to tokenize arbitrary text. */
  readonly classes: number[]
  /** Relative frequency of each word inside its class (1 for tokens that are not words). */
  readonly weights: number[]
}

/** Splits a class's word list into words and their relative frequencies. */
export function parseWords (words: string): Array<[string, number]> {
  return words.split(' ').map((entry) => {
    const [word = entry, weight] = entry.split('*')
    return [word, weight === undefined ? 1 : Number(weight)]
  })
}

export function buildVocab (): Vocab {
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
