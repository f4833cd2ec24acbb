import { existsSync } from 'node:fs'

const CANDIDATES = ['/usr/bin/chromium', '/usr/bin/chromium-browser', '/usr/bin/google-chrome']

/** A system Chromium for Playwright: OUTPOST_CHROMIUM, else Debian's. Playwright never downloads one. */
export const chromiumPath = (): string => {
  const chosen = process.env.OUTPOST_CHROMIUM ?? CANDIDATES.find((path) => existsSync(path))
  if (!chosen) {
    throw new Error(
      'no Chromium found for the end-to-end tests: apt-get install chromium, or set OUTPOST_CHROMIUM to a Chromium binary',
    )
  }
  return chosen
}
