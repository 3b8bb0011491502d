// The script of a generated session, as generators: each yields a gap weight before every event
// and receives that event's timestamp, so one script drives both batch mode (a clock spreading
// the session over its window) and live mode (the wall clock). Turns, assistant messages, tool
// calls with their hooks and permission prompts, and Task sub-agents.

import { MODEL_WEIGHTS, prompt, sentence } from "./content.ts";
import type { Rng } from "./rng.ts";
import {
  isoOf,
  type MessageResult,
  type Obj,
  type SessionRun,
  type Thread,
  type ToolCall,
} from "./session.ts";
import { toolCall } from "./tools.ts";

// Gap weights (relative durations) between consecutive events of a session.
export function wUser(rng: Rng): number {
  const r = rng.next();
  if (r < 0.05) return rng.range(300, 1500); // a break: a gap in the session
  if (r < 0.25) return rng.range(40, 150);
  return rng.range(5, 40);
}
const wModel = (rng: Rng) => rng.range(1, 6);
const wBlock = (rng: Rng) => rng.range(0.1, 0.6);
export const wHook = (rng: Rng) => rng.range(0.002, 0.02);
const wTool = (rng: Rng) => (rng.chance(0.1) ? rng.range(3, 30) : rng.range(0.1, 3));

const MAIN_TOOLS: readonly (readonly [string, number])[] = [
  ["Bash", 25],
  ["Read", 25],
  ["Edit", 12],
  ["Write", 5],
  ["Grep", 10],
  ["Glob", 6],
  ["WebFetch", 3],
  ["Task", 3],
  ["TodoWrite", 5],
  ["mcp__github__create_issue", 1],
];
const AGENT_TOOLS: readonly (readonly [string, number])[] = [
  ["Read", 40],
  ["Grep", 25],
  ["Glob", 15],
  ["Bash", 20],
];
const ASKS_PERMISSION = new Set(["Bash", "Write", "Edit", "WebFetch", "mcp__github__create_issue"]);
const RESERVE = 5;

/** One session: yields a gap weight before every event and receives that event's timestamp. */
export function* sessionScript(run: SessionRun): Generator<number, void, number> {
  const rng = run.rng;
  let t = yield 1;
  const source = rng.weighted([["startup", 75], ["resume", 15], ["clear", 10]] as const);
  run.hook(t, "SessionStart", { source, model: run.model });
  while (run.left() > RESERVE) yield* turn(run);
  if (rng.chance(0.15)) {
    yield wHook(rng);
    run.summary();
  }
  if (rng.chance(0.7)) {
    t = yield wUser(rng);
    const reason = rng.weighted([["prompt_input_exit", 80], ["clear", 10], ["other", 10]] as const);
    run.hook(t, "SessionEnd", { reason });
  }
}

function* turn(run: SessionRun): Generator<number, void, number> {
  const rng = run.rng;
  const main = run.main;
  let t: number;
  if (main.ctx > 160_000 || rng.chance(0.008)) {
    const auto = main.ctx > 160_000;
    t = yield wUser(rng);
    run.hook(t, "PreCompact", {
      trigger: auto ? "auto" : "manual",
      custom_instructions: auto ? null : "",
    });
    t = yield wModel(rng) * 5;
    run.hook(t, "SessionStart", { source: "compact", model: run.model });
    main.ctx = rng.int(15_000, 30_000);
  }
  if (rng.chance(0.03)) run.model = rng.weighted(MODEL_WEIGHTS);
  const text = prompt(rng);
  t = yield wUser(rng);
  const turnStart = t;
  run.hook(t, "UserPromptSubmit", { prompt: text });
  t = yield wHook(rng);
  run.userText(main, t, text);
  for (let rounds = 0;; rounds++) {
    const last = run.left() <= RESERVE || rounds >= 25 || (rounds > 0 && rng.chance(0.22));
    const msg = yield* assistant(run, main, run.model, last ? null : MAIN_TOOLS);
    if (msg.calls.length === 0) break;
    yield* runTools(run, main, msg.calls);
  }
  t = yield wHook(rng);
  run.hook(t, "Stop", { stop_hook_active: false, last_assistant_message: run.lastText });
  if (rng.chance(run.wantHooks() ? 0.1 : 0.4)) {
    t = yield wHook(rng);
    run.system(main, t, Math.max(1, t - turnStart));
  }
  if (run.hooksEnabled && rng.chance(run.wantHooks() ? 0.6 : 0.15)) {
    t = yield rng.range(3, 20);
    run.hook(t, "Notification", {
      message: "Claude is waiting for your input",
      notification_type: "idle_prompt",
    });
  }
}

