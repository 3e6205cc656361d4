// Types and fetchers of the web plugin's JSON API (plugins/web/Session/ApiModels.cs). Times are Unix epoch
// nanoseconds (numbers: exact to about 0.2 µs, enough to show and to query), durations milliseconds.

export interface SessionInfo {
  start_ns: number | null;
  end_ns: number | null;
  duration_ms: number | null;
  events: number;
  last_seq: number;
  evicted: number;
  sources: Record<string, number>;
  comms: Record<string, number>;
  recorded: boolean;
}

export interface EventRow {
  seq: number;
  timestamp: number;
  source: string;
  pid: number;
  tid: number;
  comm: string;
  process_id: number;
  summary: string;
  received_at_ms: number;
}

export interface EventPage { items: EventRow[]; total: number; next_before: number | null }
export interface EventDetail { event: EventRow; json: Record<string, unknown> }

export interface LlmCallRow {
  id: number;
  event_seq: number;
  start_ns: number;
  end_ns: number;
  timestamp: number;
  pid: number;
  comm: string;
  process_id: number;
  provider: string | null;
  operation: string | null;
  model: string;
  request_model: string | null;
  response_model: string | null;
  input_tokens: number | null;
  output_tokens: number | null;
  cache_read_tokens: number | null;
  cache_creation_tokens: number | null;
  reasoning_tokens: number | null;
  duration_ms: number | null;
  ttft_ms: number | null;
  ttfc_ms: number | null;
  status_code: number | null;
  error_type: string | null;
  streaming: boolean | null;
  complete: boolean | null;
  truncated: boolean | null;
  server_address: string | null;
  url_path: string | null;
  finish_reasons: string[] | null;
  exchange_id: string | null;
  /** USD from the cost stage; null when unknown (no price for the model, no usage) or not priced. */
  cost_usd: number | null;
}

export interface LlmPage { items: LlmCallRow[]; total: number; models: string[] }

export interface HttpRow {
  exchange_id: string;
  method: string | null;
  host: string | null;
  path: string | null;
  status: number | null;
  duration_ms: number | null;
  ttfb_ms: number | null;
  complete: boolean;
  end_reason: string | null;
  request_body_size: number | null;
  response_body_size: number | null;
  streamed: boolean;
}

export interface LlmDetail { call: LlmCallRow; event: { data?: Record<string, unknown> } | null; http: HttpRow | null }

export interface ProcessRow {
  id: number;
  pid: number;
  ppid: number | null;
  parent_id: number | null;
  comm: string;
  filename: string | null;
  argv: string[] | null;
  command_line: string;
  start_ns: number;
  start_known: boolean;
  end_ns: number | null;
  last_seen_ns: number;
  exit_code: number | null;
  signal: number | null;
  core_dumped: boolean;
  duration_ms: number | null;
  files: number;
  files_written: number;
  /** Opens that failed with an error (refused, or a failed write); look-ups that missed are in files_missed. */
  files_failed: number;
  files_missed: number;
  llm_calls: number;
  mcp_calls: number;
  input_tokens: number;
  output_tokens: number;
  events: number;
  children: number[];
  /** The container it ran in (docs/EVENTS.md, the process event's `container`); null when in none. */
  container_id: string | null;
  container_runtime: string | null;
  pod_uid: string | null;
}

/** How an open ended (the server's rule, ErrorRule): a look-up that found nothing is a `miss`, not an `error`. */
export type FileOutcome = 'opened' | 'miss' | 'error';
export interface FileRow { timestamp: number; path: string; access: string; writes: boolean | null; failed: boolean; outcome: FileOutcome; error: string | null; fd: number | null }
export interface ProcessDetail { process: ProcessRow; files: FileRow[]; calls: LlmCallRow[]; connections: ConnectionRow[]; mcp_calls: McpCallRow[] }

