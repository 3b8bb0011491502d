// A fake of the Anthropic Messages API on 127.0.0.1 (free port), enough for the real Claude Code
// CLI to run a `claude -p` session offline. It answers POST /v1/messages (streaming SSE or not)
// from a script of turns — text, a tool_use the CLI then runs, or an API error — and records the
// usage of every response, so a test knows exactly what Claude Code will report. It also saves
// what the CLI sends elsewhere on the same port (OTLP /v1/logs, /v1/metrics, /v1/traces, HTTP
// hooks under /hooks) and logs anything unknown (answered 404).
//
// Only "main loop" requests (the ones that carry `tools`) consume the script; side requests the
// CLI makes on its own (titles, summaries, quota probes: no `tools`) get `sideReply`.

/** Token counts of one response, as the API reports them. */
export interface Usage {
  input_tokens: number;
  output_tokens: number;
  cache_creation_input_tokens: number;
  cache_read_input_tokens: number;
}

/** One scripted answer to a main-loop request. */
export type Turn =
  | { text: string; usage?: Partial<Usage> }
  | {
    /** the tool the model "calls"; the CLI runs it and sends back a tool_result */
    tool: { name: string; input: Record<string, unknown>; id?: string };
    /** optional text block before the tool_use block */
    text?: string;
    usage?: Partial<Usage>;
  }
  | { error: { status: number; type: string; message: string } };

/** A request the fake received. */
export interface LoggedRequest {
  method: string;
  path: string;
  headers: Record<string, string>;
  /** parsed JSON body when it was JSON, else the text (or base64 for binary bodies) */
  body: unknown;
  at: number;
}

/** A response the fake gave to POST /v1/messages. */
export interface Answered {
  /** message id (`msg_…`), or null for an error turn */
  id: string | null;
  model: string;
  stream: boolean;
  /** true when it answered from the script (the request carried tools) */
  scripted: boolean;
  usage: Usage | null;
  status: number;
  /** the tool_use id when the turn was a tool call */
  toolUseId?: string;
  /** the request body, for assertions on what the CLI sent (tool_result, system prompt…) */
  request: Record<string, unknown>;
}

/** A body saved from an OTLP export or an HTTP hook. */
export interface Captured {
  path: string;
  contentType: string;
  /** parsed JSON for JSON bodies, else null */
  json: unknown;
  /** the raw bytes (protobuf bodies) */
  bytes: Uint8Array;
  headers: Record<string, string>;
}

export interface FakeAnthropic extends AsyncDisposable {
  /** base URL, for ANTHROPIC_BASE_URL and OTEL_EXPORTER_OTLP_ENDPOINT */
  url: string;
  port: number;
  /** every request, in order */
  requests: LoggedRequest[];
  /** every POST /v1/messages answer, in order */
  answered: Answered[];
  /** OTLP and HTTP hook bodies, in order */
  captured: Captured[];
  /** requests nobody handles (answered 404) */
  unknown: LoggedRequest[];
  /** appends turns to the script */
  push(...turns: Turn[]): void;
  /** turns not consumed yet */
  remaining(): number;
  /** the sum of every answered usage (what the CLI's total usage should be) */
  totalUsage(): Usage;
  close(): Promise<void>;
}

export interface FakeOptions {
  script?: Turn[];
  /** answer to main-loop requests once the script is used up (default: text "Done.") */
  fallback?: Turn;
  /** answer to side requests without tools (default: text "ok", small usage) */
  sideReply?: Turn;
  /** stream chunks between this many ms (default 0) */
  delayMs?: number;
  /** print each request to stderr */
  verbose?: boolean;
  /**
   * extra headers on every /v1/messages answer, e.g. `rateLimitHeaders(…)` (Claude Code reads
   * the official 5-hour / 7-day figures from them when signed in with a subscription)
   */
  responseHeaders?: Record<string, string>;
}

const defaultUsage: Usage = {
  input_tokens: 100,
  output_tokens: 20,
  cache_creation_input_tokens: 0,
  cache_read_input_tokens: 0,
};

function fullUsage(u: Partial<Usage> | undefined, fallback: Usage): Usage {
  return { ...fallback, ...u };
}

function headersOf(h: Headers): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of h) out[k] = k === "x-api-key" || k === "authorization" ? "<redacted>" : v;
  return out;
}

function randomId(prefix: string): string {
  const chars = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
  let s = prefix;
  for (let i = 0; i < 24; i++) s += chars[Math.floor(Math.random() * chars.length)];
  return s;
}

interface Block {
  type: "text" | "tool_use";
  text?: string;
  id?: string;
  name?: string;
  input?: Record<string, unknown>;
}

