// A student's latest submission as the identify and draft box screens show
// it: its state at the centre, the finished photo to proofread, and
// whether another draft may be submitted.

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
  if (submission.finished_preview !== null) {
    // The student proofreads the photo the centre made before it is final.
    // The caller may add controls, such as an export, to `.finished-side`.
    const figure = html("figure", { class: "finished" });
    const side = html("div", { class: "finished-side" });
    side.append(
      html("figcaption", {}, t(submission.state === "finished" ? "submission.proofread" : "submission.final_photo")),
    );
    figure.append(
      html("img", {
        class: "finished-photo",
        src: submission.finished_preview,
        alt: t("submission.finished_alt"),
        width: "180",
        height: "240",
      }),
      side,
    );
    box.append(figure);
  }
  if (submission.final_photo) {
    box.append(html("p", { class: "submission-note" }, t("submission.final_note")));
  } else if (!submission.can_submit && submission.state !== "finished") {
    box.append(html("p", { class: "submission-note" }, t("submission.wait_note")));
  }
}
