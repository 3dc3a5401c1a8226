// The station itself: a diagnostics bundle for the school's IT staff, and
// closing the station, which in kiosk mode is the only way out.

import { exportDiagnostics, leaveKiosk } from "../api";
import type { DiagnosticsView } from "../bindings/DiagnosticsView";
import { byId } from "../dom";
import { t } from "../i18n";
import type { App } from "../screens/screen";
import { FolderForm } from "./folder";
import type { Panel } from "./panel";

export class StationPanel implements Panel {
  private readonly diagnostics: FolderForm<DiagnosticsView>;

  constructor(private readonly app: App) {
    this.diagnostics = new FolderForm(app, "diagnostics", exportDiagnostics);
    byId("close-station", HTMLButtonElement).addEventListener("click", () => void this.closeStation());
  }

  enter(): void {
    this.render();
    this.diagnostics.focus();
  }

  render(): void {
    this.diagnostics.render();
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
