import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { _electron as electron, expect, test } from '@playwright/test'
import { electronBinary, ensureElectronNative } from '../scripts/electron-native.js'
import { EventsPage } from './pages/events.page'

// The same flows as events.spec.ts, in the real desktop shell. Electron's binary comes from
// Electron's download host; machines that cannot reach it install with ELECTRON_SKIP_BINARY_DOWNLOAD=1.
const binary = electronBinary()
test.skip(
  binary === null,
  'Electron binary not installed (ELECTRON_SKIP_BINARY_DOWNLOAD=1); the browser project runs these flows',
)

test('the desktop app shows events posted to its collector, and refuses navigation and new windows', async () => {
  await ensureElectronNative()
  const dataDir = mkdtempSync(join(tmpdir(), 'outpost-electron-'))
  const app = await electron.launch({
    executablePath: binary!,
    args: ['out/main/index.js'],
    env: { ...process.env, OUTPOST_DATA_DIR: dataDir, OUTPOST_EPHEMERAL_PORTS: '1' },
  })
  try {
    const page = await app.firstWindow()
    const events = new EventsPage(page)
    // The app lands on the dashboard; the flow is the Events view's.
    await page.getByRole('heading', { name: 'Dashboard', exact: true }).waitFor()
    await page.getByRole('link', { name: /^Events/ }).click()
    await page.getByRole('heading', { name: 'Events', exact: true }).waitFor()

    // The preload exposes exactly the contract bridge, and the page has no Node.
    expect(await page.evaluate(() => Object.keys(window.outpost ?? {}).sort())).toEqual(['invoke', 'on'])
    expect(await page.evaluate(() => typeof (window as unknown as { require?: unknown }).require)).toBe(
      'undefined',
    )

    const info = await page.evaluate(() => window.outpost!.invoke('system:info', {}))
    expect(info.ok).toBe(true)
    const port = info.ok ? info.value.listeners.http?.port : undefined
    const response = await fetch(`http://127.0.0.1:${port}/v1/events`, {
      method: 'POST',
      body: JSON.stringify([1, 2, 3].map((n) => ({ message: `desktop event ${n}` }))),
    })
    expect(response.status).toBe(200)
    await expect(events.rows).toHaveCount(3, { timeout: 1000 })

    const appUrl = page.url()
    expect(await page.evaluate(() => window.open('https://example.com') === null)).toBe(true)
    await page.evaluate(() => {
      window.location.href = 'https://example.com/'
    })
    await page.waitForTimeout(300)
    expect(page.url()).toBe(appUrl)
    expect(app.windows()).toHaveLength(1)
  } finally {
    await app.close()
    rmSync(dataDir, { recursive: true, force: true })
  }
})
