// Header control for alert delivery: the count of active alerts and two opt-in switches,
// desktop notifications (the browser asks for permission only after this click) and sound.
// Preferences live in localStorage (islands/alerts.ts).

import { useEffect } from "preact/hooks";
import {
  desktop,
  desktopNote,
  setDesktop,
  setSound,
  sound,
  startAlerts,
  visibleAlerts,
} from "../client/alerts.ts";

export default function AlertToggles() {
  useEffect(() => startAlerts(), []);
  const n = visibleAlerts.value.length;
  return (
    <details class="alert-prefs" id="alert-prefs">
      <summary>
        Alerts
        {n > 0 ? <span class="alert-dot" id="alert-count">{n}</span> : null}
      </summary>
      <div class="alert-prefs-menu">
        <label>
          <input
            type="checkbox"
            id="alert-desktop"
            checked={desktop.value}
            onChange={async (e) => {
              const box = e.currentTarget as HTMLInputElement;
              await setDesktop(box.checked);
              box.checked = desktop.value; // refused permission leaves it off
            }}
          />{" "}
          Desktop notifications
        </label>
        <label>
          <input
            type="checkbox"
            id="alert-sound"
            checked={sound.value}
            onChange={(e) => setSound((e.currentTarget as HTMLInputElement).checked)}
          />{" "}
          Sound
        </label>
        {desktopNote.value ? <p class="muted">{desktopNote.value}</p> : null}
      </div>
    </details>
  );
}
