import { useEffect, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { Icon } from './icons.tsx'

async function copyText (text: string): Promise<void> {
  if (navigator.clipboard !== undefined) {
    await navigator.clipboard.writeText(text)
    return
  }
  // Pages on plain http outside localhost have no Clipboard API.
  const area = document.createElement('textarea')
  area.value = text
  document.body.append(area)
  area.select()
  document.execCommand('copy')
  area.remove()
}

/** A button that copies `text` and says so for a moment. */
export function CopyButton ({ text, label = 'Copy' }: { text: string, label?: string }):
  JSX.Element {
  const [copied, setCopied] = useState(false)
  useEffect(() => {
    if (!copied) return
    const timer = setTimeout(() => { setCopied(false) }, 1500)
    return () => { clearTimeout(timer) }
  }, [copied])

  return (
    <button type="button" class="button ghost small copy" title={label}
      onClick={() => { void copyText(text).then(() => { setCopied(true) }) }}>
      <Icon name={copied ? 'check' : 'copy'} size={15} />
      <span>{copied ? 'Copied' : label}</span>
    </button>
  )
}
