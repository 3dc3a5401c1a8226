// Identify screen: a barcode scanner or the keyboard types a collection code
// or student number into #query and ends it with Enter, or the student shows
// the slip's QR code to the camera. Staff can also find a student by name
// and the last digits of the ID number. The card shows
// the student with the ID number masked, the lock in force and the failed
// captures left before one, and the finished photo to proofread and export.

import {
  exportFinishedPhoto,
  findByName,
  findStudent,
  isFailure,
  scanStudentCode,
  studentSubmission,
  toFailure,
} from "../api";
import type { Failure } from "../api";
import type { StudentView } from "../bindings/StudentView";
import { byId, html } from "../dom";
import { failureMessage } from "../errors";
import { t } from "../i18n";
import type { MessageKey } from "../i18n";
import { renderLock, unlockWithReason } from "../lock";
import { showResult } from "../staff/panel";
import { renderSubmission } from "../submission";
import type { App, Screen } from "./screen";

type StudentField = { label: MessageKey; value: (student: StudentView) => string };

const studentFields: StudentField[] = [
  { label: "student.name", value: (s) => s.name },
  { label: "student.number", value: (s) => s.student_number },
  { label: "student.masked_id", value: (s) => s.masked_id },
  { label: "student.school", value: (s) => s.school },
  { label: "student.college", value: (s) => s.college },
  { label: "student.class", value: (s) => s.class_name },
  { label: "student.collection_code", value: (s) => s.collection_code },
  {
    label: "student.drafts",
    value: (s) => t("student.drafts_value", { count: s.draft_count, limit: s.draft_limit }),
  },
  {
    label: "student.attempts_left",
    value: (s) =>
      s.lock === null
        ? t("student.attempts_left_value", { count: s.attempts_left })
        : t("student.attempts_locked"),
  },
];

type NoticeKey =
  | "identify.empty"
  | "identify.searching"
  | "identify.scanning"
  | "identify.scan_none"
  | "identify.not_found"
  | "identify.name_empty"
  | "identify.name_many";

// The identify-screen message: a key to translate, or a failure whose message
// the backend wrote.
type Notice = { key: NoticeKey; count?: number } | Failure;

type Mode = "code" | "name";

export class IdentifyScreen implements Screen {
  private readonly section = byId("screen-identify", HTMLElement);
  private readonly title = byId("identify-title", HTMLElement);
  private readonly form = byId("identify-form", HTMLFormElement);
  private readonly nameForm = byId("name-form", HTMLFormElement);
  private readonly modeCode = byId("mode-code", HTMLButtonElement);
  private readonly modeName = byId("mode-name", HTMLButtonElement);
  private readonly query = byId("query", HTMLInputElement);
  private readonly nameQuery = byId("name-query", HTMLInputElement);
  private readonly digitsQuery = byId("digits-query", HTMLInputElement);
  private readonly find = byId("find", HTMLButtonElement);
  private readonly scan = byId("scan-code", HTMLButtonElement);
  private readonly findByName = byId("find-by-name", HTMLButtonElement);
  private readonly notice = byId("identify-error", HTMLElement);
  private readonly results = byId("name-results", HTMLUListElement);
  private readonly card = byId("student-card", HTMLElement);
  private readonly fields = byId("student-fields", HTMLDListElement);
  private readonly lockBox = byId("student-lock", HTMLElement);
  private readonly submissionBox = byId("student-submission", HTMLElement);
  private readonly full = byId("student-full", HTMLElement);
  private readonly toGuide = byId("to-guide", HTMLButtonElement);
  private readonly toDrafts = byId("card-drafts", HTMLButtonElement);
  private readonly unlock = byId("card-unlock", HTMLButtonElement);
  private readonly finishedForm = byId("finished-form", HTMLFormElement);
  private readonly finishedFolder = byId("finished-folder", HTMLInputElement);
  private readonly finishedExport = byId("finished-export", HTMLButtonElement);
  private readonly finishedResult = byId("finished-result", HTMLElement);
  private finishedNotice: { path: string } | { empty: true } | Failure | null = null;
  private shownNotice: Notice | null = null;
  private matches: StudentView[] = [];
  private mode: Mode = "code";
  private searching = false;

