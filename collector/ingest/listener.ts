import type { Endpoint } from '../contract'
import type { ListenerGuard } from './guard'

/** A collector listener: one protocol on one address. Started and stopped by the core. */
export type Listener = {
  readonly name: string
  /** Who may send and how fast; set by createListeners before start. */
  guard: ListenerGuard
  start(): Promise<Endpoint>
  /** Stops accepting, lets in-flight batches commit, closes connections. */
  stop(): Promise<void>
}
