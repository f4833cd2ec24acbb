import type { Endpoint } from '../contract'

/** A collector listener: one protocol on one address. Started and stopped by the core. */
export type Listener = {
  readonly name: string
  start(): Promise<Endpoint>
  /** Stops accepting, lets in-flight batches commit, closes connections. */
  stop(): Promise<void>
}
