// npm run bench -- nats-publish: a console's outbox published to NATS JetStream (a real
// nats-server -js on loopback, file storage). Measured: records per second from a full outbox
// (incident records of about 1 KB) to every PubAck, the cursor moved in SQLite after each. The
// physical baseline, in the same run on the same server: bare JetStream publishes of the same
// messages, one awaited PubAck at a time (what publishing in order requires), no SQLite.
// Prints one JSON object.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { jetstream, jetstreamManager } from '@nats-io/jetstream'
import { connect } from '@nats-io/transport-node'
import { SyncStore } from '../collector/sync/connector/sync-store'
import { NatsConfig } from '../collector/sync/nats/config'
import { NatsOutboxPublisher } from '../collector/sync/nats/outbox-publisher'
import { ensureStream, STREAM } from '../collector/sync/nats/stream'
import { findNatsServer, startNatsServer } from '../collector/sync/nats/test-nats-server'
import { SqliteStore } from '../collector/store/sqlite/sqlite-store'

const RECORDS = Number(process.env.BENCH_NATS_RECORDS ?? 5000)

const body = (i: number): Record<string, unknown> => ({
  title: `Incident ${i}`,
  status: 'triage',
  timeline: Array.from({ length: 6 }, (_, j) => ({ at: `2026-12-07T12:00:0${j}Z`, text: 'x'.repeat(120) })),
})

const main = async (): Promise<void> => {
  const binary = findNatsServer()
  if (!binary) throw new Error('nats-server not found: apt-get install nats-server')
  const dir = mkdtempSync(join(tmpdir(), 'outpost-bench-nats-'))
  const server = await startNatsServer(binary, join(dir, 'js'))
  const sqlite = SqliteStore.open(join(dir, 'outpost.sqlite'), { synchronous: 'normal' })
  try {
    const nc = await connect({ servers: server.url })
    await ensureStream(await jetstreamManager(nc), { replicas: 1, duplicateWindowS: 120 })

    // Baseline: the same messages, one awaited publish after another.
    const js = jetstream(nc)
    const payloads = Array.from({ length: RECORDS }, (_, i) =>
      JSON.stringify({ key: `base:${i}`, record: { kind: 'incident', id: `b${i}`, body: body(i) } }),
    )
    let started = performance.now()
    for (let i = 0; i < RECORDS; i++)
      await js.publish('outpost.bench.incident', payloads[i], { msgID: `base:${i}` })
    const baselineMs = performance.now() - started

    // The console's channel: a full outbox, published until the NATS queue is empty.
    const store = new SyncStore(sqlite.db)
    store.useNats(true)
    sqlite.db.transaction(() => {
      for (let i = 0; i < RECORDS; i++) store.enqueue('incident', `inc-${i}`, body(i))
    })()
    const publisher = new NatsOutboxPublisher({
      store,
      config: NatsConfig.parse({ enabled: true, servers: [server.url], site: 'bench' }),
    })
    started = performance.now()
    publisher.start()
    while (store.natsDepth() > 0) await new Promise((r) => setTimeout(r, 5))
    const outboxMs = performance.now() - started
    await publisher.stop()
    const info = await (await jetstreamManager(nc)).streams.info(STREAM)
    await nc.close()
    const result = {
      bench: 'nats-publish',
      records: RECORDS,
      stream_messages: info.state.messages,
      outbox_records_per_s: Math.round(RECORDS / (outboxMs / 1000)),
      baseline_records_per_s: Math.round(RECORDS / (baselineMs / 1000)),
      ratio_to_baseline: Number((baselineMs / outboxMs).toFixed(2)),
    }
    process.stdout.write(JSON.stringify(result) + '\n')
  } finally {
    sqlite.close()
    await server.stop()
    rmSync(dir, { recursive: true, force: true })
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack ?? String(error)}\n`)
  process.exit(1)
})
