import type { Config } from '../host/config'
import { StartupError } from '../host/errors'
import { ListenerGuard } from './guard'
import type { Logger } from '../host/log'
import type { HeartbeatsRepo } from '../store/sqlite/heartbeats-repo'
import type { MetricsSink } from './http-listener'
import { ElasticListener } from './elastic-listener'
import { ForwardListener } from './forward-listener'
import { GelfTcpListener, GelfUdpListener } from './gelf-listeners'
import { HecListener, type TokenCheck } from './hec-listener'
import { HttpListener } from './http-listener'
import type { Listener } from './listener'
import { OtlpListener } from './otlp-listener'
import type { IngestPipeline } from './pipeline'
import type { SourceStats } from './source-stats'
import type { SyslogDecode } from './syslog-event'
import { SyslogTcpListener } from './syslog-tcp'
import { SyslogTlsListener, type TlsCredentials } from './syslog-tls'
import { SyslogUdpListener } from './syslog-udp'

export type ListenerDeps = {
  pipeline: IngestPipeline
  stats: SourceStats
  syslogDecode: SyslogDecode
  checkToken: TokenCheck
  heartbeats: HeartbeatsRepo
  /** Metric points (http /v1/metrics, OTLP metrics) go to DuckDB, not to the events pipeline. */
  metrics: MetricsSink
  log: Logger
  /** `--port 0`: every listener takes a free port. */
  ephemeralPorts: boolean
  /** The PEM files of `syslog_tls`, read by the host; needed when it is enabled. */
  loadTls: (name: 'syslog_tls') => TlsCredentials
}

/** The enabled listeners of a config, not yet started. */
export const createListeners = (listeners: Config['listeners'], deps: ListenerDeps): Listener[] => {
  const port = (configured: number): number => (deps.ephemeralPorts ? 0 : configured)
  const out: Listener[] = []
  const {
    http,
    syslog_udp: udp,
    syslog_tcp: tcp,
    syslog_tls: tls,
    hec,
    gelf_udp: gelfUdp,
    gelf_tcp: gelfTcp,
    forward,
    elastic,
    otlp,
  } = listeners
  if (http.enabled) {
    out.push(
      new HttpListener(
        {
          host: http.host,
          port: port(http.port),
          maxBodyBytes: http.max_body_bytes,
          requireToken: http.require_token,
          checkToken: deps.checkToken,
        },
        deps.pipeline,
        deps.stats,
        deps.heartbeats,
        deps.metrics,
        deps.log,
      ),
    )
  }
  if (udp.enabled) {
    out.push(
      new SyslogUdpListener(
        {
          host: udp.host,
          port: port(udp.port),
          maxMessageBytes: udp.max_message_bytes,
          receiveBufferBytes: udp.receive_buffer_bytes,
        },
        deps.pipeline,
        deps.syslogDecode,
        deps.stats,
        deps.log,
      ),
    )
  }
  if (tcp.enabled) {
    out.push(
      new SyslogTcpListener(
        {
          host: tcp.host,
          port: port(tcp.port),
          maxMessageBytes: tcp.max_message_bytes,
          idleTimeoutMs: tcp.idle_timeout_s * 1000,
        },
        deps.pipeline,
        deps.syslogDecode,
        deps.stats,
        deps.log,
      ),
    )
  }
  if (tls.enabled) {
    out.push(
      new SyslogTlsListener(
        {
          host: tls.host,
          port: port(tls.port),
          maxMessageBytes: tls.max_message_bytes,
          idleTimeoutMs: tls.idle_timeout_s * 1000,
          tls: deps.loadTls('syslog_tls'),
        },
        deps.pipeline,
        deps.syslogDecode,
        deps.stats,
        deps.log,
      ),
    )
  }
  if (hec.enabled) {
    out.push(
      new HecListener(
        { host: hec.host, port: port(hec.port), maxBodyBytes: hec.max_body_bytes },
        deps.pipeline,
        deps.checkToken,
        deps.stats,
        deps.log,
      ),
    )
  }
  if (gelfUdp.enabled) {
    const options = {
      host: gelfUdp.host,
      port: port(gelfUdp.port),
      maxMessageBytes: gelfUdp.max_message_bytes,
      receiveBufferBytes: gelfUdp.receive_buffer_bytes,
    }
    out.push(new GelfUdpListener(options, deps.pipeline, deps.stats, deps.log))
  }
  if (gelfTcp.enabled) {
    const options = {
      host: gelfTcp.host,
      port: port(gelfTcp.port),
      maxMessageBytes: gelfTcp.max_message_bytes,
      idleTimeoutMs: gelfTcp.idle_timeout_s * 1000,
    }
    out.push(new GelfTcpListener(options, deps.pipeline, deps.stats, deps.log))
  }
  if (forward.enabled) {
    const options = {
      host: forward.host,
      port: port(forward.port),
      maxBufferedBytes: forward.max_chunk_bytes,
      idleTimeoutMs: forward.idle_timeout_s * 1000,
    }
    out.push(new ForwardListener(options, deps.pipeline, deps.stats, deps.log))
  }
  if (elastic.enabled) {
    const options = {
      host: elastic.host,
      port: port(elastic.port),
      maxBodyBytes: elastic.max_body_bytes,
      requireToken: elastic.require_token,
      version: elastic.version,
    }
    out.push(new ElasticListener(options, deps.pipeline, deps.checkToken, deps.stats, deps.log))
  }
  if (otlp.enabled) {
    const options = { host: otlp.host, port: port(otlp.port), maxBodyBytes: otlp.max_body_bytes }
    out.push(new OtlpListener(options, deps.pipeline, deps.metrics, deps.stats, deps.log))
  }
  for (const listener of out) {
    const config = listeners[listener.name as keyof Config['listeners']]
    checkExposure(listener.name, config)
    listener.guard = new ListenerGuard({
      allowCidrs: config.allow_cidrs,
      rateLimitEps: config.rate_limit_eps,
    })
  }
  return out
}

const LOOPBACK = /^(127\.\d+\.\d+\.\d+|::1|localhost)$/

/**
 * A listener reachable from the network must know who may talk to it: TLS with client
 * certificates, an ingest token, or an allowlist of peers. Otherwise Outpost refuses to start.
 */
export const checkExposure = (name: string, config: Config['listeners'][keyof Config['listeners']]): void => {
  if (LOOPBACK.test(config.host)) return
  const authenticated =
    name === 'hec' || // HEC always requires a token
    ('require_token' in config && config.require_token) ||
    (name === 'syslog_tls' && 'ca_file' in config && Boolean(config.ca_file))
  if (authenticated || config.allow_cidrs.length > 0) return
  throw new StartupError(
    `listeners.${name}.host is ${config.host}, reachable from the network, but anyone could send to it: ` +
      `set listeners.${name}.allow_cidrs to the senders' addresses` +
      (name === 'http' || name === 'elastic' ? `, or require_token: true` : '') +
      (name.startsWith('syslog') ? ', or use syslog_tls with client certificates' : '') +
      ', or bind it to 127.0.0.1',
  )
}
