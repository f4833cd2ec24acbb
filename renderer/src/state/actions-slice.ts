import type { StateCreator } from 'zustand'
import {
  checkActionParams,
  type Action,
  type ActionDeadLetter,
  type ActionStep,
  type ActionType,
  type ActionTypeInfo,
  type CallReq,
  type Notification,
  type Operator,
  type WebhookDelivery,
  type WebhookSubscription,
} from '../../../collector/contract'
import type { AppState } from './store'

export type CaseAction = { action: Action; steps: ActionStep[] }
/** Form values as typed: text for text and choice, JSON text, one list item per line. */
export type ActionForm = Record<string, string>

export type ActionsSlice = {
  actionTypes: ActionTypeInfo[]
  twoPersonRule: boolean
  caseActions: CaseAction[]
  actionDeadLetters: ActionDeadLetter[]
  /** Every recent action (System view), with the dead letters of all of them. */
  allActions: CaseAction[]
  allActionsLoaded: boolean
  allActionDeadLetters: ActionDeadLetter[]
  /** Refusals by where they are shown: `propose`, `params.<field>`, or an action's id. */
  actionErrors: Partial<Record<string, string>>
  operators: Operator[]
  notifications: Notification[]
  unreadNotifications: number
  webhooks: WebhookSubscription[]
  webhookAllow: string[]
  webhookDeliveries: WebhookDelivery[]
  webhookError: string | null
  operatorError: string | null
  loadActionTypes: () => Promise<void>
  loadCaseActions: () => Promise<void>
  loadAllActions: () => Promise<void>
  proposeAction: (type: ActionType, form: ActionForm) => Promise<boolean>
  dryRunAction: (id: string) => Promise<void>
  approveAction: (id: string, approver?: string, passphrase?: string) => Promise<boolean>
  rejectAction: (id: string, reason: string) => Promise<boolean>
  executeAction: (id: string) => Promise<void>
  /** The `actions:changed` push. */
  actionChanged: (action: Action) => void
  loadOperators: () => Promise<void>
  createOperator: (name: string, passphrase: string) => Promise<boolean>
  loadNotifications: () => Promise<void>
  readNotifications: (ids?: number[]) => Promise<void>
  /** The `notifications:new` push: listed, and shown on the desktop when permitted. */
  notificationArrived: (notification: Notification) => void
  loadWebhooks: () => Promise<void>
  saveWebhook: (input: CallReq<'webhooks:save'>) => Promise<boolean>
  deleteWebhook: (id: string) => Promise<void>
  testWebhook: (id: string) => Promise<void>
}

/** The form's text as the parameters of that type; a field that does not parse says why. */
export const formParams = (
  info: ActionTypeInfo,
  form: ActionForm,
): { ok: true; params: Record<string, unknown> } | { ok: false; problems: Record<string, string> } => {
  const params: Record<string, unknown> = {}
  const problems: Record<string, string> = {}
  for (const field of info.fields) {
    const text = form[field.name] ?? field.default ?? ''
    if (field.kind === 'json') {
      try {
        params[field.name] = JSON.parse(text.trim() || '{}') as unknown
      } catch (error) {
        problems[field.name] = `not JSON: ${(error as Error).message}`
      }
    } else if (field.kind === 'list')
      params[field.name] = text
        .split('\n')
        .map((line) => line.trim())
        .filter((line) => line !== '')
    else params[field.name] = text
  }
  if (Object.keys(problems).length > 0) return { ok: false, problems }
  return checkActionParams(info.type, params)
}

/** "actions:propose: params.ip: …; params.host: …" -> one message per field, the rest for the form. */
export const splitProblems = (message: string): Record<string, string> => {
  const problems: Record<string, string> = {}
  const body = message.replace(/^[a-z-]+:[a-z-]+: /, '')
  for (const part of body.split(/; (?=params\.)/)) {
    const match = /^params\.([\w.]+): ([\s\S]*)$/.exec(part)
    if (match) problems[`params.${match[1]!.split('.')[0]!}`] = match[2]!
    else problems.propose = problems.propose ? `${problems.propose}; ${part}` : part
  }
  return problems
}

