// Browser entry: hydrates the islands the server rendered (data-island + data-props), seeds
// the live stores with the same data, then opens the live connection.

import { type ComponentType, h, hydrate } from "preact";
import ConnectionBadge from "./ConnectionBadge.tsx";
import LiveFeed from "./LiveFeed.tsx";
import SessionBoard from "./SessionBoard.tsx";
import { connect, seedFeed, seedSessions } from "./live.ts";

// deno-lint-ignore no-explicit-any
const registry: Record<string, ComponentType<any>> = { ConnectionBadge, LiveFeed, SessionBoard };

for (const el of document.querySelectorAll<HTMLElement>("[data-island]")) {
  const name = el.dataset.island ?? "";
  const props = JSON.parse(el.dataset.props ?? "{}");
  if (name === "LiveFeed") seedFeed(props.initial);
  if (name === "SessionBoard") seedSessions(props.initial);
  const component = registry[name];
  if (component) hydrate(h(component, props), el);
}

connect(document.body.dataset.stream ?? "");
