import { INPUT_PLACEHOLDER } from './constants.ts'

/**
 * The prompt for one input: the instruction with every `{input}` replaced by it, or, for an
 * instruction without the placeholder, the instruction followed by the input.
 */
export function renderPrompt (instruction: string, input: string): string {
  if (!instruction.includes(INPUT_PLACEHOLDER)) return `${instruction}\n\n${input}`
  return instruction.split(INPUT_PLACEHOLDER).join(input)
}
