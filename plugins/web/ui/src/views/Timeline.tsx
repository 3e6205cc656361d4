import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
import { get, type CallBar, type McpBar, type Timeline as TimelineData, type TimelineLane } from '../api';
import { bytes, clock, duration, num } from '../format';
import { useLiveVersion } from '../live';
import { go, href, type Route } from '../router';

const LANE = 26;
/** Height of the strip under a lane that draws its process's CPU and memory samples. */
const RESOURCES = 24;
const LABELS = 260;
const AXIS = 24;
const COLORS = { process: '#8e6bd1', file: '#d18f2e', net: '#4a90c2', llm: '#2e9e6a', mcp: '#b0489b', other: '#999', cpu: '#e07b39', rss: '#3558c9' };

const laneHeight = (lane: TimelineLane) => LANE + (lane.resources.length > 0 ? RESOURCES : 0);

interface Window { from: number; to: number }

/** Nice tick spacing (ns) for about `count` ticks over `span` ns. */
function tickStep(span: number, count: number): number {
  const raw = span / count;
  const steps = [1e6, 2e6, 5e6, 1e7, 2e7, 5e7, 1e8, 2e8, 5e8, 1e9, 2e9, 5e9, 1e10, 3e10, 6e10, 1.2e11, 3e11, 6e11, 1.2e12, 3.6e12];
  return steps.find((s) => s >= raw) ?? raw;
}

