import type { StateCreator } from 'zustand'
import {
  MAX_INTERVAL_S,
  MIN_INTERVAL_S,
  type AgentInfo,
  type AgentRun,
  type CallReq,
  type CallRes,
} from '../../../collector/contract'
import type { AppState } from './store'

export type AgentName = AgentInfo['name']

/** What the interval field says about its text: the seconds to save, or why it cannot be saved. */
export const checkInterval = (text: string): { seconds: number } | { error: string } => {
  const trimmed = text.trim()
  if (!/^\d+$/.test(trimmed)) return { error: 'Give the interval as a whole number of seconds, e.g. 300' }
  const seconds = Number(trimmed)
  if (seconds < MIN_INTERVAL_S) return { error: `At least ${MIN_INTERVAL_S} s (1 minute)` }
  if (seconds > MAX_INTERVAL_S) return { error: `At most ${MAX_INTERVAL_S} s (7 days)` }
  return { seconds }
}

export type AgentsSlice = {
  agents: AgentInfo[]
  agentsLoaded: boolean
  agentsError: string | null
  /** The agent whose run history is shown. */
  agentSelected: AgentName
  agentRuns: AgentRun[]
  agentRunsTotal: number
  /** Per agent: a refusal to show beside its controls (interval, run now). */
  agentErrors: Partial<Record<AgentName, string>>
  /** Per agent: why its options were refused. */
  agentOptionErrors: Partial<Record<AgentName, string>>
  loadAgents: () => Promise<void>
  selectAgent: (name: AgentName) => Promise<void>
  loadAgentRuns: () => Promise<void>
  /** The next page of older runs, appended. */
  loadOlderAgentRuns: () => Promise<void>
  setAgentEnabled: (name: AgentName, enabled: boolean) => Promise<void>
  /** Validates and saves; false (with the reason in agentErrors) when refused. */
  setAgentInterval: (name: AgentName, text: string) => Promise<boolean>
  runAgent: (name: AgentName) => Promise<void>
  /** Parses the options' JSON and saves it; false (with the reason) when refused. */
  setAgentOptions: (name: AgentName, text: string) => Promise<boolean>
  /** The `agents:changed` push. */
  agentChanged: (agent: AgentInfo) => void
}

export const createAgentsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], AgentsSlice> =>
  (set, get) => {
    const replace = (agent: AgentInfo): void =>
      set((s) => ({ agents: s.agents.map((a) => (a.name === agent.name ? agent : a)) }))
    const refuse = (name: AgentName, message: string | undefined): void =>
      set((s) => {
        const agentErrors = { ...s.agentErrors }
        if (message === undefined) delete agentErrors[name]
        else agentErrors[name] = message
        return { agentErrors }
      })
    const update = async (req: {
      name: AgentName
      enabled?: boolean
      interval_s?: number
    }): Promise<boolean> => {
      const result = await transport.invoke('agents:update', req)
      if (!result.ok) {
        refuse(req.name, result.error.message.replace(/^agents:update: (interval_s: )?/, ''))
        return false
      }
      refuse(req.name, undefined)
      replace(result.value.agent)
      return true
    }
    return {
      agents: [],
      agentsLoaded: false,
      agentsError: null,
      agentSelected: 'monitor',
      agentRuns: [],
      agentRunsTotal: 0,
      agentErrors: {},
      agentOptionErrors: {},
      loadAgents: async () => {
        const result = await transport.invoke('agents:list', {})
        if (!result.ok) return set({ agentsError: result.error.message })
        set({ agents: result.value.agents, agentsLoaded: true, agentsError: null })
      },
      selectAgent: async (name) => {
        set({ agentSelected: name, agentRuns: [], agentRunsTotal: 0 })
        await get().loadAgentRuns()
      },
      loadAgentRuns: async () => {
        const name = get().agentSelected
        const result = await transport.invoke('agents:runs', { name, limit: 50 })
        // A slow answer for an agent no longer selected is dropped.
        if (get().agentSelected !== name) return
        if (!result.ok) return set({ agentsError: result.error.message })
        const page: CallRes<'agents:runs'> = result.value
        set({ agentRuns: page.runs, agentRunsTotal: page.total })
      },
      loadOlderAgentRuns: async () => {
        const name = get().agentSelected
        const oldest = get().agentRuns.at(-1)
        if (!oldest) return
        const result = await transport.invoke('agents:runs', { name, limit: 50, before_id: oldest.id })
        if (get().agentSelected !== name) return
        if (!result.ok) return set({ agentsError: result.error.message })
        const seen = new Set(get().agentRuns.map((r) => r.id))
        set((s) => ({
          agentRuns: [...s.agentRuns, ...result.value.runs.filter((r) => !seen.has(r.id))],
          agentRunsTotal: result.value.total,
        }))
      },
      setAgentEnabled: async (name, enabled) => {
        // The checkbox follows the click at once; a refusal puts it back.
        set((s) => ({ agents: s.agents.map((a) => (a.name === name ? { ...a, enabled } : a)) }))
        if (!(await update({ name, enabled }))) await get().loadAgents()
      },
      setAgentInterval: async (name, text) => {
        const checked = checkInterval(text)
        if ('error' in checked) {
          refuse(name, checked.error)
          return false
        }
        return update({ name, interval_s: checked.seconds })
      },
      setAgentOptions: async (name, text) => {
        const refuseOptions = (message: string | undefined): void =>
          set((s) => {
            const agentOptionErrors = { ...s.agentOptionErrors }
            if (message === undefined) delete agentOptionErrors[name]
            else agentOptionErrors[name] = message
            return { agentOptionErrors }
          })
        let options: unknown
        try {
          options = JSON.parse(text)
        } catch (error) {
          refuseOptions(`Not JSON: ${(error as Error).message}`)
          return false
        }
        if (typeof options !== 'object' || options === null || Array.isArray(options)) {
          refuseOptions('Give the options as a JSON object, e.g. {"silent_after_s": 1800}')
          return false
        }
        // The core checks each option against the agent's own schema and names the wrong one.
        const result = await transport.invoke('agents:update', { name, options } as CallReq<'agents:update'>)
        if (!result.ok) {
          refuseOptions(result.error.message.replace(/^agents:update: /, ''))
          return false
        }
        refuseOptions(undefined)
        replace(result.value.agent)
        return true
      },
      runAgent: async (name) => {
        refuse(name, undefined)
        set((s) => ({ agents: s.agents.map((a) => (a.name === name ? { ...a, running: true } : a)) }))
        const result = await transport.invoke('agents:run', { name })
        if (!result.ok) {
          refuse(name, result.error.message)
          await get().loadAgents()
          return
        }
        if (get().agentSelected === name) await get().loadAgentRuns()
      },
      agentChanged: (agent) => {
        if (!get().agentsLoaded) return
        const before = get().agents.find((a) => a.name === agent.name)
        replace(agent)
        // A run finished (or started): the history shown gains a row.
        if (get().agentSelected === agent.name && before?.last_run?.id !== agent.last_run?.id)
          void get().loadAgentRuns()
      },
    }
  }
