// State-changing requests from the page: JSON with this process's CSRF token (from the
// page's <meta name="csrf-token">); the browser adds the Origin header itself.

/** A refused request: the server's message, its status and its whole JSON body. */
export class ApiError extends Error {
  constructor(message: string, readonly status: number, readonly body: Record<string, unknown>) {
    super(message);
  }
}

export async function postJson<T = unknown>(url: string, body: unknown = {}): Promise<T> {
  const token = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
    body: JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    const refused = typeof data === "object" && data !== null ? data : {};
    const error = (refused as { error?: unknown }).error;
    const message = typeof error === "string" ? error : `${res.status} ${res.statusText}`;
    throw new ApiError(message, res.status, refused as Record<string, unknown>);
  }
  return data as T;
}
