// npm run bench -- graph: the entity graph view in Debian's Chromium with a few thousand nodes.
// A fresh `outpost serve` takes synthetic Sysmon events (hosts, users, programs, many remote
// addresses) until its inventory holds them, then the Graph view draws all of it (limit 5,000).
// Measured: the time from asking for the graph to its layout done; frame times and long tasks
// (> 50 ms, the main thread blocked) while the analyst zooms and pans with the mouse. The
// physical baseline, in the same page: drawing the same number of circles and lines once on a
// bare 2D canvas, the least any renderer of this graph must do per frame. Prints one JSON object.
import { chromium } from 'playwright-core'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { spawnServe } from '../collector/host/serve-process'
import { serveCaller } from './serve-api'
import { chromiumPath } from '../e2e/chromium'

const HOSTS = Number(process.env.BENCH_GRAPH_HOSTS ?? 300)
const USERS = Number(process.env.BENCH_GRAPH_USERS ?? 500)
const PROGRAMS = Number(process.env.BENCH_GRAPH_PROGRAMS ?? 700)
const REMOTES = Number(process.env.BENCH_GRAPH_REMOTES ?? 3500)
const EVENTS = Number(process.env.BENCH_GRAPH_EVENTS ?? 12_000)
const STEPS = 30

const events = (): object[] =>
  Array.from({ length: EVENTS }, (_, i) => ({
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 3,
    Computer: `host-${i % HOSTS}.corp.local`,
    '@timestamp': new Date(Date.UTC(2026, 10, 21, 8, 0, 0, i)).toISOString(),
    User: `CORP\\user${(i * 7) % USERS}`,
    Image: `C:\\Program Files\\P${(i * 13) % PROGRAMS}\\p.exe`,
    Initiated: 'true',
    SourceIp: `10.${Math.floor((i % HOSTS) / 250)}.${i % 250}.1`,
    DestinationIp: `198.${18 + Math.floor((i % REMOTES) / 65_000)}.${Math.floor((i % REMOTES) / 250) % 256}.${i % 250}`,
    DestinationPort: 443,
  }))

const percentile = (values: number[], p: number): number => {
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? NaN
}

