// Response bodies for tests that must not hang on a stream that never ends (SSE, a stalled page).

/** Reads a response body for at most `ms` (a stream that never ends is cut off). */
export async function readBody(res: Response, ms = 3000): Promise<string> {
  if (!res.body) return "";
  const reader = res.body.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  const timer = setTimeout(() => reader.cancel().catch(() => {}), ms);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += value;
    }
  } catch {
    // cut off
  } finally {
    clearTimeout(timer);
  }
  return text;
}
