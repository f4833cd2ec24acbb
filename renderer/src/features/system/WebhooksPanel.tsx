import { useEffect, useState, type FormEvent } from 'react'
import { useShallow } from 'zustand/react/shallow'
import { WEBHOOK_EVENTS, type WebhookEvent } from '../../../../collector/contract'
import { FieldError } from '../../components/FieldError'
import { formatTimeShort } from '../../components/format'
import { useAppStore } from '../../state/store'
import { TextField } from '../../components/filters'

/** Webhook subscriptions (signed POSTs to local automation), their deliveries and dead letters. */
export const WebhooksPanel = () => {
  const s = useAppStore(
    useShallow((state) => ({
      subscriptions: state.webhooks,
      allow: state.webhookAllow,
      deliveries: state.webhookDeliveries,
      error: state.webhookError,
      load: state.loadWebhooks,
      save: state.saveWebhook,
      remove: state.deleteWebhook,
      test: state.testWebhook,
    })),
  )
  const { load } = s
  useEffect(() => void load(), [load])
  const [name, setName] = useState('')
  const [url, setUrl] = useState('')
  const [events, setEvents] = useState<WebhookEvent[]>(['alert.raised'])
  const submit = async (e: FormEvent) => {
    e.preventDefault()
    if (await s.save({ name, url, events })) {
      setName('')
      setUrl('')
    }
  }
  return (
    <section className="panel" aria-label="Webhooks">
      <h2>Webhooks</h2>
      <p className="muted">
        {s.allow.length === 0
          ? 'Off: no destination is allowed. Add URL prefixes to Webhooks in Settings (applies at once).'
          : `Allowed destinations: ${s.allow.join(', ')}`}
      </p>
      <table className="table" aria-label="Webhook subscriptions">
        <thead>
          <tr>
            <th>Name</th>
            <th>URL</th>
            <th>Events</th>
            <th>Secret (HMAC-SHA256 key)</th>
            <th>
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {s.subscriptions.map((w) => (
            <tr key={w.id}>
              <td>
                {w.name}
                {!w.enabled && ' (off)'}
              </td>
              <td className="mono wrap">{w.url}</td>
              <td>{w.events.join(', ')}</td>
              <td className="mono sha">{w.secret}</td>
              <td>
                <button type="button" aria-label={`Test ${w.name}`} onClick={() => void s.test(w.id)}>
                  Test
                </button>{' '}
                <button type="button" aria-label={`Delete ${w.name}`} onClick={() => void s.remove(w.id)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <form className="field-row" aria-label="New webhook" onSubmit={(e) => void submit(e)}>
        <TextField label="Name" name="Webhook name" value={name} onChange={setName} />
        <label className="field grow">
          <span>URL</span>
          <input aria-label="Webhook URL" value={url} onChange={(e) => setUrl(e.target.value)} />
        </label>
        <fieldset>
          <legend>Events</legend>
          {WEBHOOK_EVENTS.map((event) => (
            <label key={event}>
              <input
                type="checkbox"
                checked={events.includes(event)}
                onChange={(e) =>
                  setEvents(e.target.checked ? [...events, event] : events.filter((x) => x !== event))
                }
              />{' '}
              {event}
            </label>
          ))}
        </fieldset>
        <button type="submit">Add webhook</button>
      </form>
      <FieldError label="Webhook problem" message={s.error ?? undefined} />
      <table className="table" aria-label="Webhook deliveries">
        <thead>
          <tr>
            <th>Time</th>
            <th>Event</th>
            <th>Status</th>
            <th>Attempts</th>
            <th>Last error</th>
          </tr>
        </thead>
        <tbody>
          {s.deliveries.map((d) => (
            <tr key={d.id} data-status={d.status}>
              <td className="mono">{formatTimeShort(d.created_at)}</td>
              <td>{d.event}</td>
              <td>{d.status === 'dead' ? 'dead letter' : d.status}</td>
              <td className="mono">{d.attempts}</td>
              <td className="wrap">{d.last_error ?? ''}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  )
}
