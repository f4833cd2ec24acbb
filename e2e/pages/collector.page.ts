import type { Locator, Page } from '@playwright/test'

export class CollectorPage {
  readonly listeners: Locator
  readonly sources: Locator
  readonly tokens: Locator
  readonly refused: Locator
  readonly imports: Locator
  readonly metrics: Locator

  constructor(readonly page: Page) {
    this.listeners = page.getByRole('region', { name: 'Listeners' })
    this.sources = page.getByRole('region', { name: 'Sources' })
    this.tokens = page.getByRole('region', { name: 'Ingest tokens' })
    this.refused = page.getByRole('region', { name: 'Refused input' })
    this.imports = page.getByRole('region', { name: 'Import files' })
    this.metrics = page.getByRole('region', { name: 'Metrics' })
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.page.getByRole('link', { name: 'Collector' }).click()
    await this.page.getByRole('heading', { name: 'Collector', exact: true }).waitFor()
  }

  /** Through the hidden file input, as "Choose files…" does in the browser. */
  async chooseImportFile(name: string, content: string): Promise<void> {
    await this.imports
      .getByLabel('Files to import')
      .setInputFiles({ name, mimeType: 'application/x-ndjson', buffer: Buffer.from(content) })
  }

  /** A real drop event carrying the file, as dragging it from the desktop does. */
  async dropImportFile(name: string, content: string): Promise<void> {
    const dataTransfer = await this.page.evaluateHandle(
      ([n, c]) => {
        const dt = new DataTransfer()
        dt.items.add(new File([c], n))
        return dt
      },
      [name, content] as const,
    )
    await this.imports.locator('.drop-zone').dispatchEvent('drop', { dataTransfer })
  }

  importProgress(file: string): Locator {
    return this.imports.getByRole('progressbar', { name: file, exact: true })
  }

  importSummary(file: string): Locator {
    return this.imports.getByRole('group', { name: `Summary of ${file}` })
  }

  async createToken(name: string): Promise<void> {
    await this.tokens.getByLabel('New token name').fill(name)
    await this.tokens.getByRole('button', { name: 'Create token' }).click()
  }
}