export function Timeline({ route }: { route: Route }) {
  const version = useLiveVersion(1000);
  const [win, setWin] = useState<Window | null>(null);
  const [data, setData] = useState<TimelineData | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [hover, setHover] = useState<{ x: number; y: number; call: CallBar; lane: string } | null>(null);
  const [mcpHover, setMcpHover] = useState<{ x: number; y: number; call: McpBar; lane: string } | null>(null);
  const [sampleHover, setSampleHover] = useState<{ x: number; y: number; sample: number[]; lane: string } | null>(null);
  const [width, setWidth] = useState(900);
  const canvas = useRef<HTMLCanvasElement>(null);
  const box = useRef<HTMLDivElement>(null);
  const drag = useRef<{ x: number; win: Window } | null>(null);
  const focus = route.params.get('process');
  const bins = Math.max(20, Math.min(2000, Math.floor(width / 3)));

  useEffect(() => {
    const el = box.current;
    if (!el) return undefined;
    const observer = new ResizeObserver(() => setWidth(Math.max(300, el.clientWidth - LABELS)));
    observer.observe(el);
    return () => observer.disconnect();
  }, []);

  // Fetch the window (debounced, so a zoom gesture costs one request).
  useEffect(() => {
    const controller = new AbortController();
    const t = window.setTimeout(() => {
      get<TimelineData>('/api/timeline', { from: win?.from, to: win?.to, bins }, controller.signal)
        .then((d) => { setData(d); setError(null); })
        .catch((e: unknown) => { if (!controller.signal.aborted) setError(String(e)); });
    }, 120);
    return () => { window.clearTimeout(t); controller.abort(); };
  }, [win?.from, win?.to, bins, version]);

  const view: Window = win ?? (data ? { from: data.from_ns, to: data.to_ns } : { from: 0, to: 1 });
  const span = Math.max(1, view.to - view.from);
  const x = (ns: number) => ((ns - view.from) / span) * width;
  const lanes = data?.lanes ?? [];
  const tops = useMemo(() => {
    const result: number[] = [];
    let top = AXIS;
    for (const lane of lanes) {
      result.push(top);
      top += laneHeight(lane);
    }
    result.push(top);
    return result;
  }, [lanes]);

  useEffect(() => {
    const c = canvas.current;
    if (!c || !data) return;
    const dpr = window.devicePixelRatio || 1;
    const height = tops[tops.length - 1] ?? AXIS;
    c.width = width * dpr;
    c.height = height * dpr;
    c.style.width = `${width}px`;
    c.style.height = `${height}px`;
    const g = c.getContext('2d');
    if (!g) return;
    g.scale(dpr, dpr);
    g.clearRect(0, 0, width, height);
    g.font = '11px system-ui, sans-serif';
    // Axis: real clock times at round steps.
    const step = tickStep(span, Math.max(2, width / 120));
    g.fillStyle = '#666';
    g.strokeStyle = '#e4e4e4';
    for (let t = Math.ceil(view.from / step) * step; t <= view.to; t += step) {
      const px = x(t);
      g.beginPath();
      g.moveTo(px, AXIS - 4);
      g.lineTo(px, height);
      g.stroke();
      g.fillText(step < 1e9 ? clock(t).slice(3) : clock(t).slice(0, 8), px + 3, 12);
    }
    const binWidth = width / data.bins;
    lanes.forEach((lane, i) => {
      const top = tops[i];
      if (String(lane.process_id) === focus) {
        g.fillStyle = '#fff7d6';
        g.fillRect(0, top, width, laneHeight(lane));
      }
      if (lane.resources.length > 0) drawResources(g, lane, top + LANE, x);
      // Lifetime.
      g.fillStyle = lane.exit_code !== null && lane.exit_code !== 0 ? '#f3d3d3' : '#e8eef5';
      const a = Math.max(0, x(lane.start_ns));
      const b = Math.min(width, x(lane.end_ns));
      g.fillRect(a, top + 9, Math.max(2, b - a), 8);
      // Event density per bin: process, file, network, other as ticks.
      for (const [bin, proc, file, net, , other] of lane.bins) {
        const px = bin * binWidth;
        const parts: [number, string][] = [[proc, COLORS.process], [file, COLORS.file], [net, COLORS.net], [other, COLORS.other]];
        let y = top + LANE - 3;
        for (const [n, color] of parts) {
          if (n <= 0) continue;
          const h = Math.min(8, 2 + Math.log2(n + 1) * 2);
          g.fillStyle = color;
          g.fillRect(px, y - h, Math.max(1.5, binWidth - 0.5), h);
          y -= h;
        }
      }
      // LLM calls: bars from request start to response end.
      for (const call of lane.calls) {
        const a2 = Math.max(0, x(call.start_ns));
        const b2 = Math.min(width, x(call.end_ns));
        g.fillStyle = call.error ? '#c0392b' : COLORS.llm;
        g.fillRect(a2, top + 4, Math.max(3, b2 - a2), 12);
      }
      // MCP calls: thinner bars under the LLM calls, from request to response.
      for (const call of lane.mcp_calls) {
        const a3 = Math.max(0, x(call.start_ns));
        const b3 = Math.min(width, x(call.end_ns));
        g.fillStyle = call.error ? '#c0392b' : COLORS.mcp;
        g.fillRect(a3, top + 17, Math.max(3, b3 - a3), 6);
      }
    });
  }, [data, width, focus, view.from, view.to, tops]);

  const callAt = (px: number, py: number) => {
    const i = tops.findIndex((top, n) => n < lanes.length && py >= top && py < tops[n + 1]);
    const lane = lanes[i];
    if (!lane || py >= tops[i] + LANE) return null;
    const call = lane.calls.find((c) => px >= x(c.start_ns) - 2 && px <= Math.max(x(c.end_ns), x(c.start_ns) + 3) + 2);
    return call ? { call, lane: `${lane.comm} (${lane.pid})` } : null;
  };
  /** The MCP call under the pointer: its bar is the lower strip of the lane. */
  const mcpAt = (px: number, py: number) => {
    const i = tops.findIndex((top, n) => n < lanes.length && py >= top && py < tops[n + 1]);
    const lane = lanes[i];
    if (!lane || py < tops[i] + 15 || py >= tops[i] + LANE) return null;
    const call = lane.mcp_calls.find((c) => px >= x(c.start_ns) - 2 && px <= Math.max(x(c.end_ns), x(c.start_ns) + 3) + 2);
    return call ? { call, lane: `${lane.comm} (${lane.pid})` } : null;
  };
  /** The resource sample nearest the pointer in a lane's CPU/memory strip (within 20 px), or null. */
  const sampleAt = (px: number, py: number) => {
    const i = tops.findIndex((top, n) => n < lanes.length && py >= top && py < tops[n + 1]);
    const lane = lanes[i];
    if (!lane || lane.resources.length === 0 || py < tops[i] + LANE) return null;
    let best: number[] | null = null;
    for (const s of lane.resources) {
      if (Math.abs(x(s[0]) - px) <= 20 && (!best || Math.abs(x(s[0]) - px) < Math.abs(x(best[0]) - px))) best = s;
    }
    return best ? { sample: best, lane: `${lane.comm} (${lane.pid})` } : null;
  };
  const zoom = (factor: number, centerPx = width / 2) => {
    const center = view.from + (centerPx / width) * span;
    const next = Math.max(1e5, span * factor);
    setWin({ from: center - (centerPx / width) * next, to: center + (1 - centerPx / width) * next });
  };
  const bounds = useMemo(() => (data ? { start: data.session_start_ns, end: data.session_end_ns } : null), [data]);

  return (
    <div>
      <div class="toolbar">
        <button onClick={() => zoom(0.5)} aria-label="Zoom in" data-testid="tl-zoom-in">+</button>
        <button onClick={() => zoom(2)} aria-label="Zoom out" data-testid="tl-zoom-out">−</button>
        <button onClick={() => setWin(null)} data-testid="tl-reset">Whole session</button>
        <span class="muted small" data-testid="tl-window">{clock(view.from)} – {clock(view.to)} ({duration(span / 1e6)})</span>
        <span class="muted small">wheel: zoom · drag: pan · click a call to open it</span>
        <span class="legend small">
          <i style={{ background: COLORS.llm }} /> LLM call <i style={{ background: COLORS.mcp }} /> MCP call <i style={{ background: COLORS.process }} /> exec/exit
          <i style={{ background: COLORS.file }} /> file <i style={{ background: COLORS.net }} /> network
          <i style={{ background: COLORS.cpu }} /> CPU <i style={{ background: COLORS.rss }} /> memory (RSS)
        </span>
      </div>
      {error && <p class="error">{error}</p>}
      {data && data.lanes_total > lanes.length && <p class="muted small">Showing {lanes.length} of {num(data.lanes_total)} processes active in this window; zoom in to see the others.</p>}
      <div class="timeline" ref={box} data-testid="timeline" data-lanes={lanes.length}
        data-calls={lanes.reduce((n, l) => n + l.calls.length + l.calls_hidden, 0)}
        data-mcp-calls={lanes.reduce((n, l) => n + l.mcp_calls.length, 0)}>
        <div class="lane-labels" style={{ paddingTop: `${AXIS}px` }}>
          {lanes.map((l) => (
            <a key={l.process_id} class={`lane-label ${String(l.process_id) === focus ? 'focus' : ''}`} style={{ height: `${laneHeight(l)}px`, paddingLeft: `${6 + l.depth * 12}px` }}
              href={href('processes', l.process_id)} title={l.label} data-testid="tl-lane" data-pid={l.pid} data-calls={l.calls.length + l.calls_hidden}
              data-mcp-calls={l.mcp_calls.length}>
              <div class="lane-name"><b>{l.comm}</b> <span class="muted">{l.pid}</span> <span class="muted small mono">{l.label}</span></div>
              {l.resources.length > 0 && (
                <div class="lane-resources small" data-testid="tl-resources" data-pid={l.pid} data-samples={l.resources.length}
                  data-peak-cpu={l.peak_cpu ?? ''} data-peak-rss={l.peak_rss ?? ''}
                  title="CPU (orange, 0 to 100 % or the lane's peak) and resident memory (blue, 0 to the lane's peak), sampled while recording">
                  <span style={{ color: COLORS.cpu }}>CPU ≤ {l.peak_cpu === null ? '–' : `${l.peak_cpu.toFixed(0)} %`}</span>
                  {' · '}<span style={{ color: COLORS.rss }}>RSS ≤ {bytes(l.peak_rss)}</span>
                </div>
              )}
            </a>
          ))}
        </div>
        <div class="lane-canvas">
          <canvas ref={canvas}
            onWheel={(e) => { e.preventDefault(); zoom(e.deltaY < 0 ? 0.8 : 1.25, e.offsetX); }}
            onMouseDown={(e) => { drag.current = { x: e.clientX, win: view }; }}
            onMouseUp={(e) => {
              const d = drag.current;
              drag.current = null;
              if (d && Math.abs(e.clientX - d.x) < 3) {
                const mcp = mcpAt(e.offsetX, e.offsetY);
                const hit = mcp ? null : callAt(e.offsetX, e.offsetY);
                if (mcp) go('mcp', mcp.call.id);
                else if (hit) go('llm', hit.call.id);
              }
            }}
            onMouseLeave={() => { drag.current = null; setHover(null); setMcpHover(null); setSampleHover(null); }}
            onMouseMove={(e) => {
              const d = drag.current;
              if (d) {
                const shift = ((e.clientX - d.x) / width) * (d.win.to - d.win.from);
                setWin({ from: d.win.from - shift, to: d.win.to - shift });
                return;
              }
              const mcp = mcpAt(e.offsetX, e.offsetY);
              setMcpHover(mcp ? { x: e.offsetX, y: e.offsetY, ...mcp } : null);
              const hit = mcp ? null : callAt(e.offsetX, e.offsetY);
              setHover(hit ? { x: e.offsetX, y: e.offsetY, ...hit } : null);
              const sample = hit || mcp ? null : sampleAt(e.offsetX, e.offsetY);
              setSampleHover(sample ? { x: e.offsetX, y: e.offsetY, ...sample } : null);
            }} />
          {sampleHover && (
            <div class="tooltip" data-testid="tl-sample-tooltip" style={{ left: `${sampleHover.x + 12}px`, top: `${sampleHover.y + 12}px` }}>
              <b>{sampleHover.lane}</b> at {clock(sampleHover.sample[0])}<br />
              CPU {sampleHover.sample[1] < 0 ? '–' : `${sampleHover.sample[1].toFixed(1)} %`} · RSS {bytes(sampleHover.sample[2])}
            </div>
          )}
          {mcpHover && (
            <div class="tooltip" data-testid="tl-mcp-tooltip" style={{ left: `${mcpHover.x + 12}px`, top: `${mcpHover.y + 12}px` }}>
              <b>MCP {mcpHover.call.label}</b> · {mcpHover.call.server} · {mcpHover.lane}<br />
              {clock(mcpHover.call.start_ns)} · {duration((mcpHover.call.end_ns - mcpHover.call.start_ns) / 1e6)}{mcpHover.call.error ? ' · failed' : ''}
            </div>
          )}
          {hover && (
            <div class="tooltip" style={{ left: `${hover.x + 12}px`, top: `${hover.y + 12}px` }}>
              <b>{hover.call.model}</b> · {hover.lane}<br />
              {clock(hover.call.start_ns)} · {duration((hover.call.end_ns - hover.call.start_ns) / 1e6)}<br />
              {num(hover.call.input_tokens)} tokens in · {num(hover.call.output_tokens)} out
            </div>
          )}
        </div>
      </div>
      {bounds && lanes.length === 0 && <p class="muted">Nothing in this window.</p>}
    </div>
  );
}

