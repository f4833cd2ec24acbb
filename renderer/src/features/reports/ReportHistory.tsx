import { useShallow } from 'zustand/react/shallow'
import { Markdown } from '../../components/Markdown'
import { formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'
import { STATUS_LABEL } from './labels'
import { TlpBadge } from './TlpBadge'

/** Every saved version of the open report: who saved it when, and any one of them read whole. */
export const ReportHistory = () => {
  const s = useAppStore(
    useShallow((state) => ({
      id: state.reportDraft?.id ?? null,
      versions: state.reportVersions,
      shown: state.reportVersionShown,
      error: state.reportVersionsError,
      load: state.loadReportVersions,
      show: state.showReportVersion,
    })),
  )
  if (s.id === null) return null
  return (
    <details
      className="report-history"
      onToggle={(e) => {
        if (e.currentTarget.open && !s.versions) void s.load()
      }}
    >
      <summary>History{s.versions && ` (${s.versions.length} versions)`}</summary>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      {s.versions && (
        <table className="table" aria-label="Versions">
          <thead>
            <tr>
              <th className="num">Version</th>
              <th>Saved (UTC)</th>
              <th>By</th>
              <th>Status</th>
              <th>Title</th>
              <th>
                <span className="visually-hidden">Actions</span>
              </th>
            </tr>
          </thead>
          <tbody>
            {s.versions.map((v) => (
              <tr key={v.version} aria-current={s.shown?.version === v.version ? 'true' : undefined}>
                <td className="num">{v.version}</td>
                <td className="mono">{formatTimeShort(v.saved_at)}</td>
                <td>{v.actor}</td>
                <td>{STATUS_LABEL[v.status]}</td>
                <td>{v.title}</td>
                <td>
                  <button type="button" onClick={() => void s.show(v.version)}>
                    View<span className="visually-hidden"> version {v.version}</span>
                  </button>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {s.shown && (
        <section className="markdown-preview" aria-label={`Version ${s.shown.version}`}>
          <p className="muted">
            Version {s.shown.version}, saved {formatTimeShort(s.shown.saved_at)} by {s.shown.actor}{' '}
            <TlpBadge tlp={s.shown.tlp} />{' '}
            <button type="button" onClick={() => void s.show(null)}>
              Hide
            </button>
          </p>
          <h3>{s.shown.title}</h3>
          <Markdown source={s.shown.body ?? ''} />
        </section>
      )}
    </details>
  )
}
