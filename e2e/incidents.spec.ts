import { createHash } from 'node:crypto'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { AlertsPage } from './pages/alerts.page'
import { IncidentsPage } from './pages/incidents.page'
import { raiseToolAlert } from './sigma'

test('an escalated alert becomes a case: status, markdown comment, observable and evidence, live', async ({
  page,
  outpost,
}) => {
  test.setTimeout(45_000)
  const problems = watchConsole(page)
  const alertId = await raiseToolAlert(outpost, {
    title: 'E2E case tool',
    tool: 'e2e-case.exe',
    host: 'ws-case',
    level: 'medium',
  })
  await outpost.call('alerts:escalate', { ids: [alertId], title: 'E2E case: tool on ws-case' })
  await outpost.call('operations:create', { name: 'E2E Operation Lantern' })

  // From the alert to its case.
  const alerts = new AlertsPage(page)
  await alerts.open(outpost.ready.url)
  await alerts.row('E2E case tool').click()
  await alerts.detail.getByRole('link', { name: 'Open case' }).click()
  const cases = new IncidentsPage(page)
  await expect(cases.incident.getByRole('heading', { name: 'E2E case: tool on ws-case' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Incidents' })).toHaveAttribute('aria-current', 'page')
  await expect(cases.item('E2E case: tool on ws-case')).toBeVisible()
  await expect(cases.timeline).toContainText('medium alert: E2E case tool on ws-case')

  // Only legal moves are offered: forward from new.
  await cases.status.selectOption('triage')
  await expect(cases.status).toHaveValue('triage')
  await expect(cases.status.getByRole('option')).toHaveText(['Triage', 'Contained', 'Eradicated', 'Closed'])
  await cases.incident.getByLabel('Assignee', { exact: true }).fill('alice')
  await cases.incident.getByRole('button', { name: 'Assign' }).click()
  await expect(cases.item('E2E case: tool on ws-case')).toContainText('alice')
  await cases.incident.getByLabel('Operation').selectOption({ label: 'E2E Operation Lantern' })
  await expect(cases.incident.getByLabel('Operation')).not.toHaveValue('')

  await cases.comment('Ran from **a web shell**; see `C:\\Temp`.')
  const comment = cases.comments.getByRole('article')
  await expect(comment.locator('strong')).toHaveText('a web shell')
  await expect(comment.locator('code')).toHaveText('C:\\Temp')
  await expect(cases.comments.getByLabel('Comment', { exact: true })).toHaveValue('')

  // The description: markdown, rendered, edited in place.
  const description = cases.incident.getByRole('region', { name: 'Description' })
  await expect(description).toContainText('No description yet.')
  await description.getByRole('button', { name: 'Edit' }).click()
  await description.getByLabel('Description', { exact: true }).fill('Seen on **ws-case** only.')
  await description.getByRole('button', { name: 'Save description' }).click()
  await expect(description.locator('strong')).toHaveText('ws-case')

  await cases.observe('ipv4', '203.0.113.77')
  await expect(cases.observables.getByRole('row').filter({ hasText: '203.0.113.77' })).toContainText('ipv4')
  // A bad value is refused beside the form.
  await cases.observe('sha256', 'nope')
  await expect(cases.observables.getByRole('alert', { name: 'Observable problem' })).toContainText('sha256')

  const bytes = Buffer.from('whoami /all\nnet user /domain\n')
  await cases.attach('shell-history.txt', bytes)
  const row = cases.evidence.getByRole('row').filter({ hasText: 'shell-history.txt' })
  await expect(row).toContainText(createHash('sha256').update(bytes).digest('hex'))
  await expect(cases.timeline).toContainText('attached shell-history.txt')
  const downloading = page.waitForEvent('download')
  await row.getByRole('button', { name: 'Download shell-history.txt' }).click()
  const downloaded = await downloading
  expect(downloaded.suggestedFilename()).toBe('shell-history.txt')

  // The package export carries the evidence; its result names the zip and its SHA-256.
  const exporting = page.waitForEvent('download')
  await cases.incident.getByText('Export', { exact: true }).click()
  await cases.incident.getByRole('menuitem', { name: 'Package (zip)' }).click()
  expect((await exporting).suggestedFilename()).toMatch(/\.zip$/)
  await expect(cases.incident.getByRole('status', { name: 'Export' })).toContainText('SHA-256')

  // Live: a change made elsewhere shows without a reload.
  const id = new URL(page.url()).hash.split('id=')[1]!
  await outpost.call('incidents:comment', { id: decodeURIComponent(id), body: 'From _another_ console' })
  await expect(cases.comments.locator('em')).toHaveText('another')

  // The core holds what the screen shows.
  const stored = await outpost.call('incidents:get', { id: decodeURIComponent(id) })
  expect(stored.incident).toMatchObject({ status: 'triage', assignee: 'alice' })
  expect(stored.incident.operation_id).not.toBeNull()
  expect(stored.observables.map((o) => o.value)).toEqual(['203.0.113.77'])
  expect(stored.evidence.map((e) => e.name)).toEqual(['shell-history.txt'])

  // The list filters.
  await cases.filters.getByLabel('Search incidents').fill('no such case')
  await expect(page.getByRole('region', { name: 'No incidents' })).toBeVisible()
  await cases.filters.getByLabel('Search incidents').fill('tool on ws-case')
  await expect(cases.item('E2E case: tool on ws-case')).toBeVisible()
  await cases.filters.getByLabel('Status').selectOption('closed')
  await expect(page.getByRole('region', { name: 'No incidents' })).toBeVisible()

  // The observable refusal is a 400 the console logs; nothing else.
  const refused = 'Failed to load resource: the server responded with a status of 400 (Bad Request)'
  expect(problems).toEqual([refused])
})
