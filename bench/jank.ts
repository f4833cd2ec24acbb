// npm run bench -- jank: is the console smooth with 100k events stored and more arriving?
// A fresh `outpost serve` takes BENCH_JANK_EVENTS (100,000) synthetic events; then Debian's
// Chromium opens Events, Dashboard and Hunt in turn. On each view the main thread's long tasks
// (> 50 ms, a PerformanceObserver) are recorded twice in the same page: idle (the baseline: the
// view open, nothing arriving, nobody scrolling) and busy (the operator scrolls with the wheel
// while a forwarder pushes 500 events every 100 ms). Prints one JSON object: per view, the longest
// task and the count over 50 ms, idle and busy; `longest_ms` over all busy phases.
// To see where the time goes: BENCH_JANK_PROFILE=<dir> writes each view's busy phase as a CPU
// profile (<view>.cpuprofile, open in Chrome DevTools); build with OUTPOST_NO_MINIFY=1 first
// (`OUTPOST_NO_MINIFY=1 npx electron-vite build`) for readable function names.
import { chromium, type Page } from 'playwright-core'
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnServe } from '../collector/host/serve-process'
import { serveCaller } from './serve-api'
import { chromiumPath } from '../e2e/chromium'

const EVENTS = Number(process.env.BENCH_JANK_EVENTS ?? 100_000)
const PHASE_MS = Number(process.env.BENCH_JANK_PHASE_MS ?? 4000)
const BATCH = 5000
/** `both` (default), or `scroll` / `push` alone, to tell which one costs. */
const BUSY = process.env.BENCH_JANK_BUSY ?? 'both'
const ONLY = process.env.BENCH_JANK_VIEWS?.split(',')
/** A folder: each view's busy phase is CPU-profiled (CDP Profiler) into <view>.cpuprofile there. */
const PROFILE_DIR = process.env.BENCH_JANK_PROFILE
/**
 * A folder: each view's busy phase is traced (<view>.trace.json, for Chrome DevTools) and `trace`
 * says how many tasks were long by wall time and by the main thread's own CPU time.
 */
const TRACE_DIR = process.env.BENCH_JANK_TRACE

const event = (i: number): object => ({
  '@timestamp': new Date(Date.UTC(2026, 10, 21, 0, 0, 0) + i * 250).toISOString(),
  'host.name': `host-${i % 300}`,
  'user.name': `user${i % 97}`,
  severity: ['info', 'warning', 'error'][i % 3],
  message: `sshd[${1000 + (i % 5000)}]: Accepted publickey for user${i % 97} from 10.0.${i % 250}.${i % 200} port ${20000 + (i % 40000)}`,
})

type Phase = { long_tasks: number; over_50ms: number; longest_ms: number }
/** From a trace: the renderer's tasks over 50 ms by wall time, and by the main thread's CPU time. */
type Traced = { over_50ms_wall: number; over_50ms_thread: number; longest_thread_ms: number }

type TraceEvent = {
  name: string
  ph: string
  pid: number
  tid: number
  dur?: number
  tdur?: number
  args?: { name?: string }
}
/**
 * On a loaded machine (2 cores shared) a task can be long on the wall clock while the main thread
 * was descheduled: its thread time says how much work it really did.
 */
const traced = (file: string): Traced => {
  const raw = JSON.parse(readFileSync(file, 'utf8')) as { traceEvents: TraceEvent[] } | TraceEvent[]
  const events = Array.isArray(raw) ? raw : raw.traceEvents
  const main = events.find((e) => e.name === 'thread_name' && e.args?.name === 'CrRendererMain')
  const tasks = events.filter(
    (e) => main && e.pid === main.pid && e.tid === main.tid && e.ph === 'X' && e.name === 'RunTask',
  )
  const thread = tasks.map((t) => (t.tdur ?? 0) / 1000)
  return {
    over_50ms_wall: tasks.filter((t) => (t.dur ?? 0) > 50_000).length,
    over_50ms_thread: thread.filter((ms) => ms > 50).length,
    longest_thread_ms: Math.round(Math.max(0, ...thread)),
  }
}

const watch = (page: Page): Promise<void> =>
  // As a string: tsx names functions with a helper the page does not have.
  page.evaluate(`(() => {
    window.longTasks_ = []
    new PerformanceObserver((list) => {
      for (const e of list.getEntries()) window.longTasks_.push(e.duration)
    }).observe({ type: 'longtask', buffered: false })
  })()`)

