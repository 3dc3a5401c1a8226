// The station itself: a diagnostics bundle for the school's IT staff, and
// closing the station, which in kiosk mode is the only way out.

import { exportDiagnostics, leaveKiosk } from "../api";
import type { DiagnosticsView } from "../bindings/DiagnosticsView";
import { byId } from "../dom";
import { t } from "../i18n";
import type { App } from "../screens/screen";
import { showResult } from "./panel";
import type { Panel } from "./panel";

export class StationPanel implements Panel {
  private readonly form = byId("diagnostics-form", HTMLFormElement);
  private readonly folder = byId("diagnostics-folder", HTMLInputElement);
  private readonly submit = byId("diagnostics-submit", HTMLButtonElement);
  private readonly result = byId("diagnostics-result", HTMLElement);
  private readonly close = byId("close-station", HTMLButtonElement);
  private bundle: DiagnosticsView | null = null;
  private empty = false;

  constructor(private readonly app: App) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.exportBundle();
    });
    this.close.addEventListener("click", () => void this.closeStation());
  }

  enter(): void {
    this.render();
    this.folder.focus();
  }

  render(): void {
    if (this.empty) {
      showResult(this.result, t("diagnostics.empty"), true);
    } else if (this.bundle !== null) {
      showResult(this.result, t("diagnostics.done", { ...this.bundle }));
    } else {
      showResult(this.result, null);
    }
  }

  private async exportBundle(): Promise<void> {
    const folder = this.folder.value.trim();
    this.bundle = null;
    this.empty = folder === "";
    this.render();
    if (folder === "") {
      this.folder.focus();
      return;
    }
    this.submit.disabled = true;
    try {
      const result = await this.app.act({
        title: t("diagnostics.approve_title"),
        note: t("diagnostics.approve_note", { folder }),
        confirmLabel: t("diagnostics.submit"),
        supervisor: true,
        run: ({ approval }) => exportDiagnostics(folder, approval),
      });
      if (result.done) {
        this.bundle = result.value;
        this.render();
      }
    } finally {
      this.submit.disabled = false;
    }
  }

  private async closeStation(): Promise<void> {
    await this.app.act({
      title: t("close.title"),
      note: t("close.note"),
      confirmLabel: t("close.confirm"),
      supervisor: true,
      confirm: true,
      run: ({ approval }) => leaveKiosk(approval),
    });
  }
}
