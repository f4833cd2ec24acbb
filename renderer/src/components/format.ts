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
