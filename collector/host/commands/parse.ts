import { createInterface } from 'node:readline'
import { parseMessage } from '../../ingest/parse'
import { FORMATS, type FormatOption } from '../../ingest/parse/types'
import { commonOptions, parse, UsageError, type Command } from './common'

const HELP = `Usage: outpost parse [--format auto|${FORMATS.join('|')}]

Reads messages from stdin, one per line, and prints exactly one JSON object per input line:
  {"ok":true,"format",…,"timestamp","hostname","appname","procid","msgid","structured_data","message"}
(plus "cef" or "leef" for those formats, "fields" for json and kv), absent fields null; or
  {"ok":false,"error":"…"} saying what is wrong and at which column.
The same parsers the collector's syslog listeners use. Exit status 0 even when lines fail.

Options:
  --format FORMAT  auto (default): JSON object, syslog with <PRI> (RFC 5424, else BSD/RFC 3164,
                   CEF or LEEF inside), bare CEF/LEEF, key=value pairs
  -h, --help       show this help
`

export const parseCommand: Command = {
  summary: 'parse syslog, CEF, LEEF, JSON or key=value lines from stdin into JSON',
  run: async (args, io) => {
    const { values } = parse(args, { ...commonOptions, format: { type: 'string', short: 'f' } }, 'parse')
    if (values.help) {
      io.stdout(HELP)
      return 0
    }
    const format = (values.format ?? 'auto') as FormatOption
    if (format !== 'auto' && !(FORMATS as readonly string[]).includes(format)) {
      throw new UsageError(`--format must be auto or one of ${FORMATS.join(', ')}, got "${format}"`)
    }
    const lines = createInterface({ input: io.stdin, crlfDelay: Infinity })
    let out = ''
    for await (const line of lines) {
      out += JSON.stringify(parseMessage(line, format)) + '\n'
      if (out.length > 64 * 1024) {
        io.stdout(out)
        out = ''
      }
    }
    if (out) io.stdout(out)
    return 0
  },
}
