import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../state/store'

/** Results of saves, imports and exports, from the store's `toast`; each says itself to screen readers. */
export const Toasts = () => {
  const { toasts, dismiss } = useAppStore(useShallow((s) => ({ toasts: s.toasts, dismiss: s.dismissToast })))
  return (
    <div className="toasts" role="status" aria-live="polite" aria-label="Notices">
      {toasts.map((t) => (
        <div key={t.id} className="toast" data-kind={t.kind}>
          <span>{t.text}</span>
          <button type="button" aria-label={`Dismiss: ${t.text}`} onClick={() => dismiss(t.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  )
}
