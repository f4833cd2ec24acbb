import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { AgentsPage } from './pages/agents.page'
import { AlertsPage } from './pages/alerts.page'

test('the Agents view runs the monitor now, shows the run in its history and edits an interval', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  await page.goto(outpost.ready.url)
  const agents = new AgentsPage(page)
  await agents.open()
  await expect(page.getByRole('heading', { name: 'Agents', exact: true })).toBeVisible()
  await expect(agents.table.getByRole('row')).toHaveCount(4)
  await expect(agents.row('Monitor')).toContainText('never run')
  await expect(page.getByRole('region', { name: 'Run history of Monitor' })).toContainText('No runs yet')

  await agents.runNow('Monitor').click()
  const runs = agents.history('Monitor').getByRole('row')
  await expect(runs).toHaveCount(2)
  await expect(runs.nth(1)).toContainText('manual')
  await expect(runs.nth(1)).toContainText('ok')
  await expect(runs.nth(1)).toContainText('healthy')
  await expect(agents.row('Monitor')).toContainText('healthy')
  // The run's output folds out: what the monitor checked.
  await runs.nth(1).getByText('Output').click()
  await expect(runs.nth(1).locator('pre')).toContainText('"free_bytes"')

  // A bad interval is refused beside the field; a good one is saved and re-plans the next run.
  await agents.interval('Monitor').fill('30')
  await agents.saveInterval('Monitor').click()
  await expect(agents.error('Monitor')).toHaveText('At least 60 s (1 minute)')
  await expect(agents.interval('Monitor')).toHaveAttribute('aria-invalid', 'true')
  await agents.interval('Monitor').fill('600')
  await agents.saveInterval('Monitor').click()
  await expect(agents.error('Monitor')).toHaveCount(0)
  await expect(agents.row('Monitor')).toContainText('10 min')
  const { agents: listed } = await outpost.call('agents:list', {})
  const monitor = listed.find((a) => a.name === 'monitor')!
  expect(monitor.interval_s).toBe(600)
  expect(Date.parse(monitor.next_run_at!) - Date.parse(monitor.last_run!.started_at)).toBe(600_000)

  // Disabled: no next run.
  await agents.enabled('Analyzer').uncheck()
  await expect(agents.row('Analyzer')).toContainText('disabled')
  expect((await outpost.call('agents:list', {})).agents.find((a) => a.name === 'analyzer')!.enabled).toBe(
    false,
  )

  // A change made elsewhere (another analyst, the API) shows live.
  await outpost.call('agents:update', { name: 'executor', interval_s: 1200 })
  await expect(agents.interval('Executor')).toHaveValue('1200')

  // The analyzer's history, run from here too.
  await page.getByRole('button', { name: 'History of Analyzer' }).click()
  await agents.runNow('Analyzer').click()
  await expect(agents.history('Analyzer').getByRole('row').nth(1)).toContainText('nothing unusual')

  // Its thresholds: refused with the option named, then saved.
  const options = page.getByRole('textbox', { name: 'Analyzer options (JSON)' })
  await expect(options).toContainText('"brute_force_threshold": 10')
  await options.fill('{"window_s": 5}')
  await page.getByRole('button', { name: 'Save options of Analyzer' }).click()
  await expect(page.getByRole('alert', { name: 'Analyzer options error' })).toHaveText(
    'options.window_s: window_s must be at least 60 s',
  )
  await options.fill('{"brute_force_threshold": 25}')
  await page.getByRole('button', { name: 'Save options of Analyzer' }).click()
  await expect(page.getByRole('alert', { name: 'Analyzer options error' })).toHaveCount(0)
  await expect(options).toContainText('"window_s": 600')
  const analyzer = (await outpost.call('agents:list', {})).agents.find((a) => a.name === 'analyzer')!
  expect(analyzer.options).toMatchObject({ brute_force_threshold: 25, window_s: 600 })
  // The refused options are an HTTP 400 (invalid_request), which the browser logs; nothing else may be.
  const refused = 'Failed to load resource: the server responded with a status of 400 (Bad Request)'
  expect(problems.filter((p) => p !== refused)).toEqual([])
})

test('a source gone silent: the monitor raises one alert with its numbers, shown in the Alerts view', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  // Announces a beat every second, then stops: silent past twice that.
  const beat = await fetch(`http://127.0.0.1:${outpost.ready.listeners.http}/v1/heartbeat`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ source: 'fw-e2e', interval_s: 1 }),
  })
  expect(beat.status).toBe(200)
  await page.waitForTimeout(2500)
  await page.goto(outpost.ready.url)
  const agents = new AgentsPage(page)
  await agents.open()
  await agents.runNow('Monitor').click()
  const latest = agents.history('Monitor').getByRole('row').nth(1)
  await expect(latest).toContainText('warning')
  await expect(latest).toContainText('1 source silent')
  // Still silent: held, not raised again.
  await agents.runNow('Monitor').click()
  await expect(agents.history('Monitor').getByRole('row')).toHaveCount(3)
  const { runs } = await outpost.call('agents:runs', { name: 'monitor' })
  expect(runs.map((r) => r.alerts)).toEqual([0, 1])

  const alerts = new AlertsPage(page)
  await alerts.open(outpost.ready.url)
  const row = alerts.row('Source fw-e2e silent')
  await expect(row).toHaveCount(1)
  await row.click()
  const why = alerts.detail.getByRole('definition').filter({ hasText: /^heartbeat$/ })
  await expect(why).toHaveCount(1)
  await expect(alerts.detail).toContainText('expected_interval_s')
  await expect(alerts.detail).toContainText('None: an agent raised it from the numbers above')
  expect(problems).toEqual([])
})
