import { useEffect, useState } from 'preact/hooks'
import type { ServedBy } from '../chat/conversation.ts'
import { verifyPoe, type PoeCheck } from './verify-poe.ts'

/** The browser's own check of an answer's PoE; null while it runs. */
export function usePoeCheck (served: ServedBy): PoeCheck | null {
  const [check, setCheck] = useState<PoeCheck | null>(null)
  useEffect(() => {
    let live = true
    setCheck(null)
    void verifyPoe(served).then((result) => { if (live) setCheck(result) })
    return () => { live = false }
  }, [served.poe.hash, served.poe.signature, served.operator])
  return check
}