  constructor(private readonly app: App) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.search();
    });
    this.nameForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.searchByName();
    });
    this.scan.addEventListener("click", () => void this.scanCode());
    this.finishedForm.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.exportFinished();
    });
    this.modeCode.addEventListener("click", () => this.setMode("code"));
    this.modeName.addEventListener("click", () => this.setMode("name"));
    this.toGuide.addEventListener("click", () => this.app.go("guide"));
    this.toDrafts.addEventListener("click", () => this.app.go("drafts"));
    this.unlock.addEventListener("click", () => void this.unlockStudent());
    document.addEventListener("keydown", (event) => this.redirectTyping(event));
    this.section.addEventListener("click", (event) => this.refocusAfterClick(event));
    app.session.onChange(() => this.renderStudent(this.app.session.student));
  }

  enter(): void {
    this.render();
    const student = this.app.session.student;
    if (student !== null && !this.toGuide.disabled) {
      this.toGuide.focus();
    } else if (this.mode === "code") {
      this.query.focus();
      this.query.select();
    } else {
      this.nameQuery.focus();
    }
  }

  leave(): void {}

  /** Clears the queries, the message and the student card for the next student. */
  reset(): void {
    this.query.value = "";
    this.nameQuery.value = "";
    this.digitsQuery.value = "";
    this.matches = [];
    this.shownNotice = null;
    this.setMode("code");
    this.render();
  }

  render(): void {
    this.title.textContent = t(this.mode === "code" ? "identify.title" : "identify.title_name");
    this.renderNotice();
    this.renderMatches();
    this.renderStudent(this.app.session.student);
  }

  private setMode(mode: Mode): void {
    this.mode = mode;
    this.title.textContent = t(mode === "code" ? "identify.title" : "identify.title_name");
    this.form.hidden = mode !== "code";
    this.nameForm.hidden = mode !== "name";
    this.modeCode.setAttribute("aria-pressed", String(mode === "code"));
    this.modeName.setAttribute("aria-pressed", String(mode === "name"));
    this.showNotice(null);
    (mode === "code" ? this.query : this.nameQuery).focus();
  }

  private async search(): Promise<void> {
    const query = this.query.value.trim();
    if (this.searching) {
      return;
    }
    if (query === "") {
      this.showNotice({ key: "identify.empty" });
      this.query.focus();
      return;
    }
    await this.running(this.find, async () => {
      const student = await findStudent(query);
      this.choose(student);
    });
  }

  /** Reads the student's code from a QR code held up to the camera. */
  private async scanCode(): Promise<void> {
    if (this.searching) {
      return;
    }
    await this.running(
      this.scan,
      async () => {
        this.choose(await scanStudentCode());
      },
      "identify.scanning",
      "identify.scan_none",
    );
  }

  private async searchByName(): Promise<void> {
    const name = this.nameQuery.value.trim();
    const digits = this.digitsQuery.value.trim();
    if (this.searching) {
      return;
    }
    if (name === "" || digits === "") {
      this.showNotice({ key: "identify.name_empty" });
      (name === "" ? this.nameQuery : this.digitsQuery).focus();
      return;
    }
    await this.running(this.findByName, async () => {
      const found = await findByName(name, digits);
      if (found.length === 1 && found[0] !== undefined) {
        this.choose(found[0]);
        return;
      }
      this.matches = found;
      this.renderMatches();
      this.showNotice(
        found.length === 0
          ? { key: "identify.not_found" }
          : { key: "identify.name_many", count: found.length },
      );
      this.results.querySelector("button")?.focus();
    });
  }

  /**
   * Runs one search with its button disabled and the student card cleared,
   * showing `progress` meanwhile and `notFound` when no student is found.
   */
  private async running(
    button: HTMLButtonElement,
    search: () => Promise<void>,
    progress: NoticeKey = "identify.searching",
    notFound: NoticeKey = "identify.not_found",
  ): Promise<void> {
    this.searching = true;
    button.disabled = true;
    const previous = this.app.session.student;
    this.app.session.student = null;
    this.matches = [];
    this.renderMatches();
    this.showNotice({ key: progress });
    try {
      await search();
    } catch (reason) {
      const failure = isFailure(reason) ? reason : toFailure(reason);
      if (failure.kind === "denied") {
        // Staff were signed out: the student in hand stays for the next sign-in.
        this.app.session.student = previous;
        this.showNotice(null);
      }
      this.handleFailure(failure, notFound);
    } finally {
      this.searching = false;
      button.disabled = false;
    }
  }

  private choose(student: StudentView): void {
    this.finishedNotice = null;
    this.matches = [];
    this.renderMatches();
    this.app.session.student = student;
    this.showNotice(null);
    // Enter now continues. A new scan still lands in #query and replaces the
    // old code, because redirectTyping selects it first.
    (this.toGuide.disabled ? this.toDrafts : this.toGuide).focus();
    void this.loadSubmission(student.student_number);
  }

  /** Reads where the student's submission stands, for the card. */
  private async loadSubmission(studentNumber: string): Promise<void> {
    try {
      const submission = await studentSubmission(studentNumber);
      if (this.app.session.student?.student_number === studentNumber) {
        this.app.session.submission = submission;
        // A finished photo makes the card taller than a small screen, so
        // the card's buttons are brought back into view.
        this.toGuide.parentElement?.scrollIntoView({ block: "nearest" });
      }
    } catch (reason) {
      this.app.report(reason);
    }
  }

  private handleFailure(failure: Failure, notFound: NoticeKey): void {
    switch (failure.kind) {
      case "not_found":
        this.showNotice({ key: notFound });
        break;
      case "invalid_input":
        this.showNotice(failure);
        break;
      default:
        // Camera, store and other faults are not about the query, so they go
        // to the station-wide error box.
        this.showNotice(null);
        this.app.showError(failure);
    }
    const input = this.mode === "code" ? this.query : this.nameQuery;
    input.focus();
    input.select();
  }

  private async unlockStudent(): Promise<void> {
    const student = this.app.session.student;
    if (student === null) {
      return;
    }
    const unlocked = await unlockWithReason(this.app, student);
    if (unlocked !== null) {
      this.app.session.refreshStudent(unlocked);
      this.toGuide.focus();
    }
  }

  private showNotice(notice: Notice | null): void {
    this.shownNotice = notice;
    this.renderNotice();
  }

  private renderNotice(): void {
    const notice = this.shownNotice;
    this.notice.hidden = notice === null;
    this.notice.classList.remove("is-progress", "is-problem");
    if (notice === null) {
      this.notice.textContent = "";
      return;
    }
    if ("key" in notice) {
      this.notice.textContent = t(notice.key, { count: notice.count ?? 0 });
      const progress =
        notice.key === "identify.searching" ||
        notice.key === "identify.scanning" ||
        notice.key === "identify.name_many";
      this.notice.classList.add(progress ? "is-progress" : "is-problem");
    } else {
      this.notice.textContent = t("identify.invalid", { message: failureMessage(notice) });
      this.notice.classList.add("is-problem");
    }
  }

  private renderMatches(): void {
    this.results.hidden = this.matches.length === 0;
    this.results.replaceChildren(
      ...this.matches.map((student) => {
        const button = html("button", { type: "button", class: "name-result" });
        button.append(
          html("strong", {}, student.name),
          html("span", {}, t("identify.result", {
            number: student.student_number,
            id: student.masked_id,
            class: student.class_name,
          })),
        );
        button.addEventListener("click", () => this.choose(student));
        const item = html("li", {});
        item.append(button);
        return item;
      }),
    );
  }

  private renderStudent(student: StudentView | null): void {
    this.card.hidden = student === null;
    this.fields.replaceChildren();
    if (student === null) {
      return;
    }
    for (const field of studentFields) {
      const row = html("div", { class: "student-field" });
      row.append(html("dt", {}, t(field.label)), html("dd", {}, field.value(student)));
      this.fields.append(row);
    }
    const locked = student.lock !== null;
    this.lockBox.hidden = !locked;
    if (student.lock !== null) {
      renderLock(this.lockBox, student.lock);
    }
    const submission = this.app.session.submission;
    this.submissionBox.hidden = submission === null;
    if (submission !== null) {
      renderSubmission(this.submissionBox, submission);
    }
    const finished = submission?.finished_preview != null;
    if (finished) {
      this.submissionBox.querySelector(".finished-side")?.append(this.finishedForm);
    }
    this.renderFinished(finished);
    const full = student.draft_count >= student.draft_limit;
    this.full.hidden = !full;
    this.full.textContent = full ? t("student.drafts_full") : "";
    this.card.dataset["locked"] = String(locked);
    this.toGuide.disabled = locked;
    this.unlock.hidden = !locked;
    this.toDrafts.hidden = student.draft_count === 0;
  }

  private renderFinished(available: boolean): void {
    this.finishedForm.hidden = !available;
    const notice = this.finishedNotice;
    if (!available || notice === null) {
      showResult(this.finishedResult, null);
    } else if ("path" in notice) {
      showResult(this.finishedResult, t("finished.done", { path: notice.path }));
    } else if ("empty" in notice) {
      showResult(this.finishedResult, t("finished.empty"), true);
    } else {
      showResult(this.finishedResult, t("finished.failed", { message: failureMessage(notice) }), true);
    }
  }

  /** Saves the finished photo from the centre into the folder typed in. */
  private async exportFinished(): Promise<void> {
    const student = this.app.session.student;
    const folder = this.finishedFolder.value.trim();
    if (student === null) {
      return;
    }
    if (folder === "") {
      this.finishedNotice = { empty: true };
      this.renderFinished(true);
      this.finishedFolder.focus();
      return;
    }
    this.finishedExport.disabled = true;
    try {
      this.finishedNotice = { path: await exportFinishedPhoto(student.student_number, folder) };
    } catch (reason) {
      this.finishedNotice = isFailure(reason) ? reason : toFailure(reason);
    } finally {
      this.finishedExport.disabled = false;
    }
    this.renderFinished(true);
  }

  /**
   * Sends printable keys to #query when focus is elsewhere on this screen, so
   * that a scan still lands in the input after someone touched the screen or
   * tabbed to a button. The old query is selected so the scan replaces it.
   */
  private redirectTyping(event: KeyboardEvent): void {
    if (this.section.hidden || this.mode !== "code" || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key.length !== 1 || event.key === " " || document.activeElement === this.query) {
      return;
    }
    const active = document.activeElement;
    if (active instanceof HTMLInputElement || active instanceof HTMLTextAreaElement || isDialogOpen()) {
      return;
    }
    this.query.focus();
    this.query.select();
  }

  private refocusAfterClick(event: MouseEvent): void {
    const target = event.target;
    if (target instanceof Element && target.closest("button, input, a, select, textarea")) {
      return;
    }
    (this.mode === "code" ? this.query : this.nameQuery).focus();
  }
}

function isDialogOpen(): boolean {
  return document.querySelector("dialog[open]") !== null;
}
