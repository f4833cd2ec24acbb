import type { Locator, Page } from '@playwright/test'

export class IncidentsPage {
  readonly list: Locator
  readonly filters: Locator
  readonly incident: Locator
  readonly status: Locator
  readonly timeline: Locator
  readonly comments: Locator
  readonly observables: Locator
  readonly evidence: Locator
  readonly actions: Locator

  constructor(readonly page: Page) {
    this.list = page.getByRole('list', { name: 'Incidents' })
    this.filters = page.getByRole('search', { name: 'Incident filters' })
    this.incident = page.getByRole('region', { name: 'Incident', exact: true })
    this.status = this.incident.getByLabel('Status', { exact: true })
    this.timeline = this.incident.getByRole('region', { name: 'Timeline' })
    this.comments = this.incident.getByRole('region', { name: 'Comments' })
    this.observables = this.incident.getByRole('region', { name: 'Observables' })
    this.evidence = this.incident.getByRole('region', { name: 'Evidence' })
    this.actions = this.incident.getByRole('region', { name: 'Response actions' })
  }

  /** A proposed response action, by its type's title and parameters ("Block an IP address: ip: …"). */
  action(text: string): Locator {
    return this.actions.getByRole('article').filter({ hasText: text })
  }

  item(title: string): Locator {
    return this.list.getByRole('listitem').filter({ hasText: title })
  }

  async comment(markdown: string): Promise<void> {
    await this.comments.getByLabel('Comment', { exact: true }).fill(markdown)
    await this.comments.getByRole('button', { name: 'Add comment' }).click()
  }

  async observe(type: string, value: string): Promise<void> {
    await this.observables.getByLabel('Observable type').selectOption(type)
    await this.observables.getByLabel('Observable value').fill(value)
    await this.observables.getByRole('button', { name: 'Add observable' }).click()
  }

  async attach(name: string, bytes: Buffer): Promise<void> {
    await this.evidence
      .getByLabel('Evidence file', { exact: true })
      .setInputFiles({ name, mimeType: 'text/plain', buffer: bytes })
    await this.evidence.getByRole('button', { name: 'Attach', exact: true }).click()
  }
}
