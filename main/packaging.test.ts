import { readFileSync } from 'node:fs'
import { createRequire } from 'node:module'
import { describe, expect, it } from 'vitest'
import { DEEP_LINK_SCHEME } from '../collector/contract/routes'

type Protocol = { name: string; schemes: string[] }
type BuildConfig = { productName: string; protocols?: Protocol[]; linux: Record<string, unknown> }
const pkg = JSON.parse(readFileSync(new URL('../package.json', import.meta.url), 'utf8')) as {
  build: BuildConfig
}

// electron-builder's own Linux helper, the code that writes the packaged .desktop file.
type DesktopHelper = {
  computeDesktopEntry: (options: Record<string, unknown>, exec?: string) => Promise<string>
}
const { LinuxTargetHelper } = createRequire(import.meta.url)(
  'app-builder-lib/out/targets/LinuxTargetHelper',
) as { LinuxTargetHelper: new (packager: unknown) => DesktopHelper }

describe('packaging: outpost:// links', () => {
  it('declares the scheme main/ registers, so installers register it with the OS', () => {
    const schemes = (pkg.build.protocols ?? []).flatMap((p) => p.schemes)
    expect(schemes).toContain(DEEP_LINK_SCHEME)
    for (const protocol of pkg.build.protocols ?? []) expect(protocol.name).not.toBe('')
  })

  it('gives the Linux desktop entry MimeType x-scheme-handler/outpost', async () => {
    const packager = {
      config: pkg.build,
      platformSpecificBuildOptions: pkg.build.linux,
      fileAssociations: [],
      executableName: 'outpost-desktop',
      appInfo: { productName: pkg.build.productName, sanitizedProductName: 'Outpost', description: '' },
      info: { metadata: { desktopName: 'outpost-desktop.desktop' } },
    }
    const entry = await new LinuxTargetHelper(packager).computeDesktopEntry(
      pkg.build.linux,
      '/opt/Outpost/outpost-desktop %U',
    )
    const mime = /^MimeType=(.*)$/m.exec(entry)?.[1]?.split(';') ?? []
    expect(mime).toContain(`x-scheme-handler/${DEEP_LINK_SCHEME}`)
  })
})
