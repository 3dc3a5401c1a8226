// Unlock: find a student by code or number, see the lock in force, and
// lift it with a reason, or reset the student's attempts with a reason (a
// supervisor, or an operator with a supervisor's approval).

import { findStudent, isFailure, resetStudent, toFailure } from "../api";
import type { StudentView } from "../bindings/StudentView";
import { byId } from "../dom";
import { t } from "../i18n";
import { renderLock, unlockWithReason } from "../lock";
import type { App } from "../screens/screen";
import { showResult } from "./panel";
import type { Panel } from "./panel";

type Notice = "not_found" | "not_locked" | "unlocked" | "reset_done" | "empty";

export class UnlockPanel implements Panel {
  private readonly form = byId("unlock-form", HTMLFormElement);
  private readonly query = byId("unlock-query", HTMLInputElement);
  private readonly notice = byId("unlock-notice", HTMLElement);
  private readonly box = byId("unlock-student", HTMLElement);
  private readonly summary = byId("unlock-summary", HTMLElement);
  private readonly lockBox = byId("unlock-lock", HTMLElement);
  private readonly submit = byId("unlock-submit", HTMLButtonElement);
  private readonly reset = byId("reset-attempts", HTMLButtonElement);
  private student: StudentView | null = null;
  private shown: Notice | null = null;

  constructor(private readonly app: App) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.find();
    });
    this.submit.addEventListener("click", () => void this.unlock());
    this.reset.addEventListener("click", () => void this.resetAttempts());
  }

  enter(): void {
    this.render();
    this.query.focus();
  }

  render(): void {
    const student = this.student;
    const name = student?.name ?? "";
    showResult(
      this.notice,
      this.shown === null ? null : t(`unlock_panel.${this.shown}`, { name }),
      this.shown === "not_found" || this.shown === "empty",
    );
    this.box.hidden = student === null;
    if (student === null) {
      return;
    }
    this.summary.textContent = t("unlock_panel.summary", {
      name: student.name,
      number: student.student_number,
      id: student.masked_id,
    });
    this.lockBox.hidden = student.lock === null;
    if (student.lock !== null) {
      renderLock(this.lockBox, student.lock);
    }
    this.submit.hidden = student.lock === null;
  }

  private async find(): Promise<void> {
    const query = this.query.value.trim();
    this.student = null;
    this.shown = query === "" ? "empty" : null;
    this.render();
    if (query === "") {
      return;
    }
    try {
      this.student = await findStudent(query);
      this.shown = this.student.lock === null ? "not_locked" : null;
    } catch (reason) {
      const failure = isFailure(reason) ? reason : toFailure(reason);
      if (failure.kind === "not_found") {
        this.shown = "not_found";
      } else {
        this.app.showError(failure);
      }
    }
    this.render();
    if (this.student?.lock !== null && this.student !== null) {
      this.submit.focus();
    }
  }

  private async unlock(): Promise<void> {
    const student = this.student;
    if (student === null) {
      return;
    }
    const unlocked = await unlockWithReason(this.app, student);
    if (unlocked !== null) {
      this.updated(unlocked, "unlocked");
    }
  }

  private async resetAttempts(): Promise<void> {
    const student = this.student;
    if (student === null) {
      return;
    }
    const result = await this.app.act({
      title: t("reset.title", { name: student.name }),
      note: t("reset.note"),
      confirmLabel: t("reset.confirm"),
      reason: true,
      supervisor: true,
      run: ({ reason, approval }) => resetStudent(student.student_number, reason, approval),
    });
    if (result.done) {
      this.updated(result.value, "reset_done");
    }
  }

  /** Shows the student after an unlock or a reset, here and on the card. */
  private updated(student: StudentView, notice: Notice): void {
    this.student = student;
    this.shown = notice;
    // The student in hand may be the one just changed.
    if (this.app.session.student?.student_number === student.student_number) {
      this.app.session.refreshStudent(student);
    }
    this.render();
  }
}
