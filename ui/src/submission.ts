// A student's latest submission as the identify and draft box screens show
// it: where it stands at the centre, and whether another draft may be
// submitted.

import type { SubmissionView } from "./bindings/SubmissionView";
import { html } from "./dom";
import { formatShortTime, pick, t } from "./i18n";
import { icon } from "./icons";
import type { IconName } from "./icons";

const stateIcons: Record<SubmissionView["state"], IconName> = {
  queued: "dash",
  received: "dash",
  in_production: "dash",
  finished: "check",
  final: "lock",
  reset: "warning",
  rejected: "cross",
};

/** Fills `box` with the submission's state in words, its time and reason. */
export function renderSubmission(box: HTMLElement, submission: SubmissionView): void {
  const heading = html("p", { class: "submission-heading" });
  heading.append(
    icon(stateIcons[submission.state]),
    html("span", {}, t(`submission.${submission.state}`, { time: formatShortTime(submission.updated_at) })),
  );
  box.dataset["state"] = submission.state;
  box.replaceChildren(heading);
  if (submission.reason !== null) {
    box.append(html("p", { class: "submission-reason" }, pick(submission.reason)));
  }
  if (submission.final_photo) {
    box.append(html("p", { class: "submission-note" }, t("submission.final_note")));
  } else if (!submission.can_submit) {
    box.append(html("p", { class: "submission-note" }, t("submission.wait_note")));
  }
}
