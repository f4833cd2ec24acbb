import { useCallback } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { routeHref } from '../../app/use-route'
import { formatSize } from '../../components/format'
import { HUNT_EXPORT_FORMATS, type HuntExport } from '../../state/hunt-slice'
import { useAppStore } from '../../state/store'
import { EventDetail } from '../events/EventDetail'
import { ExportMenu } from '../reports/ExportMenu'
import { ArchivedEventDetail } from './ArchivedEventDetail'
import { FieldSidebar } from './FieldSidebar'
import { HuntHistogram } from './HuntHistogram'
import { HuntTable } from './HuntTable'
import { QueryBar } from './QueryBar'

const ExportProgressBar = ({ state, cancel }: { state: HuntExport; cancel: () => void }) => {
  const p = state.progress
  const known = p !== null && p.percentage >= 0
  const phase = p?.phase === 'writing' ? `writing ${p.rows.toLocaleString()} rows` : 'selecting the matches'
  return (
    <span className="export-progress">
      <progress
        aria-label="Export progress"
        max={100}
        {...(known ? { value: p.phase === 'writing' ? 50 + p.percentage / 2 : p.percentage / 2 } : {})}
      />
      <span className="muted">{phase}…</span>
      <button type="button" onClick={cancel}>
        Cancel export
      </button>
    </span>
  )
}

const ExportStatus = ({ state, cancel }: { state: HuntExport | null; cancel: () => void }) => {
  if (!state) return null
  const label = HUNT_EXPORT_FORMATS.find((f) => f.format === state.format)?.label
  return (
    <p className="export-result" role="status" aria-label="Export">
      {state.state === 'running' && (
        <>
          <span className="muted">Exporting {label}…</span>{' '}
          <ExportProgressBar state={state} cancel={cancel} />
        </>
      )}
      {state.state === 'cancelled' && <span className="muted">{label} export cancelled.</span>}
      {state.state === 'failed' && (
        <span className="error-text">
          {label} export failed: {state.error}
        </span>
      )}
      {state.result && (
        <span>
          <span className="mono">{state.result.name}</span> · {state.result.rows.toLocaleString()} rows ·{' '}
          {formatSize(state.result.bytes)}
          {state.result.path && <span className="mono"> · {state.result.path}</span>}
        </span>
      )}
    </p>
  )
}

/** The filter bar, its matches over time, the fields of the matches and the matches themselves. */
export const HuntSearch = () => {
  const s = useAppStore(
    useShallow((state) => ({
      run: state.huntRun,
      rows: state.huntRows,
      total: state.huntTotal,
      capped: state.huntTotalCapped,
      took: state.huntTookMs,
      loading: state.huntLoading,
      error: state.huntError,
      histogram: state.huntHistogram,
      fields: state.huntFields,
      exported: state.huntExport,
      selectedId: state.selectedEventId,
      eventMissing: state.selectedEventError !== null,
      selectEvent: state.selectEvent,
      loadMore: state.loadMoreHunt,
      refine: state.refineHunt,
      narrow: state.narrowHuntTime,
      exportHunt: state.exportHunt,
      cancelExport: state.cancelHuntExport,
    })),
  )
  const { loadMore, refine, narrow } = s
  const onNearEnd = useCallback(() => void loadMore(), [loadMore])
  const onRefine = useCallback(
    (field: string, value: string, exclude: boolean) => void refine(field, value, exclude),
    [refine],
  )
  const onNarrow = useCallback((from: number, to: number) => void narrow(from, to), [narrow])
  // Past the core's count cap, the rows paged in may already say more.
  const shownTotal = s.capped ? Math.max(s.total, s.rows.length) : s.total
  // Only rows of the search on screen: the Events view shares the selection.
  const selectedRow = s.rows.find((r) => r.id === s.selectedId) ?? null
  const selectedId = selectedRow?.id ?? null

  return (
    <>
      <QueryBar />
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      {s.run && (
        <div className="toolbar">
          <span aria-label="Hunt matches" role="status">
            {s.capped ? 'at least ' : ''}
            {shownTotal.toLocaleString()} {shownTotal === 1 ? 'match' : 'matches'}
            {s.took !== null && <span className="muted"> · {Math.round(s.took).toLocaleString()} ms</span>}
          </span>
          {s.loading && <span className="muted">loading…</span>}
          <span className="spacer" />
          <a href={routeHref('hunt', { tab: 'saved' })}>Save this hunt…</a>
          <ExportMenu state={s.exported} run={s.exportHunt} formats={HUNT_EXPORT_FORMATS} />
          <ExportStatus state={s.exported} cancel={() => void s.cancelExport()} />
        </div>
      )}
      {s.histogram && <HuntHistogram histogram={s.histogram} onNarrow={onNarrow} />}
      {s.run ? (
        <div className="hunt-layout" data-detail={selectedId !== null}>
          <FieldSidebar fields={s.fields} onRefine={onRefine} />
          <HuntTable
            rows={s.rows}
            total={shownTotal}
            selectedId={selectedId}
            onSelect={(id) => void s.selectEvent(id)}
            onNearEnd={onNearEnd}
          />
          {selectedRow &&
            (s.eventMissing ? (
              <ArchivedEventDetail event={selectedRow} onClose={() => void s.selectEvent(null)} />
            ) : (
              <EventDetail />
            ))}
        </div>
      ) : (
        <section className="empty" aria-label="No hunt yet">
          <p>
            Write a query and press Enter: <span className="mono">host:ws01 AND NOT user:svc_*</span>. An
            empty query matches every archived event in the time range.
          </p>
        </section>
      )}
    </>
  )
}
