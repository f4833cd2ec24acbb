// Every channel name in Outpost is written here and nowhere else. This file is
// deliberately free of zod so the sandboxed preload can bundle it at ~nothing.

/** Calls answered by the core (the collector), in any host. */
export const CORE_CALLS = [
  'system:health',
  'system:info',
  'collector:stats',
  'collector:dead-letters',
  'collector:heartbeats',
  'alerts:list',
  'alerts:update',
  'alerts:escalate',
  'incidents:list',
  'incidents:get',
  'incidents:update',
  'incidents:comment',
  'incidents:observe',
  'incidents:unobserve',
  'incidents:retract',
  'incidents:export',
  'incidents:attach',
  'evidence:get',
  'rules:list',
  'rules:get',
  'rules:validate',
  'rules:save',
  'rules:delete',
  'rules:import',
  'rules:set-enabled',
  'rules:test',
  'rules:test-cancel',
  'audit:list',
  'audit:verify',
  'reports:list',
  'reports:get',
  'reports:versions',
  'reports:create',
  'reports:update',
  'reports:export',
  'operations:list',
  'operations:create',
  'operations:update',
  'missions:list',
  'missions:create',
  'missions:update',
  'assets:list',
  'assets:get',
  'assets:create',
  'assets:update',
  'graph:get',
  'attack:import',
  'attack:matrix',
  'attack:techniques',
  'tokens:list',
  'tokens:create',
  'tokens:revoke',
  'events:list',
  'events:get',
  'import:start',
  'import:cancel',
  'import:list',
  'metrics:sources',
  'metrics:series',
  'hunt:search',
  'hunt:histogram',
  'hunt:fields',
  'hunt:sql',
  'hunt:cancel',
  'hunt:export',
  'hunts:list',
  'hunts:save',
  'hunts:delete',
  'hunts:run',
  'hunts:to-sigma',
  'archive:status',
  'dashboard:summary',
  'actions:types',
  'actions:list',
  'actions:get',
  'actions:propose',
  'actions:dry-run',
  'actions:approve',
  'actions:reject',
  'actions:execute',
  'actions:dead-letters',
  'operators:list',
  'operators:create',
  'webhooks:list',
  'webhooks:save',
  'webhooks:delete',
  'webhooks:test',
  'notifications:list',
  'notifications:read',
  'agents:list',
  'agents:update',
  'agents:run',
  'agents:runs',
  'keys:show',
  'keys:list',
  'keys:trust',
  'keys:revoke',
  'bundles:export',
  'bundles:content-export',
  'bundles:preview',
  'bundles:import',
  'bundles:content-list',
  'bundles:content-rollback',
  'watchlist:list',
  'watchlist:add',
  'watchlist:remove',
  'search:global',
  'sync:status',
  'sync:connect',
  'sync:disconnect',
  'sync:push-now',
  'sync:pull-now',
  'sync:conflicts',
  'sync:resolve',
  'taxii:sources',
  'taxii:pull-now',
  'tasks:list',
  'tasks:cancel',
  'settings:get',
  'settings:update',
] as const

/** Calls answered by the desktop shell itself (native dialogs). The headless host answers `unsupported`. */
export const SHELL_CALLS = ['dialog:open', 'dialog:save'] as const

export const CALL_NAMES = [...CORE_CALLS, ...SHELL_CALLS] as const

/** Events pushed from the core to every connected renderer. */
export const EVENT_NAMES = [
  'events:appended',
  'alerts:raised',
  'alerts:updated',
  'import:progress',
  'rules:changed',
  'rules:test-progress',
  'system:status',
  'assets:changed',
  'incidents:changed',
  'audit:appended',
  'hunt:export-progress',
  'actions:changed',
  'notifications:new',
  'agents:changed',
  'shell:command',
  'sync:changed',
  'tasks:changed',
  'settings:changed',
] as const

export type CoreCallName = (typeof CORE_CALLS)[number]
export type ShellCallName = (typeof SHELL_CALLS)[number]
export type CallName = (typeof CALL_NAMES)[number]
export type EventName = (typeof EVENT_NAMES)[number]

const callSet: ReadonlySet<string> = new Set(CALL_NAMES)
const coreCallSet: ReadonlySet<string> = new Set(CORE_CALLS)
const eventSet: ReadonlySet<string> = new Set(EVENT_NAMES)

export const isCallName = (name: unknown): name is CallName => typeof name === 'string' && callSet.has(name)
export const isCoreCall = (name: unknown): name is CoreCallName =>
  typeof name === 'string' && coreCallSet.has(name)
export const isEventName = (name: unknown): name is EventName =>
  typeof name === 'string' && eventSet.has(name)

/** `domain:verb` <-> `/api/domain/verb`, the headless host's mapping. */
export const API_PREFIX = '/api/'
export const WS_PATH = '/api/ws'
export const HEALTH_PATH = '/api/health'
/** The headless host's one non-JSON call: `PUT` a file's bytes, get `{ upload_id }` for `import:start`. */
export const UPLOAD_PATH = '/api/upload'
export const callPath = (name: CallName): string => API_PREFIX + name.replace(':', '/')
export const callFromPath = (path: string): CallName | undefined => {
  if (!path.startsWith(API_PREFIX)) return undefined
  const rest = path.slice(API_PREFIX.length)
  const slash = rest.indexOf('/')
  if (slash < 0) return undefined
  const name = `${rest.slice(0, slash)}:${rest.slice(slash + 1)}`
  return isCallName(name) ? name : undefined
}
