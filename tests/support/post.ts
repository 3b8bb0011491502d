// POSTs the way the dashboard's own page does: its Origin and the CSRF token from a page.

const tokens = new Map<string, string>();

export async function pageToken(baseUrl: string): Promise<string> {
  const known = tokens.get(baseUrl);
  if (known) return known;
  const html = await (await fetch(`${baseUrl}/health`, { headers: { Accept: "text/html" } }))
    .text();
  const token = html.match(/<meta name="csrf-token" content="([^"]+)"/)?.[1];
  if (!token) throw new Error(`no csrf-token meta on ${baseUrl}/health`);
  tokens.set(baseUrl, token);
  return token;
}

export async function postJson(
  baseUrl: string,
  path: string,
  body: unknown = {},
): Promise<{ status: number; body: unknown }> {
  const res = await fetch(`${baseUrl}${path}`, {
    method: "POST",
    headers: {
      Origin: baseUrl,
      "Content-Type": "application/json",
      "X-CSRF-Token": await pageToken(baseUrl),
    },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // not JSON: keep the text
  }
  return { status: res.status, body: parsed };
}
