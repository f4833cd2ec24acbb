import { useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { AssetKind, Criticality } from '../../../../collector/contract'
import { ASSET_KINDS, CRITICALITIES } from '../../state/assets-slice'
import { useAppStore } from '../../state/store'
import { assetHref, CRITICALITY_LABEL, KIND_LABEL } from './labels'

/** An asset no event named yet: a server to watch, an account to expect. Opens its page once made. */
export const NewAssetForm = ({ onDone }: { onDone: () => void }) => {
  const { create, error } = useAppStore(
    useShallow((s) => ({ create: s.createAsset, error: s.assetCreateError })),
  )
  const [kind, setKind] = useState<AssetKind>('host')
  const [value, setValue] = useState('')
  const [owner, setOwner] = useState('')
  const [criticality, setCriticality] = useState<Criticality | ''>('')
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const id = await create({
      kind,
      value,
      owner: owner.trim() || null,
      criticality: criticality || null,
    })
    if (id) {
      onDone()
      window.location.hash = assetHref(id)
    }
  }
  return (
    <form className="action-form" aria-label="New asset" onSubmit={(e) => void submit(e)}>
      <label>
        Kind{' '}
        <select value={kind} onChange={(e) => setKind(e.target.value as AssetKind)}>
          {ASSET_KINDS.map((k) => (
            <option key={k} value={k}>
              {KIND_LABEL[k]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Value <input value={value} placeholder="ws01.corp.local" onChange={(e) => setValue(e.target.value)} />
      </label>
      <label>
        Owner <input value={owner} onChange={(e) => setOwner(e.target.value)} />
      </label>
      <label>
        Criticality{' '}
        <select value={criticality} onChange={(e) => setCriticality(e.target.value as Criticality | '')}>
          <option value="">not set</option>
          {CRITICALITIES.map((c) => (
            <option key={c} value={c}>
              {CRITICALITY_LABEL[c]}
            </option>
          ))}
        </select>
      </label>
      <button type="submit">Add asset</button>
      <button type="button" onClick={onDone}>
        Cancel
      </button>
      {error && (
        <p className="error" role="alert" aria-label="New asset problem">
          {error}
        </p>
      )}
    </form>
  )
}
