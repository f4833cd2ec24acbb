import type { MissionStatus } from '../../state/operations-slice'

export const MISSION_STATUS_LABEL: Record<MissionStatus, string> = {
  todo: 'To do',
  in_progress: 'In progress',
  blocked: 'Blocked',
  done: 'Done',
}

export const operationHref = (id: string): string => `#/operations?id=${encodeURIComponent(id)}`
