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

test('missions are edited in place (checklist, links); operations are searched; a report tied to one is listed there', async ({
  page,
  outpost,
}) => {
  test.setTimeout(30_000)
  const problems = watchConsole(page)
  const { operation } = await outpost.call('operations:create', { name: 'Lighthouse', status: 'active' })
  await outpost.call('operations:create', { name: 'Quiet Harbor', status: 'planned' })
  await outpost.call('missions:create', { operation_id: operation.id, title: 'Image the web server' })
  await outpost.call('reports:create', { title: 'Lighthouse sitrep', operation_id: operation.id })

  const ops = new OperationsPage(page)
  await ops.open(outpost.ready.url)
  await page.getByRole('searchbox', { name: 'Search operations' }).fill('light')
  await expect(ops.item('Quiet Harbor')).toHaveCount(0)
  await ops.item('Lighthouse').getByRole('button').click()

  await ops.mission('Image the web server').getByRole('button', { name: 'Edit Image the web server' }).click()
  const editor = page.getByRole('form', { name: 'Edit Image the web server' })
  await editor.getByLabel('New checklist item').fill('Hash the disk image')
  await editor.getByRole('button', { name: 'Add item' }).click()
  await editor.getByLabel('Assets').fill('host:web-01, ip:10.0.0.80')
  await editor.getByRole('button', { name: 'Save mission' }).click()
  await expect(editor).toHaveCount(0)
  const row = ops.mission('Image the web server')
  await expect(row).toContainText('Hash the disk image')
  await expect(row).toContainText('2 assets')
  const [stored] = (await outpost.call('missions:list', { operation_id: operation.id })).missions
  expect(stored?.checklist).toEqual([{ text: 'Hash the disk image', done: false }])
  expect(stored?.assets).toEqual(['host:web-01', 'ip:10.0.0.80'])

  const reports = page.getByRole('list', { name: 'Reports of this operation' })
  await reports.getByRole('link', { name: 'Lighthouse sitrep' }).click()
  await expect(page.getByRole('complementary', { name: 'Report editor' })).toBeVisible()
  await expect(page.getByLabel('Operation', { exact: true })).toHaveValue(operation.id)
  expect(problems).toEqual([])
})

test('the Missions view lists missions across operations, filters the overdue ones and links to their operation', async ({
  page,
  outpost,
}) => {
  test.setTimeout(30_000)
  const problems = watchConsole(page)
  const a = (await outpost.call('operations:create', { name: 'Op Alder' })).operation
  const b = (await outpost.call('operations:create', { name: 'Op Birch' })).operation
  await outpost.call('missions:create', {
    operation_id: a.id,
    title: 'Late audit',
    due_at: '2020-01-01T00:00:00Z',
  })
  await outpost.call('missions:create', {
    operation_id: b.id,
    title: 'Later review',
    due_at: '2999-01-01T00:00:00Z',
  })
  await outpost.call('missions:create', {
    operation_id: b.id,
    title: 'Old but done',
    due_at: '2020-01-01T00:00:00Z',
    status: 'done',
  })

  await page.goto(outpost.ready.url)
  await page.getByRole('link', { name: 'Missions', exact: true }).click()
  const table = page.getByRole('table', { name: 'All missions' })
  await expect(table.getByRole('row')).toHaveCount(4)
  await expect(page.getByLabel('Missions shown')).toContainText('1 overdue')
  await page.getByRole('checkbox', { name: 'Overdue only' }).check()
  await expect(table.getByRole('row')).toHaveCount(2)
  const late = table.getByRole('row').filter({ hasText: 'Late audit' })
  await expect(late).toContainText('Overdue')
  await late.getByLabel('Status of Late audit').selectOption('done')
  await expect(page.getByRole('region', { name: 'No missions' })).toBeVisible()

  await page.getByRole('checkbox', { name: 'Overdue only' }).uncheck()
  await table
    .getByRole('row')
    .filter({ hasText: 'Later review' })
    .getByRole('link', { name: 'Op Birch' })
    .click()
  await expect(
    page.getByRole('region', { name: 'Operation detail' }).getByLabel('Name', { exact: true }),
  ).toHaveValue('Op Birch')
  expect(problems).toEqual([])
})