/**
 * One assistant message written as 1-4 lines (one content block each, same id, requestId and
 * usage). With `tools`, it ends in 1-2 tool_use blocks; without, it is a final text answer.
 */
function* assistant(
  run: SessionRun,
  th: Thread,
  model: string,
  tools: readonly (readonly [string, number])[] | null,
): Generator<number, MessageResult, number> {
  const rng = run.rng;
  const wantHooks = run.wantHooks();
  const blocks: Obj[] = [];
  const calls: ToolCall[] = [];
  let out = 0;
  let text = "";
  if (rng.chance(wantHooks ? 0.15 : 0.45)) {
    const thinking = sentence(rng, 10, 120);
    blocks.push({ type: "thinking", thinking, signature: rng.b62(rng.int(80, 240)) });
    out += Math.ceil(thinking.length / 3.5);
  }
  let texts: number;
  if (tools === null) texts = wantHooks || rng.chance(0.7) ? 1 : 2;
  else texts = rng.chance(wantHooks ? 0.3 : 0.7) ? 1 : 0;
  for (let i = 0; i < texts; i++) {
    text = sentence(rng, tools === null ? 8 : 4, tools === null ? 120 : 30);
    blocks.push({ type: "text", text });
    out += Math.ceil(text.length / 3.5);
  }
  if (tools !== null) {
    const n = rng.chance(0.12) && run.left() > 12 ? 2 : 1;
    for (let i = 0; i < n; i++) {
      const call = toolCall(run, rng.weighted(tools));
      calls.push(call);
      blocks.push({ type: "tool_use", id: call.id, name: call.name, input: call.input });
      out += 20 + Math.ceil(JSON.stringify(call.input).length / 3.5);
    }
  }
  if (text !== "") run.lastText = text;
  const id = "msg_01" + run.uniqueB62(22);
  const requestId = "req_011C" + run.uniqueB62(18);
  const usage = run.usage(th, out + rng.int(0, 30));
  for (let i = 0; i < blocks.length; i++) {
    const t = yield i === 0 ? wModel(rng) : wBlock(rng);
    const isLast = i === blocks.length - 1;
    const uuid = rng.uuid();
    const e = run.envelope(th, uuid);
    e.message = {
      id,
      type: "message",
      role: "assistant",
      model,
      content: [blocks[i]],
      stop_reason: isLast ? (calls.length > 0 ? "tool_use" : "end_turn") : null,
      stop_sequence: null,
      usage: isLast || !run.streamingDuplicates ? usage : partialUsage(usage, i, blocks.length),
    };
    e.requestId = requestId;
    e.type = "assistant";
    e.uuid = uuid;
    e.timestamp = isoOf(t);
    if (i === 0) run.countUsage(model, usage);
    run.line(th, e);
    if (blocks[i].type === "tool_use") {
      for (const c of calls) if (c.id === blocks[i].id) c.assistantUuid = uuid;
      run.stats.toolCalls++;
    }
  }
  return { calls, text, outputTokens: out };
}

/**
 * The usage snapshot Claude Code writes on line `i` of `n` while the message still streams: the
 * input and cache figures are final, output_tokens is what was counted so far (1 on the first
 * line, as in real transcripts), always below the final figure. No PRNG draw, so the rest of the
 * tree is the same with and without streaming duplicates.
 */
