import { userInfo } from 'node:os'

/** The OS account running Outpost: the audit log's actor (the CLI's is `cli:<account>`). */
export const osUser = (): string => {
  try {
    return userInfo().username
  } catch {
    return 'operator'
  }
}
