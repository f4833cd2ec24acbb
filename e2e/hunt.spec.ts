import type { CallName, CallReq, CallRes } from '../collector/contract'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { HuntPage } from './pages/hunt.page'

/** The console's refusal of bad input shows in the page (the query bar, the SQL console). */
const REFUSED = 'Failed to load resource: the server responded with a status of 400 (Bad Request)'

/** 30 events over the last half hour: ws02 on two of three, alice on odd minutes. */
const seed = (now: number) =>
  Array.from({ length: 30 }, (_, i) => ({
    '@timestamp': new Date(now - i * 60_000 - 1000).toISOString(),
    message: `hunt e2e login ${i}`,
    'host.name': i % 3 === 0 ? 'WS01' : 'ws02',
    'user.name': i % 2 === 1 ? 'alice' : 'bob',
    severity: i % 5 === 0 ? 'high' : 'info',
  }))

type Outpost = {
  ingest(events: unknown): Promise<Response>
  call<K extends CallName>(name: K, req: CallReq<K>): Promise<CallRes<K>>
}

/** Seeds the events and waits until the DuckDB archive holds them (hunts read only the archive). */
const seedArchive = async (outpost: Outpost): Promise<void> => {
  expect((await outpost.ingest(seed(Date.now()))).status).toBe(200)
  await expect
    .poll(async () => (await outpost.call('archive:status', {})).events, { timeout: 15_000 })
    .toBe(30)
}

test('archived events are searched, charted, refined by field values, exported and pivot to assets', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  await seedArchive(outpost)

  const hunt = new HuntPage(page)
  await hunt.open(outpost.ready.url)
  await hunt.run('host:ws02')
  await expect(hunt.matches).toContainText('20 matches')
  await expect(hunt.rows.first()).toBeVisible()
  await expect(hunt.rows.first()).toContainText('ws02')
  await expect(hunt.histogram).toHaveAccessibleName(/^Histogram: 20 matches in \d+ buckets/)

  await hunt.refine('user', 'alice')
  await expect(hunt.query).toHaveValue('host:ws02 AND user:"alice"')
  await expect(hunt.matches).toContainText('10 matches')
  await hunt.refine('severity', 'high', true)
  await expect(hunt.query).toHaveValue('host:ws02 AND user:"alice" AND NOT severity:"high"')
  // Alice on odd minutes, ws02 off multiples of 3, high on multiples of 5: 15 and 25 go.
  await expect(hunt.matches).toContainText('8 matches')

  // The matches as CSV: the browser downloads the bytes the core wrote.
  const downloading = page.waitForEvent('download')
  await page.getByText('Export', { exact: true }).click()
  await page.getByRole('menuitem', { name: 'CSV' }).click()
  const download = await downloading
  expect(download.suggestedFilename()).toMatch(/^hunt-.*\.csv$/)
  await expect(page.getByRole('status', { name: 'Export' })).toContainText('8 rows')

  // A row opens the event; a host pivots to its asset page.
  await hunt.rows.first().click()
  await expect(page.getByRole('complementary', { name: 'Event detail' })).toContainText('hunt e2e login')
  await expect(hunt.rows.first().getByRole('link', { name: 'Open host ws02 in assets' })).toHaveAttribute(
    'href',
    '#/assets?id=host%3Aws02',
  )
  await hunt.rows.first().getByRole('link', { name: 'Open host ws02 in assets' }).click()
  await expect(page.getByRole('region', { name: 'Asset ws02' })).toBeVisible()
  expect(problems).toEqual([])
})

test('a query syntax error is marked at its position; a histogram bar narrows the time range', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  await seedArchive(outpost)

  const hunt = new HuntPage(page)
  await hunt.open(outpost.ready.url)
  await hunt.run('host:ws02 AND (user:alice')
  await expect(hunt.syntaxError).toContainText('Position 25')
  await expect(hunt.syntaxError).toContainText('expected ")"')
  // The caret sits under the position the core named.
  await expect(hunt.syntaxError.locator('pre')).toHaveText(`host:ws02 AND (user:alice\n${' '.repeat(25)}^`)
  await expect(hunt.query).toHaveAttribute('aria-invalid', 'true')

  await hunt.run('')
  await expect(hunt.syntaxError).toHaveCount(0)
  await expect(hunt.matches).toContainText('30 matches')
  // The last hour in one-minute bars: an event in each of the last 30.
  await hunt.range.selectOption('1h')
  await expect(hunt.histogram).toHaveAccessibleName(/^Histogram: 30 matches in \d+ buckets of 60 s/)
  // The newest bar with events in it.
  await hunt.page.locator('.hunt-histogram-plot path.recharts-rectangle').last().click()
  await expect(hunt.range).toHaveValue('custom')
  await expect(hunt.matches).toContainText(/^[1-2] match/)
  expect(problems.filter((p) => p !== REFUSED)).toEqual([])
  expect(problems).toContain(REFUSED)
})

