// State-changing requests from the page: JSON with this process's CSRF token (from the
// page's <meta name="csrf-token">); the browser adds the Origin header itself.

export async function postJson<T = unknown>(url: string, body: unknown = {}): Promise<T> {
  const token = document.querySelector<HTMLMetaElement>('meta[name="csrf-token"]')?.content ?? "";
  const res = await fetch(url, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-CSRF-Token": token },
    body: JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  if (!res.ok) {
    throw new Error((data as { error?: string }).error ?? `${res.status} ${res.statusText}`);
  }
  return data as T;
}
