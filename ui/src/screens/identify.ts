// Identify screen: a barcode scanner or the keyboard types a collection code
// or student number into #query and ends it with Enter.

import { findStudent, isFailure, toFailure } from "../api";
import type { Failure } from "../api";
import type { StudentView } from "../bindings/StudentView";
import { byId, html } from "../dom";
import { t } from "../i18n";
import type { MessageKey } from "../i18n";
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
];

// The identify-screen message: a key to translate, or a failure whose message
// the backend wrote.
type Notice = { key: "identify.empty" | "identify.searching" | "identify.not_found" } | Failure;

export class IdentifyScreen implements Screen {
  private readonly section = byId("screen-identify", HTMLElement);
  private readonly form = byId("identify-form", HTMLFormElement);
  private readonly query = byId("query", HTMLInputElement);
  private readonly find = byId("find", HTMLButtonElement);
  private readonly notice = byId("identify-error", HTMLElement);
  private readonly card = byId("student-card", HTMLElement);
  private readonly fields = byId("student-fields", HTMLDListElement);
  private readonly full = byId("student-full", HTMLElement);
  private readonly toGuide = byId("to-guide", HTMLButtonElement);
  private shownNotice: Notice | null = null;
  private searching = false;

  constructor(private readonly app: App) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.search();
    });
    this.toGuide.addEventListener("click", () => this.app.go("guide"));
    document.addEventListener("keydown", (event) => this.redirectTyping(event));
    this.section.addEventListener("click", (event) => this.refocusAfterClick(event));
    app.session.onChange(() => this.renderStudent(this.app.session.student));
  }

  enter(): void {
    this.render();
    this.query.focus();
    this.query.select();
  }

  leave(): void {}

  /** Clears the query, the message and the student card for the next student. */
  reset(): void {
    this.query.value = "";
    this.shownNotice = null;
    this.render();
  }

  render(): void {
    this.renderNotice();
    this.renderStudent(this.app.session.student);
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
    this.searching = true;
    this.find.disabled = true;
    this.app.session.student = null;
    this.showNotice({ key: "identify.searching" });
    try {
      const student = await findStudent(query);
      this.app.session.student = student;
      this.showNotice(null);
      // Enter now continues. A new scan still lands in #query and replaces the
      // old code, because redirectTyping selects it first.
      this.toGuide.focus();
    } catch (reason) {
      this.handleFailure(isFailure(reason) ? reason : toFailure(reason));
    } finally {
      this.searching = false;
      this.find.disabled = false;
    }
  }

  private handleFailure(failure: Failure): void {
    switch (failure.kind) {
      case "not_found":
        this.showNotice({ key: "identify.not_found" });
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
    this.query.focus();
    this.query.select();
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
      this.notice.textContent = t(notice.key);
      this.notice.classList.add(notice.key === "identify.searching" ? "is-progress" : "is-problem");
    } else {
      this.notice.textContent = t("identify.invalid", { message: notice.message });
      this.notice.classList.add("is-problem");
    }
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
    const full = student.draft_count >= student.draft_limit;
    this.full.hidden = !full;
    this.full.textContent = full ? t("student.drafts_full") : "";
  }

  /**
   * Sends printable keys to #query when focus is elsewhere on this screen, so
   * that a scan still lands in the input after someone touched the screen or
   * tabbed to a button. The old query is selected so the scan replaces it.
   */
  private redirectTyping(event: KeyboardEvent): void {
    if (this.section.hidden || event.ctrlKey || event.metaKey || event.altKey) {
      return;
    }
    if (event.key.length !== 1 || event.key === " " || document.activeElement === this.query) {
      return;
    }
    if (document.activeElement instanceof HTMLInputElement) {
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
    this.query.focus();
  }
}
