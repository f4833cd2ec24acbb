import { useEffect, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { KeyScope } from '../../../../collector/contract'
import { FieldError } from '../../components/FieldError'
import { TextField } from '../../components/filters'
import { useAppStore } from '../../state/store'

/**
 * Signed bundles for removable media: this installation's key, the keys it trusts, records
 * exported since a time, an import previewed before it is confirmed, and content versions.
 */
export const BundlesPanel = () => {
  const s = useAppStore(
    useShallow((state) => ({
      ownKey: state.ownKey,
      keys: state.trustedKeys,
      versions: state.contentVersions,
      preview: state.bundlePreview,
      imported: state.bundleImported,
      exported: state.bundleExported,
      error: state.bundleError,
      busy: state.bundleBusy,
      load: state.loadBundles,
      trust: state.trustKey,
      revoke: state.revokeKey,
      exportBundle: state.exportBundle,
      previewBundle: state.previewBundle,
      confirm: state.confirmBundleImport,
      cancel: state.cancelBundleImport,
      rollback: state.rollbackContent,
    })),
  )
  const { load } = s
  useEffect(() => {
    void load()
  }, [load])
  const [keyName, setKeyName] = useState('')
  const [keyText, setKeyText] = useState('')
  const [scope, setScope] = useState<KeyScope>('both')
  const [out, setOut] = useState('')
  const [since, setSince] = useState('')
  const [outbox, setOutbox] = useState(false)
  const [path, setPath] = useState('')
  const errorAt = (where: NonNullable<typeof s.error>['where']) =>
    s.error?.where === where ? s.error.message : undefined

  const trust = async (e: FormEvent) => {
    e.preventDefault()
    if (await s.trust(keyName, keyText, scope)) {
      setKeyName('')
      setKeyText('')
    }
  }
  const counts = s.preview?.counts ?? s.imported?.counts
  return (
    <section className="panel" aria-label="Bundles">
      <h2>Bundles</h2>
      <p className="muted">
        Signed files for removable media. This installation signs with key{' '}
        <span className="mono">{s.ownKey?.key_id ?? '…'}</span>, fingerprint{' '}
        <span className="mono" aria-label="Own key fingerprint">
          {s.ownKey?.fingerprint ?? '…'}
        </span>
        .
      </p>
      {s.ownKey && (
        <p className="mono" aria-label="Own public key">
          {s.ownKey.public_key}
        </p>
      )}

      <h3>Trusted keys</h3>
      <table aria-label="Trusted keys">
        <thead>
          <tr>
            <th>Name</th>
            <th>Key id</th>
            <th>Scope</th>
            <th>Fingerprint</th>
            <th>Added</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {s.keys.map((k) => (
            <tr key={k.name}>
              <td>{k.name}</td>
              <td className="mono">{k.key_id}</td>
              <td>{k.scope}</td>
              <td className="mono">{k.fingerprint}</td>
              <td>{k.added_at}</td>
              <td>
                <button
                  type="button"
                  aria-label={`Revoke key ${k.name}`}
                  onClick={() => void s.revoke(k.name)}
                >
                  Revoke
                </button>
              </td>
            </tr>
          ))}
          {s.keys.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No trusted keys: bundles from elsewhere are refused until their key is trusted.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <form className="field-row" aria-label="Trust a key" onSubmit={(e) => void trust(e)}>
        <TextField label="Name" name="Trusted key name" value={keyName} onChange={setKeyName} />
        <TextField
          label="Public key"
          name="Trusted public key"
          placeholder="ed25519:…"
          value={keyText}
          onChange={setKeyText}
        />
        <label className="field">
          <span>Scope</span>
          <select
            aria-label="Trusted key scope"
            value={scope}
            onChange={(e) => setScope(e.target.value as KeyScope)}
          >
            <option value="both">records and content</option>
            <option value="records">records</option>
            <option value="content">content</option>
          </select>
        </label>
        <button type="submit">Trust key</button>
      </form>
      <FieldError label="Key problem" message={errorAt('keys')} />

      <h3>Export records</h3>
      <form
        className="field-row"
        aria-label="Export a bundle"
        onSubmit={(e) => {
          e.preventDefault()
          void s.exportBundle(out, since || undefined, outbox)
        }}
      >
        <TextField
          label="Bundle file"
          name="Export bundle file"
          placeholder="/media/usb/outpost.bundle"
          value={out}
          onChange={setOut}
        />
        <TextField
          label="Changed since"
          name="Export changed since"
          placeholder="2026-12-01T00:00:00Z, or a bundle number (empty: everything)"
          value={since}
          disabled={outbox}
          onChange={setSince}
        />
        <label className="field">
          <span>Outbox</span>
          <input
            type="checkbox"
            aria-label="Export the outbox"
            title="The sync outbox entries no bundle carried yet (a data diode's regular transfer)"
            checked={outbox}
            onChange={(e) => setOutbox(e.target.checked)}
          />
        </label>
        <button type="submit" disabled={s.busy || !out}>
          Export bundle
        </button>
      </form>
      {s.exported && (
        <p role="status" aria-label="Export result">
          Wrote {s.exported.file} (bundle number {s.exported.version}): {s.exported.counts.records ?? 0}{' '}
          records, SHA-256 <span className="mono">{s.exported.sha256}</span>
        </p>
      )}
      <FieldError label="Export problem" message={errorAt('export')} />

      <h3>Import</h3>
      <form
        className="field-row"
        aria-label="Preview a bundle"
        onSubmit={(e) => {
          e.preventDefault()
          void s.previewBundle(path)
        }}
      >
        <TextField
          label="Bundle file"
          name="Import bundle file"
          placeholder="/media/usb/outpost.bundle"
          value={path}
          onChange={setPath}
        />
        <button type="submit" disabled={s.busy || !path}>
          Preview
        </button>
      </form>
      <FieldError label="Import problem" message={errorAt('import')} />
      {counts && (
        <p role="status" aria-label="Import summary">
          {s.preview ? 'Would import' : 'Imported'}: {counts.new} new, {counts.changed} changed,{' '}
          {counts.conflict} conflicts, {counts.unchanged} already present
          {s.preview && `, signed by ${s.preview.bundle.signer.name} (${s.preview.bundle.signer.key_id})`}
        </p>
      )}
      {s.preview && (
        <>
          <table aria-label="Bundle preview">
            <thead>
              <tr>
                <th>Status</th>
                <th>Kind</th>
                <th>Id</th>
                <th>Incoming</th>
                <th>Stored</th>
                <th>Kept</th>
                <th>Fields</th>
              </tr>
            </thead>
            <tbody>
              {s.preview.items.map((i) => (
                <tr key={`${i.kind}/${i.id}`}>
                  <td>{i.status}</td>
                  <td>{i.kind}</td>
                  <td className="mono">{i.id}</td>
                  <td>{i.incoming_version}</td>
                  <td>{i.stored_version ?? '—'}</td>
                  <td>{i.winner}</td>
                  <td>{i.fields.join(', ')}</td>
                </tr>
              ))}
            </tbody>
          </table>
          <div className="field-row">
            <button type="button" disabled={s.busy} onClick={() => void s.confirm()}>
              Import bundle
            </button>
            <button type="button" onClick={s.cancel}>
              Cancel import
            </button>
          </div>
        </>
      )}

      <h3>Content versions</h3>
      <table aria-label="Content versions">
        <thead>
          <tr>
            <th>Type</th>
            <th>Name</th>
            <th>Version</th>
            <th>Installed</th>
            <th>Active</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {s.versions.map((v) => (
            <tr key={`${v.type}/${v.name}/${v.version}`}>
              <td>{v.type}</td>
              <td>{v.name}</td>
              <td>{v.version}</td>
              <td>{v.installed_at}</td>
              <td>{v.active ? 'active' : ''}</td>
              <td>
                {!v.active && (
                  <button
                    type="button"
                    aria-label={`Roll back ${v.type} ${v.name} to ${v.version}`}
                    onClick={() => void s.rollback(v.type, v.name, v.version)}
                  >
                    Roll back to this
                  </button>
                )}
              </td>
            </tr>
          ))}
          {s.versions.length === 0 && (
            <tr>
              <td colSpan={6} className="muted">
                No content installed from bundles.
              </td>
            </tr>
          )}
        </tbody>
      </table>
      <FieldError label="Content problem" message={errorAt('content')} />
    </section>
  )
}
