// Export of the day: capture attempts, the originals of the day's drafts
// and the roster's progress, into a new folder inside the one typed in.

import { exportDay } from "../api";
import type { ExportSummary } from "../bindings/ExportSummary";
import { byId } from "../dom";
import { t } from "../i18n";
import type { App } from "../screens/screen";
import { showResult } from "./panel";
import type { Panel } from "./panel";

export class ExportPanel implements Panel {
  private readonly form = byId("export-form", HTMLFormElement);
  private readonly folder = byId("export-folder", HTMLInputElement);
  private readonly submit = byId("export-submit", HTMLButtonElement);
  private readonly result = byId("export-result", HTMLElement);
  private summary: ExportSummary | null = null;
  private empty = false;

  constructor(private readonly app: App) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.export();
    });
  }

  enter(): void {
    this.render();
    this.folder.focus();
  }

  render(): void {
    if (this.empty) {
      showResult(this.result, t("export.empty"), true);
    } else if (this.summary !== null) {
      showResult(this.result, t("export.done", { ...this.summary }));
    } else {
      showResult(this.result, null);
    }
  }

  private async export(): Promise<void> {
    const folder = this.folder.value.trim();
    this.summary = null;
    this.empty = folder === "";
    this.render();
    if (folder === "") {
      this.folder.focus();
      return;
    }
    this.submit.disabled = true;
    try {
      const result = await this.app.act({
        title: t("export.approve_title"),
        note: t("export.approve_note", { folder }),
        confirmLabel: t("export.submit"),
        supervisor: true,
        run: ({ approval }) => exportDay(folder, approval),
      });
      if (result.done) {
        this.summary = result.value;
        this.render();
      }
    } finally {
      this.submit.disabled = false;
    }
  }
}
