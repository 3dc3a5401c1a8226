// Draft box screen: the student's qualified photos side by side as the
// centre would produce them, when each may be deleted, deleting one (a
// supervisor approves before its time), and the box-full message. The
// student chooses one to submit, and the screen shows where the latest
// submission stands.

import {
  deleteDraft,
  isFailure,
  listDrafts,
  studentSubmission,
  submitDraft,
  toFailure,
} from "../api";
import type { DraftView } from "../bindings/DraftView";
import { byId, html } from "../dom";
import { formatShortTime, t } from "../i18n";
import { icon } from "../icons";
import { renderSubmission } from "../submission";
import type { App, Screen } from "./screen";

export class DraftsScreen implements Screen {
  private readonly title = byId("drafts-title", HTMLElement);
  private readonly count = byId("drafts-count", HTMLElement);
  private readonly full = byId("drafts-full", HTMLElement);
  private readonly box = byId("draft-box", HTMLElement);
  private readonly empty = byId("drafts-empty", HTMLElement);
  private readonly submitNote = byId("submit-note", HTMLElement);
  private readonly submit = byId("submit-draft", HTMLButtonElement);
  private readonly submissionBox = byId("drafts-submission", HTMLElement);
  private readonly retake = byId("drafts-retake", HTMLButtonElement);
  private readonly next = byId("next-student", HTMLButtonElement);
  private drafts: DraftView[] | null = null;
  private chosen: string | null = null;
  // Counts loads, so that a slow response for an earlier student is dropped.
  private load = 0;

  constructor(private readonly app: App) {
    this.next.addEventListener("click", () => this.app.startOver());
    this.retake.addEventListener("click", () => this.app.go("live"));
    this.submit.addEventListener("click", () => void this.submitChosen());
  }

  enter(): void {
    this.drafts = null;
    this.chosen = null;
    this.render();
    this.next.focus();
    void this.fetchDrafts();
  }

  leave(): void {
    this.load += 1;
  }

  render(): void {
    const student = this.app.session.student;
    this.title.textContent = student === null ? "" : t("drafts.title", { name: student.name });
    if (this.drafts === null) {
      this.count.textContent = t("drafts.loading");
      this.box.replaceChildren();
      this.box.setAttribute("aria-busy", "true");
      this.empty.hidden = true;
      this.full.hidden = true;
      this.renderSubmit();
      return;
    }
    this.box.setAttribute("aria-busy", "false");
    const limit = student?.draft_limit ?? this.drafts.length;
    const count = this.drafts.length;
    this.count.textContent = t("drafts.count", { count, limit });
    this.empty.hidden = count > 0;
    const full = count >= limit;
    this.full.hidden = !full;
    this.full.textContent = full ? t("drafts.full", { count, limit }) : "";
    this.retake.disabled = full;
    this.box.replaceChildren(...this.drafts.map((draft, index) => this.card(draft, index + 1)));
    this.renderSubmit();
  }

  /**
   * Enables "Submit" for a chosen draft that the station may send: not a
   * demo draft, not sent already, and no submission of the student still
   * under review (a final photo may be replaced with a supervisor).
   */
  private renderSubmit(): void {
    const chosen = this.drafts?.find((draft) => draft.id === this.chosen) ?? null;
    const submission = this.app.session.submission;
    this.submissionBox.hidden = submission === null;
    if (submission !== null) {
      renderSubmission(this.submissionBox, submission);
    }
    const open = submission === null || submission.can_submit || submission.final_photo;
    let note: string;
    if (chosen === null) {
      note = t("drafts.choose_first");
    } else if (chosen.demo) {
      note = t("drafts.demo_note");
    } else if (chosen.submitted) {
      note = t("drafts.already_submitted");
    } else if (!open) {
      note = t("submission.wait_note");
    } else {
      note = t("drafts.submit_ready");
    }
    this.submitNote.textContent = note;
    this.submit.disabled = chosen === null || chosen.demo || chosen.submitted || !open;
  }

