/** UTC with milliseconds, the way operators compare times across sites. */
export const formatTime = (iso: string): string => iso.replace('T', ' ').replace(/Z$/, '')

/** UTC to the second, for dense lists. */
export const formatTimeShort = (iso: string): string => formatTime(iso).replace(/\.\d+$/, '')

/** Bytes for people: 812 B, 4.2 KB, 1.3 MB. */
export const formatSize = (bytes: number): string =>
  bytes < 1024
    ? `${bytes} B`
    : bytes < 1024 * 1024
      ? `${(bytes / 1024).toFixed(1)} KB`
      : `${(bytes / 1024 / 1024).toFixed(1)} MB`

/** A bucket start as UTC, to the minute; with the date when the range spans days. */
export const bucketLabel = (t: number, spanMs: number): string => {
  const iso = new Date(t).toISOString()
  return spanMs > 24 * 3600_000 ? iso.slice(5, 16).replace('T', ' ') : iso.slice(11, 16)
}