/** One MCP call or notification; `arguments` and `result` are previews (the whole is in the event). */
export interface McpCallRow {
  id: number;
  event_seq: number;
  start_ns: number;
  end_ns: number;
  timestamp: number;
  pid: number;
  comm: string;
  process_id: number;
  method: string | null;
  request_id: string | null;
  kind: string | null;
  direction: string | null;
  transport: string | null;
  session_id: string | null;
  server: string;
  server_name: string | null;
  server_version: string | null;
  client_name: string | null;
  tool_name: string | null;
  target: string | null;
  arguments: string | null;
  result: string | null;
  error_code: number | null;
  error_message: string | null;
  error_type: string | null;
  is_error: boolean;
  complete: boolean;
  truncated: boolean;
  client_pid: number | null;
  server_pid: number | null;
  url: string | null;
  exchange_id: string | null;
  duration_ms: number | null;
}
export interface McpServerRow {
  server: string;
  name: string | null;
  version: string | null;
  transport: string | null;
  pid: number | null;
  url: string | null;
  clients: string[];
  calls: number;
  tool_calls: number;
  errors: number;
  incomplete: number;
  tools: string[];
  total_duration_ms: number;
}
export interface McpPage { items: McpCallRow[]; total: number; servers: McpServerRow[] }
export interface McpDetail { call: McpCallRow; event: { data?: Record<string, unknown> } | null }
export interface McpBar { id: number; start_ns: number; end_ns: number; label: string; server: string; error: boolean }

/** One connection: its connect(), its TLS hello, and whether no probe saw its plaintext (and why). */
export interface ConnectionRow {
  id: number;
  process_id: number;
  pid: number;
  comm: string;
  fd: number | null;
  first_seq: number;
  start_ns: number;
  host: string;
  family: string | null;
  address: string | null;
  port: number | null;
  path: string | null;
  result: string | null;
  error: string | null;
  tls: boolean;
  server_name: string | null;
  remote: string | null;
  alpn: string[] | null;
  tls13: boolean | null;
  unseen: boolean;
  binary: string | null;
  program: string | null;
  reason: string | null;
  connect_seq: number | null;
  hello_seq: number | null;
  unseen_seq: number | null;
}
export interface ConnectionPage { items: ConnectionRow[]; total: number }

export interface HostRow {
  host: string;
  connections: number;
  connects: number;
  /** Failed connects that are errors; missed_connects: connects to a Unix socket that is not there (not errors). */
  failed_connects: number;
  errors: string[];
  missed_connects: number;
  tls: number;
  unseen: number;
  addresses: string[];
  alpn: string[];
  first_ns: number;
  last_ns: number;
}
export interface ProcessHosts { process_id: number; pid: number; comm: string; executable: string | null; connections: number; unseen: number; hosts: HostRow[] }
/** One warning line: TLS connections of one process, unseen for one reason (process fields null: counted by the capture only). */
export interface UnseenTlsWarning {
  process_id: number | null;
  pid: number | null;
  comm: string | null;
  binary: string | null;
  program: string | null;
  reason: string | null;
  connections: number;
  hosts: string[];
  first_seq: number | null;
  text: string;
}
export interface NetworkTotals {
  hosts: number;
  connections: number;
  connects: number;
  failed_connects: number;
  missed_connects: number;
  tls: number;
  unseen: number;
  unseen_counted: number;
  processes: ProcessHosts[];
  warnings: UnseenTlsWarning[];
}
export interface ProcessList { items: ProcessRow[]; roots: number[] }

export interface CallBar { id: number; start_ns: number; end_ns: number; model: string; error: boolean; input_tokens: number | null; output_tokens: number | null }
export interface TimelineLane {
  process_id: number;
  pid: number;
  comm: string;
  label: string;
  depth: number;
  start_ns: number;
  end_ns: number;
  exit_code: number | null;
  calls: CallBar[];
  calls_hidden: number;
  /** [bin, process, file, network, llm, other, mcp] */
  bins: number[][];
  /** The MCP calls this process made as a client. */
  mcp_calls: McpBar[];
  /** Resource samples in the window, at most one per bin (the bin's highest): [t_ns, cpu_percent (-1: unknown), rss_bytes]. */
  resources: number[][];
  /** The lane's highest CPU percent and RSS in the window (null without samples). */
  peak_cpu: number | null;
  peak_rss: number | null;
}
export interface Timeline { from_ns: number; to_ns: number; bins: number; session_start_ns: number; session_end_ns: number; lanes: TimelineLane[]; lanes_total: number }

