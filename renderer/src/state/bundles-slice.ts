import type { StateCreator } from 'zustand'
import type {
  BundleExportResult,
  BundleImportResult,
  BundlePreview,
  BundleContentType,
  CallRes,
  ContentVersion,
  KeyScope,
  TrustedKey,
} from '../../../collector/contract'
import type { AppState } from './store'

export type BundlesSlice = {
  ownKey: CallRes<'keys:show'> | null
  trustedKeys: TrustedKey[]
  contentVersions: ContentVersion[]
  /** The bundle previewed and waiting for the analyst to confirm its import. */
  bundlePreview: (BundlePreview & { path: string }) | null
  bundleImported: BundleImportResult | null
  bundleExported: BundleExportResult | null
  /** What went wrong last, beside the form it came from. */
  bundleError: { where: 'keys' | 'export' | 'import' | 'content'; message: string } | null
  bundleBusy: boolean
  loadBundles: () => Promise<void>
  trustKey: (name: string, publicKey: string, scope: KeyScope) => Promise<boolean>
  revokeKey: (name: string) => Promise<void>
  /** `outbox`: the sync outbox entries no bundle carried yet, instead of a selection. */
  exportBundle: (out: string, since: string | undefined, outbox?: boolean) => Promise<void>
  previewBundle: (path: string) => Promise<void>
  confirmBundleImport: () => Promise<void>
  cancelBundleImport: () => void
  rollbackContent: (type: BundleContentType, name: string, to?: string) => Promise<void>
}

export const createBundlesSlice: StateCreator<AppState, [], [], BundlesSlice> = (set, get) => {
  const transport = () => get().transport
  const busy = async (run: () => Promise<void>): Promise<void> => {
    set({ bundleBusy: true })
    try {
      await run()
    } finally {
      set({ bundleBusy: false })
    }
  }
  return {
    ownKey: null,
    trustedKeys: [],
    contentVersions: [],
    bundlePreview: null,
    bundleImported: null,
    bundleExported: null,
    bundleError: null,
    bundleBusy: false,
    async loadBundles() {
      const [own, keys, content] = await Promise.all([
        transport().invoke('keys:show', {}),
        transport().invoke('keys:list', {}),
        transport().invoke('bundles:content-list', {}),
      ])
      set({
        ...(own.ok ? { ownKey: own.value } : {}),
        ...(keys.ok ? { trustedKeys: keys.value.keys } : {}),
        ...(content.ok ? { contentVersions: content.value.versions } : {}),
      })
      const failed = [own, keys, content].find((r) => !r.ok)
      if (failed && !failed.ok) set({ bundleError: { where: 'keys', message: failed.error.message } })
    },
    async trustKey(name, publicKey, scope) {
      const result = await transport().invoke('keys:trust', { name, public_key: publicKey, scope })
      if (!result.ok) {
        set({ bundleError: { where: 'keys', message: result.error.message } })
        return false
      }
      set({ bundleError: null })
      await get().loadBundles()
      return true
    },
    async revokeKey(name) {
      const result = await transport().invoke('keys:revoke', { name })
      set({ bundleError: result.ok ? null : { where: 'keys', message: result.error.message } })
      await get().loadBundles()
    },
    exportBundle: (out, since, outbox) =>
      busy(async () => {
        const result = await transport().invoke(
          'bundles:export',
          outbox ? { out, outbox: true } : since ? { out, since } : { out },
        )
        set(
          result.ok
            ? { bundleExported: result.value, bundleError: null }
            : { bundleExported: null, bundleError: { where: 'export', message: result.error.message } },
        )
      }),
    previewBundle: (path) =>
      busy(async () => {
        const result = await transport().invoke('bundles:preview', { path })
        set(
          result.ok
            ? { bundlePreview: { ...result.value, path }, bundleImported: null, bundleError: null }
            : { bundlePreview: null, bundleError: { where: 'import', message: result.error.message } },
        )
      }),
    confirmBundleImport: () =>
      busy(async () => {
        const preview = get().bundlePreview
        if (!preview) return
        const result = await transport().invoke('bundles:import', { path: preview.path })
        set(
          result.ok
            ? { bundleImported: result.value, bundlePreview: null, bundleError: null }
            : { bundleError: { where: 'import', message: result.error.message } },
        )
        if (result.ok) await get().loadBundles()
      }),
    cancelBundleImport() {
      set({ bundlePreview: null })
    },
    async rollbackContent(type, name, to) {
      const result = await transport().invoke(
        'bundles:content-rollback',
        to ? { type, name, to } : { type, name },
      )
      set({ bundleError: result.ok ? null : { where: 'content', message: result.error.message } })
      await get().loadBundles()
    },
  }
}
