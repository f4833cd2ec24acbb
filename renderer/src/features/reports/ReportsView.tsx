import { useCallback, useEffect } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { ReportStatus } from '../../../../collector/contract'
import { useRouteParam } from '../../app/use-route'
import { ChoiceFilter, SearchBox, useDebouncedText } from '../../components/filters'
import { useAppStore } from '../../state/store'
import { STATUS_LABEL } from './labels'
import { ReportEditor } from './ReportEditor'
import { ReportsList } from './ReportsList'

/** Intelligence reports: written here, reviewed, published and exported (STIX, MISP, PDF…). */
export const ReportsView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      reports: state.reports,
      total: state.reportsTotal,
      loading: state.reportsLoading,
      error: state.reportsError,
      filter: state.reportsFilter,
      draft: state.reportDraft,
      load: state.loadReports,
      setFilter: state.setReportsFilter,
      open: state.openReport,
      newReport: state.newReport,
    })),
  )
  const { load, setFilter, filter, open } = s
  useEffect(() => void load(), [load])
  // #/reports?id=… (links from operations and incidents) opens that report.
  const linked = useRouteParam('id')
  useEffect(() => {
    if (linked) void open(linked)
  }, [linked, open])
  const [query, setQuery] = useDebouncedText(
    filter.query,
    useCallback((query: string) => void setFilter({ query }), [setFilter]),
  )
  const leave = (): boolean => !s.draft?.dirty || window.confirm('Discard the unsaved changes?')

  return (
    <>
      <div className="view-header">
        <h1>Reports</h1>
        <span className="muted" aria-label="Reports shown">
          {s.total.toLocaleString()} {s.total === 1 ? 'report' : 'reports'}
        </span>
        {s.loading && <span className="muted">loading…</span>}
        <span className="spacer" />
        <button type="button" onClick={() => leave() && s.newReport()}>
          New report
        </button>
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      <div className="filters" role="search" aria-label="Report filters">
        <SearchBox
          label="Search reports"
          placeholder="Search title, body, labels…"
          value={query}
          onChange={setQuery}
        />
        <ChoiceFilter
          label="Status"
          value={filter.status}
          options={Object.keys(STATUS_LABEL) as ReportStatus[]}
          labels={STATUS_LABEL}
          onChange={(status) => void setFilter({ status })}
        />
      </div>
      <div className="reports-layout">
        {s.reports.length === 0 && !s.loading ? (
          <section className="empty" aria-label="No reports">
            <h2>No reports</h2>
            <p className="muted">
              {filter.query || filter.status
                ? 'Nothing matches these filters.'
                : 'Write the first one: New report.'}
            </p>
          </section>
        ) : (
          <ReportsList
            reports={s.reports}
            openId={s.draft?.id ?? null}
            onOpen={(id) => id !== s.draft?.id && leave() && void s.open(id)}
          />
        )}
        <ReportEditor />
      </div>
    </>
  )
}
