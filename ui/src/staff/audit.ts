// The audit log: the newest entries, shown after a supervisor approves.

import { auditEntries } from "../api";
import type { AuditEntry } from "../bindings/AuditEntry";
import { byId, html } from "../dom";
import { formatDateTime, isMessageKey, t } from "../i18n";
import type { App } from "../screens/screen";
import type { Panel } from "./panel";

/** Entries shown at once, newest first. */
const auditLimit = 200;

export class AuditPanel implements Panel {
  private readonly scroll = byId("audit-scroll", HTMLElement);
  private readonly body = byId("audit-body", HTMLTableSectionElement);
  private readonly load = byId("audit-load", HTMLButtonElement);
  private entries: AuditEntry[] | null = null;

  constructor(private readonly app: App) {
    this.load.addEventListener("click", () => void this.fetch());
  }

  enter(): void {
    this.render();
  }

  render(): void {
    const entries = this.entries;
    this.scroll.hidden = entries === null;
    this.body.replaceChildren(...(entries ?? []).map((entry) => row(entry)));
  }

  private async fetch(): Promise<void> {
    const result = await this.app.act({
      title: t("audit.approve_title"),
      confirmLabel: t("audit.load"),
      supervisor: true,
      run: ({ approval }) => auditEntries(auditLimit, approval),
    });
    if (result.done) {
      this.entries = result.value;
      this.render();
    }
  }
}

function row(entry: AuditEntry): HTMLTableRowElement {
  const key = `audit.action.${entry.action}`;
  const action = isMessageKey(key) ? t(key) : entry.action;
  const tr = html("tr", { "data-action": entry.action });
  tr.append(
    html("td", { class: "number" }, String(entry.seq)),
    html("td", { class: "number" }, formatDateTime(entry.at)),
    html("td", {}, entry.actor),
    html("td", {}, action),
    html("td", {}, entry.subject),
    html("td", { class: "audit-details" }, entry.details === "{}" ? "" : entry.details),
  );
  return tr;
}
