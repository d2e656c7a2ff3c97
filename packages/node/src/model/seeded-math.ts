// Deterministic number generation for generated model weights: arithmetic only, so the
// same seed gives the same floats with every JS engine.

export function createRandom (seed: number): () => number {
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
export function seedFor (name: string): number {
  let hash = 0x811c9dc5
  for (let i = 0; i < name.length; i++) hash = Math.imul(hash ^ name.charCodeAt(i), 0x01000193)
  return hash >>> 0
}

const UNIT_SPREAD = Math.sqrt(3)

/** Roughly normal with unit variance (sum of four uniforms); avoids Math.log and Math.cos. */
export function gaussian (random: () => number): number {
  return (random() + random() + random() + random() - 2) * UNIT_SPREAD
}

/** Natural logarithm from +, * and / only, so results cannot vary with the JS engine's libm. */
export function ln (x: number): number {
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

