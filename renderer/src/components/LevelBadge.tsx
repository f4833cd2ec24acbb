import type { AlertLevel } from '../../../collector/contract'

/** A Sigma level, coloured by severity (the colour is a cue; the word is always there). */
export const LevelBadge = ({ level }: { level: AlertLevel | null }) =>
  level === null ? (
    <span className="muted">—</span>
  ) : (
    <span className="level" data-level={level}>
      {level}
    </span>
  )
