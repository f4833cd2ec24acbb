import { useEffect, useMemo, useRef, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { CodeEditor, jumpToLine, type LineMark } from '../../components/CodeEditor'
import { blocksSave, editorDirty, editorValid } from '../../state/rules-slice'
import { useAppStore } from '../../state/store'
import { confirmDiscard } from './confirm-discard'
import { RuleTestPanel } from './RuleTestPanel'

const VALIDATE_DEBOUNCE_MS = 300

/** The YAML of one rule file: validated as it is typed, saved only when it loads cleanly. */
export const RuleEditor = () => {
  const s = useAppStore(
    useShallow((state) => ({
      editor: state.ruleEditor,
      test: state.ruleTest,
      testId: state.ruleTestId,
      testError: state.ruleTestError,
      editRuleText: state.editRuleText,
      setEnabled: state.setEditorEnabled,
      validate: state.validateRuleText,
      save: state.saveRule,
      remove: state.deleteRule,
      close: state.closeRule,
      testRule: state.testRule,
      cancelTest: state.cancelRuleTest,
    })),
  )
  const textarea = useRef<HTMLTextAreaElement>(null)
  const [testing, setTesting] = useState(false)
  const [confirmDelete, setConfirmDelete] = useState(false)
  const { validate } = s
  const text = s.editor?.text
  const checkedText = s.editor?.validation?.text
  useEffect(() => {
    if (text === undefined || text === checkedText) return
    const timer = setTimeout(() => void validate(), VALIDATE_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [text, checkedText, validate])

  const problems = s.editor?.validation?.problems
  const marks = useMemo(() => {
    const map = new Map<number, LineMark>()
    for (const p of problems ?? []) {
      if (p.line < 1) continue
      const before = map.get(p.line)
      map.set(p.line, {
        severity: before?.severity === 'error' || blocksSave(p) ? 'error' : 'warning',
        reason: before ? `${before.reason}; ${p.reason}` : p.reason,
      })
    }
    return map
  }, [problems])

  const editor = s.editor
  if (!editor) return null
  const dirty = editorDirty(editor)
  const valid = editorValid(editor)
  const checking = editor.validation?.text !== editor.text
  const deletable = editor.file === null || editor.origin === 'user'
  const loaded = editor.validation?.rules ?? []

  return (
    <aside className="detail rule-editor" aria-label="Rule editor">
      <div className="editor-head">
        <h2>{editor.file ?? 'New rule'}</h2>
        {dirty && <span className="muted">unsaved</span>}
        <span className="spacer" />
        <button
          type="button"
          onClick={() => confirmDiscard(editor) && s.close()}
          aria-label="Close rule editor"
        >
          Close
        </button>
      </div>
      <CodeEditor
        label="Rule YAML"
        value={editor.text}
        onChange={s.editRuleText}
        marks={marks}
        textareaRef={textarea}
      />
      <div className="validation" role="status" aria-label="Validation">
        {checking ? (
          <span className="muted">checking…</span>
        ) : valid ? (
          <span className="ok">
            Valid: {loaded.map((r) => `${r.title} (${r.kind})`).join(', ')}
            {problems && problems.length > 0 && (
              <span className="muted">
                {' '}
                ({problems.length} {problems.length === 1 ? 'warning' : 'warnings'})
              </span>
            )}
          </span>
        ) : problems && problems.length > 0 ? (
          <span className="error-text">
            {problems.length} {problems.length === 1 ? 'problem' : 'problems'}
          </span>
        ) : (
          <span className="error-text">No rule in this text</span>
        )}
      </div>
      {problems && problems.length > 0 && !checking && (
        <ul className="problems" aria-label="Rule problems">
          {problems.map((p, i) => (
            <li key={i}>
              <button
                type="button"
                className="link mono"
                onClick={() => textarea.current && jumpToLine(textarea.current, p.line)}
              >
                line {p.line}
              </button>{' '}
              <span className="muted">{p.kind}:</span> {p.reason}
            </li>
          ))}
        </ul>
      )}
      {editor.error && (
        <p className="error" role="alert">
          {editor.error}
        </p>
      )}
      <div className="toolbar" role="toolbar" aria-label="Rule actions">
        <button
          type="button"
          className="primary"
          disabled={!valid || editor.saving || (!dirty && editor.file !== null)}
          onClick={() => void s.save()}
        >
          {editor.saving ? 'Saving…' : 'Save'}
        </button>
        {editor.file === null && (
          <label>
            <input
              type="checkbox"
              checked={editor.enabled}
              onChange={(e) => s.setEnabled(e.target.checked)}
            />{' '}
            enabled
          </label>
        )}
        <button
          type="button"
          disabled={checking || !valid || (s.test?.state === 'running' && s.testId !== null)}
          onClick={() => {
            setTesting(true)
            void s.testRule().finally(() => setTesting(false))
          }}
        >
          Test against history
        </button>
        <span className="spacer" />
        {deletable &&
          (confirmDelete ? (
            <>
              <span className="muted">Delete {editor.file ?? 'this new rule'}?</span>
              <button type="button" className="danger" onClick={() => void s.remove()}>
                Yes, delete
              </button>
              <button type="button" onClick={() => setConfirmDelete(false)}>
                Keep
              </button>
            </>
          ) : (
            <button type="button" onClick={() => setConfirmDelete(true)}>
              {editor.file === null ? 'Discard' : 'Delete'}
            </button>
          ))}
      </div>
      <RuleTestPanel
        test={s.test}
        error={s.testError}
        starting={testing}
        onCancel={() => void s.cancelTest()}
      />
    </aside>
  )
}
