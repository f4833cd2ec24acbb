import { describe, expect, it, vi } from 'vitest'
import { CALL_NAMES, EVENT_NAMES } from '../collector/contract'
import type { OutpostBridge } from '../collector/contract'

const fake = vi.hoisted(() => ({
  exposed: new Map<string, unknown>(),
  invoke: vi.fn((..._args: unknown[]) => Promise.resolve({ ok: true, value: null })),
  listeners: new Map<string, Set<(...args: unknown[]) => void>>(),
}))

vi.mock('electron', () => ({
  webUtils: { getPathForFile: () => '/home/op/dropped.evtx' },
  contextBridge: { exposeInMainWorld: (key: string, api: unknown) => fake.exposed.set(key, api) },
  ipcRenderer: {
    invoke: fake.invoke,
    on: (channel: string, listener: (...args: unknown[]) => void) => {
      const set = fake.listeners.get(channel) ?? new Set()
      set.add(listener)
      fake.listeners.set(channel, set)
    },
    removeListener: (channel: string, listener: (...args: unknown[]) => void) =>
      fake.listeners.get(channel)?.delete(listener),
  },
}))

describe('preload', async () => {
  await import('./index')
  const bridge = fake.exposed.get('outpost') as OutpostBridge

  it('exposes window.outpost and nothing else, with exactly invoke, on and pathForFile', () => {
    expect([...fake.exposed.keys()]).toEqual(['outpost'])
    expect(Object.keys(bridge).sort()).toEqual(['invoke', 'on', 'pathForFile'])
    const { pathForFile } = bridge as OutpostBridge & { pathForFile: (file: unknown) => string }
    expect(pathForFile({})).toBe('/home/op/dropped.evtx')
  })

  it('passes every contract call through on its own channel', async () => {
    for (const name of CALL_NAMES) await bridge.invoke(name, {})
    expect(fake.invoke.mock.calls.map(([channel]) => channel)).toEqual([...CALL_NAMES])
  })

  it('refuses a call that is not in the contract without touching IPC', async () => {
    fake.invoke.mockClear()
    const result = await bridge.invoke('fs:read' as never, {} as never)
    expect(result).toMatchObject({ ok: false, error: { code: 'unknown_call' } })
    expect(fake.invoke).not.toHaveBeenCalled()
  })

  it('subscribes to contract events only, and unsubscribes', () => {
    for (const name of EVENT_NAMES) {
      const seen: unknown[] = []
      const off = bridge.on(name, (payload) => seen.push(payload))
      for (const l of fake.listeners.get(name)!) l({ sender: 'ipc' }, { n: 1 })
      expect(seen).toEqual([{ n: 1 }]) // the IpcRendererEvent is not leaked to the page
      off()
      expect(fake.listeners.get(name)!.size).toBe(0)
    }
    expect(() => bridge.on('ipc:anything' as never, () => {})).toThrow(/no event named/)
  })
})
