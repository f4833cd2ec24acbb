import type { Locator, Page } from '@playwright/test'

export class OperationsPage {
  readonly list: Locator
  readonly detail: Locator
  readonly form: Locator
  readonly name: Locator
  readonly tlp: Locator
  readonly starts: Locator
  readonly ends: Locator
  readonly save: Locator
  readonly problem: Locator
  readonly missions: Locator
  readonly missionForm: Locator

  constructor(readonly page: Page) {
    this.list = page.getByRole('list', { name: 'Operations' })
    this.detail = page.getByRole('region', { name: 'Operation detail' })
    this.form = this.detail.getByRole('form', { name: 'Operation' })
    this.name = this.form.getByLabel('Name', { exact: true })
    this.tlp = this.form.getByLabel('TLP', { exact: true })
    this.starts = this.form.getByLabel('Starts', { exact: true })
    this.ends = this.form.getByLabel('Ends', { exact: true })
    this.save = this.form.getByRole('button', { name: 'Save', exact: true })
    this.problem = this.form.getByRole('alert', { name: 'Operation problem' })
    this.missions = this.detail.getByRole('table', { name: 'Missions' })
    this.missionForm = this.detail.getByRole('form', { name: 'New mission' })
  }

  async open(url: string): Promise<void> {
    await this.page.goto(url)
    await this.page.getByRole('link', { name: 'Operations' }).click()
    await this.page.getByRole('heading', { name: 'Operations', exact: true }).waitFor()
  }

  item(name: string): Locator {
    return this.list.getByRole('listitem').filter({ hasText: name })
  }

  mission(title: string): Locator {
    return this.missions.getByRole('row').filter({ hasText: title })
  }

  /** `due`: a datetime-local value, e.g. 2020-01-01T09:00. */
  async addMission(title: string, assignee: string, priority: string, due: string): Promise<void> {
    await this.missionForm.getByLabel('Mission title').fill(title)
    await this.missionForm.getByLabel('Assignee').fill(assignee)
    await this.missionForm.getByLabel('Priority').selectOption(priority)
    await this.missionForm.getByLabel('Due').fill(due)
    await this.missionForm.getByRole('button', { name: 'Add mission' }).click()
  }
}