  private async submitChosen(): Promise<void> {
    const drafts = this.drafts ?? [];
    const index = drafts.findIndex((draft) => draft.id === this.chosen);
    const draft = drafts[index];
    if (draft === undefined) {
      return;
    }
    const replacesFinal = this.app.session.submission?.final_photo ?? false;
    const result = await this.app.act({
      title: t("drafts.submit_title", { index: index + 1 }),
      note: t(replacesFinal ? "drafts.submit_final_note" : "drafts.submit_note"),
      confirmLabel: t("drafts.submit_confirm"),
      confirm: true,
      supervisor: replacesFinal,
      run: ({ approval }) => submitDraft(draft.id, approval),
    });
    if (result.done) {
      this.app.session.submission = result.value;
      this.chosen = null;
      await this.fetchDrafts();
      this.next.focus();
    }
  }

  private card(draft: DraftView, index: number): HTMLElement {
    const card = html("figure", {
      class: "draft",
      "data-demo": String(draft.demo),
      "data-id": draft.id,
      "data-deletable-now": String(draft.deletable_now),
    });
    const choose = html("label", { class: "draft-choose" });
    const radio = html("input", { type: "radio", name: "draft-choice", value: draft.id });
    radio.checked = this.chosen === draft.id;
    radio.addEventListener("change", () => {
      this.chosen = draft.id;
      this.renderSubmit();
    });
    const photo = html("img", {
      src: draft.preview,
      alt: t("drafts.photo_alt", { index }),
      width: 480,
      height: 640,
    });
    const pick = html("span", { class: "draft-choose-text" });
    pick.append(radio, html("span", {}, t("drafts.choose", { index })));
    choose.append(photo, pick);

    const caption = html("figcaption", {});
    if (draft.demo) {
      caption.append(html("span", { class: "badge-demo", title: t("drafts.demo_note") }, t("drafts.demo")));
    }
    caption.append(
      html("time", { datetime: draft.created_at }, t("drafts.taken", { time: formatShortTime(draft.created_at) })),
    );
    if (draft.submitted) {
      caption.append(html("span", { class: "badge-submitted" }, t("drafts.submitted")));
    } else {
      caption.append(html("span", { class: "draft-deletable" }, deletableText(draft)));
      const remove = html("button", { type: "button", class: "draft-delete" });
      remove.append(icon("trash"), html("span", {}, t("drafts.delete")));
      remove.addEventListener("click", () => void this.remove(draft, index));
      caption.append(remove);
    }
    card.append(choose, caption);
    return card;
  }

  private async remove(draft: DraftView, index: number): Promise<void> {
    const early = !draft.deletable_now;
    const result = await this.app.act({
      title: t("drafts.delete_title", { index }),
      note: early
        ? t("drafts.delete_early_note", { time: formatShortTime(draft.deletable_at) })
        : t("drafts.delete_note"),
      confirmLabel: t("drafts.delete_confirm"),
      confirm: true,
      supervisor: early,
      run: ({ approval }) => deleteDraft(draft.id, approval),
    });
    if (result.done) {
      if (this.chosen === draft.id) {
        this.chosen = null;
      }
      await this.fetchDrafts();
      this.next.focus();
    }
  }

  private async fetchDrafts(): Promise<void> {
    const student = this.app.session.student;
    if (student === null) {
      return;
    }
    this.load += 1;
    const load = this.load;
    try {
      const [drafts, submission] = await Promise.all([
        listDrafts(student.student_number),
        studentSubmission(student.student_number),
      ]);
      if (load !== this.load) {
        return;
      }
      this.drafts = drafts;
      this.app.session.submission = submission;
      this.app.session.setDraftCount(drafts.length);
      this.render();
    } catch (reason) {
      if (load === this.load) {
        this.drafts = [];
        this.render();
        this.app.showError(isFailure(reason) ? reason : toFailure(reason));
      }
    }
  }
}

function deletableText(draft: DraftView): string {
  if (draft.deletable_now) {
    return t("drafts.deletable_now");
  }
  return t("drafts.deletable_at", { time: formatShortTime(draft.deletable_at) });
}
