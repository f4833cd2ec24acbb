import { useCallback, useDeferredValue, useEffect, useState } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { useRouteParam } from '../../app/use-route'
import { useAppStore } from '../../state/store'
import { EmptyEvents } from './EmptyEvents'
import { EventDetail } from './EventDetail'
import { EventRateChart } from './EventRateChart'
import { EventsTable } from './EventsTable'

const useNow = (everyMs: number): number => {
  const [now, setNow] = useState(() => Date.now())
  useEffect(() => {
    const timer = setInterval(() => setNow(Date.now()), everyMs)
    return () => clearInterval(timer)
  }, [everyMs])
  return now
}

export const EventsView = () => {
  const s = useAppStore(
    useShallow((state) => ({
      events: state.events,
      total: state.eventsTotal,
      loading: state.eventsLoading,
      error: state.eventsError,
      hasOlder: state.hasOlder,
      selectedId: state.selectedEventId,
      selectEvent: state.selectEvent,
      loadOlder: state.loadOlderEvents,
      httpPort: state.info?.listeners.http?.port,
      infoLoaded: state.info !== null,
    })),
  )
  const now = useNow(1000)
  // Pushed events update the store synchronously (zustand uses useSyncExternalStore); the table
  // renders them at a deferred, interruptible priority, so scrolling and input stay ahead of a
  // stream of pushes and no render of the rows holds the main thread for long.
  const events = useDeferredValue(s.events)
  const total = useDeferredValue(s.total)
  const { hasOlder, loadOlder, selectEvent } = s
  // `#/events?id=…`: a link from an alert or a rule test opens that event.
  const linkedId = useRouteParam('id')
  useEffect(() => {
    if (linkedId) void selectEvent(linkedId)
  }, [linkedId, selectEvent])
  const onNearEnd = useCallback((): void => {
    if (hasOlder) void loadOlder()
  }, [hasOlder, loadOlder])
  const onSelect = useCallback((id: string): void => void selectEvent(id), [selectEvent])

  return (
    <>
      <div className="view-header">
        <h1>Events</h1>
        <span className="muted" aria-label="Stored events">
          {s.total.toLocaleString()} stored
        </span>
        {s.loading && <span className="muted">loading…</span>}
      </div>
      {s.error && (
        <p className="error" role="alert">
          {s.error}
        </p>
      )}
      <EventRateChart events={events} now={now} />
      {s.events.length === 0 && !s.loading && s.infoLoaded && s.selectedId === null ? (
        <EmptyEvents httpPort={s.httpPort} />
      ) : (
        <div className="events" data-detail={s.selectedId !== null}>
          <EventsTable
            events={events}
            total={total}
            selectedId={s.selectedId}
            onSelect={onSelect}
            onNearEnd={onNearEnd}
          />
          {s.selectedId !== null && <EventDetail />}
        </div>
      )}
    </>
  )
}
