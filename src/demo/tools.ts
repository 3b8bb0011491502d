// Tool calls of generated sessions: for each tool name, its input, whether it fails, its result
// text and tool_response, drawn from the session's PRNG in a fixed order (the generated tree
// depends on it: change the order of draws and every later byte changes).

import {
  AGENT_TYPES,
  BASH_COMMANDS,
  EXTS,
  filePath,
  numbered,
  sentence,
  textOfSize,
  WORDS,
  words,
} from "./content.ts";
import type { Rng } from "./rng.ts";
import type { Obj, SessionRun, ToolCall } from "./session.ts";

/** What a tool builder draws from: the session's PRNG and project, and whether output is long. */
interface ToolContext {
  rng: Rng;
  cwd: string;
  slug: string;
  /** A rare very long output (20-60 KB). */
  long: boolean;
  longText: () => string;
}

/** Builds a tool call (input, outcome and output) for `name`. */
export function toolCall(run: SessionRun, name: string): ToolCall {
  const rng = run.rng;
  const id = "toolu_01" + run.uniqueB62(22);
  const long = rng.chance(0.004);
  const longText = () => textOfSize(rng, rng.int(20_000, 60_000));
  const call: ToolCall = {
    id,
    name,
    input: {},
    failed: false,
    error: "",
    resultText: "",
    response: null,
    toolUseResult: null,
    assistantUuid: "",
  };
  const context = { rng, cwd: run.project.cwd, slug: run.project.slug, long, longText };
  builders.get(name)?.(call, context);
  return call;
}

/** A shell command: its stdout, or a non-zero exit. */
function bash(call: ToolCall, c: ToolContext): void {
  const { rng, long, longText } = c;
  const command = rng.pick(BASH_COMMANDS);
  call.input = { command, description: sentence(rng, 3, 7) };
  call.failed = rng.chance(0.12);
  call.error = `Exit code ${rng.int(1, 2)}\n${words(rng, rng.int(4, 20))}`;
  const stdout = long ? longText() : textOfSize(rng, rng.int(20, 1200));
  call.resultText = stdout;
  call.response = { stdout, stderr: "", interrupted: false, isImage: false };
  call.toolUseResult = call.response;
}

/** A file read: numbered lines, or a missing file. */
function read(call: ToolCall, c: ToolContext): void {
  const { rng, cwd, long, longText } = c;
  const file_path = filePath(rng, cwd);
  call.input = { file_path };
  call.failed = rng.chance(0.04);
  call.error = "File does not exist.";
  const content = long ? longText() : textOfSize(rng, rng.int(200, 4000));
  const numLines = content.split("\n").length;
  call.resultText = numbered(content);
  call.response = {
    type: "text",
    file: { filePath: file_path, content, numLines, startLine: 1, totalLines: numLines },
  };
  call.toolUseResult = call.response;
}

/** A file written whole. */
function write(call: ToolCall, c: ToolContext): void {
  const { rng, cwd } = c;
  const file_path = filePath(rng, cwd);
  const content = textOfSize(rng, rng.int(100, 3000));
  call.input = { file_path, content };
  call.failed = rng.chance(0.02);
  call.error = "<tool_use_error>File has not been read yet. Read it first before writing to it." +
    "</tool_use_error>";
  call.resultText = `File created successfully at: ${file_path}`;
  call.response = {
    type: "create",
    filePath: file_path,
    content,
    structuredPatch: [],
    originalFile: null,
  };
  call.toolUseResult = call.response;
}

/** A string replaced in a file, with the patch. */
function edit(call: ToolCall, c: ToolContext): void {
  const { rng, cwd } = c;
  const file_path = filePath(rng, cwd);
  const old_string = words(rng, rng.int(2, 12));
  const new_string = words(rng, rng.int(2, 12));
  call.input = { file_path, old_string, new_string };
  call.failed = rng.chance(0.1);
  call.error = `<tool_use_error>String to replace not found in file.\nString: ${old_string}` +
    "</tool_use_error>";
  call.resultText = `The file ${file_path} has been updated. Here's the result of running ` +
    `\`cat -n\` on a snippet of the edited file:\n${numbered(textOfSize(rng, rng.int(100, 600)))}`;
  call.response = {
    filePath: file_path,
    oldString: old_string,
    newString: new_string,
    originalFile: textOfSize(rng, rng.int(100, 1500)),
    structuredPatch: [{
      oldStart: 1,
      oldLines: 1,
      newStart: 1,
      newLines: 1,
      lines: [`-${old_string}`, `+${new_string}`],
    }],
    userModified: false,
    replaceAll: false,
  };
  call.toolUseResult = call.response;
}

