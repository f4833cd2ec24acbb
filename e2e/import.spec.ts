import { CollectorPage } from './pages/collector.page'
import { EventsPage } from './pages/events.page'
import { expect, test } from './fixtures'

const ndjson = (n: number): string =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ '@timestamp': '2026-11-22T10:00:00Z', message: `imported ${i}`, 'host.name': 'dc01' }),
  ).join('\n') + '\n'

test('a chosen NDJSON file is uploaded, imported with progress and a summary, and shows in Events', async ({
  page,
  outpost,
}) => {
  const collector = new CollectorPage(page)
  await collector.open(outpost.ready.url)
  await collector.chooseImportFile('dc01.ndjson', ndjson(2000))

  const progress = collector.importProgress('dc01.ndjson')
  await expect(progress).toBeVisible()
  const summary = collector.importSummary('dc01.ndjson')
  await expect(summary).toBeVisible({ timeout: 15_000 })
  await expect(collector.imports.getByRole('listitem').first()).toContainText('done')
  const max = await progress.getAttribute('aria-valuemax')
  expect(Number(max)).toBeGreaterThan(0)
  await expect(progress).toHaveAttribute('aria-valuenow', max!)
  await expect(summary.getByRole('definition').nth(1)).toHaveText('2,000') // Imported
  await expect(summary.getByRole('definition').nth(2)).toHaveText('0') // Rejected

  const events = new EventsPage(page)
  await page.getByRole('link', { name: 'Events' }).click()
  await expect(events.total).toHaveText('2,000 stored')
  await expect(events.rowWithMessage('imported 1999')).toBeVisible()
})

test('a dropped file with bad lines lists them in its summary', async ({ page, outpost }) => {
  const collector = new CollectorPage(page)
  await collector.open(outpost.ready.url)
  await collector.dropImportFile('mixed.ndjson', ndjson(10) + '{"broken": \n' + ndjson(5))

  const summary = collector.importSummary('mixed.ndjson')
  await expect(summary).toBeVisible({ timeout: 15_000 })
  await expect(summary.getByRole('definition').nth(1)).toHaveText('15')
  await expect(summary.getByRole('definition').nth(2)).toHaveText('1')
  await expect(summary.getByRole('listitem')).toContainText(['mixed.ndjson: line 11'])
})

test('Cancel stops a running import and keeps what it stored', async ({ page, outpost }) => {
  const collector = new CollectorPage(page)
  await collector.open(outpost.ready.url)
  // Big enough that the import is still running when Cancel is clicked.
  await collector.chooseImportFile('big.ndjson', ndjson(200_000))
  await collector.imports
    .getByRole('button', { name: 'Cancel import of big.ndjson' })
    .click({ timeout: 15_000 })

  const summary = collector.importSummary('big.ndjson')
  await expect(summary).toContainText('cancelled', { timeout: 15_000 })
  const imported = Number((await summary.getByRole('definition').nth(1).textContent())!.replaceAll(',', ''))
  expect(imported).toBeLessThan(200_000)
})
