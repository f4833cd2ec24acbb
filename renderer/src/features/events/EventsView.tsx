import { useCallback, useDeferredValue, useEffect, useRef, useState } from 'react'
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

/**
 * The latest `value`, at most once every `ms` (the first at once): rows replaced ten times a
 * second cannot be read, and each replacement costs a render, a commit and a layout of every row.
 */
const useThrottled = <T,>(value: T, ms: number): T => {
  const [shown, setShown] = useState(value)
  const last = useRef(0)
  useEffect(() => {
    const show = (): void => {
      last.current = Date.now()
      setShown(value)
    }
    const wait = last.current + ms - Date.now()
    if (wait <= 0) {
      show()
      return
    }
    const timer = setTimeout(show, wait)
    return () => clearTimeout(timer)
  }, [value, ms])
  return shown
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
  // takes them at most 4 times a second and renders them at a deferred, interruptible priority,
  // so scrolling and input stay ahead of a stream of pushes and no render holds the main thread.
  const events = useDeferredValue(useThrottled(s.events, 250))
  const total = useDeferredValue(useThrottled(s.total, 250))
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
