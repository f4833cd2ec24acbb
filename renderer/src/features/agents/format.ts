/** 300000 -> "5 min", 1500 -> "1.5 s", 90000000 -> "25 h". */
export const durationText = (ms: number): string => {
  if (ms < 1000) return `${ms} ms`
  const s = ms / 1000
  if (s < 60) return `${Math.round(s * 10) / 10} s`
  if (s < 7200) return `${Math.round((s / 60) * 10) / 10} min`
  if (s < 3 * 86400) return `${Math.round((s / 3600) * 10) / 10} h`
  return `${Math.round((s / 86400) * 10) / 10} d`
}