export interface ModelRow {
  model: string;
  provider: string | null;
  calls: number;
  errors: number;
  input_tokens: number;
  output_tokens: number;
  cache_read_tokens: number;
  reasoning_tokens: number;
  total_duration_ms: number;
  avg_duration_ms: number | null;
  avg_ttft_ms: number | null;
  /** Sum of the priced calls; null when none was priced. */
  cost_usd: number | null;
  unpriced_calls: number;
}
/** One agent run of the trace analyzer (its run span). */
export interface RunRow {
  trace_id: string; span_id: string; name: string; pid: number | null; command_line: string | null; start_ns: number; end_ns: number; status: string;
  calls: number; conversations: number; input_tokens: number; output_tokens: number; cost_usd: number | null; unpriced_calls: number;
}
/** A span event (docs/EVENTS.md, "span"), with the call or process a click opens. */
export interface SpanRow {
  event_seq: number; trace_id: string; span_id: string; parent_span_id: string | null; name: string; operation: string; kind: string;
  start_ns: number; end_ns: number; status: string; status_message: string | null; attributes: Record<string, unknown>;
  call_id: number | null; process_id: number | null;
}
export interface TraceView { spans: SpanRow[]; dropped: number }
export interface DropRow { stage: string; kind: string; counter: string; count: number }
export interface ErrorRow { kind: string; count: number; examples: string[] }
export interface FileSummary { path: string; opens: number; writes: number; failures: number; misses: number; first_ns: number; last_ns: number; by: string[] }
export interface Overview {
  start_ns: number | null;
  end_ns: number | null;
  duration_ms: number | null;
  events: number;
  sources: Record<string, number>;
  llm: { calls: number; errors: number; input_tokens: number; output_tokens: number; cache_read_tokens: number; cache_creation_tokens: number; reasoning_tokens: number; models: ModelRow[];
    cost_usd: number | null; unpriced_calls: number; price_table: string | null; cost_over_time: [number, number][] };
  processes: { count: number; running: number; exited: number; failed: number };
  /** failed: opens that failed with an error; missed: look-ups that found nothing (not errors). */
  files: { paths: number; opens: number; written: number; failed: number; missed: number };
  http: { exchanges: number; errors: number; incomplete: number };
  errors: ErrorRow[];
  /** incomplete: a stored session its recorder never marked complete (killed, crashed or still recording): events are missing that no counter shows. */
  drops: { total: number; items: DropRow[]; from_recording: boolean; incomplete: boolean; incomplete_text: string | null };
  files_written: FileSummary[];
  network: NetworkTotals;
  resources: ResourceTotals;
  runs: RunRow[];
  /** The containers the session's processes ran in (empty on a plain host). */
  containers: ContainerRow[];
}

/** One container: its processes (the first one's id and command) and the LLM calls they made. */
export interface ContainerRow {
  id: string; runtime: string | null; pod_uid: string | null; processes: number; first_process_id: number; first_command: string;
  first_ns: number; llm_calls: number;
}

/** The sample at which one process reached a peak: `value` is bytes of RSS or CPU percent. */
export interface ResourcePeak { process_id: number; pid: number; comm: string; value: number; at_ns: number }
/** Resource samples over the session (none: samples 0, peaks null). */
export interface ResourceTotals { samples: number; processes: number; peak_rss: ResourcePeak | null; peak_cpu: ResourcePeak | null }

export interface StageRow {
  position: number;
  id: string;
  plugin: string;
  kind: string;
  state: string;
  in: number;
  out: number;
  dropped: number;
  failed: number;
  restarts: number;
  queue_depth: number;
  queue_high_water: number;
  queue_capacity: number;
  backpressure: string;
  time_spent_ms: number;
  counters: Record<string, number>;
}
export interface SourceRow { name: string; produced: number; counters: Record<string, number> }
export interface PipelineView {
  taken_at: string | null;
  sources: SourceRow[];
  stages: StageRow[];
  recorded: { taken_at: string | null; sources: SourceRow[]; stages: StageRow[]; meta: Record<string, string> } | null;
}

export interface LiveSummary { last_seq: number; events: number; llm_calls: number; processes: number; file_paths: number; drops: number; received_at_ms: number }

type Query = Record<string, string | number | null | undefined>;

export function url(path: string, query: Query = {}): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value !== null && value !== undefined && value !== '') {
      params.set(key, typeof value === 'number' ? String(Math.round(value)) : value);
    }
  }
  const text = params.toString();
  return text ? `${path}?${text}` : path;
}

export async function get<T>(path: string, query: Query = {}, signal?: AbortSignal): Promise<T> {
  const response = await fetch(url(path, query), { signal, headers: { accept: 'application/json' } });
  if (!response.ok) {
    throw new Error(`${response.status} ${(await response.text()).trim()}`);
  }
  return (await response.json()) as T;
}
