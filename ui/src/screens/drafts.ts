// Draft box screen: the student's qualified photos side by side, then the
// button for the next student.

import { isFailure, listDrafts, toFailure } from "../api";
import type { DraftView } from "../bindings/DraftView";
import { byId, html } from "../dom";
import { formatDateTime, t } from "../i18n";
import type { App, Screen } from "./screen";

export class DraftsScreen implements Screen {
  private readonly title = byId("drafts-title", HTMLElement);
  private readonly count = byId("drafts-count", HTMLElement);
  private readonly box = byId("draft-box", HTMLElement);
  private readonly empty = byId("drafts-empty", HTMLElement);
  private readonly next = byId("next-student", HTMLButtonElement);
  private drafts: DraftView[] | null = null;
  // Counts loads, so that a slow response for an earlier student is dropped.
  private load = 0;

  constructor(private readonly app: App) {
    this.next.addEventListener("click", () => this.app.startOver());
  }

  enter(): void {
    this.drafts = null;
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
      return;
    }
    this.box.setAttribute("aria-busy", "false");
    const limit = student?.draft_limit ?? this.drafts.length;
    this.count.textContent = t("drafts.count", { count: this.drafts.length, limit });
    this.empty.hidden = this.drafts.length > 0;
    this.box.replaceChildren(...this.drafts.map((draft, index) => draftCard(draft, index + 1)));
  }

  private async fetchDrafts(): Promise<void> {
    const student = this.app.session.student;
    if (student === null) {
      return;
    }
    this.load += 1;
    const load = this.load;
    try {
      const drafts = await listDrafts(student.student_number);
      if (load !== this.load) {
        return;
      }
      this.drafts = drafts;
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

function draftCard(draft: DraftView, index: number): HTMLElement {
  const card = html("figure", { class: "draft", "data-demo": String(draft.demo), "data-id": draft.id });
  card.append(html("img", { src: draft.preview, alt: t("drafts.photo_alt", { index }), width: 480, height: 640 }));
  const caption = html("figcaption", {});
  if (draft.demo) {
    caption.append(html("span", { class: "badge-demo", title: t("drafts.demo_note") }, t("drafts.demo")));
  }
  const time = html("time", { datetime: draft.created_at }, t("drafts.taken", { time: formatDateTime(draft.created_at) }));
  caption.append(time);
  card.append(caption);
  return card;
}
