import { useState, type RefObject } from 'react'

export type LineMark = { severity: 'error' | 'warning'; reason: string }

/** Must match `.code-editor` line-height and padding in app.css. */
export const CODE_LINE_HEIGHT = 18
const PAD_TOP = 4

type Props = {
  label: string
  value: string
  onChange: (value: string) => void
  /** 1-based line -> what is wrong there: gutter-marked and highlighted (an error, or only a warning). */
  marks: ReadonlyMap<number, LineMark>
  textareaRef: RefObject<HTMLTextAreaElement | null>
}

/** A plain textarea with line numbers and marked lines: enough for YAML, no editor dependency. */
export const CodeEditor = ({ label, value, onChange, marks, textareaRef }: Props) => {
  const [scroll, setScroll] = useState(0)
  const lines = value.split('\n').length
  const shift = { transform: `translateY(${-scroll}px)` }
  return (
    <div className="code-editor">
      <div className="code-gutter" aria-hidden="true">
        <div style={shift}>
          {Array.from({ length: lines }, (_, i) => (
            <div
              key={i}
              className="code-line-no"
              data-mark={marks.get(i + 1)?.severity}
              title={marks.get(i + 1)?.reason}
            >
              {i + 1}
            </div>
          ))}
        </div>
      </div>
      <div className="code-area">
        <div className="code-highlights" aria-hidden="true" style={shift}>
          {[...marks.entries()]
            .filter(([line]) => line >= 1 && line <= lines)
            .map(([line, mark]) => (
              <div
                key={line}
                className="code-highlight"
                data-mark={mark.severity}
                data-line={line}
                style={{ top: PAD_TOP + (line - 1) * CODE_LINE_HEIGHT }}
              />
            ))}
        </div>
        <textarea
          ref={textareaRef}
          aria-label={label}
          value={value}
          wrap="off"
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          onChange={(e) => onChange(e.target.value)}
          onScroll={(e) => setScroll(e.currentTarget.scrollTop)}
        />
      </div>
    </div>
  )
}

/** Puts the caret at the start of a line and scrolls it into view. */
export const jumpToLine = (textarea: HTMLTextAreaElement, line: number): void => {
  const lines = textarea.value.split('\n')
  const offset = lines.slice(0, Math.max(line - 1, 0)).reduce((n, l) => n + l.length + 1, 0)
  textarea.focus()
  textarea.setSelectionRange(offset, offset + (lines[line - 1]?.length ?? 0))
  textarea.scrollTop = Math.max((line - 3) * CODE_LINE_HEIGHT, 0)
}
