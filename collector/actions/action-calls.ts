/** The actions:*, operators:*, webhooks:* and notifications:* calls. */
import { ContractError, type CallRes, type ParsedReq } from '../contract'
import type { Audited } from '../detect/rule-calls'
import type { NotificationsRepo } from '../store/sqlite/notifications-repo'
import type { WebhooksRepo } from '../store/sqlite/webhooks-repo'
import type { ActionService } from './action-service'
import type { WebhookDispatcher } from './webhooks'

type ActionCall =
  | 'actions:types'
  | 'actions:list'
  | 'actions:get'
  | 'actions:propose'
  | 'actions:dry-run'
  | 'actions:approve'
  | 'actions:reject'
  | 'actions:execute'
  | 'actions:dead-letters'
  | 'operators:list'
  | 'operators:create'
  | 'webhooks:list'
  | 'webhooks:save'
  | 'webhooks:delete'
  | 'webhooks:test'
  | 'notifications:list'
  | 'notifications:read'
export type ActionHandlers = { [K in ActionCall]: (req: ParsedReq<K>) => CallRes<K> | Promise<CallRes<K>> }

export type ActionCallDeps = {
  service: ActionService
  webhooks: WebhookDispatcher
  webhooksRepo: WebhooksRepo
  notifications: NotificationsRepo
  audited: Audited
  now?: () => number
}

export const actionHandlers = (deps: ActionCallDeps): ActionHandlers => {
  const { service, webhooks, webhooksRepo, notifications, audited } = deps
  const now = deps.now ?? Date.now
  return {
    'actions:types': () => ({ types: service.types(), two_person_rule: service.twoPersonRule }),
    'actions:list': (req) => ({ actions: service.list(req) }),
    'actions:get': (req) => service.get(req.id),
    'actions:propose': (req) => service.propose(req),
    'actions:dry-run': async (req) => ({ action: await service.dryRun(req.id) }),
    'actions:approve': async (req) => ({ action: await service.approve(req) }),
    'actions:reject': async (req) => ({ action: await service.reject(req.id, req.reason) }),
    'actions:execute': async (req) => ({ action: await service.execute(req.id) }),
    'actions:dead-letters': (req) => ({ dead_letters: service.deadLetters(req.limit) }),
    'operators:list': () => ({ operators: service.operators() }),
    'operators:create': (req) => ({ operator: service.createOperator(req.name, req.passphrase) }),
    'webhooks:list': () => ({
      subscriptions: webhooksRepo.list(),
      allow: webhooks.allow,
      deliveries: webhooksRepo.deliveries(100),
    }),
    'webhooks:save': (req) => {
      const subscription = audited(
        (saved: ReturnType<WebhookDispatcher['save']>) => ({
          action: req.id ? 'update' : 'create',
          object_type: 'webhook',
          object_id: saved.id,
          details: { name: req.name, url: req.url, events: req.events, enabled: req.enabled },
        }),
        () => webhooks.save(req),
      )
      return { subscription }
    },
    'webhooks:delete': (req) => {
      if (!webhooksRepo.get(req.id))
        throw new ContractError('not_found', `webhooks:delete: no subscription with id ${req.id}`)
      return {
        deleted: audited({ action: 'delete', object_type: 'webhook', object_id: req.id }, () =>
          webhooksRepo.delete(req.id),
        ),
      }
    },
    'webhooks:test': async (req) => ({ delivery: await webhooks.test(req.id) }),
    'notifications:list': (req) => ({
      notifications: notifications.list(req),
      unread: notifications.unread(),
    }),
    'notifications:read': (req) => {
      notifications.read(req.ids, now())
      return { unread: notifications.unread() }
    },
  }
}
