import { useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import type { Asset, Criticality } from '../../../../collector/contract'
import { formatTimeShort } from '../../components/format'
import { LevelBadge } from '../../components/LevelBadge'
import { routeHref } from '../../app/use-route'
import { CRITICALITIES } from '../../state/assets-slice'
import { useAppStore } from '../../state/store'
import { assetHref, CRITICALITY_LABEL, graphHref, KIND_LABEL, RELATION_LABEL } from './labels'

type Form = { owner: string; criticality: Criticality | ''; role: string; tags: string; note: string }
const formFrom = (asset: Asset): Form => ({
  owner: asset.owner ?? '',
  criticality: asset.criticality ?? '',
  role: asset.role ?? '',
  tags: asset.tags.join(', '),
  note: asset.note ?? '',
})

/** What events cannot say about an asset: the analyst's fields, saved through assets:update. */
const ManualFields = ({ asset }: { asset: Asset }) => {
  const { update, error } = useAppStore(
    useShallow((s) => ({ update: s.updateAsset, error: s.assetSaveError })),
  )
  const [form, setForm] = useState(() => formFrom(asset))
  const [saved, setSaved] = useState(false)
  const edit = (patch: Partial<Form>) => {
    setSaved(false)
    setForm((f) => ({ ...f, ...patch }))
  }
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    const ok = await update(asset.id, {
      owner: form.owner.trim() || null,
      criticality: form.criticality || null,
      role: form.role.trim() || null,
      tags: [
        ...new Set(
          form.tags
            .split(',')
            .map((t) => t.trim())
            .filter(Boolean),
        ),
      ],
      note: form.note.trim() || null,
    })
    setSaved(ok)
  }
  return (
    <form className="asset-form" aria-label="Asset details" onSubmit={(e) => void submit(e)}>
      <label>
        Owner <input value={form.owner} onChange={(e) => edit({ owner: e.target.value })} />
      </label>
      <label>
        Criticality{' '}
        <select
          aria-label="Criticality"
          value={form.criticality}
          onChange={(e) => edit({ criticality: e.target.value as Criticality | '' })}
        >
          <option value="">not set</option>
          {CRITICALITIES.map((c) => (
            <option key={c} value={c}>
              {CRITICALITY_LABEL[c]}
            </option>
          ))}
        </select>
      </label>
      <label>
        Role <input value={form.role} onChange={(e) => edit({ role: e.target.value })} />
      </label>
      <label>
        Tags{' '}
        <input
          value={form.tags}
          placeholder="comma, separated"
          onChange={(e) => edit({ tags: e.target.value })}
        />
      </label>
      <label className="wide">
        Note <textarea value={form.note} onChange={(e) => edit({ note: e.target.value })} />
      </label>
      {error && (
        <p className="error" role="alert" aria-label="Asset problem">
          {error}
        </p>
      )}
      <span className="form-actions">
        <button type="submit">Save</button>
        {saved && <span className="muted">saved</span>}
      </span>
    </form>
  )
}

/** One asset: what events say of it, the analyst's fields, its neighbours, alerts, incidents, events. */
export const AssetPage = ({ id }: { id: string }) => {
  const { detail, error } = useAppStore(
    useShallow((s) => ({ detail: s.assetDetail, error: s.assetDetailError })),
  )
  if (error)
    return (
      <section className="asset-page">
        <a href="#/assets">← Assets</a>
        <p className="error" role="alert">
          {error}
        </p>
      </section>
    )
  if (!detail || detail.asset.id !== id) return <p className="muted asset-page">loading…</p>
  const { asset, links, alerts, incidents, events } = detail
  return (
    <section className="asset-page" aria-label={`Asset ${asset.value}`}>
      <div className="asset-head">
        <a href="#/assets">← Assets</a>
        <span className="kind-badge" data-kind={asset.kind}>
          {KIND_LABEL[asset.kind]}
        </span>
        <h2 className="mono">{asset.value}</h2>
        <span className="spacer" />
        <a href={graphHref(asset.id)}>Show in graph</a>
      </div>
      <dl className="kv asset-facts">
        <dt>First seen (UTC)</dt>
        <dd className="mono">{asset.first_seen ? formatTimeShort(asset.first_seen) : 'not seen yet'}</dd>
        <dt>Last seen (UTC)</dt>
        <dd className="mono">{asset.last_seen ? formatTimeShort(asset.last_seen) : '—'}</dd>
        <dt>Events</dt>
        <dd>{asset.events.toLocaleString()}</dd>
        <dt>Alerts</dt>
        <dd>{asset.alerts.toLocaleString()}</dd>
      </dl>
      <ManualFields key={asset.id} asset={asset} />

      <h3>Linked assets ({links.length.toLocaleString()})</h3>
      {links.length === 0 ? (
        <p className="muted">No other asset seen with it yet.</p>
      ) : (
        <table className="table" aria-label="Linked assets">
          <thead>
            <tr>
              <th>Relation</th>
              <th>Asset</th>
              <th className="num">Events</th>
              <th>Last seen (UTC)</th>
            </tr>
          </thead>
          <tbody>
            {links.map((link) => (
              <tr key={`${link.relation}|${link.direction}|${link.asset.id}`}>
                <td>
                  {link.direction === 'out'
                    ? RELATION_LABEL[link.relation]
                    : `${RELATION_LABEL[link.relation]} (from)`}
                </td>
                <td>
                  <span className="kind-badge" data-kind={link.asset.kind}>
                    {KIND_LABEL[link.asset.kind]}
                  </span>{' '}
                  <a className="mono" href={assetHref(link.asset.id)}>
                    {link.asset.value}
                  </a>
                </td>
                <td className="num">{link.events.toLocaleString()}</td>
                <td className="mono">{formatTimeShort(link.last_seen)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>Alerts ({alerts.length.toLocaleString()})</h3>
      {alerts.length === 0 ? (
        <p className="muted">No alert names it.</p>
      ) : (
        <table className="table" aria-label="Alerts on this asset">
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Level</th>
              <th>Title</th>
              <th>Status</th>
            </tr>
          </thead>
          <tbody>
            {alerts.map((alert) => (
              <tr key={alert.id}>
                <td className="mono">{formatTimeShort(alert.timestamp)}</td>
                <td>
                  <LevelBadge level={alert.level} />
                </td>
                <td>{alert.title}</td>
                <td>{alert.status}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}

      <h3>Incidents ({incidents.length.toLocaleString()})</h3>
      {incidents.length === 0 ? (
        <p className="muted">None.</p>
      ) : (
        <ul aria-label="Incidents on this asset">
          {incidents.map((incident) => (
            <li key={incident.id}>
              <a href={`#/incidents?id=${encodeURIComponent(incident.id)}`}>{incident.title}</a>{' '}
              <span className="muted">{incident.status}</span>
            </li>
          ))}
        </ul>
      )}

      <h3>Recent events</h3>
      {events.length === 0 ? (
        <p className="muted">None kept.</p>
      ) : (
        <table className="table" aria-label="Recent events">
          <thead>
            <tr>
              <th>Time (UTC)</th>
              <th>Host</th>
              <th>Message</th>
            </tr>
          </thead>
          <tbody>
            {events.map((event) => (
              <tr key={event.id}>
                <td className="mono">
                  <a href={routeHref('events', { id: event.id })}>{formatTimeShort(event.timestamp)}</a>
                </td>
                <td>{event.host ?? ''}</td>
                <td className="ellipsis" title={event.message ?? ''}>
                  {event.message ?? ''}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </section>
  )
}
