import { useRef, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { formatSize, formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'
import { FieldError } from '../../components/FieldError'

/** Files kept with the case, each with its SHA-256; attached here, downloaded back. */
export const CaseEvidence = () => {
  const s = useAppStore(
    useShallow((state) => ({
      evidence: state.caseDetail?.evidence ?? [],
      error: state.caseErrors.evidence,
      uploading: state.evidenceUploading,
      attach: state.attachEvidence,
      download: state.downloadEvidence,
    })),
  )
  const input = useRef<HTMLInputElement>(null)
  const [file, setFile] = useState<File | null>(null)
  const [note, setNote] = useState('')
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (!file) return
    if (await s.attach(file, note)) {
      setFile(null)
      setNote('')
      if (input.current) input.current.value = ''
    }
  }
  return (
    <section className="panel" aria-label="Evidence">
      <h3>Evidence</h3>
      <table className="table" aria-label="Attached evidence">
        <thead>
          <tr>
            <th>Name</th>
            <th>Size</th>
            <th>SHA-256</th>
            <th>Added</th>
            <th>Note</th>
            <th>
              <span className="visually-hidden">Download</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {s.evidence.map((e) => (
            <tr key={e.id}>
              <td className="wrap">{e.name}</td>
              <td className="mono">{formatSize(e.size)}</td>
              <td className="mono sha">{e.sha256}</td>
              <td>
                {e.actor} · <span className="mono">{formatTimeShort(e.added_at)}</span>
              </td>
              <td className="wrap">{e.note ?? ''}</td>
              <td>
                <button type="button" aria-label={`Download ${e.name}`} onClick={() => void s.download(e.id)}>
                  Download
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="field-row" aria-label="Attach evidence" onSubmit={(e) => void submit(e)}>
        <label className="field">
          <span>File</span>
          <input
            ref={input}
            type="file"
            aria-label="Evidence file"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </label>
        <label className="field grow">
          <span>Note</span>
          <input aria-label="Evidence note" value={note} onChange={(e) => setNote(e.target.value)} />
        </label>
        <button type="submit" disabled={!file || s.uploading !== null}>
          {s.uploading !== null ? `Attaching ${s.uploading}…` : 'Attach'}
        </button>
      </form>
      <FieldError label="Evidence problem" message={s.error} />
    </section>
  )
}
