// The provincial centre: the state of sync (address, enrolment, connection,
// the outbox, the last success and the last error) and the station's
// enrolment with the one-time token that the centre issued to the school.

import { enrolStation } from "../api";
import type { Failure } from "../api";
import { byId, html } from "../dom";
import { failureMessage } from "../errors";
import { formatShortTime, pick, t } from "../i18n";
import type { MessageKey } from "../i18n";
import { icon } from "../icons";
import type { App } from "../screens/screen";
import { syncIcons, syncState } from "../sync";
import type { SyncWatcher } from "../sync";
import { showResult } from "./panel";
import type { Panel } from "./panel";

type EnrolResult = { key: "centre.enrolled" } | { key: "centre.token_empty" } | Failure;

export class CentrePanel implements Panel {
  private readonly list = byId("centre-status", HTMLDListElement);
  private readonly form = byId("enrol-form", HTMLFormElement);
  private readonly token = byId("enrol-token", HTMLInputElement);
  private readonly submit = byId("enrol-submit", HTMLButtonElement);
  private readonly result = byId("enrol-result", HTMLElement);
  private notice: EnrolResult | null = null;

  constructor(
    private readonly app: App,
    private readonly sync: SyncWatcher,
  ) {
    byId("centre-refresh", HTMLButtonElement).addEventListener("click", () => void this.sync.refresh());
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.enrol();
    });
    sync.onChange(() => this.renderStatus());
  }

  enter(): void {
    this.render();
    void this.sync.refresh();
  }

  render(): void {
    this.renderStatus();
    const notice = this.notice;
    if (notice === null) {
      showResult(this.result, null);
    } else if ("key" in notice) {
      showResult(this.result, t(notice.key), notice.key !== "centre.enrolled");
    } else {
      showResult(this.result, t("centre.enrol_failed", { message: failureMessage(notice) }), true);
    }
  }

  private renderStatus(): void {
    const status = this.sync.status;
    if (status === null) {
      this.list.replaceChildren();
      return;
    }
    const state = syncState(status);
    const rows: Array<[MessageKey, Node | string]> = [
      ["centre.address", status.centre_url ?? t("centre.no_address")],
      ["centre.enrolment", t(status.enrolled ? "centre.is_enrolled" : "centre.not_enrolled")],
      ["centre.connection", stateWords(state)],
      ["centre.waiting", t("centre.waiting_value", { count: status.waiting })],
      [
        "centre.last_success",
        status.last_success_at === null ? t("centre.never") : formatShortTime(status.last_success_at),
      ],
      ["centre.last_error", status.last_error === null ? t("centre.no_error") : pick(status.last_error)],
    ];
    this.list.dataset["state"] = state;
    this.list.replaceChildren(
      ...rows.map(([label, value]) => {
        const row = html("div", { class: "status-row" });
        const dd = html("dd", {});
        dd.append(value);
        row.append(html("dt", {}, t(label)), dd);
        return row;
      }),
    );
    // Enrolling needs a centre address. Enrolling again replaces the
    // station's credential at the centre.
    this.submit.disabled = status.centre_url === null;
  }

  private async enrol(): Promise<void> {
    const token = this.token.value.trim();
    if (token === "") {
      this.show({ key: "centre.token_empty" });
      this.token.focus();
      return;
    }
    this.show(null);
    this.submit.disabled = true;
    try {
      const result = await this.app.act({
        title: t("centre.enrol_title"),
        note: t("centre.enrol_note"),
        confirmLabel: t("centre.enrol"),
        supervisor: true,
        run: ({ approval }) => enrolStation(token, approval),
        handles: (failure) => {
          if (failure.kind === "denied") {
            return false;
          }
          this.show(failure);
          return true;
        },
      });
      if (result.done) {
        this.token.value = "";
        this.show({ key: "centre.enrolled" });
        await this.sync.refresh();
      }
    } finally {
      this.submit.disabled = this.sync.status?.centre_url === null;
    }
  }

  private show(result: EnrolResult | null): void {
    this.notice = result;
    this.render();
  }
}

function stateWords(state: ReturnType<typeof syncState>): Node {
  const span = html("span", { class: "state-words" });
  span.append(icon(syncIcons[state]), html("span", {}, t(`sync.state.${state}`)));
  return span;
}
