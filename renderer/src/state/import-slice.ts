import type { StateCreator } from 'zustand'
import type { ImportJob } from '../../../collector/contract'
import type { AppState } from './store'

/** Kept in view; the core remembers its own recent jobs (`import:list`) across reloads. */
const MAX_JOBS = 20

export type ImportSlice = {
  /** Newest first. */
  importJobs: ImportJob[]
  /** Names of files still being uploaded (browser mode), before they become jobs. */
  importUploads: string[]
  importError: string | null
  loadImports: () => Promise<void>
  /** Desktop: pick files with the native dialog, then import them in place. */
  chooseImportFiles: () => Promise<void>
  /** Dropped or chosen files: by path on the desktop, uploaded first in the browser. */
  importFiles: (files: readonly File[]) => Promise<void>
  importPaths: (paths: readonly string[]) => Promise<void>
  cancelImport: (jobId: string) => Promise<void>
  /** The `import:progress` push. */
  importProgress: (job: ImportJob) => void
}

const upsert = (jobs: readonly ImportJob[], job: ImportJob): ImportJob[] =>
  jobs.some((j) => j.job_id === job.job_id)
    ? jobs.map((j) => (j.job_id === job.job_id ? job : j))
    : [job, ...jobs].slice(0, MAX_JOBS)

/** What a job looks like between `import:start` answering and its first push. */
const pendingJob = (job_id: string, file: string): ImportJob => ({
  job_id,
  file,
  bytes_read: 0,
  bytes_total: 0,
  records: 0,
  imported: 0,
  rejected: 0,
  state: 'running',
})

export const createImportSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], ImportSlice> =>
  (set, get) => {
    const started = (job_id: string, file: string): void => {
      // A push may have beaten the answer here; never overwrite it with the placeholder.
      if (!get().importJobs.some((j) => j.job_id === job_id))
        set({ importJobs: upsert(get().importJobs, pendingJob(job_id, file)) })
    }

    return {
      importJobs: [],
      importUploads: [],
      importError: null,

      loadImports: async () => {
        const result = await transport.invoke('import:list', {})
        if (!result.ok) return set({ importError: result.error.message })
        // Jobs pushed meanwhile are at least as new as the list.
        const pushed = new Map(get().importJobs.map((j) => [j.job_id, j]))
        set({ importJobs: result.value.jobs.map((j) => pushed.get(j.job_id) ?? j), importError: null })
      },

      chooseImportFiles: async () => {
        const result = await transport.invoke('dialog:open', { title: 'Import log files', multiple: true })
        if (!result.ok) return set({ importError: result.error.message })
        if (result.value.paths.length > 0) await get().importPaths(result.value.paths)
      },

      importPaths: async (paths) => {
        if (paths.length === 0) return
        const result = await transport.invoke('import:start', { paths: [...paths] })
        if (!result.ok) return set({ importError: result.error.message })
        set({ importError: null })
        started(result.value.job_id, paths[0]!)
      },

      importFiles: async (files) => {
        if (files.length === 0) return
        const paths = files.map((f) => transport.pathForFile(f))
        if (paths.every((p) => p !== null)) return get().importPaths(paths)
        // Browser: one upload and one job per file, so each has its own progress and summary.
        await Promise.all(
          files.map(async (file) => {
            set({ importUploads: [...get().importUploads, file.name] })
            const uploaded = await transport.upload(file)
            const result = uploaded.ok
              ? await transport.invoke('import:start', { upload_id: uploaded.value.upload_id })
              : uploaded
            const uploads = [...get().importUploads]
            uploads.splice(uploads.indexOf(file.name), 1)
            set({ importUploads: uploads })
            if (!result.ok) return set({ importError: `${file.name}: ${result.error.message}` })
            started(result.value.job_id, file.name)
          }),
        )
      },

      cancelImport: async (jobId) => {
        const result = await transport.invoke('import:cancel', { job_id: jobId })
        if (!result.ok) set({ importError: result.error.message })
      },

      importProgress: (job) => set({ importJobs: upsert(get().importJobs, job) }),
    }
  }