function partialUsage(usage: Obj, i: number, n: number): Obj {
  const final = usage.output_tokens as number;
  const soFar = i === 0 ? 1 : Math.floor((final * i) / n);
  return { ...usage, output_tokens: Math.max(1, Math.min(soFar, final - 1)) };
}

/** PreToolUse (and maybe a permission prompt) for each call, then runs them and reports. */
function* runTools(
  run: SessionRun,
  th: Thread,
  calls: ToolCall[],
): Generator<number, void, number> {
  const rng = run.rng;
  let t: number;
  for (const c of calls) {
    t = yield wHook(rng);
    run.hook(t, "PreToolUse", { tool_name: c.name, tool_input: c.input, tool_use_id: c.id });
    const p = run.mode === "default" ? 0.08 : 0.02;
    if (run.hooksEnabled && ASKS_PERMISSION.has(c.name) && rng.chance(run.wantHooks() ? 0.45 : p)) {
      t = yield wHook(rng);
      const req: Obj = { tool_name: c.name, tool_input: c.input };
      if (rng.chance(0.5)) {
        req.permission_suggestions = [{
          type: "addRules",
          rules: [{ toolName: c.name }],
          behavior: "allow",
          destination: "localSettings",
        }];
      }
      run.hook(t, "PermissionRequest", req);
      t = yield wHook(rng);
      run.hook(t, "Notification", {
        message: `Claude needs your permission to use ${c.name}`,
        notification_type: "permission_prompt",
      });
    }
  }
  for (const c of calls) {
    if (c.name === "Task") {
      yield* subagent(run, c);
    }
    t = yield wTool(rng);
    if (c.failed) {
      run.stats.toolFailures++;
      run.hook(t, "PostToolUseFailure", {
        tool_name: c.name,
        tool_input: c.input,
        tool_use_id: c.id,
        error: c.error,
      });
    } else {
      run.hook(t, "PostToolUse", {
        tool_name: c.name,
        tool_input: c.input,
        tool_response: c.response,
        tool_use_id: c.id,
      });
    }
    t = yield wHook(rng);
    run.toolResult(th, t, c);
  }
}

/** A Task sub-agent: SubagentStart, its sidechain transcript file, SubagentStop. */
function* subagent(run: SessionRun, task: ToolCall): Generator<number, void, number> {
  const rng = run.rng;
  const agentId = rng.hex(8);
  const agentType = String(task.input.subagent_type);
  const rel = `projects/${run.project.slug}/${run.id}/subagents/agent-${agentId}.jsonl`;
  const th: Thread = {
    rel,
    abs: `${run.root()}/${rel}`,
    parent: null,
    sidechain: true,
    agentId,
    ctx: 0,
    pending: 0,
  };
  const model = agentType === "Explore" ? "claude-haiku-4-5-20251001" : run.model;
  const started = yield wHook(rng);
  run.hook(started, "SubagentStart", { agent_id: agentId, agent_type: agentType });
  let t = yield wHook(rng);
  run.userText(th, t, String(task.input.prompt));
  let toolUses = 0;
  let tokens = 0;
  const rounds = rng.int(1, 5);
  for (let r = 0; r < rounds && run.left() > 3 * RESERVE; r++) {
    const msg = yield* assistant(run, th, model, AGENT_TOOLS);
    toolUses += msg.calls.length;
    tokens += msg.outputTokens;
    yield* runTools(run, th, msg.calls);
  }
  const final = yield* assistant(run, th, model, null);
  tokens += final.outputTokens;
  t = yield wHook(rng);
  run.hook(t, "SubagentStop", {
    stop_hook_active: false,
    agent_id: agentId,
    agent_type: agentType,
    agent_transcript_path: th.abs,
    last_assistant_message: final.text,
  });
  task.resultText = final.text;
  task.response = {
    content: [{ type: "text", text: final.text }],
    totalDurationMs: Math.max(1, t - started),
    totalTokens: tokens + th.ctx,
    totalToolUseCount: toolUses,
    agentId,
    status: "completed",
    prompt: task.input.prompt,
  };
  task.toolUseResult = task.response;
}
