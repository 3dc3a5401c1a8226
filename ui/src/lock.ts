// A student's lock as the identify, verdict and staff screens show it:
// a symbol and a heading, the reason and advice from the backend, and
// until when.

import { findStudent, unlockStudent } from "./api";
import type { LockView } from "./bindings/LockView";
import type { StudentView } from "./bindings/StudentView";
import { html } from "./dom";
import { formatShortTime, pick, t } from "./i18n";
import { icon } from "./icons";
import type { App } from "./screens/screen";

/** Fills `box` with the lock's heading, reason, advice and end. */
export function renderLock(box: HTMLElement, lock: LockView): void {
  const heading = html("p", { class: "lock-heading" });
  heading.append(icon("lock"), html("span", {}, t(`lock.title.${lock.kind}`)));
  const until =
    lock.until === null
      ? t("lock.until_unlocked")
      : t("lock.until", { time: formatShortTime(lock.until) });
  box.dataset["kind"] = lock.kind;
  box.replaceChildren(
    heading,
    html("p", { class: "lock-reason" }, pick(lock.reason)),
    html("p", { class: "lock-advice" }, `→ ${pick(lock.advice)}`),
    html("p", { class: "lock-until" }, until),
  );
}

/**
 * Lifts the student's lock after asking for a reason and, for an operator, a
 * supervisor's approval. Returns the student as read again afterwards, or
 * null when the act was cancelled or failed.
 */
export async function unlockWithReason(app: App, student: StudentView): Promise<StudentView | null> {
  const result = await app.act({
    title: t("unlock.title", { name: student.name }),
    note: t("unlock.note"),
    confirmLabel: t("unlock.confirm"),
    reason: true,
    supervisor: true,
    run: ({ reason, approval }) => unlockStudent(student.student_number, reason, approval),
  });
  if (!result.done) {
    return null;
  }
  try {
    return await findStudent(student.student_number);
  } catch (reason) {
    app.report(reason);
    return null;
  }
}
