import { useRef } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../../state/store'

/** Imports MITRE's STIX bundle (enterprise-attack.json): the desktop dialog, or an upload. */
export const AttackImport = () => {
  const s = useAppStore(
    useShallow((state) => ({
      desktop: state.transport.kind === 'ipc',
      importing: state.attackImporting,
      last: state.attackImport,
      choose: state.chooseAttackBundle,
      importFile: state.importAttackFile,
    })),
  )
  const input = useRef<HTMLInputElement>(null)
  return (
    <div className="attack-import">
      <button
        type="button"
        disabled={s.importing}
        onClick={() => (s.desktop ? void s.choose() : input.current?.click())}
      >
        Import ATT&amp;CK bundle…
      </button>
      <input
        ref={input}
        type="file"
        hidden
        accept=".json"
        aria-label="ATT&CK bundle to import"
        onChange={(e) => {
          const file = e.target.files?.[0]
          e.target.value = ''
          if (file) void s.importFile(file)
        }}
      />
      {s.importing && <span className="muted">Importing…</span>}
      {!s.importing && s.last?.result && (
        <span className="muted" role="status" aria-label="ATT&CK import">
          Imported {s.last.result.version}: {s.last.result.tactics} tactics,{' '}
          {s.last.result.techniques.toLocaleString()} techniques
          {s.last.result.problems.length > 0 && `, ${s.last.result.problems.length} objects skipped`}
        </span>
      )}
      {!s.importing && s.last?.error && (
        <span className="error-text" role="alert">
          {s.last.error}
        </span>
      )}
    </div>
  )
}
