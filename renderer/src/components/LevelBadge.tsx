import type { AlertLevel } from '../../../collector/contract'

const SHORT: Record<AlertLevel, string> = {
  informational: 'info',
  low: 'low',
  medium: 'medium',
  high: 'high',
  critical: 'critical',
}

/** A Sigma level, coloured by severity (the colour is a cue; the word is always there). */
export const LevelBadge = ({ level }: { level: AlertLevel | null }) =>
  level === null ? (
    <span className="muted">—</span>
  ) : (
    <span className="level" data-level={level} title={level}>
      {SHORT[level]}
    </span>
  )
