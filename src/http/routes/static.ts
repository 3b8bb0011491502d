// GET /static/:name: the embedded browser assets (bundled islands, stylesheet), immutable by
// their hashed names. Only names in assets.gen.ts are served; anything else is a 404.

import { Hono } from "hono";
import { assets } from "../../web/assets.gen.ts";

/** GET /:name, mounted at /static */
export function staticAssets(): Hono {
  return new Hono().get("/:name", (c) => {
    const name = c.req.param("name");
    const asset = Object.hasOwn(assets, name) ? assets[name] : undefined;
    if (!asset) return c.json({ error: "no such asset" }, 404);
    return c.body(asset.body, 200, {
      "Content-Type": asset.type,
      "Cache-Control": "public, max-age=31536000, immutable",
    });
  });
}
