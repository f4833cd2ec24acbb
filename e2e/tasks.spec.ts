import { seriousViolations } from './axe'
import { CollectorPage } from './pages/collector.page'
import { expect, test } from './fixtures'

const ndjson = (n: number): string =>
  Array.from({ length: n }, (_, i) =>
    JSON.stringify({ '@timestamp': '2026-11-22T10:00:00Z', message: `imported ${i}`, 'host.name': 'dc01' }),
  ).join('\n') + '\n'

test('a long task shows in the tray on every view with its progress bar; Cancel stops it and a toast says so', async ({
  page,
  outpost,
}) => {
  const collector = new CollectorPage(page)
  await page.goto(outpost.ready.url)
  await page.evaluate(() => localStorage.setItem('outpost.theme', 'dark'))
  await collector.open(outpost.ready.url)
  // Big enough that the import is still running when Cancel is clicked.
  await collector.chooseImportFile('tray.ndjson', ndjson(300_000))

  // The tray is the shell's: it stays while the analyst moves to another view.
  await page.getByRole('link', { name: 'Dashboard' }).click()
  const tray = page.getByRole('region', { name: 'Tasks' })
  const task = tray.getByRole('listitem', { name: 'Import tray.ndjson' })
  await expect(task).toBeVisible({ timeout: 15_000 })
  const bar = task.getByRole('progressbar', { name: 'Import tray.ndjson progress' })
  await expect(bar).toHaveAttribute('aria-valuemin', '0')
  await expect(bar).toHaveAttribute('aria-valuemax', '100')
  await expect
    .poll(async () => Number(await bar.getAttribute('aria-valuenow')), { timeout: 15_000 })
    .toBeGreaterThan(0)

  // The tray over the view leaves it accessible (contrast, names, roles).
  expect(await seriousViolations(page)).toEqual([])
  // out/test-results/e2e-artifacts/tasks-…/dark-task-tray.png: the README's Tour shows it.
  await page.screenshot({ path: test.info().outputPath('dark-task-tray.png') })
  await task.getByRole('button', { name: 'Cancel Import tray.ndjson' }).click()
  const notices = page.getByRole('status', { name: 'Notices' })
  await expect(notices).toContainText('Import cancelled: tray.ndjson', { timeout: 15_000 })
  await expect(task).toHaveAttribute('data-state', 'cancelled')
  // The core agrees, and stored only whole batches.
  const { tasks } = await outpost.call('tasks:list', {})
  expect(tasks[0]).toMatchObject({ title: 'Import tray.ndjson', state: 'cancelled' })
  const { jobs } = await outpost.call('import:list', {})
  expect(jobs[0]!.imported).toBeLessThan(300_000)
  await expect.poll(async () => (await outpost.call('system:info', {})).sqlite.events).toBe(jobs[0]!.imported)
  // A finished task leaves the tray after a few seconds; its toast said the result.
  await expect(tray).toBeHidden({ timeout: 10_000 })
})
