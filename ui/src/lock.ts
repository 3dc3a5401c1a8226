// A student's lock as the identify, verdict and staff screens show it:
// a symbol and a heading, the reason and advice from the backend, and
// until when.

import type { LockView } from "./bindings/LockView";
import { html } from "./dom";
import { formatShortTime, pick, t } from "./i18n";
import { icon } from "./icons";

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
