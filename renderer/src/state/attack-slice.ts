import type { StateCreator } from 'zustand'
import type { CallRes, MatrixTactic, MatrixTechnique } from '../../../collector/contract'
import type { AppState } from './store'

export type AttackMatrix = CallRes<'attack:matrix'>
export type AttackFilter = 'all' | 'hits' | 'covered'
export type AttackImport = {
  name: string
  result: CallRes<'attack:import'> | null
  error: string | null
}

/** Pushes come in bursts (a live alert storm, a rules import): one reload per this many ms. */
const RELOAD_DELAY_MS = 500

export type AttackSlice = {
  attackMatrix: AttackMatrix | null
  attackLoading: boolean
  attackError: string | null
  attackFilter: AttackFilter
  attackImport: AttackImport | null
  attackImporting: boolean
  loadAttackMatrix: () => Promise<void>
  setAttackFilter: (filter: AttackFilter) => void
  /** Desktop: pick a bundle with the native dialog. */
  chooseAttackBundle: () => Promise<void>
  /** A chosen or dropped file: by path on the desktop, uploaded first in the browser. */
  importAttackFile: (file: File) => Promise<void>
  importAttackPath: (path: string) => Promise<void>
  /** While the view is shown, rule and alert pushes reload the matrix. */
  watchAttack: (on: boolean) => void
  /** The `rules:changed` and `alerts:raised` pushes. */
  attackChanged: () => void
  /** Technique names the imported bundle knows, asked for by `nameTechniques`. */
  techniqueNames: Readonly<Record<string, string>>
  /** Asks the core for the names of ids not asked about yet (a new import asks again). */
  nameTechniques: (ids: readonly string[]) => Promise<void>
}

/** Techniques the filter keeps: with hits, or covered by an enabled rule (a subtechnique counts). */
export const filterMatrix = (tactics: readonly MatrixTactic[], filter: AttackFilter): MatrixTactic[] => {
  if (filter === 'all') return [...tactics]
  const keep = (t: { rules: number; alerts: number }): boolean =>
    filter === 'hits' ? t.alerts > 0 : t.rules > 0
  return tactics.map((tactic) => ({
    ...tactic,
    techniques: tactic.techniques
      .filter((t) => keep(t) || t.subtechniques.some(keep))
      .map((t): MatrixTechnique => ({ ...t, subtechniques: t.subtechniques.filter(keep) })),
  }))
}

/** Counts for the view header: techniques (parents) shown, covered and hit. */
export const matrixTotals = (
  tactics: readonly MatrixTactic[],
): { techniques: number; covered: number; hit: number } => {
  const seen = new Map<string, MatrixTechnique>()
  for (const tactic of tactics) for (const t of tactic.techniques) seen.set(t.id, t)
  const all = [...seen.values()]
  return {
    techniques: all.length,
    covered: all.filter((t) => t.rules > 0).length,
    hit: all.filter((t) => t.alerts > 0).length,
  }
}

/** The alerts:list query that finds a technique's alerts (tags hold attack.t1059.001). */
export const techniqueQuery = (id: string): string => `attack.${id.toLowerCase()}`

export const createAttackSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], AttackSlice> =>
  (set, get) => {
    let watching = false
    let asked = new Set<string>()
    let timer: ReturnType<typeof setTimeout> | undefined
    const importWith = async (name: string, req: { path: string } | { upload_id: string }) => {
      const result = await transport.invoke('attack:import', req)
      set({
        attackImporting: false,
        attackImport: result.ok
          ? { name, result: result.value, error: null }
          : { name, result: null, error: result.error.message },
      })
      if (result.ok) {
        asked = new Set()
        set({ techniqueNames: {} })
        await get().loadAttackMatrix()
      }
    }

    return {
      attackMatrix: null,
      attackLoading: false,
      attackError: null,
      attackFilter: 'all',
      attackImport: null,
      attackImporting: false,
      techniqueNames: {},

      async loadAttackMatrix() {
        set({ attackLoading: true })
        const result = await transport.invoke('attack:matrix', {})
        if (!result.ok) return set({ attackLoading: false, attackError: result.error.message })
        set({ attackLoading: false, attackError: null, attackMatrix: result.value })
      },

      setAttackFilter: (attackFilter) => set({ attackFilter }),

      async chooseAttackBundle() {
        const result = await transport.invoke('dialog:open', {
          title: 'Import MITRE ATT&CK (STIX bundle)',
          filters: [{ name: 'STIX bundle', extensions: ['json'] }],
        })
        if (!result.ok) return set({ attackError: result.error.message })
        const [path] = result.value.paths
        if (path) await get().importAttackPath(path)
      },

      async importAttackPath(path) {
        set({ attackImporting: true })
        await importWith(path, { path })
      },

      async importAttackFile(file) {
        const path = transport.pathForFile(file)
        if (path !== null) return get().importAttackPath(path)
        set({ attackImporting: true })
        const uploaded = await transport.upload(file)
        if (!uploaded.ok)
          return set({
            attackImporting: false,
            attackImport: { name: file.name, result: null, error: uploaded.error.message },
          })
        await importWith(file.name, { upload_id: uploaded.value.upload_id })
      },

      watchAttack(on) {
        watching = on
        if (!on && timer) {
          clearTimeout(timer)
          timer = undefined
        }
      },

      async nameTechniques(ids) {
        const wanted = [...new Set(ids)].filter((id) => !asked.has(id))
        if (wanted.length === 0) return
        for (const id of wanted) asked.add(id)
        const result = await transport.invoke('attack:techniques', { ids: wanted })
        if (!result.ok) {
          for (const id of wanted) asked.delete(id)
          return
        }
        if (Object.keys(result.value.names).length > 0)
          set({ techniqueNames: { ...get().techniqueNames, ...result.value.names } })
      },

      attackChanged() {
        if (!watching || timer) return
        timer = setTimeout(() => {
          timer = undefined
          if (watching) void get().loadAttackMatrix()
        }, RELOAD_DELAY_MS)
      },
    }
  }
