import type { OutpostBridge } from '../collector/contract'

declare global {
  interface Window {
    outpost?: OutpostBridge
  }
}
