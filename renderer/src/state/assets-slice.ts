import type { StateCreator } from 'zustand'
import type {
  Asset,
  AssetKind,
  CallReq,
  CallRes,
  Criticality,
  GraphEdge,
  GraphNode,
} from '../../../collector/contract'
import type { AppState } from './store'

export const ASSET_KINDS: AssetKind[] = ['host', 'ip', 'user', 'process', 'service']
export const CRITICALITIES: Criticality[] = ['low', 'medium', 'high', 'critical']

export type AssetsFilter = {
  query: string
  kind: AssetKind | null
  criticality: Criticality | null
  sort: NonNullable<CallReq<'assets:list'>['sort']>
}
export type AssetDetail = CallRes<'assets:get'>
export type AssetPatch = Omit<CallReq<'assets:update'>, 'id'>
export type NewAsset = CallReq<'assets:create'>

export type GraphQuery = {
  /** An asset id: its neighbourhood; null: the busiest assets. */
  center: string | null
  depth: number
  kinds: AssetKind[]
  alerts: boolean
  limit: number
}
export type GraphData = { nodes: GraphNode[]; edges: GraphEdge[]; truncated: boolean }

/** Pages of the inventory asked at once; the list is virtualized. */
const PAGE = 1000

export type AssetsSlice = {
  assets: Asset[]
  assetsTotal: number
  assetKinds: Partial<Record<AssetKind, number>>
  assetsFilter: AssetsFilter
  assetsLoading: boolean
  /** Whether the list was ever asked for: pushes then refresh it. */
  assetsLoaded: boolean
  assetsError: string | null
  assetDetail: AssetDetail | null
  assetDetailError: string | null
  /** The manual-fields form's problem, shown beside it. */
  assetSaveError: string | null
  graph: GraphData | null
  graphQuery: GraphQuery
  graphLoading: boolean
  graphError: string | null
  loadAssets: () => Promise<void>
  loadMoreAssets: () => Promise<void>
  setAssetsFilter: (patch: Partial<AssetsFilter>) => Promise<void>
  openAsset: (id: string | null) => Promise<void>
  updateAsset: (id: string, patch: AssetPatch) => Promise<boolean>
  /** The new asset's id, or null with assetCreateError set. */
  createAsset: (asset: NewAsset) => Promise<string | null>
  assetCreateError: string | null
  loadGraph: (patch?: Partial<GraphQuery>) => Promise<void>
  /** The assets:changed push: refresh what is on screen, at most every couple of seconds. */
  assetsChanged: () => void
}

const REFRESH_MS = 2000

export const createAssetsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], AssetsSlice> =>
  (set, get) => {
    let listGeneration = 0
    let detailGeneration = 0
    let graphGeneration = 0
    let refresh: ReturnType<typeof setTimeout> | null = null

    const listRequest = (offset: number): CallReq<'assets:list'> => {
      const { query, kind, criticality, sort } = get().assetsFilter
      return {
        limit: PAGE,
        offset,
        sort,
        ...(query.trim() ? { query: query.trim() } : {}),
        ...(kind ? { kind } : {}),
        ...(criticality ? { criticality } : {}),
      }
    }

    return {
      assets: [],
      assetsTotal: 0,
      assetKinds: {},
      assetsFilter: { query: '', kind: null, criticality: null, sort: 'last_seen' },
      assetsLoading: false,
      assetsLoaded: false,
      assetsError: null,
      assetDetail: null,
      assetDetailError: null,
      assetSaveError: null,
      assetCreateError: null,
      graph: null,
      graphQuery: { center: null, depth: 2, kinds: [], alerts: true, limit: 2000 },
      graphLoading: false,
      graphError: null,

      async loadAssets() {
        const generation = ++listGeneration
        set({ assetsLoading: true, assetsLoaded: true })
        const result = await transport.invoke('assets:list', listRequest(0))
        if (generation !== listGeneration) return
        if (!result.ok) return set({ assetsLoading: false, assetsError: result.error.message })
        set({
          assets: result.value.assets,
          assetsTotal: result.value.total,
          assetKinds: result.value.kinds,
          assetsLoading: false,
          assetsError: null,
        })
      },

      async loadMoreAssets() {
        const { assets, assetsTotal, assetsLoading } = get()
        if (assetsLoading || assets.length >= assetsTotal) return
        const generation = ++listGeneration
        set({ assetsLoading: true })
        const result = await transport.invoke('assets:list', listRequest(assets.length))
        if (generation !== listGeneration) return
        if (!result.ok) return set({ assetsLoading: false, assetsError: result.error.message })
        const seen = new Set(assets.map((a) => a.id))
        set({
          assets: [...assets, ...result.value.assets.filter((a) => !seen.has(a.id))],
          assetsTotal: result.value.total,
          assetsLoading: false,
        })
      },

      async setAssetsFilter(patch) {
        set({ assetsFilter: { ...get().assetsFilter, ...patch } })
        await get().loadAssets()
      },

      async openAsset(id) {
        const generation = ++detailGeneration
        if (id === null) return set({ assetDetail: null, assetDetailError: null, assetSaveError: null })
        if (get().assetDetail?.asset.id !== id) set({ assetDetail: null, assetSaveError: null })
        const result = await transport.invoke('assets:get', { id })
        if (generation !== detailGeneration) return
        if (!result.ok) return set({ assetDetail: null, assetDetailError: result.error.message })
        set({ assetDetail: result.value, assetDetailError: null })
      },

      async updateAsset(id, patch) {
        const result = await transport.invoke('assets:update', { id, ...patch })
        if (!result.ok) {
          set({ assetSaveError: result.error.message })
          return false
        }
        const asset = result.value.asset
        const detail = get().assetDetail
        set({
          assetSaveError: null,
          assetDetail: detail?.asset.id === id ? { ...detail, asset } : detail,
          assets: get().assets.map((a) => (a.id === id ? asset : a)),
        })
        return true
      },

      async createAsset(input) {
        const result = await transport.invoke('assets:create', input)
        if (!result.ok) {
          set({ assetCreateError: result.error.message })
          return null
        }
        set({ assetCreateError: null })
        await get().loadAssets()
        return result.value.asset.id
      },

      async loadGraph(patch) {
        const query = { ...get().graphQuery, ...patch }
        const generation = ++graphGeneration
        set({ graphQuery: query, graphLoading: true })
        const result = await transport.invoke('graph:get', {
          depth: query.depth,
          alerts: query.alerts,
          limit: query.limit,
          ...(query.center ? { center: query.center } : {}),
          ...(query.kinds.length > 0 ? { kinds: query.kinds } : {}),
        })
        if (generation !== graphGeneration) return
        if (!result.ok) return set({ graphLoading: false, graphError: result.error.message })
        set({ graph: result.value, graphLoading: false, graphError: null })
      },

      assetsChanged() {
        if (refresh) return
        refresh = setTimeout(() => {
          refresh = null
          const { assetsLoaded, assetDetail, graph } = get()
          if (assetsLoaded) void get().loadAssets()
          if (assetDetail) void get().openAsset(assetDetail.asset.id)
          // The graph is not redrawn under the analyst's hands: they reload it (its layout moves).
          if (graph && graph.nodes.length === 0) void get().loadGraph()
        }, REFRESH_MS)
      },
    }
  }
