import { fileURLToPath } from 'node:url'
import { parse, commonOptions, UsageError, type CliIo, type Command } from './commands/common'
import { agentsCommand } from './commands/agents'
import { archiveCommand } from './commands/archive'
import { auditCommand } from './commands/audit'
import { exportCommand } from './commands/export'
import { reportCommand } from './commands/report'
import { attackCommand } from './commands/attack'
import { bundleCommand } from './commands/bundle'
import { keysCommand } from './commands/keys'
import { huntCommand } from './commands/hunt'
import { importCommand } from './commands/import'
import { parseCommand } from './commands/parse'
import { rulesCommand } from './commands/rules'
import { serveCommand } from './commands/serve'
import { syncCommand } from './commands/sync'
import { tokensCommand } from './commands/tokens'
import { taxiiCommand } from './commands/taxii'
import { StartupError } from './errors'
import { defaultDataDir } from './paths'
import { OUTPOST_VERSION } from './version'

export type { CliIo } from './commands/common'

const versionCommand: Command = {
  summary: 'print the version',
  run: (args, io) => {
    const { values } = parse(args, commonOptions, 'version')
    io.stdout(
      values.help ? 'Usage: outpost version\n\nPrints the version of Outpost.\n' : `${OUTPOST_VERSION}\n`,
    )
    return 0
  },
}

const COMMANDS: Record<string, Command> = {
  serve: serveCommand,
  parse: parseCommand,
  import: importCommand,
  tokens: tokensCommand,
  hunt: huntCommand,
  archive: archiveCommand,
  audit: auditCommand,
  report: reportCommand,
  export: exportCommand,
  rules: rulesCommand,
  attack: attackCommand,
  agents: agentsCommand,
  bundle: bundleCommand,
  keys: keysCommand,
  sync: syncCommand,
  taxii: taxiiCommand,
  version: versionCommand,
}

const mainHelp = (): string => `outpost ${OUTPOST_VERSION}: a SOC console for air-gapped operators

Usage: outpost <command> [options]

Commands:
${Object.entries(COMMANDS)
  .map(([name, command]) => `  ${name.padEnd(10)} ${command.summary}`)
  .join('\n')}

Every command takes --help and --data-dir DIR (default: ${defaultDataDir()}, or $OUTPOST_DATA_DIR).
`

/** Runs one CLI invocation; returns the exit code. Never throws. */
export const runCli = async (argv: string[], io: CliIo): Promise<number> => {
  const [command, ...rest] = argv
  try {
    if (command === undefined || command === '--help' || command === '-h') {
      io.stdout(mainHelp())
      return command === undefined ? 2 : 0
    }
    if (command === 'help') {
      io.stdout(mainHelp())
      return 0
    }
    if (command === '--version' || command === '-v') return await versionCommand.run([], io)
    const found = COMMANDS[command]
    if (!found) throw new UsageError(`unknown command "${command}" (see outpost --help)`)
    return await found.run(rest, io)
  } catch (error) {
    if (error instanceof UsageError) {
      io.stderr(`outpost: ${error.message}\n`)
      return 2
    }
    if (error instanceof StartupError) {
      io.stderr(`outpost: error: ${error.message}\n`)
      return 1
    }
    const detail = io.env.OUTPOST_DEBUG
      ? `\n${(error as Error).stack ?? ''}`
      : ' (set OUTPOST_DEBUG=1 for the stack)'
    io.stderr(`outpost: internal error: ${(error as Error).message}${detail}\n`)
    return 1
  }
}

const processIo = (): CliIo => ({
  stdout: (text) => process.stdout.write(text),
  stderr: (text) => process.stderr.write(text),
  stdin: process.stdin,
  env: process.env,
  rendererDir: fileURLToPath(new URL('../renderer/', import.meta.url)),
  stopSignal: () =>
    new Promise((resolve) => {
      const onSignal = (signal: string): void => {
        // A second signal means "now": exit without waiting for the flush.
        process.once('SIGINT', () => process.exit(130))
        process.once('SIGTERM', () => process.exit(143))
        resolve(signal)
      }
      process.once('SIGINT', onSignal)
      process.once('SIGTERM', onSignal)
    }),
})

/** Entry point of the built `out/main/cli.js`, loaded by bin/outpost.js. */
export const main = async (): Promise<void> => {
  process.exitCode = await runCli(process.argv.slice(2), processIo())
}