const main = async (): Promise<void> => {
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-bench-graph-'))
  const serve = await spawnServe(['--data-dir', dataDir, '--port', '0', '--log-level', 'warn'])
  const call = serveCaller(serve)
  const browser = await chromium.launch({ executablePath: chromiumPath() })
  try {
    const all = events()
    for (let i = 0; i < all.length; i += 2000) {
      const response = await fetch(`http://127.0.0.1:${serve.ready.listeners.http}/v1/events`, {
        method: 'POST',
        body: JSON.stringify(all.slice(i, i + 2000)),
      })
      if (response.status !== 200) throw new Error(`ingest refused: ${response.status}`)
    }
    for (let i = 0; ; i++) {
      const { total } = await call('assets:list', { kind: 'ip', limit: 1 })
      if (total >= Math.min(REMOTES, EVENTS)) break
      if (i > 600) throw new Error(`the inventory holds ${total} addresses after 60 s`)
      await new Promise((r) => setTimeout(r, 100))
    }

    const page = await browser.newPage({ viewport: { width: 1400, height: 900 } })
    await page.goto(`${serve.ready.url}#/assets?view=graph`)
    const canvas = page.locator('.graph-canvas')
    await canvas.waitFor()
    await page.waitForSelector('.graph-canvas[data-layout="done"]')
    // The main thread's long tasks from here on.
    await page.evaluate(() => {
      const w = window as unknown as { longTasks: number[] }
      w.longTasks = []
      new PerformanceObserver((list) => {
        for (const entry of list.getEntries()) w.longTasks.push(entry.duration)
      }).observe({ type: 'longtask', buffered: false })
    })
    const started = performance.now()
    await page.getByText('Nodes at most').locator('..').locator('select').selectOption('5000')
    await page.waitForFunction(
      () => {
        const el = document.querySelector<HTMLElement>('.graph-canvas')
        return el !== null && Number(el.dataset.nodes) > 2000 && el.dataset.layout === 'done'
      },
      undefined,
      { timeout: 120_000, polling: 16 },
    )
    const loadMs = performance.now() - started
    const nodes = Number(await canvas.getAttribute('data-nodes'))
    const edges = Number(await canvas.getAttribute('data-edges'))
    const loadLongTasks = await page.evaluate(() =>
      (window as unknown as { longTasks: number[] }).longTasks.splice(0),
    )

    // Zoom and pan with the mouse while counting frames.
    // As a string: tsx names functions with a helper the page does not have.
    await page.evaluate(`(() => {
      window.frames_ = []
      window.counting = true
      let last = performance.now()
      function tick(now) {
        window.frames_.push(now - last)
        last = now
        if (window.counting) requestAnimationFrame(tick)
      }
      requestAnimationFrame(tick)
    })()`)
    const box = (await canvas.boundingBox())!
    const cx = box.x + box.width / 2
    const cy = box.y + box.height / 2
    await page.mouse.move(cx, cy)
    for (let i = 0; i < STEPS; i++) {
      await page.mouse.wheel(0, i < STEPS / 2 ? -120 : 120)
      await page.waitForTimeout(16)
    }
    for (let i = 0; i < STEPS / 3; i++) {
      await page.mouse.move(cx, cy)
      await page.mouse.down()
      await page.mouse.move(cx + 150, cy + 80, { steps: 8 })
      await page.mouse.up()
    }
    await page.waitForTimeout(200)
    const interaction = await page.evaluate(() => {
      const w = window as unknown as { frames_: number[]; counting: boolean; longTasks: number[] }
      w.counting = false
      return { frames: w.frames_.slice(1), longTasks: w.longTasks.splice(0) }
    })

    // The physical baseline: the same circles and lines on a bare canvas, once.
    const baselineMs = await page.evaluate(
      ({ n, m }) => {
        const c = document.createElement('canvas')
        c.width = 1200
        c.height = 800
        document.body.appendChild(c)
        const g = c.getContext('2d')!
        const xs = Float64Array.from({ length: n }, () => Math.random() * 1200)
        const ys = Float64Array.from({ length: n }, () => Math.random() * 800)
        const runs: number[] = []
        for (let r = 0; r < 5; r++) {
          const t = performance.now()
          g.clearRect(0, 0, 1200, 800)
          g.beginPath()
          for (let i = 0; i < m; i++) {
            const a = i % n
            const b = (i * 7919) % n
            g.moveTo(xs[a]!, ys[a]!)
            g.lineTo(xs[b]!, ys[b]!)
          }
          g.stroke()
          for (let i = 0; i < n; i++) {
            g.beginPath()
            g.arc(xs[i]!, ys[i]!, 6, 0, Math.PI * 2)
            g.fill()
          }
          g.getImageData(0, 0, 1, 1) // wait for the drawing to be done
          runs.push(performance.now() - t)
        }
        c.remove()
        return runs.sort((x, y) => x - y)[2]!
      },
      { n: nodes, m: edges },
    )

    const frameP95 = percentile(interaction.frames, 95)
    process.stdout.write(
      `${JSON.stringify({
        name: 'graph',
        nodes,
        edges,
        load_ms: Math.round(loadMs),
        load_long_tasks: { count: loadLongTasks.length, max_ms: Math.round(Math.max(0, ...loadLongTasks)) },
        interaction: {
          frames: interaction.frames.length,
          frame_p50_ms: Number(percentile(interaction.frames, 50).toFixed(1)),
          frame_p95_ms: Number(frameP95.toFixed(1)),
          long_tasks: interaction.longTasks.length,
          long_task_max_ms: Math.round(Math.max(0, ...interaction.longTasks)),
        },
        canvas_baseline_ms: Number(baselineMs.toFixed(1)),
        ratio: Number((baselineMs / frameP95).toFixed(3)),
      })}\n`,
    )
  } finally {
    await browser.close()
    await serve.stop()
    rmSync(dataDir, { recursive: true, force: true })
  }
}

await main()
