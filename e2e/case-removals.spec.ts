import { readFile } from 'node:fs/promises'
import type { Download } from '@playwright/test'
import { seriousViolations } from './axe'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'
import { IncidentsPage } from './pages/incidents.page'
import { raiseToolAlert } from './sigma'

const textOf = async (download: Download): Promise<string> =>
  (await readFile(await download.path())).toString('utf8')

test('removing an observable and retracting a comment, from the keyboard: gone from the case and its exports, said on the timeline', async ({
  page,
  outpost,
}) => {
  test.setTimeout(45_000)
  const problems = watchConsole(page)
  const alertId = await raiseToolAlert(outpost, {
    title: 'E2E removal tool',
    tool: 'e2e-removal.exe',
    host: 'ws-rm',
    level: 'medium',
  })
  const { incident } = await outpost.call('alerts:escalate', { ids: [alertId], title: 'E2E removal case' })
  const id = incident.id
  await outpost.call('incidents:observe', {
    id,
    observables: [
      { type: 'ipv4', value: '203.0.113.80' },
      { type: 'domain', value: 'mistake.example' },
    ],
  })
  await outpost.call('incidents:comment', { id, body: 'Wrong host: **secret-tip-4711**.' })
  await outpost.call('incidents:comment', { id, body: 'Confirmed on ws-rm.' })

  await page.goto(`${outpost.ready.url}#/incidents?id=${encodeURIComponent(id)}`)
  const cases = new IncidentsPage(page)
  await expect(cases.incident.getByRole('heading', { name: 'E2E removal case' })).toBeVisible()
  const mistake = cases.observables.getByRole('row').filter({ hasText: 'mistake.example' })
  await expect(mistake).toBeVisible()

  // Remove, from the keyboard: the question takes the focus; Escape backs out, Enter confirms.
  const remove = mistake.getByRole('button', { name: 'Remove observable domain mistake.example' })
  await remove.focus()
  await page.keyboard.press('Enter')
  const yesRemove = mistake.getByRole('button', { name: 'Yes, remove' })
  await expect(yesRemove).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(remove).toBeFocused()
  await page.keyboard.press('Enter')
  await expect(yesRemove).toBeFocused()
  // The open question passes axe-core, with the rest of the case.
  expect(await seriousViolations(page)).toEqual([])
  await page.keyboard.press('Enter')
  await expect(mistake).toHaveCount(0)
  await expect(cases.observables.getByRole('row').filter({ hasText: '203.0.113.80' })).toBeVisible()
  await expect(cases.timeline).toContainText('removed observable domain mistake.example')

  // Retract: the comment stays as a tombstone naming who and when, without its text.
  const wrong = cases.comments.getByRole('article').filter({ hasText: 'secret-tip-4711' })
  await wrong.getByRole('button', { name: /^Retract comment by / }).click()
  await expect(wrong.getByRole('group')).toContainText('Its text is erased')
  await wrong.getByRole('button', { name: 'Yes, retract' }).click()
  await expect(cases.comments).not.toContainText('secret-tip-4711')
  const tombstone = cases.comments.getByRole('article').first()
  await expect(tombstone).toContainText(/Retracted by \S+ at/)
  await expect(tombstone.getByRole('button', { name: /^Retract/ })).toHaveCount(0)
  await expect(cases.comments.getByRole('article').nth(1)).toContainText('Confirmed on ws-rm.')
  await expect(cases.timeline).toContainText('retracted a comment')
  await expect(cases.timeline).not.toContainText('secret-tip-4711')
  expect(await seriousViolations(page)).toEqual([])

  // The exports carry neither the removed observable nor the retracted text.
  for (const format of ['HTML', 'Markdown']) {
    const exporting = page.waitForEvent('download')
    await cases.incident.getByText('Export', { exact: true }).click()
    await cases.incident.getByRole('menuitem', { name: format, exact: true }).click()
    const text = await textOf(await exporting)
    expect(text, format).toContain('203.0.113.80')
    expect(text, format).toContain('Confirmed on ws-rm.')
    expect(text, format).toMatch(/comment retracted by \S+ at/)
    expect(text, format).not.toContain('mistake.example')
    expect(text, format).not.toContain('secret-tip-4711')
  }

  // The core holds what the screen shows.
  const stored = await outpost.call('incidents:get', { id })
  expect(stored.observables.map((o) => o.value)).toEqual(['203.0.113.80'])
  expect(stored.comments.map((c) => c.body)).toEqual(['', 'Confirmed on ws-rm.'])
  expect(stored.removed.map((r) => r.part)).toEqual(['observables', 'comments'])
  expect(problems).toEqual([])
})
