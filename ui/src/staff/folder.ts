// A form that writes files into a new folder inside the one typed in, after
// a supervisor's approval: the export of the day and the diagnostics
// bundle. Element ids and message keys follow the form's prefix, such as
// #export-folder and "export.done".

import type { Approval } from "../bindings/Approval";
import { byId } from "../dom";
import { t } from "../i18n";
import type { MessageParams } from "../i18n";
import type { App } from "../screens/screen";
import { showResult } from "./panel";

export type FolderPrefix = "export" | "diagnostics";

export class FolderForm<T extends MessageParams> {
  private readonly form: HTMLFormElement;
  private readonly folder: HTMLInputElement;
  private readonly submit: HTMLButtonElement;
  private readonly result: HTMLElement;
  private written: T | null = null;
  private empty = false;

  constructor(
    private readonly app: App,
    private readonly prefix: FolderPrefix,
    private readonly run: (folder: string, approval: Approval | null) => Promise<T>,
  ) {
    this.form = byId(`${prefix}-form`, HTMLFormElement);
    this.folder = byId(`${prefix}-folder`, HTMLInputElement);
    this.submit = byId(`${prefix}-submit`, HTMLButtonElement);
    this.result = byId(`${prefix}-result`, HTMLElement);
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.write();
    });
  }

  focus(): void {
    this.folder.focus();
  }

  render(): void {
    if (this.empty) {
      showResult(this.result, t(`${this.prefix}.empty`), true);
    } else if (this.written !== null) {
      showResult(this.result, t(`${this.prefix}.done`, this.written));
    } else {
      showResult(this.result, null);
    }
  }

  private async write(): Promise<void> {
    const folder = this.folder.value.trim();
    this.written = null;
    this.empty = folder === "";
    this.render();
    if (folder === "") {
      this.folder.focus();
      return;
    }
    this.submit.disabled = true;
    try {
      const result = await this.app.act({
        title: t(`${this.prefix}.approve_title`),
        note: t(`${this.prefix}.approve_note`, { folder }),
        confirmLabel: t(`${this.prefix}.submit`),
        supervisor: true,
        run: ({ approval }) => this.run(folder, approval),
      });
      if (result.done) {
        this.written = result.value;
        this.render();
      }
    } finally {
      this.submit.disabled = false;
    }
  }
}
