import { describe, expect, it } from 'vitest'
import { connectStore, createAppStore } from './store'
import { fail, ok, type AgentInfo, type AgentRun } from '../../../collector/contract'
import { checkInterval } from './agents-slice'
import { fakeTransport } from './fake-transport'

const run = (id: number): AgentRun => ({
  id,
  agent: 'monitor',
  started_at: '2026-12-01T12:00:00.000Z',
  finished_at: '2026-12-01T12:00:00.100Z',
  duration_ms: 100,
  outcome: 'ok',
  summary: 'healthy',
  output: {},
  alerts: 0,
  actions: 0,
  trigger: 'manual',
})
const agent = (name: AgentInfo['name'], interval_s = 300, last: AgentRun | null = null): AgentInfo => ({
  name,
  title: name,
  description: '',
  enabled: true,
  interval_s,
  options: {},
  last_run: last,
  next_run_at: null,
  running: false,
})

describe('checkInterval', () => {
  it('takes whole seconds from 60 s to 7 days and says why otherwise', () => {
    expect(checkInterval(' 300 ')).toEqual({ seconds: 300 })
    expect(checkInterval('59')).toEqual({ error: 'At least 60 s (1 minute)' })
    expect(checkInterval('604801')).toEqual({ error: 'At most 604800 s (7 days)' })
    expect(checkInterval('5m')).toEqual({ error: 'Give the interval as a whole number of seconds, e.g. 300' })
  })
})

describe('the agents slice', () => {
  it('loads, saves an interval, refuses a bad one locally, and shows the core refusal', async () => {
    let refuse = false
    const { transport, named } = fakeTransport({
      'agents:list': () => ok({ agents: [agent('monitor'), agent('analyzer', 600)] }),
      'agents:runs': () => ok({ runs: [run(1)], total: 1 }),
      'agents:update': (req) =>
        refuse
          ? fail('invalid_request', 'agents:update: interval_s: interval_s must be at least 60 s (1 minute)')
          : ok({ agent: agent('monitor', (req as { interval_s: number }).interval_s) }),
    })
    const store = createAppStore(transport)
    await store.getState().loadAgents()
    await store.getState().loadAgentRuns()
    expect(store.getState().agentRuns.map((r) => r.id)).toEqual([1])

    expect(await store.getState().setAgentInterval('monitor', '30')).toBe(false)
    expect(store.getState().agentErrors.monitor).toBe('At least 60 s (1 minute)')
    expect(named('agents:update')).toHaveLength(0)

    expect(await store.getState().setAgentInterval('monitor', '900')).toBe(true)
    expect(named('agents:update').map((c) => c.req)).toEqual([{ name: 'monitor', interval_s: 900 }])
    expect(store.getState().agents[0]!.interval_s).toBe(900)
    expect(store.getState().agentErrors.monitor).toBeUndefined()

    refuse = true
    expect(await store.getState().setAgentInterval('monitor', '120')).toBe(false)
    expect(store.getState().agentErrors.monitor).toBe('interval_s must be at least 60 s (1 minute)')
  })

  it('runs now and reloads the history when a push says a run finished', async () => {
    let runs = [run(1)]
    const { transport, named, emit } = fakeTransport({
      'agents:list': () => ok({ agents: [agent('monitor', 300, run(1))] }),
      'agents:runs': () => ok({ runs, total: runs.length }),
      'agents:run': () => {
        runs = [run(2), ...runs]
        return ok({ run: run(2) })
      },
    })
    const store = createAppStore(transport)
    const disconnect = connectStore(store, transport)
    await store.getState().loadAgents()
    await store.getState().runAgent('monitor')
    expect(named('agents:run').map((c) => c.req)).toEqual([{ name: 'monitor' }])
    expect(store.getState().agentRuns.map((r) => r.id)).toEqual([2, 1])
    // A scheduled run finishing elsewhere: the push carries the new last run.
    runs = [run(3), ...runs]
    const before = named('agents:runs').length
    emit('agents:changed', { agent: agent('monitor', 300, run(3)) })
    await Promise.resolve()
    expect(named('agents:runs')).toHaveLength(before + 1)
    expect(store.getState().agents[0]!.last_run?.id).toBe(3)
    disconnect()
  })

  it('saves options as JSON, refusing what is not an object and showing the core refusal', async () => {
    const { transport, named } = fakeTransport({
      'agents:list': () => ok({ agents: [agent('analyzer', 600)] }),
      'agents:update': (req) => {
        const options = (req as { options: Record<string, unknown> }).options
        return options.window_s === 5
          ? fail('invalid_request', 'agents:update: options.window_s: window_s must be at least 60 s')
          : ok({ agent: { ...agent('analyzer', 600), options } })
      },
    })
    const store = createAppStore(transport)
    await store.getState().loadAgents()
    expect(await store.getState().setAgentOptions('analyzer', '{"window_s": ')).toBe(false)
    expect(store.getState().agentOptionErrors.analyzer).toMatch(/^Not JSON: /)
    expect(await store.getState().setAgentOptions('analyzer', '[1]')).toBe(false)
    expect(store.getState().agentOptionErrors.analyzer).toBe(
      'Give the options as a JSON object, e.g. {"silent_after_s": 1800}',
    )
    expect(named('agents:update')).toHaveLength(0)
    expect(await store.getState().setAgentOptions('analyzer', '{"window_s": 5}')).toBe(false)
    expect(store.getState().agentOptionErrors.analyzer).toBe(
      'options.window_s: window_s must be at least 60 s',
    )
    expect(await store.getState().setAgentOptions('analyzer', '{"window_s": 900}')).toBe(true)
    expect(store.getState().agentOptionErrors.analyzer).toBeUndefined()
    expect(store.getState().agents[0]!.options).toEqual({ window_s: 900 })
    expect(named('agents:update').map((c) => c.req)).toEqual([
      { name: 'analyzer', options: { window_s: 5 } },
      { name: 'analyzer', options: { window_s: 900 } },
    ])
  })

  it('pages back through older runs', async () => {
    const { transport, named } = fakeTransport({
      'agents:runs': (req) => {
        const before = (req as { before_id?: number }).before_id
        return ok(
          before === undefined ? { runs: [run(5), run(4)], total: 4 } : { runs: [run(3), run(2)], total: 4 },
        )
      },
    })
    const store = createAppStore(transport)
    await store.getState().loadAgentRuns()
    await store.getState().loadOlderAgentRuns()
    expect(named('agents:runs').map((c) => c.req)).toEqual([
      { name: 'monitor', limit: 50 },
      { name: 'monitor', limit: 50, before_id: 4 },
    ])
    expect(store.getState().agentRuns.map((r) => r.id)).toEqual([5, 4, 3, 2])
  })
})
