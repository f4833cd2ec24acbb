import { useEffect, useRef, useState } from 'react'

type Props = {
  /** The button's text, and its accessible name (naming what it acts on). */
  label: string
  name: string
  /** The question asked before acting, and the button that acts. */
  question: string
  confirm: string
  onConfirm: () => Promise<unknown>
}

/**
 * A button that asks first: the question and "confirm"/"Cancel" replace it in place, the confirm
 * button takes the focus (Enter or Space acts, Escape or Cancel goes back).
 */
export const ConfirmButton = ({ label, name, question, confirm, onConfirm }: Props) => {
  const [asking, setAsking] = useState(false)
  const [busy, setBusy] = useState(false)
  const yes = useRef<HTMLButtonElement>(null)
  const ask = useRef<HTMLButtonElement>(null)
  const wasAsking = useRef(false)
  useEffect(() => {
    if (asking) yes.current?.focus()
    else if (wasAsking.current) ask.current?.focus()
    wasAsking.current = asking
  }, [asking])
  if (!asking)
    return (
      <button ref={ask} type="button" aria-label={name} onClick={() => setAsking(true)}>
        {label}
      </button>
    )
  return (
    <span
      role="group"
      aria-label={question}
      onKeyDown={(e) => {
        if (e.key === 'Escape') setAsking(false)
      }}
    >
      <span className="muted">{question}</span>{' '}
      <button
        ref={yes}
        type="button"
        className="danger"
        disabled={busy}
        onClick={() => {
          setBusy(true)
          void onConfirm().finally(() => setBusy(false))
        }}
      >
        {confirm}
      </button>{' '}
      <button type="button" onClick={() => setAsking(false)}>
        Cancel
      </button>
    </span>
  )
}
