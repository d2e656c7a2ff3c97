// A minimal GGUF v3 writer: metadata of the few types llama.cpp needs and F32 tensors.

/** Tensor data alignment the writer uses (GGUF's default). */
export const GGUF_ALIGNMENT = 32

export interface Tensor {
  readonly name: string
  /** Dimensions in ggml order: ne0 (the contiguous one) first. */
  readonly dims: readonly number[]
  readonly data: Float32Array
}

// GGUF metadata value type codes.
const GGUF_U32 = 4
const GGUF_I32 = 5
const GGUF_F32 = 6
const GGUF_BOOL = 7
const GGUF_STRING = 8
const GGUF_ARRAY = 9
const GGML_TYPE_F32 = 0

export type MetaValue =
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
  return Math.ceil(n / GGUF_ALIGNMENT) * GGUF_ALIGNMENT
}

export function encodeGguf (
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

  w.pad(GGUF_ALIGNMENT)
  for (const t of tensors) {
    for (const v of t.data) w.f32(v)
    w.pad(GGUF_ALIGNMENT)
  }
  return w.bytes()
}

/** Builds the tiny model's GGUF bytes; the same bytes on every call and every machine. */
