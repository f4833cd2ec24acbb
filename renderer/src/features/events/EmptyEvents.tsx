import { ForwarderSnippets } from '../../components/ForwarderSnippets'

/** What to do next when nothing has arrived yet: a snippet that works as pasted. */
export const EmptyEvents = ({ httpPort }: { httpPort: number | undefined }) => (
  <section className="empty" aria-label="No events yet">
    <h2>No events yet</h2>
    {httpPort === undefined ? (
      <p>
        The HTTP listener is off. Turn on <code>listeners.http</code> in the data dir's config.yaml and
        restart Outpost.
      </p>
    ) : (
      <>
        <p>
          Point a forwarder at the collector, or send a first event by hand to{' '}
          <code>127.0.0.1:{httpPort}</code>:
        </p>
        <pre>{`curl -s http://127.0.0.1:${httpPort}/v1/events \\
  -H 'content-type: application/json' \\
  -d '{"message":"hello from curl","host.name":"'$(hostname)'"}'`}</pre>
        <p className="muted">
          The body may be one JSON object, an array of objects, or NDJSON (one object per line).
        </p>
      </>
    )}
    <ForwarderSnippets />
  </section>
)