function blocksOf(turn: Turn, toolId: string): Block[] {
  if ("error" in turn) return [];
  const blocks: Block[] = [];
  if (turn.text !== undefined && turn.text !== "") blocks.push({ type: "text", text: turn.text });
  if ("tool" in turn) {
    blocks.push({ type: "tool_use", id: toolId, name: turn.tool.name, input: turn.tool.input });
  }
  return blocks;
}

function sse(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** The SSE events of one message, in the order the real API sends them. */
function streamEvents(id: string, model: string, blocks: Block[], usage: Usage): string[] {
  const stop = blocks.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn";
  const out = [
    sse("message_start", {
      type: "message_start",
      message: {
        id,
        type: "message",
        role: "assistant",
        model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...usage, output_tokens: 1 },
      },
    }),
  ];
  blocks.forEach((b, index) => {
    if (b.type === "text") {
      out.push(sse("content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "text", text: "" },
      }));
      out.push(sse("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "text_delta", text: b.text },
      }));
    } else {
      out.push(sse("content_block_start", {
        type: "content_block_start",
        index,
        content_block: { type: "tool_use", id: b.id, name: b.name, input: {} },
      }));
      out.push(sse("content_block_delta", {
        type: "content_block_delta",
        index,
        delta: { type: "input_json_delta", partial_json: JSON.stringify(b.input) },
      }));
    }
    out.push(sse("content_block_stop", { type: "content_block_stop", index }));
  });
  out.push(sse("message_delta", {
    type: "message_delta",
    delta: { stop_reason: stop, stop_sequence: null },
    usage,
  }));
  out.push(sse("message_stop", { type: "message_stop" }));
  return out;
}

function messageBody(id: string, model: string, blocks: Block[], usage: Usage) {
  return {
    id,
    type: "message",
    role: "assistant",
    model,
    content: blocks,
    stop_reason: blocks.some((b) => b.type === "tool_use") ? "tool_use" : "end_turn",
    stop_sequence: null,
    usage,
  };
}

async function readBody(req: Request): Promise<{ bytes: Uint8Array; json: unknown }> {
  const bytes = new Uint8Array(await req.arrayBuffer());
  const type = req.headers.get("content-type") ?? "";
  if (bytes.length === 0) return { bytes, json: null };
  if (type.includes("json")) {
    try {
      return { bytes, json: JSON.parse(new TextDecoder().decode(bytes)) };
    } catch {
      return { bytes, json: null };
    }
  }
  return { bytes, json: null };
}

