import type { ReportSummary } from '../../../../collector/contract'
import { formatTime } from '../../components/format'
import { STATUS_LABEL } from './labels'
import { TlpBadge } from './TlpBadge'

export const ReportsList = ({
  reports,
  openId,
  onOpen,
}: {
  reports: ReportSummary[]
  openId: string | null
  onOpen: (id: string) => void
}) => (
  <ul className="reports-list" aria-label="Reports">
    {reports.map((r) => (
      <li key={r.id} aria-current={r.id === openId ? 'true' : undefined}>
        <button type="button" className="report-item" onClick={() => onOpen(r.id)}>
          <span className="report-title">{r.title}</span>
          <span className="report-meta">
            <span className="status-badge" data-status={r.status}>
              {STATUS_LABEL[r.status]}
            </span>
            <TlpBadge tlp={r.tlp} />
            <span className="muted">{formatTime(r.updated_at)}</span>
            <span className="muted">
              {r.observables.toLocaleString()} {r.observables === 1 ? 'observable' : 'observables'}
            </span>
          </span>
        </button>
      </li>
    ))}
  </ul>
)
