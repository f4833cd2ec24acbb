import { useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useAppStore } from '../state/store'
import { forwarderSnippets } from './forwarder-snippets'

/** Copy-paste configs for the usual forwarders, aimed at this collector's listeners. */
export const ForwarderSnippets = () => {
  const { listeners, toast } = useAppStore(
    useShallow((s) => ({ listeners: s.info?.listeners, toast: s.toast })),
  )
  const snippets = forwarderSnippets(listeners ?? {})
  const [shown, setShown] = useState(0)
  const snippet = snippets[Math.min(shown, snippets.length - 1)]
  if (!snippet) return null
  const copy = (): void => {
    void navigator.clipboard.writeText(snippet.text).then(
      () => toast('ok', `${snippet.name} config copied`),
      () => toast('error', 'The clipboard refused: select the text and copy it by hand'),
    )
  }
  return (
    <section className="panel forwarder-snippets" aria-label="Forwarder configs">
      <h3>Point a forwarder at Outpost</h3>
      <div role="tablist" aria-label="Forwarder" className="tabs">
        {snippets.map((s, i) => (
          <button
            key={s.id}
            type="button"
            role="tab"
            aria-selected={s === snippet}
            aria-controls="forwarder-snippet"
            onClick={() => setShown(i)}
          >
            {s.name}
          </button>
        ))}
      </div>
      <div id="forwarder-snippet" role="tabpanel" aria-label={`${snippet.name} config`}>
        <div className="field-row">
          <span className="muted mono">{snippet.file}</span>
          <span className="spacer" />
          <button type="button" onClick={copy} aria-label={`Copy the ${snippet.name} config`}>
            Copy
          </button>
        </div>
        <pre tabIndex={0}>{snippet.text}</pre>
      </div>
    </section>
  )
}
