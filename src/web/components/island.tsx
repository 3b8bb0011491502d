// Server side of an island: renders the component with its props into a marked element;
// src/web/client/main.tsx hydrates that element in the browser with the very same props.

import type { ComponentType } from "preact";

export function Island<P extends object>(
  { name, component: C, props }: { name: string; component: ComponentType<P>; props: P },
) {
  return (
    <div data-island={name} data-props={JSON.stringify(props)}>
      <C {...props} />
    </div>
  );
}
