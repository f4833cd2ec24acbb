/** ISO -> the local wall time a datetime-local input shows; and back. */
export const toLocalInput = (iso: string | null): string => {
  if (!iso) return ''
  const d = new Date(iso)
  if (Number.isNaN(d.getTime())) return ''
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16)
}
export const fromLocalInput = (value: string): string | null => (value ? new Date(value).toISOString() : null)
