import { useRouteParam } from '../../app/use-route'
import { useEffect, useMemo, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { RulesFilter } from '../../state/rules-slice'
import { useAppStore } from '../../state/store'
import { confirmDiscard } from './confirm-discard'
import { RuleEditor } from './RuleEditor'
import { RuleFolders } from './RuleFolders'
import { RuleImportPanel } from './RuleImportPanel'
import { RulesTable } from './RulesTable'

const TEXT_DEBOUNCE_MS = 250

/** The rule store: find, enable, import, write and test Sigma rules. */
export const RulesView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      rules: state.rules,
      total: state.rulesTotal,
      folders: state.ruleFolders,
      storeProblems: state.ruleStoreProblems,
      loading: state.rulesLoading,
      error: state.rulesError,
      filter: state.rulesFilter,
      editor: state.ruleEditor,
      loadRules: state.loadRules,
      watchRuleHits: state.watchRuleHits,
      setFilter: state.setRulesFilter,
      setEnabled: state.setRulesEnabled,
      setShownEnabled: state.setShownRulesEnabled,
      openRule: state.openRule,
      newRule: state.newRule,
    })),
  )
  const { loadRules, setFilter, filter, watchRuleHits } = s
  useEffect(() => {
    void loadRules()
    watchRuleHits(true)
    return () => watchRuleHits(false)
  }, [loadRules, watchRuleHits])
  // #/rules?key=… (the palette, a deep link): open that rule.
  const linkedKey = useRouteParam('key')
  const { openRule } = s
  useEffect(() => {
    if (linkedKey) void openRule(linkedKey)
  }, [linkedKey, openRule])
  const [showImport, setShowImport] = useState(false)
  const [query, setQuery] = useState(filter.query)
  const [tag, setTag] = useState(filter.tag ?? '')
  useEffect(() => {
    const wantedTag = tag.trim() || null
    if (query === filter.query && wantedTag === filter.tag) return
    const timer = setTimeout(() => void setFilter({ query, tag: wantedTag }), TEXT_DEBOUNCE_MS)
    return () => clearTimeout(timer)
  }, [query, tag, filter.query, filter.tag, setFilter])

  const tags = useMemo(() => [...new Set(s.rules.flatMap((r) => r.tags))].sort(), [s.rules])
  const enabledShown = s.rules.filter((r) => r.enabled).length
  const onFilter = (patch: Partial<RulesFilter>): void => void setFilter(patch)
  // Says what the bulk buttons change, as setShownRulesEnabled decides it.
  const narrowed = filter.query.trim() !== '' || filter.enabled !== null
  const scope =
    !narrowed && (filter.folder ?? filter.tag)
      ? [filter.folder, filter.tag].filter(Boolean).join(' + ')
      : narrowed
        ? `the ${s.rules.length.toLocaleString()} shown`
        : 'all rules'

  return (
    <>
      <div className="view-header">
        <h1>Rules</h1>
        <span className="muted" aria-label="Rules shown">
          {s.total.toLocaleString()} {s.total === 1 ? 'rule' : 'rules'}, {enabledShown.toLocaleString()}{' '}
          enabled
        </span>
        {s.loading && <span className="muted">loading…</span>}
        <span className="spacer" />
        <button type="button" onClick={() => confirmDiscard(s.editor) && s.newRule()}>
          New rule
        </button>
        <button type="button" aria-expanded={showImport} onClick={() => setShowImport(!showImport)}>
          Import rules…
        </button>
      </div>
      {showImport && <RuleImportPanel />}
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      {s.storeProblems.length > 0 && (
        <details className="panel store-problems">
          <summary className="error-text">
            {s.storeProblems.length.toLocaleString()} stored{' '}
            {s.storeProblems.length === 1 ? 'rule does' : 'rules do'} not load
          </summary>
          <ul className="mono">
            {s.storeProblems.map((p, i) => (
              <li key={i}>
                {p.file}:{p.line}: {p.reason}
              </li>
            ))}
          </ul>
        </details>
      )}
      <div className="filters" role="search" aria-label="Rule filters">
        <input
          type="search"
          aria-label="Search rules"
          placeholder="Search title, id, tag, author, file…"
          value={query}
          onChange={(e) => setQuery(e.target.value)}
        />
        <input
          aria-label="Tag"
          placeholder="Tag, e.g. attack.t1059"
          list="rule-tags"
          value={tag}
          onChange={(e) => setTag(e.target.value)}
        />
        <datalist id="rule-tags">
          {tags.map((t) => (
            <option key={t} value={t} />
          ))}
        </datalist>
        <label>
          <span className="muted">Show </span>
          <select
            value={filter.enabled === null ? '' : String(filter.enabled)}
            onChange={(e) => onFilter({ enabled: e.target.value === '' ? null : e.target.value === 'true' })}
          >
            <option value="">enabled and disabled</option>
            <option value="true">enabled only</option>
            <option value="false">disabled only</option>
          </select>
        </label>
        {filter.folder !== null && (
          <span className="chip">
            Folder: <span className="mono">{filter.folder}</span>
            <button
              type="button"
              className="link"
              aria-label="Show every folder"
              onClick={() => onFilter({ folder: null })}
            >
              ×
            </button>
          </span>
        )}
        <span className="spacer" />
        <button type="button" disabled={s.rules.length === 0} onClick={() => void s.setShownEnabled(true)}>
          Enable {scope}
        </button>
        <button type="button" disabled={s.rules.length === 0} onClick={() => void s.setShownEnabled(false)}>
          Disable {scope}
        </button>
      </div>
      <div className="rules-layout" data-editor={s.editor !== null}>
        {s.editor === null && (
          <RuleFolders
            folders={s.folders}
            chosen={filter.folder}
            onChoose={(folder) => onFilter({ folder })}
          />
        )}
        {s.rules.length === 0 && !s.loading ? (
          <section className="empty" aria-label="No rules">
            <h2>No rules</h2>
            <p className="muted">
              {filter.query || filter.tag || filter.folder || filter.enabled !== null
                ? 'Nothing matches these filters.'
                : 'Import Sigma rules (a .zip of a SigmaHQ release works as it comes) or write a new one.'}
            </p>
          </section>
        ) : (
          <RulesTable
            rules={s.rules}
            total={s.total}
            openKey={s.editor?.key ?? null}
            onOpen={(key) => {
              if (key !== s.editor?.key && confirmDiscard(s.editor)) void s.openRule(key)
            }}
            onToggle={(key, enabled) => void s.setEnabled([key], enabled)}
          />
        )}
        {s.editor && <RuleEditor key={s.editor.file ?? 'new'} />}
      </div>
    </>
  )
}
