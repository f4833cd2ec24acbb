import { TIME_PRESETS, type TimeRange } from '../../state/hunt-slice'

/** `datetime-local` speaks local wall time without a zone; the console shows and sends UTC. */
const toInput = (iso: string | null): string => (iso ? iso.slice(0, 16) : '')
const fromInput = (value: string): string | null => (value ? `${value}:00Z` : null)

/** Presets up to now, or custom UTC bounds (either may be left open). */
export const TimeRangePicker = ({
  range,
  onChange,
  label = 'Time range',
}: {
  range: TimeRange
  onChange: (range: TimeRange) => void
  label?: string
}) => (
  <>
    <select
      aria-label={label}
      value={range.preset}
      onChange={(e) => {
        const preset = e.target.value as TimeRange['preset']
        onChange(
          preset === 'custom'
            ? { preset, from: new Date(Date.now() - 3600_000).toISOString(), to: null }
            : { preset },
        )
      }}
    >
      {TIME_PRESETS.map((p) => (
        <option key={p.id} value={p.id}>
          {p.label}
        </option>
      ))}
      <option value="custom">Custom range</option>
    </select>
    {range.preset === 'custom' && (
      <>
        <label>
          From (UTC){' '}
          <input
            type="datetime-local"
            value={toInput(range.from)}
            onChange={(e) => onChange({ ...range, from: fromInput(e.target.value) })}
          />
        </label>
        <label>
          To (UTC){' '}
          <input
            type="datetime-local"
            value={toInput(range.to)}
            onChange={(e) => onChange({ ...range, to: fromInput(e.target.value) })}
          />
        </label>
      </>
    )}
  </>
)
