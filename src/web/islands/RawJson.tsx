// Expandable raw JSON of one event. The JSON is fetched from /api/events/:id only when the
// reader opens it (pages stay small), and written with textContent, so it is always inert.

/** A closed <details>; openRawJson fills it on first open. Works inside islands and SSR. */
export function RawJson({ id }: { id: number }) {
  return (
    <details class="raw" data-raw-id={id}>
      <summary>JSON</summary>
      <pre class="raw-json"></pre>
    </details>
  );
}

async function fill(details: HTMLDetailsElement): Promise<void> {
  const pre = details.querySelector("pre.raw-json");
  if (!pre || details.dataset.loaded) return;
  details.dataset.loaded = "1";
  pre.textContent = "loading…";
  try {
    const res = await fetch(`/api/events/${details.dataset.rawId}`);
    const body = await res.json();
    pre.textContent = res.ok
      ? (typeof body.raw === "string" ? body.raw : JSON.stringify(body.raw, null, 2))
      : `could not load: ${body.error ?? res.status}`;
  } catch {
    delete details.dataset.loaded;
    pre.textContent = "could not load (offline?)";
  }
}

/**
 * One listener for every raw-JSON toggle on the page (toggle does not bubble: capture). Opening
 * a timeline row's sources (details.tl-sources) opens the raw JSON of each of its lines.
 */
export function watchRawJson(): void {
  document.addEventListener("toggle", (e) => {
    const t = e.target;
    if (!(t instanceof HTMLDetailsElement) || !t.open) return;
    if (t.dataset.rawId) void fill(t);
    if (t.classList.contains("tl-sources")) {
      for (const d of t.querySelectorAll<HTMLDetailsElement>("details.raw")) d.open = true;
    }
  }, true);
}
