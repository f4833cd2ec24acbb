import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'

test('the System view verifies the audit log and lists the newest changes', async ({ page, outpost }) => {
  const problems = watchConsole(page)
  await outpost.call('tokens:create', { name: 'e2e-firewall' })
  await outpost.call('reports:create', { title: 'E2E audit report' })
  await page.goto(outpost.ready.url)
  await page.getByRole('link', { name: 'System' }).click()
  const panel = page.getByRole('region', { name: 'Audit log' })
  await panel.getByRole('button', { name: 'Verify audit log' }).click()
  await expect(panel.getByRole('status')).toHaveText('Intact: 2 entries')
  const rows = panel.getByRole('table', { name: 'Newest audit entries' }).getByRole('row')
  await expect(rows).toHaveCount(3)
  await expect(rows.nth(1)).toContainText('create')
  await expect(rows.nth(1)).toContainText('report')
  await expect(rows.nth(2)).toContainText('token e2e-firewall')
  expect(problems).toEqual([])
})