test('the SQL console counts the archive, cancels a runaway statement and shows DuckDB errors verbatim', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  await seedArchive(outpost)

  const hunt = new HuntPage(page)
  await hunt.open(outpost.ready.url)
  await hunt.tabs.getByRole('link', { name: 'SQL' }).click()
  const console = page.getByRole('region', { name: 'SQL console' })
  const sql = console.getByRole('textbox', { name: /^SQL/ })
  await sql.fill('SELECT count(*) AS n FROM events')
  await sql.press('Control+Enter')
  const result = console.getByRole('table', { name: 'SQL result' })
  await expect(result.getByRole('columnheader')).toHaveText([/^n/])
  await expect(result.getByRole('cell')).toHaveText(['30'])
  await expect(console.getByRole('status', { name: 'SQL status' })).toContainText('1 rows')

  // A runaway statement is cancelled while it runs.
  await sql.fill('SELECT count(*) FROM range(100000000000) a, range(1000) b')
  await sql.press('Control+Enter')
  await console.getByRole('button', { name: 'Cancel' }).click()
  await expect(console.getByRole('status', { name: 'SQL status' })).toHaveText('cancelled')
  await expect(console.getByRole('alert', { name: 'SQL error' })).toContainText('cancelled')
  await expect(console.getByRole('button', { name: 'Run' })).toBeEnabled()

  await sql.fill('SELEC 1')
  await console.getByRole('button', { name: 'Run' }).click()
  await expect(console.getByRole('alert', { name: 'SQL error' })).toContainText('syntax error')
  expect(problems.filter((p) => p !== REFUSED)).toEqual([])
})

test('a saved hunt is listed, runs back into the bar and becomes a Sigma draft', async ({
  page,
  outpost,
}) => {
  const problems = watchConsole(page)
  await seedArchive(outpost)

  const hunt = new HuntPage(page)
  await hunt.open(outpost.ready.url)
  await hunt.run('user:alice')
  await expect(hunt.matches).toContainText('15 matches')
  await hunt.tabs.getByRole('link', { name: 'Saved hunts' }).click()
  const form = page.getByRole('form', { name: 'Save the current query' })
  await form.getByLabel('Name').fill('Alice everywhere')
  await form.getByLabel('Every (minutes)').fill('60')
  await form.getByRole('button', { name: 'Save hunt' }).click()
  const list = page.getByRole('table', { name: 'Saved hunts list' })
  const row = list.getByRole('row').filter({ hasText: 'Alice everywhere' })
  await expect(row).toContainText('user:alice')
  await expect(row).toContainText('every 60 min')

  // Another query in the bar; running the saved hunt puts its own back.
  await hunt.tabs.getByRole('link', { name: 'Search' }).click()
  await hunt.run('host:ws01')
  await expect(hunt.matches).toContainText('10 matches')
  await hunt.tabs.getByRole('link', { name: 'Saved hunts' }).click()
  await row.getByRole('button', { name: 'Run Alice everywhere' }).click()
  await expect(hunt.query).toHaveValue('user:alice')
  await expect(hunt.matches).toContainText('15 matches')

  await hunt.tabs.getByRole('link', { name: 'Saved hunts' }).click()
  await row.getByRole('button', { name: 'Make Sigma draft of Alice everywhere' }).click()
  const draft = page.getByRole('region', { name: 'Sigma draft' })
  await expect(draft).toContainText('title: Alice everywhere')
  await draft.getByRole('button', { name: 'Open in the rule editor' }).click()
  const editor = page.getByRole('complementary', { name: 'Rule editor' })
  await expect(editor.getByRole('textbox', { name: 'Rule YAML' })).toHaveValue(/title: Alice everywhere/)
  expect(problems).toEqual([])
})
