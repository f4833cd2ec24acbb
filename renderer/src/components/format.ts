/** UTC with milliseconds, the way operators compare times across sites. */
export const formatTime = (iso: string): string => iso.replace('T', ' ').replace(/Z$/, '')

/** UTC to the second, for dense lists. */
export const formatTimeShort = (iso: string): string => formatTime(iso).replace(/\.\d+$/, '')
