import type { Locator, Page } from '@playwright/test'

export class CollectorPage {
  readonly listeners: Locator
  readonly sources: Locator
  readonly tokens: Locator
  readonly refused: Locator
  readonly metrics: Locator

  constructor(readonly page: Page) {
    this.listeners = page.getByRole('region', { name: 'Listeners' })
    this.sources = page.getByRole('region', { name: 'Sources' })
    this.tokens = page.getByRole('region', { name: 'Ingest tokens' })
    this.refused = page.getByRole('region', { name: 'Refused input' })
    this.metrics = page.getByRole('region', { name: 'Metrics' })
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.page.getByRole('link', { name: 'Collector' }).click()
    await this.page.getByRole('heading', { name: 'Collector', exact: true }).waitFor()
  }

  async createToken(name: string): Promise<void> {
    await this.tokens.getByLabel('New token name').fill(name)
    await this.tokens.getByRole('button', { name: 'Create token' }).click()
  }
}
