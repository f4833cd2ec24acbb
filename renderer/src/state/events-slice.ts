import type { StateCreator } from 'zustand'
import type { EventPayload, EventSummary, StoredEvent } from '../../../collector/contract'
import type { AppState } from './store'

/** The renderer holds a window of recent events, not the store: older pages are fetched on demand. */
export const MAX_EVENTS_IN_VIEW = 5000
const PAGE = 200

export type EventsSlice = {
  events: EventSummary[] // newest first
  eventsTotal: number
  eventsLoading: boolean
  eventsError: string | null
  hasOlder: boolean
  selectedEventId: string | null
  selectedEvent: StoredEvent | null
  selectedEventError: string | null
  loadEvents: () => Promise<void>
  loadOlderEvents: () => Promise<void>
  eventsAppended: (batches: ReadonlyArray<EventPayload<'events:appended'>>) => void
  selectEvent: (id: string | null) => Promise<void>
}

export const createEventsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], EventsSlice> =>
  (set, get) => ({
    events: [],
    eventsTotal: 0,
    eventsLoading: false,
    eventsError: null,
    hasOlder: false,
    selectedEventId: null,
    selectedEvent: null,
    selectedEventError: null,

    async loadEvents() {
      set({ eventsLoading: true })
      const result = await transport.invoke('events:list', { limit: PAGE })
      if (!result.ok) {
        set({ eventsLoading: false, eventsError: result.error.message })
        return
      }
      // Keep pushes that raced ahead of this answer.
      const newestLoaded = result.value.events[0]?.seq ?? 0
      const newer = get().events.filter((e) => e.seq > newestLoaded)
      set({
        events: [...newer, ...result.value.events],
        eventsTotal: Math.max(result.value.total, get().eventsTotal),
        eventsLoading: false,
        eventsError: null,
        hasOlder: result.value.events.length === PAGE,
      })
    },

    async loadOlderEvents() {
      const oldest = get().events.at(-1)
      if (!oldest || get().eventsLoading) return
      set({ eventsLoading: true })
      const result = await transport.invoke('events:list', { limit: PAGE, before: oldest.seq })
      if (!result.ok) {
        set({ eventsLoading: false, eventsError: result.error.message })
        return
      }
      set({
        events: [...get().events, ...result.value.events].slice(0, MAX_EVENTS_IN_VIEW),
        eventsLoading: false,
        hasOlder: result.value.events.length === PAGE && get().events.length < MAX_EVENTS_IN_VIEW,
      })
    },

    eventsAppended(batches) {
      const current = get().events
      const newestSeq = current[0]?.seq ?? 0
      const fresh: EventSummary[] = []
      const seen = new Set<number>()
      for (const batch of batches) {
        for (const event of batch.events) {
          if (event.seq > newestSeq && !seen.has(event.seq)) {
            seen.add(event.seq)
            fresh.push(event)
          }
        }
      }
      const total = Math.max(get().eventsTotal, ...batches.map((b) => b.total))
      if (fresh.length === 0) {
        set({ eventsTotal: total })
        return
      }
      fresh.sort((a, b) => b.seq - a.seq)
      const events = fresh.concat(current)
      set({
        events: events.length > MAX_EVENTS_IN_VIEW ? events.slice(0, MAX_EVENTS_IN_VIEW) : events,
        eventsTotal: total,
        hasOlder: get().hasOlder || events.length > MAX_EVENTS_IN_VIEW,
      })
    },

    async selectEvent(id) {
      set({ selectedEventId: id, selectedEvent: null, selectedEventError: null })
      if (id === null) return
      const result = await transport.invoke('events:get', { id })
      if (get().selectedEventId !== id) return // the analyst moved on meanwhile
      set(result.ok ? { selectedEvent: result.value.event } : { selectedEventError: result.error.message })
    },
  })