/** Starts the fake on 127.0.0.1 at a free port. */
export function startFakeAnthropic(opts: FakeOptions = {}): FakeAnthropic {
  const script: Turn[] = [...(opts.script ?? [])];
  const requests: LoggedRequest[] = [];
  const answered: Answered[] = [];
  const captured: Captured[] = [];
  const unknown: LoggedRequest[] = [];
  const fallback = opts.fallback ?? { text: "Done." };
  const sideReply = opts.sideReply ??
    { text: "ok", usage: { input_tokens: 10, output_tokens: 2 } };

  function messages(body: Record<string, unknown>): Response {
    const model = typeof body.model === "string" ? body.model : "claude-sonnet-4-5";
    const tools = Array.isArray(body.tools) ? body.tools : [];
    const scripted = tools.length > 0;
    const turn = scripted ? (script.shift() ?? fallback) : sideReply;
    const stream = body.stream === true;
    if ("error" in turn) {
      answered.push({
        id: null,
        model,
        stream,
        scripted,
        usage: null,
        status: turn.error.status,
        request: body,
      });
      return Response.json(
        { type: "error", error: { type: turn.error.type, message: turn.error.message } },
        {
          status: turn.error.status,
          headers: { "request-id": randomId("req_"), ...opts.responseHeaders },
        },
      );
    }
    const id = randomId("msg_");
    const toolId = "tool" in turn ? (turn.tool.id ?? randomId("toolu_")) : undefined;
    const blocks = blocksOf(turn, toolId ?? "");
    const usage = fullUsage(turn.usage, defaultUsage);
    answered.push({
      id,
      model,
      stream,
      scripted,
      usage,
      status: 200,
      toolUseId: toolId,
      request: body,
    });
    const headers = { "request-id": randomId("req_"), ...opts.responseHeaders };
    if (!stream) return Response.json(messageBody(id, model, blocks, usage), { headers });
    const events = streamEvents(id, model, blocks, usage);
    const enc = new TextEncoder();
    const delayMs = opts.delayMs ?? 0;
    const streamBody = new ReadableStream<Uint8Array>({
      async start(c) {
        for (const e of events) {
          c.enqueue(enc.encode(e));
          if (delayMs > 0) await new Promise((r) => setTimeout(r, delayMs));
        }
        c.close();
      },
    });
    return new Response(streamBody, {
      headers: { ...headers, "content-type": "text/event-stream", "cache-control": "no-cache" },
    });
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url);
    const { bytes, json } = await readBody(req);
    const logged: LoggedRequest = {
      method: req.method,
      path: url.pathname + url.search,
      headers: headersOf(req.headers),
      body: json ?? (bytes.length > 0 ? new TextDecoder().decode(bytes) : null),
      at: Date.now(),
    };
    requests.push(logged);
    if (opts.verbose) console.error(`fake-anthropic: ${req.method} ${logged.path}`);
    const path = url.pathname;
    if (req.method === "POST" && path === "/v1/messages") {
      return messages((json ?? {}) as Record<string, unknown>);
    }
    if (req.method === "POST" && path === "/v1/messages/count_tokens") {
      return Response.json({ input_tokens: 100 });
    }
    if (
      req.method === "POST" &&
      (/^\/v1\/(logs|metrics|traces)$/.test(path) || path.startsWith("/hooks"))
    ) {
      captured.push({
        path,
        contentType: req.headers.get("content-type") ?? "",
        json,
        bytes,
        headers: headersOf(req.headers),
      });
      const type = req.headers.get("content-type") ?? "";
      // OTLP/HTTP: an empty ExportServiceResponse (JSON `{}`, or zero protobuf bytes)
      return type.includes("protobuf")
        ? new Response(new Uint8Array(), { headers: { "content-type": "application/x-protobuf" } })
        : Response.json({});
    }
    if (
      (req.method === "GET" || req.method === "HEAD") &&
      (path === "/" || path === "/v1" || path === "/api/hello")
    ) {
      return new Response(null, { status: 200 });
    }
    unknown.push(logged);
    if (opts.verbose) console.error(`fake-anthropic: unknown ${req.method} ${logged.path}`);
    return Response.json(
      { type: "error", error: { type: "not_found_error", message: `no fake for ${path}` } },
      { status: 404 },
    );
  }

  const server = Deno.serve({ hostname: "127.0.0.1", port: 0, onListen() {} }, handle);
  const port = server.addr.port;
  const close = async () => {
    await server.shutdown().catch(() => {});
  };
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    answered,
    captured,
    unknown,
    push: (...turns) => void script.push(...turns),
    remaining: () => script.length,
    totalUsage() {
      const t: Usage = {
        input_tokens: 0,
        output_tokens: 0,
        cache_creation_input_tokens: 0,
        cache_read_input_tokens: 0,
      };
      for (const a of answered) {
        if (!a.usage) continue;
        t.input_tokens += a.usage.input_tokens;
        t.output_tokens += a.usage.output_tokens;
        t.cache_creation_input_tokens += a.usage.cache_creation_input_tokens;
        t.cache_read_input_tokens += a.usage.cache_read_input_tokens;
      }
      return t;
    },
    close,
    [Symbol.asyncDispose]: close,
  };
}

/** One official window as the API's unified rate-limit headers carry it. */
export interface WindowHeader {
  /** 0..1 */
  utilization: number;
  /** epoch seconds */
  resetsAt: number;
}

/**
 * The `anthropic-ratelimit-unified-*` headers of a subscription account. Claude Code (signed in
 * with CLAUDE_CODE_OAUTH_TOKEN, not an API key) turns them into the statusline's `rate_limits`
 * ({five_hour, seven_day}: {used_percentage, resets_at}).
 */
export function rateLimitHeaders(
  w: { fiveHour: WindowHeader; sevenDay: WindowHeader },
): Record<string, string> {
  return {
    "anthropic-ratelimit-unified-status": "allowed",
    "anthropic-ratelimit-unified-5h-status": "allowed",
    "anthropic-ratelimit-unified-5h-utilization": String(w.fiveHour.utilization),
    "anthropic-ratelimit-unified-5h-reset": String(w.fiveHour.resetsAt),
    "anthropic-ratelimit-unified-7d-status": "allowed",
    "anthropic-ratelimit-unified-7d-utilization": String(w.sevenDay.utilization),
    "anthropic-ratelimit-unified-7d-reset": String(w.sevenDay.resetsAt),
    "anthropic-ratelimit-unified-representative-claim": "five_hour",
    "anthropic-ratelimit-unified-reset": String(w.fiveHour.resetsAt),
  };
}
