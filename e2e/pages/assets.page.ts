import type { Locator, Page } from '@playwright/test'

export class AssetsPage {
  readonly search: Locator
  readonly kind: Locator
  readonly grid: Locator
  readonly graph: Locator
  readonly canvas: Locator
  readonly selected: Locator

  constructor(readonly page: Page) {
    this.search = page.getByRole('searchbox', { name: 'Search assets' })
    this.kind = page.getByRole('search', { name: 'Asset filters' }).getByLabel('Kind')
    this.grid = page.getByRole('grid', { name: 'Assets' })
    this.graph = page.getByRole('region', { name: 'Entity graph' })
    this.canvas = this.graph.locator('.graph-canvas')
    this.selected = page.getByRole('complementary', { name: 'Selected node' })
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.page.getByRole('link', { name: 'Assets', exact: true }).click()
    await this.page.getByRole('heading', { name: 'Assets', exact: true }).waitFor()
  }

  row(value: string): Locator {
    return this.grid.getByRole('row').filter({ hasText: value })
  }

  detail(value: string): Locator {
    return this.page.getByRole('region', { name: `Asset ${value}` })
  }
}