const showDesktop = (notification: Notification): void => {
  if (typeof window === 'undefined' || !('Notification' in window)) return
  if (window.Notification.permission !== 'granted') return
  new window.Notification(notification.title, { body: notification.body, tag: `outpost-${notification.id}` })
}

export const createActionsSlice =
  (transport: AppState['transport']): StateCreator<AppState, [], [], ActionsSlice> =>
  (set, get) => {
    let caseGeneration = 0
    let allGeneration = 0
    let allQueued = false
    const clearError = (key: string): Partial<Record<string, string>> => {
      const { [key]: _gone, ...rest } = get().actionErrors
      return rest
    }
    const refuse = (key: string, message: string): void =>
      set({ actionErrors: { ...get().actionErrors, [key]: message } })
    const step = async (id: string, run: () => Promise<{ ok: boolean; error?: { message: string } }>) => {
      const result = await run()
      if (!result.ok) {
        refuse(id, result.error?.message ?? 'failed')
        return false
      }
      set({ actionErrors: clearError(id) })
      await Promise.all([
        get().loadCaseActions(),
        get().allActionsLoaded ? get().loadAllActions() : undefined,
      ])
      return true
    }

    return {
      actionTypes: [],
      twoPersonRule: false,
      caseActions: [],
      actionDeadLetters: [],
      allActions: [],
      allActionsLoaded: false,
      allActionDeadLetters: [],
      actionErrors: {},
      operators: [],
      notifications: [],
      unreadNotifications: 0,
      webhooks: [],
      webhookAllow: [],
      webhookDeliveries: [],
      webhookError: null,
      operatorError: null,

      async loadActionTypes() {
        const result = await transport.invoke('actions:types', {})
        if (result.ok) set({ actionTypes: result.value.types, twoPersonRule: result.value.two_person_rule })
      },

      async loadCaseActions() {
        const incidentId = get().caseId
        const generation = ++caseGeneration
        if (incidentId === null) return set({ caseActions: [] })
        const [listed, dead] = await Promise.all([
          transport.invoke('actions:list', { incident_id: incidentId }),
          transport.invoke('actions:dead-letters', {}),
        ])
        if (!listed.ok) return refuse('propose', listed.error.message)
        const details = await Promise.all(
          listed.value.actions.map((a) => transport.invoke('actions:get', { id: a.id })),
        )
        if (generation !== caseGeneration || get().caseId !== incidentId) return
        set({
          caseActions: details.flatMap((d) => (d.ok ? [d.value] : [])),
          ...(dead.ok && {
            actionDeadLetters: dead.value.dead_letters.filter((d) => d.incident_id === incidentId),
          }),
        })
      },

      async loadAllActions() {
        const generation = ++allGeneration
        const [listed, dead] = await Promise.all([
          transport.invoke('actions:list', { limit: 50 }),
          transport.invoke('actions:dead-letters', {}),
        ])
        if (!listed.ok) return
        const details = await Promise.all(
          listed.value.actions.map((a) => transport.invoke('actions:get', { id: a.id })),
        )
        if (generation !== allGeneration) return
        set({
          allActionsLoaded: true,
          allActions: details.flatMap((d) => (d.ok ? [d.value] : [])),
          ...(dead.ok && { allActionDeadLetters: dead.value.dead_letters }),
        })
      },

      async proposeAction(type, form) {
        const info = get().actionTypes.find((t) => t.type === type)
        const incidentId = get().caseId
        if (!info || incidentId === null) return false
        const withoutForm = Object.fromEntries(
          Object.entries(get().actionErrors).filter(
            ([key]) => key !== 'propose' && !key.startsWith('params.'),
          ),
        )
        const checked = formParams(info, form)
        if (!checked.ok) {
          set({
            actionErrors: {
              ...withoutForm,
              ...Object.fromEntries(Object.entries(checked.problems).map(([k, v]) => [`params.${k}`, v])),
            },
          })
          return false
        }
        const result = await transport.invoke('actions:propose', {
          type,
          params: checked.params,
          incident_id: incidentId,
          ...(form.proposed_by?.trim() && { proposed_by: form.proposed_by.trim() }),
          ...(form.passphrase && { passphrase: form.passphrase }),
        })
        if (!result.ok) {
          set({ actionErrors: { ...withoutForm, ...splitProblems(result.error.message) } })
          return false
        }
        set({ actionErrors: withoutForm })
        await get().loadCaseActions()
        return true
      },

      async dryRunAction(id) {
        await step(id, () => transport.invoke('actions:dry-run', { id }))
      },

      async approveAction(id, approver, passphrase) {
        return step(id, () =>
          transport.invoke('actions:approve', {
            id,
            ...(approver?.trim() && { approver: approver.trim() }),
            ...(passphrase && { passphrase }),
          }),
        )
      },

      async rejectAction(id, reason) {
        return step(id, () => transport.invoke('actions:reject', { id, reason }))
      },

      async executeAction(id) {
        await step(id, () => transport.invoke('actions:execute', { id }))
      },

      actionChanged(action) {
        if (action.incident_id !== null && action.incident_id === get().caseId) void get().loadCaseActions()
        // A run of transitions (run, verify, complete) reloads the full list once.
        if (!get().allActionsLoaded || allQueued) return
        allQueued = true
        queueMicrotask(() => {
          allQueued = false
          void get().loadAllActions()
        })
      },

      async loadOperators() {
        const result = await transport.invoke('operators:list', {})
        if (result.ok) set({ operators: result.value.operators })
      },

      async createOperator(name, passphrase) {
        const result = await transport.invoke('operators:create', { name, passphrase })
        if (!result.ok) {
          set({ operatorError: result.error.message })
          return false
        }
        set({ operatorError: null })
        await get().loadOperators()
        return true
      },

      async loadNotifications() {
        const result = await transport.invoke('notifications:list', { limit: 100 })
        if (result.ok)
          set({ notifications: result.value.notifications, unreadNotifications: result.value.unread })
      },

      async readNotifications(ids) {
        const result = await transport.invoke('notifications:read', ids ? { ids } : {})
        if (!result.ok) return
        const read = ids ? new Set(ids) : null
        set({
          unreadNotifications: result.value.unread,
          notifications: get().notifications.map((n) =>
            read === null || read.has(n.id) ? { ...n, read: true } : n,
          ),
        })
      },

      notificationArrived(notification) {
        if (get().notifications.some((n) => n.id === notification.id)) return
        set({
          notifications: [notification, ...get().notifications].slice(0, 100),
          unreadNotifications: get().unreadNotifications + (notification.read ? 0 : 1),
        })
        showDesktop(notification)
      },

      async loadWebhooks() {
        const result = await transport.invoke('webhooks:list', {})
        if (!result.ok) return set({ webhookError: result.error.message })
        set({
          webhooks: result.value.subscriptions,
          webhookAllow: result.value.allow,
          webhookDeliveries: result.value.deliveries,
        })
      },

      async saveWebhook(input) {
        const result = await transport.invoke('webhooks:save', input)
        if (!result.ok) {
          set({ webhookError: result.error.message })
          return false
        }
        set({ webhookError: null })
        await get().loadWebhooks()
        return true
      },

      async deleteWebhook(id) {
        const result = await transport.invoke('webhooks:delete', { id })
        set({ webhookError: result.ok ? null : result.error.message })
        await get().loadWebhooks()
      },

      async testWebhook(id) {
        const result = await transport.invoke('webhooks:test', { id })
        set({ webhookError: result.ok ? null : result.error.message })
        await get().loadWebhooks()
      },
    }
  }
