import { connect } from 'node:net'
import { afterEach, describe, expect, it } from 'vitest'
import { silentLogger } from '../host/log'
import type { NewEvent } from '../store/sqlite/events-repo'
import type { IngestPipeline } from './pipeline'
import { SourceStats } from './source-stats'
import { syslogEvent } from './syslog-event'
import { SyslogTcpListener } from './syslog-tcp'

/** A pipeline whose commits wait until `release()`: a disk that has stalled. */
const stalledPipeline = () => {
  const batches: number[] = []
  let release: () => void = () => {}
  const released = new Promise<void>((resolve) => (release = resolve))
  const pipeline = {
    submit: async (events: readonly NewEvent[]) => {
      batches.push(events.length)
      await released
    },
  } as unknown as IngestPipeline
  return { pipeline, batches, release }
}

let listener: SyslogTcpListener | undefined
afterEach(async () => {
  await listener?.stop()
  listener = undefined
})

describe('SyslogTcpListener flow control', () => {
  it('reads on while a batch commits, pauses past 1 MiB queued, and stores everything after', async () => {
    const { pipeline, batches, release } = stalledPipeline()
    const stats = new SourceStats()
    listener = new SyslogTcpListener(
      { host: '127.0.0.1', port: 0, maxMessageBytes: 65536, idleTimeoutMs: 10_000 },
      pipeline,
      syslogEvent,
      stats,
      silentLogger,
    )
    const { port } = await listener.start()
    const line = `<13>Nov 22 10:00:00 fw-01 app: ${'x'.repeat(160)}\n`
    const count = 40_000 // ~8 MB, far past the queue limit and the loopback buffers
    const socket = connect(port, '127.0.0.1')
    socket.write(line.repeat(count))
    const closed = new Promise((resolve) => socket.once('close', resolve))
    socket.end()

    await new Promise((r) => setTimeout(r, 300))
    const held = stats.snapshot()[0]!.bytes
    expect(held).toBeGreaterThan(1024 * 1024)
    expect(held).toBeLessThan(2 * 1024 * 1024) // paused: the rest waits in the sender's buffers

    release()
    await closed
    expect(batches.reduce((a, b) => a + b, 0)).toBe(count)
    // What queued up during the stall went in one batch, not one commit per read.
    expect(batches[1]).toBeGreaterThan((1024 * 1024) / line.length)
    expect(stats.snapshot()[0]).toMatchObject({ events: count, errors: 0, drops: 0 })
  })
})
