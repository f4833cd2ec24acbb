import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import type { Page } from '@playwright/test'
import { watchConsole } from './console-errors'
import { expect, test } from './fixtures'

const AXE = readFileSync(createRequire(import.meta.url).resolve('axe-core/axe.min.js'), 'utf8')

type AxeViolation = { id: string; impact: string | null; help: string; nodes: Array<{ target: string[] }> }

/** axe-core over the page as it stands: the serious and critical violations, one line each. */
const seriousViolations = async (page: Page): Promise<string[]> => {
  // Evaluated over the devtools protocol: the console's CSP refuses inline scripts, rightly.
  await page.evaluate(AXE)
  const violations = await page.evaluate(async () => {
    const axe = (
      window as unknown as { axe: { run: (context: Document) => Promise<{ violations: unknown[] }> } }
    ).axe
    return (await axe.run(document)).violations
  })
  return (violations as AxeViolation[])
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map((n) => n.target.join(' ')).join(', ')}`)
}

const VIEWS = [
  { hash: '#/dashboard', heading: 'Dashboard' },
  { hash: '#/hunt', heading: 'Hunt' },
  { hash: '#/events', heading: 'Events' },
  { hash: '#/alerts', heading: 'Alerts' },
  { hash: '#/incidents', heading: 'Incidents' },
  { hash: '#/rules', heading: 'Rules' },
  { hash: '#/attack', heading: 'ATT&CK' },
  { hash: '#/reports', heading: 'Reports' },
  { hash: '#/operations', heading: 'Operations' },
  { hash: '#/missions', heading: 'Missions' },
  { hash: '#/assets', heading: 'Assets' },
  { hash: '#/assets?view=graph', heading: 'Assets' },
  { hash: '#/collector', heading: 'Collector' },
  { hash: '#/agents', heading: 'Agents' },
  { hash: '#/sync', heading: 'Sync' },
  { hash: '#/system', heading: 'System' },
  { hash: '#/settings', heading: 'Settings' },
  { hash: '#/about', heading: 'About' },
] as const

const THEMES = ['dark', 'light'] as const

test('every view renders with data, without console errors or serious accessibility violations', async ({
  page,
  outpost,
}) => {
  test.setTimeout(180_000)
  const problems = watchConsole(page)
  // A little of everything: events naming hosts and users, an operation with a mission, a report.
  const events = Array.from({ length: 40 }, (_, i) => ({
    Channel: 'Microsoft-Windows-Sysmon/Operational',
    EventID: 1,
    Computer: `ws-${i % 4}`,
    '@timestamp': new Date(Date.UTC(2026, 10, 21, 9, 0, i)).toISOString(),
    User: `CORP\\user${i % 3}`,
    Image: 'C:\\Windows\\System32\\whoami.exe',
  }))
  expect((await outpost.ingest(events)).status).toBe(200)
  const { operation } = await outpost.call('operations:create', { name: 'Tour operation', status: 'active' })
  await outpost.call('missions:create', { operation_id: operation.id, title: 'Tour mission' })
  await outpost.call('reports:create', { title: 'Tour report', body: '# Findings\n\n- one' })
  await expect
    .poll(async () => (await outpost.call('assets:list', { limit: 1 })).total, { timeout: 10_000 })
    .toBeGreaterThan(4)

  await page.goto(outpost.ready.url)
  const found: Record<string, string[]> = {}
  for (const theme of THEMES) {
    // The operator's choice, as the theme toggle stores it; read before the first paint.
    await page.evaluate((t) => localStorage.setItem('outpost.theme', t), theme)
    for (const view of VIEWS) {
      await page.goto(`${outpost.ready.url}${view.hash}`)
      await expect(page.locator('html')).toHaveAttribute('data-theme', theme)
      await expect(page.getByRole('heading', { name: view.heading, exact: true })).toBeVisible()
      // Data arrives after the heading: give the view a moment to settle before judging it.
      await page.waitForLoadState('networkidle')
      const violations = await seriousViolations(page)
      if (violations.length > 0) found[`${theme} ${view.hash}`] = violations
      // out/test-results/e2e-artifacts/views-…/<theme>-<view>.png: the README's Tour comes from these.
      await page.screenshot({
        path: test.info().outputPath(`${theme}-${view.hash.replace(/[#/?=]+/g, '-').slice(1)}.png`),
      })
    }
  }
  expect(found).toEqual({})
  expect(problems).toEqual([])
})
