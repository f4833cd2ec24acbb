import { CollectorPage } from './pages/collector.page'
import { expect, test } from './fixtures'

test('a metric posted to /v1/metrics is charted under its source in the Collector view', async ({
  page,
  outpost,
}) => {
  const collector = new CollectorPage(page)
  await collector.open(outpost.ready.url)
  await expect(collector.metrics).toContainText('No metrics yet')
  await expect(collector.metrics).toContainText(`127.0.0.1:${outpost.ready.listeners.http}/v1/metrics`)

  const now = Date.now()
  const body = [0, 1, 2, 3]
    .map((i) =>
      JSON.stringify({
        source: 'e2e-web',
        name: 'e2e.cpu.load',
        value: i / 4,
        timestamp: now - (3 - i) * 60_000,
      }),
    )
    .join('\n')
  const answer = await fetch(`http://127.0.0.1:${outpost.ready.listeners.http}/v1/metrics`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body,
  })
  expect(await answer.json()).toEqual({ accepted: 4 })

  // Refreshed every 2 s, like the rest of the view.
  await expect(collector.metrics.getByLabel('Source')).toHaveValue('e2e-web', { timeout: 5000 })
  await expect(collector.metrics).toContainText('e2e.cpu.load')
  const chart = collector.metrics.getByRole('img', { name: 'Chart of e2e.cpu.load' })
  await expect(chart).toBeVisible()
  await expect(chart.locator('.recharts-line-curve')).toHaveCount(1, { timeout: 5000 })
})
