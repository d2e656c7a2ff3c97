import { useEffect, useRef, useState } from 'preact/hooks'
import type { JSX } from 'preact'
import { Icon } from '../ui/icons.tsx'

/** The prompt box: Enter sends, Shift+Enter starts a new line, Stop ends a streaming answer. */
export function Composer ({ disabled, busy, onSend, onStop, hint }: {
  disabled: boolean
  busy: boolean
  onSend: (prompt: string) => void
  onStop: () => void
  hint?: string
}): JSX.Element {
  const [text, setText] = useState('')
  const area = useRef<HTMLTextAreaElement>(null)

  // Grow with the text up to a limit, then scroll.
  useEffect(() => {
    const el = area.current
    if (el === null) return
    el.style.height = 'auto'
    el.style.height = `${Math.min(el.scrollHeight, 240)}px`
  }, [text])

  const send = (): void => {
    const prompt = text.trim()
    if (prompt === '' || disabled || busy) return
    onSend(prompt)
    setText('')
  }

  return (
    <form class="composer" onSubmit={(e) => { e.preventDefault(); send() }}>
      <div class="composer-box">
        <textarea ref={area} rows={1} value={text} placeholder="Message the network…"
          aria-label="Prompt" data-testid="prompt"
          onInput={(e) => { setText((e.target as HTMLTextAreaElement).value) }}
          onKeyDown={(e) => {
            if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) {
              e.preventDefault()
              send()
            }
          }} />
        {busy
          ? (
            <button type="button" class="button round" aria-label="Stop" onClick={onStop}>
              <Icon name="stop" size={16} />
            </button>
            )
          : (
            <button type="submit" class="button round primary" aria-label="Send"
              disabled={disabled || text.trim() === ''}>
              <Icon name="send" size={18} />
            </button>
            )}
      </div>
      <p class="composer-hint">
        {hint ?? 'Each answer is served whole by one operator node and signed by it.'}
      </p>
    </form>
  )
}
