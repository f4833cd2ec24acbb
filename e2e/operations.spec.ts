import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { OperationsPage } from './pages/operations.page'

test('an operation is created, a mission flagged overdue until done, a backwards period refused', async ({
  page,
  outpost,
}) => {
  test.setTimeout(30_000)
  const problems = watchConsole(page)
  const ops = new OperationsPage(page)
  await ops.open(outpost.ready.url)

  await page.getByRole('button', { name: 'New operation' }).click()
  await ops.name.fill('E2E Operation Harbor')
  await ops.tlp.selectOption('red')
  await ops.save.click()
  await expect(ops.item('E2E Operation Harbor')).toContainText('TLP:RED')
  await expect(ops.missions).toBeVisible()
  const [stored] = (await outpost.call('operations:list', { limit: 10 })).operations
  expect(stored?.tlp).toBe('red')

  await ops.addMission('Sweep the DMZ', 'alice', 'high', '2020-01-01T09:00')
  const row = ops.mission('Sweep the DMZ')
  await expect(row).toContainText('alice')
  await expect(row).toContainText('Overdue')
  await expect(ops.item('E2E Operation Harbor')).toContainText('1 overdue')

  await row.getByLabel('Status of Sweep the DMZ').selectOption('done')
  await expect(row).not.toContainText('Overdue')
  await expect(ops.item('E2E Operation Harbor')).toContainText('0 overdue')

  // A period that ends before it starts is refused beside the form.
  await ops.starts.fill('2026-03-02T10:00')
  await ops.ends.fill('2026-03-01T10:00')
  await ops.save.click()
  await expect(ops.problem).toContainText('ends_at')

  const refused = 'Failed to load resource: the server responded with a status of 400 (Bad Request)'
  expect(problems).toEqual([refused])
})
