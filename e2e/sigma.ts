import { randomUUID } from 'node:crypto'
import { expect, type Outpost } from './fixtures'

/** A Sysmon process-creation event as a forwarder would POST it (the rule's logsource maps to it). */
export const processEvent = (image: string, host: string, extra: Record<string, unknown> = {}) => ({
  '@timestamp': new Date().toISOString(),
  Channel: 'Microsoft-Windows-Sysmon/Operational',
  EventID: 1,
  Image: image,
  CommandLine: `${image} --e2e`,
  User: 'CORP\\alice',
  'host.name': host,
  message: `process ${image} started on ${host}`,
  ...extra,
})

/** A Sigma detection rule on process creation matching an Image suffix. */
export const sigmaRule = ({
  title,
  imageEndsWith,
  author = 'E2E Tester',
  level = 'high',
  condition = 'selection',
  id = randomUUID(),
}: {
  title: string
  imageEndsWith: string
  author?: string
  level?: string
  condition?: string
  id?: string
}): string => `title: ${title}
id: ${id}
status: experimental
description: End-to-end test rule.
author: ${author}
license: DRL-1.1
date: 2026-11-22
tags:
  - attack.execution
  - attack.t1059
logsource:
  product: windows
  category: process_creation
detection:
  selection:
    Image|endswith: '${imageEndsWith}'
  condition: ${condition}
level: ${level}
`

/**
 * A scene many case tests start from: a rule on `tool`, one process event on `host` that it
 * raises an alert for, and that alert's id once it is listed.
 */
export const raiseToolAlert = async (
  outpost: Outpost,
  { title, tool, host, level }: { title: string; tool: string; host: string; level: string },
): Promise<string> => {
  await outpost.call('rules:save', { text: sigmaRule({ title, imageEndsWith: `\\${tool}`, level }) })
  expect((await outpost.ingest([processEvent(`C:\\Temp\\${tool}`, host)])).status).toBe(200)
  let alertId: string | undefined
  await expect
    .poll(async () => {
      alertId = (await outpost.call('alerts:list', { limit: 10 })).alerts[0]?.id
      return alertId
    })
    .toBeDefined()
  return alertId!
}