/** Grep or Glob: a list of matching files. */
function search(call: ToolCall, c: ToolContext): void {
  const { rng, cwd } = c;
  const pattern = call.name === "Grep" ? rng.pick(WORDS) : `**/*${rng.pick(EXTS)}`;
  call.input = call.name === "Grep"
    ? { pattern, path: cwd, output_mode: "files_with_matches" }
    : { pattern };
  call.failed = rng.chance(0.01);
  call.error = `<tool_use_error>Path does not exist: ${cwd}/missing</tool_use_error>`;
  const filenames: string[] = [];
  for (let i = rng.int(0, 12); i > 0; i--) filenames.push(filePath(rng, cwd));
  call.resultText = filenames.length === 0
    ? "No files found"
    : `Found ${filenames.length} files\n${filenames.join("\n")}`;
  call.response = call.name === "Grep"
    ? { mode: "files_with_matches", filenames, numFiles: filenames.length }
    : {
      filenames,
      durationMs: rng.int(2, 200),
      numFiles: filenames.length,
      truncated: false,
    };
  call.toolUseResult = call.response;
}

/** A fetched page, summarised. */
function webFetch(call: ToolCall, c: ToolContext): void {
  const { rng } = c;
  const url = `https://docs.example.com/${rng.pick(WORDS)}/${rng.pick(WORDS)}`;
  call.input = { url, prompt: sentence(rng, 4, 12) };
  call.failed = rng.chance(0.15);
  call.error = "Request failed with status code 404";
  const result = sentence(rng, 20, 120);
  call.resultText = result;
  call.response = {
    bytes: rng.int(2000, 90000),
    code: 200,
    codeText: "OK",
    result,
    durationMs: rng.int(200, 6000),
    url,
  };
  call.toolUseResult = call.response;
}

/** The todo list rewritten (never fails). */
function todoWrite(call: ToolCall, c: ToolContext): void {
  const { rng } = c;
  const todos: Obj[] = [];
  for (let i = rng.int(1, 6); i > 0; i--) {
    const content = sentence(rng, 3, 8);
    todos.push({
      content,
      status: rng.pick(["pending", "in_progress", "completed"]),
      activeForm: content,
    });
  }
  call.input = { todos };
  call.resultText = "Todos have been modified successfully. Ensure that you continue to use " +
    "the todo list to track your progress. Please proceed with the current tasks if applicable";
  call.response = { oldTodos: [], newTodos: todos };
  call.toolUseResult = call.response;
}

/** An MCP tool: a GitHub issue created. */
function githubIssue(call: ToolCall, c: ToolContext): void {
  const { rng } = c;
  const title = sentence(rng, 3, 9);
  call.input = {
    owner: "dev",
    repo: c.slug.slice(1),
    title,
    body: sentence(rng, 10, 40),
  };
  call.failed = rng.chance(0.2);
  call.error = "MCP error -32603: GitHub API error: Bad credentials";
  const n = rng.int(1, 900);
  const text = JSON.stringify({
    number: n,
    html_url: `https://github.com/dev/x/issues/${n}`,
  });
  call.resultText = text;
  call.response = [{ type: "text", text }];
  call.toolUseResult = call.response;
}

/** A Task sub-agent; its result is filled in when the sub-agent finishes (script.ts). */
function task(call: ToolCall, c: ToolContext): void {
  const { rng } = c;
  call.input = {
    description: sentence(rng, 2, 5),
    prompt: sentence(rng, 10, 40),
    subagent_type: rng.pick(AGENT_TYPES),
  };
}

const builders = new Map<string, (call: ToolCall, c: ToolContext) => void>([
  ["Bash", bash],
  ["Read", read],
  ["Write", write],
  ["Edit", edit],
  ["Grep", search],
  ["Glob", search],
  ["WebFetch", webFetch],
  ["TodoWrite", todoWrite],
  ["mcp__github__create_issue", githubIssue],
  ["Task", task],
]);
