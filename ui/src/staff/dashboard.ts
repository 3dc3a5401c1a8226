// The day's dashboard: how many students the roster holds, how many have
// drafts, have submitted, wait to be sent, have their finished photo back,
// must retake, are locked or have not been seen.

import { dashboard } from "../api";
import type { Dashboard } from "../bindings/Dashboard";
import { byId, html } from "../dom";
import { t } from "../i18n";
import type { MessageKey } from "../i18n";
import type { App } from "../screens/screen";
import type { Panel } from "./panel";

const tiles: Array<{ key: keyof Dashboard; label: MessageKey }> = [
  { key: "students", label: "dashboard.students" },
  { key: "captured", label: "dashboard.captured" },
  { key: "submitted", label: "dashboard.submitted" },
  { key: "waiting_to_sync", label: "dashboard.waiting_to_sync" },
  { key: "finished", label: "dashboard.finished" },
  { key: "needs_retake", label: "dashboard.needs_retake" },
  { key: "locked", label: "dashboard.locked" },
  { key: "not_seen", label: "dashboard.not_seen" },
  { key: "attempts_today", label: "dashboard.attempts_today" },
];

export class DashboardPanel implements Panel {
  private readonly list = byId("dashboard-tiles", HTMLDListElement);
  private data: Dashboard | null = null;

  constructor(private readonly app: App) {
    byId("dashboard-refresh", HTMLButtonElement).addEventListener("click", () => void this.load());
  }

  enter(): void {
    this.render();
    void this.load();
  }

  render(): void {
    const data = this.data;
    this.list.replaceChildren(
      ...tiles.map(({ key, label }) => {
        const tile = html("div", { class: "tile", "data-key": key });
        tile.append(html("dt", {}, t(label)), html("dd", {}, data === null ? "…" : String(data[key])));
        return tile;
      }),
    );
  }

  private async load(): Promise<void> {
    try {
      this.data = await dashboard();
    } catch (reason) {
      this.app.report(reason);
    }
    this.render();
  }
}