const take = async (page: Page): Promise<Phase> => {
  const tasks = await page.evaluate<number[]>('window.longTasks_.splice(0)')
  return {
    long_tasks: tasks.length,
    over_50ms: tasks.filter((d) => d > 50).length,
    longest_ms: Math.round(Math.max(0, ...tasks)),
  }
}

const main = async (): Promise<void> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-bench-jank-'))
  const serve = await spawnServe(['--data-dir', dataDir, '--port', '0', '--log-level', 'warn'])
  const call = serveCaller(serve)
  let next = 0
  const ingest = async (n: number): Promise<void> => {
    const batch = Array.from({ length: n }, () => event(next++))
    const response = await fetch(`http://127.0.0.1:${serve.ready.listeners.http}/v1/events`, {
      method: 'POST',
      body: JSON.stringify(batch),
    })
    if (response.status !== 200) throw new Error(`ingest refused: ${response.status}`)
  }
  const browser = await chromium.launch({ executablePath: chromiumPath() })
  try {
    const seeded = performance.now()
    while (next < EVENTS) await ingest(Math.min(BATCH, EVENTS - next))
    for (let i = 0; (await call('system:info', {})).sqlite.events < EVENTS; i++) {
      if (i > 1200) throw new Error('the events were not all stored after 120 s')
      await new Promise((r) => setTimeout(r, 100))
    }
    const seedMs = performance.now() - seeded

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    const views: Record<string, { idle: Phase; busy: Phase; trace?: Traced }> = {}
    for (const [view, heading, scroller] of [
      ['events', 'Events', '.grid-body'],
      ['dashboard', 'Dashboard', '.main'],
      ['hunt', 'Hunt', '.main'],
    ] as const) {
      if (ONLY && !ONLY.includes(view)) continue
      await page.goto(`${serve.ready.url}#/${view}`)
      await page.getByRole('heading', { name: heading, exact: true }).waitFor()
      await page.waitForLoadState('networkidle')
      await watch(page)
      const cdp = PROFILE_DIR ? await page.context().newCDPSession(page) : null
      // Idle: the baseline.
      await page.waitForTimeout(PHASE_MS)
      const idle = await take(page)
      // Busy: scroll while pushes arrive.
      let pushing = BUSY !== 'scroll'
      const pusher = (async () => {
        while (pushing) {
          await ingest(500)
          await new Promise((r) => setTimeout(r, 100))
        }
      })()
      if (TRACE_DIR)
        await browser.startTracing(page, {
          path: join(TRACE_DIR, `${view}.trace.json`),
          categories: ['devtools.timeline', 'disabled-by-default-devtools.timeline', 'v8', 'blink'],
        })
      if (cdp) {
        await cdp.send('Profiler.enable')
        await cdp.send('Profiler.setSamplingInterval', { interval: 200 })
        await cdp.send('Profiler.start')
      }
      const box = await page.locator(scroller).first().boundingBox()
      if (box) await page.mouse.move(box.x + box.width / 2, box.y + Math.min(box.height / 2, 300))
      const until = Date.now() + PHASE_MS
      for (let i = 0; Date.now() < until; i++) {
        if (BUSY !== 'push') await page.mouse.wheel(0, i % 40 < 30 ? 600 : -900)
        await page.waitForTimeout(30)
      }
      pushing = false
      await pusher
      await page.waitForTimeout(300)
      views[view] = { idle, busy: await take(page) }
      if (TRACE_DIR) {
        await browser.stopTracing()
        views[view].trace = traced(join(TRACE_DIR, `${view}.trace.json`))
      }
      if (cdp && PROFILE_DIR) {
        const { profile } = await cdp.send('Profiler.stop')
        writeFileSync(join(PROFILE_DIR, `${view}.cpuprofile`), JSON.stringify(profile))
        await cdp.detach()
      }
    }
    const busy = Object.values(views).map((v) => v.busy)
    process.stdout.write(
      `${JSON.stringify({
        name: 'jank',
        events_stored: (await call('system:info', {})).sqlite.events,
        seed_s: Number((seedMs / 1000).toFixed(1)),
        phase_ms: PHASE_MS,
        busy: BUSY,
        views,
        longest_ms: Math.max(...busy.map((p) => p.longest_ms)),
        over_50ms: busy.reduce((sum, p) => sum + p.over_50ms, 0),
        baseline_longest_ms: Math.max(...Object.values(views).map((v) => v.idle.longest_ms)),
      })}\n`,
    )
  } finally {
    await browser.close()
    await serve.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
