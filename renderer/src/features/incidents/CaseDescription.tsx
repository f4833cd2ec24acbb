import { useState, type FormEvent } from 'react'
import { FieldError } from '../../components/FieldError'
import { Markdown } from '../../components/Markdown'

type Props = {
  saved: string
  error: string | undefined
  save: (description: string) => Promise<boolean>
}

/** What the case is about, in Markdown: rendered, and edited in place. */
export const CaseDescription = ({ saved, error, save }: Props) => {
  const [draft, setDraft] = useState<string | null>(null)
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (draft !== null && (await save(draft))) setDraft(null)
  }
  return (
    <section className="panel" aria-label="Description">
      <h3>
        Description{' '}
        {draft === null && (
          <button type="button" onClick={() => setDraft(saved)}>
            Edit
          </button>
        )}
      </h3>
      {draft === null ? (
        saved.trim() === '' ? (
          <p className="muted">No description yet.</p>
        ) : (
          <div className="markdown-preview">
            <Markdown source={saved} />
          </div>
        )
      ) : (
        <form aria-label="Edit description" onSubmit={(e) => void submit(e)}>
          <label className="field">
            <span>Description (markdown)</span>
            <textarea
              aria-label="Description"
              rows={6}
              value={draft}
              aria-invalid={error ? true : undefined}
              onChange={(e) => setDraft(e.target.value)}
            />
          </label>
          <FieldError label="Description problem" message={error} />
          <button type="submit" disabled={draft === saved}>
            Save description
          </button>{' '}
          <button type="button" onClick={() => setDraft(null)}>
            Cancel
          </button>
        </form>
      )}
    </section>
  )
}
