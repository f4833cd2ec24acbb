import { randomUUID } from 'node:crypto'

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
