import { parseArgs, type ParseArgsConfig } from 'node:util'

export type CliIo = {
  stdout: (text: string) => void
  stderr: (text: string) => void
  stdin: NodeJS.ReadableStream
  env: NodeJS.ProcessEnv
  /** Resolves when the process is asked to stop (SIGINT/SIGTERM). */
  stopSignal: () => Promise<string>
  rendererDir: string
}

export type Command = {
  summary: string
  run: (args: string[], io: CliIo) => number | Promise<number>
}

/** Usage problems exit 2; everything else that fails exits 1. */
export class UsageError extends Error {}

export const commonOptions = {
  'data-dir': { type: 'string' },
  help: { type: 'boolean', short: 'h' },
} as const satisfies ParseArgsConfig['options']

export const parse = <O extends ParseArgsConfig['options']>(
  args: string[],
  options: O,
  command: string,
  positionals = false,
) => {
  try {
    return parseArgs({ args, options, allowPositionals: positionals, strict: true })
  } catch (error) {
    throw new UsageError(`${(error as Error).message.split('\n')[0]} (see outpost ${command} --help)`)
  }
}

export const parsePort = (text: string | undefined): number | undefined => {
  if (text === undefined) return undefined
  if (!/^\d+$/.test(text) || Number(text) > 65535)
    throw new UsageError(`--port must be a whole number from 0 to 65535, got "${text}"`)
  return Number(text)
}
