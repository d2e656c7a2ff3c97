import { formatBytes } from '../format/text.ts'

/** A node's hardware in one line, e.g. "CUDA · 24 GB VRAM · 16 cores, 8 threads". */
export function describeHardware (hardware: Record<string, unknown>): string {
  const parts: string[] = []
  const gpu = hardware.gpu
  parts.push(typeof gpu === 'string' && gpu !== '' && gpu !== 'false' ? gpu.toUpperCase() : 'CPU')
  if (typeof hardware.vramBytes === 'number' && hardware.vramBytes > 0) {
    parts.push(`${formatBytes(hardware.vramBytes)} VRAM`)
  }
  const cores = hardware.cpuCores
  const threads = hardware.threads
  if (typeof cores === 'number') {
    parts.push(typeof threads === 'number' && threads > 0
      ? `${cores} cores, ${threads} thread${threads === 1 ? '' : 's'}`
      : `${cores} cores`)
  }
  return parts.join(' · ')
}

/** The devices a node reported (GPU names), if any. */
export function deviceNames (hardware: Record<string, unknown>): string[] {
  return Array.isArray(hardware.devices)
    ? hardware.devices.filter((d): d is string => typeof d === 'string')
    : []
}
