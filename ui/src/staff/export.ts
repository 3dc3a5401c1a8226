// Export of the day: capture attempts, the originals of the day's drafts
// and the roster's progress, into a new folder inside the one typed in.

import { exportDay } from "../api";
import type { ExportSummary } from "../bindings/ExportSummary";
import type { App } from "../screens/screen";
import { FolderForm } from "./folder";
import type { Panel } from "./panel";

export class ExportPanel implements Panel {
  private readonly form: FolderForm<ExportSummary>;

  constructor(app: App) {
    this.form = new FolderForm(app, "export", exportDay);
  }

  enter(): void {
    this.render();
    this.form.focus();
  }

  render(): void {
    this.form.render();
  }
}