/**
 * A process's resource samples in the strip under its lane: CPU percent as an orange area (scaled to 100 %, or to the
 * lane's peak when a multi-threaded process passed it) and RSS as a blue line (scaled to the lane's peak), each
 * sample held until the next one, as a sampled value is.
 */
function drawResources(g: CanvasRenderingContext2D, lane: TimelineLane, top: number, x: (ns: number) => number) {
  const height = RESOURCES - 4;
  const base = top + RESOURCES - 2;
  const cpuScale = Math.max(100, lane.peak_cpu ?? 0);
  const rssScale = Math.max(1, lane.peak_rss ?? 0);
  g.fillStyle = '#f6f7f9';
  g.fillRect(Math.max(0, x(lane.start_ns)), top + 1, Math.max(2, x(lane.end_ns) - x(lane.start_ns)), RESOURCES - 2);
  const points = lane.resources;
  g.fillStyle = 'rgba(224, 123, 57, 0.55)';
  for (let i = 0; i < points.length; i++) {
    const [t, cpu] = points[i];
    if (cpu < 0) continue;
    // A sample's CPU percent covers the time since the one before: drawn over that span.
    const from = i > 0 ? x(points[i - 1][0]) : x(Math.max(lane.start_ns, t - 1e9));
    const h = (cpu / cpuScale) * height;
    g.fillRect(from, base - h, Math.max(1.5, x(t) - from), h);
  }
  g.strokeStyle = COLORS.rss;
  g.lineWidth = 1.5;
  g.beginPath();
  points.forEach(([t, , rss], i) => {
    const px = x(t);
    const py = base - (rss / rssScale) * height;
    if (i === 0) g.moveTo(px, py); else g.lineTo(px, py);
  });
  if (points.length === 1) g.lineTo(x(points[0][0]) + 3, base - (points[0][2] / rssScale) * height);
  g.stroke();
  g.lineWidth = 1;
}
