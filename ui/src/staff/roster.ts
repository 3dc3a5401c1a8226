// Roster import: the school's CSV or spreadsheet, read in the window and
// sent as bytes. A file with any bad row imports nothing, and the panel
// lists every bad row with its line and reason.

import { importRoster } from "../api";
import type { Failure } from "../api";
import type { RosterImportView } from "../bindings/RosterImportView";
import { byId, html } from "../dom";
import { failureMessage } from "../errors";
import { t } from "../i18n";
import type { App } from "../screens/screen";
import { showResult } from "./panel";
import type { Panel } from "./panel";

/** One bad row: its line in the file (the header is line 1) and the problem. */
type Problem = { line: string; text: string };

export class RosterPanel implements Panel {
  private readonly form = byId("roster-form", HTMLFormElement);
  private readonly file = byId("roster-file", HTMLInputElement);
  private readonly submit = byId("roster-import", HTMLButtonElement);
  private readonly result = byId("roster-result", HTMLElement);
  private readonly problemsBox = byId("roster-problems", HTMLElement);
  private readonly problemsTitle = byId("roster-problems-title", HTMLElement);
  private readonly rows = byId("roster-errors", HTMLTableSectionElement);
  private imported: { name: string; view: RosterImportView } | null = null;
  private rejected: { name: string; failure: Failure } | null = null;
  private missingFile = false;

  constructor(private readonly app: App) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.import();
    });
  }

  enter(): void {
    this.render();
  }

  render(): void {
    if (this.missingFile) {
      showResult(this.result, t("roster.no_file"), true);
    } else if (this.imported !== null) {
      const { name, view } = this.imported;
      showResult(this.result, t("roster.done", { name, ...view }));
    } else {
      showResult(this.result, null);
    }
    const rejected = this.rejected;
    this.problemsBox.hidden = rejected === null;
    if (rejected === null) {
      this.rows.replaceChildren();
      return;
    }
    // The rows are split from the failure at each render, so that a
    // language switch shows the backend's other language.
    const problems = problemsOf(failureMessage(rejected.failure));
    this.problemsTitle.textContent = t("roster.rejected", {
      name: rejected.name,
      count: problems.length,
    });
    this.rows.replaceChildren(
      ...problems.map((problem) => {
        const row = html("tr", { "data-line": problem.line });
        row.append(html("td", { class: "number" }, problem.line), html("td", {}, problem.text));
        return row;
      }),
    );
  }

  private async import(): Promise<void> {
    const file = this.file.files?.[0];
    this.imported = null;
    this.rejected = null;
    this.missingFile = file === undefined;
    this.render();
    if (file === undefined) {
      this.file.focus();
      return;
    }
    const bytes = new Uint8Array(await file.arrayBuffer());
    this.submit.disabled = true;
    try {
      const result = await this.app.act({
        title: t("roster.approve_title", { name: file.name }),
        confirmLabel: t("roster.import"),
        supervisor: true,
        run: ({ approval }) => importRoster(file.name, bytes, approval),
        handles: (failure) => this.handleRejection(file.name, failure),
      });
      if (result.done) {
        this.imported = { name: file.name, view: result.value };
        this.render();
      }
    } finally {
      this.submit.disabled = false;
    }
  }

  /** Lists a rejected file's bad rows; other failures go to the error box. */
  private handleRejection(name: string, failure: Failure): boolean {
    if (failure.kind !== "invalid_input") {
      return false;
    }
    this.rejected = { name, failure };
    this.render();
    this.problemsTitle.focus();
    return true;
  }
}

/**
 * Splits the backend's rejection into rows. Its first line names the file,
 * and each further line is one problem, starting `line N, …` in English or
 * `第 N 行，…` in Chinese. A message of one line (such as an unknown file
 * type) becomes one problem without a line number.
 *
 * NOTE: this reads the format of the backend's message, because the
 * command returns the rows as text; a list of rows in the error would not
 * depend on that format.
 */
function problemsOf(message: string): Problem[] {
  const lines = message.split("\n");
  if (lines.length === 1) {
    return [{ line: "", text: message }];
  }
  return lines.slice(1).map((text) => {
    const match = /^(?:line (\d+),?|第 (\d+) 行[，：]?)\s*(.*)$/.exec(text);
    if (match === null) {
      return { line: "", text };
    }
    return { line: match[1] ?? match[2] ?? "", text: match[3] ?? text };
  });
}
