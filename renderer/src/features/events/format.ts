/** UTC with milliseconds, the way operators compare times across sites. */
export const formatTime = (iso: string): string => iso.replace('T', ' ').replace(/Z$/, '')
