// The header (station name, current student, signed-in staff, the
// centre's status, the staff buttons and the language switch) and the
// camera banners under it, which every screen shows.

import { byId, html } from "./dom";
import { formatShortTime, language, pick, setLanguage, t } from "./i18n";
import { icon } from "./icons";
import type { Session } from "./session";
import { syncIcons, syncState } from "./sync";
import type { SyncWatcher } from "./sync";

export type HeaderActions = {
  newStudent: () => void;
  signOut: () => void;
  openStaff: () => void;
  openCentre: () => void;
};

export class Header {
  private readonly student = byId("current-student", HTMLElement);
  private readonly staff = byId("staff-name", HTMLElement);
  private readonly newStudent = byId("new-student", HTMLButtonElement);
  private readonly signOut = byId("sign-out", HTMLButtonElement);
  private readonly openStaff = byId("open-staff", HTMLButtonElement);
  private readonly demoBanner = byId("demo-banner", HTMLElement);
  private readonly demoDetail = byId("demo-detail", HTMLElement);
  private readonly cameraBanner = byId("camera-banner", HTMLElement);
  private readonly cameraMessage = byId("camera-message", HTMLElement);
  private readonly formatBanner = byId("camera-format-banner", HTMLElement);
  private readonly formatMessage = byId("camera-format-message", HTMLElement);
  private readonly syncButton = byId("sync-status", HTMLButtonElement);

  constructor(
    private readonly session: Session,
    private readonly sync: SyncWatcher,
    actions: HeaderActions,
  ) {
    byId("lang", HTMLButtonElement).addEventListener("click", () => {
      setLanguage(language() === "zh-CN" ? "en" : "zh-CN");
    });
    this.newStudent.addEventListener("click", actions.newStudent);
    this.signOut.addEventListener("click", actions.signOut);
    this.openStaff.addEventListener("click", actions.openStaff);
    this.syncButton.addEventListener("click", actions.openCentre);
    session.onChange(() => this.render());
    sync.onChange(() => this.renderSync());
  }

  render(): void {
    const student = this.session.student;
    this.student.textContent =
      student === null
        ? t("header.no_student")
        : t("header.student", { name: student.name, number: student.student_number });

    const staff = this.session.staff;
    this.staff.hidden = staff === null;
    this.staff.textContent =
      staff === null
        ? ""
        : t("header.staff", { name: staff.username, role: t(`role.${staff.role}`) });
    this.newStudent.hidden = staff === null;
    this.signOut.hidden = staff === null;
    this.openStaff.hidden = staff === null;
    this.student.hidden = staff === null;

    const camera = this.session.station?.camera ?? null;
    const demo = camera?.source === "demo";
    const lost = camera?.state === "lost";
    const formatProblem = camera?.state === "format_problem";
    this.demoBanner.hidden = !demo;
    // `message` explains the loss, the format problem or the demo camera, so
    // it is shown once: under the banner of the camera's fault if it has one.
    const fault = lost || formatProblem;
    this.demoDetail.textContent = demo && !fault && camera.message !== null ? pick(camera.message) : "";
    this.demoDetail.hidden = this.demoDetail.textContent === "";

    this.renderSync();

    this.cameraBanner.hidden = !lost;
    this.cameraMessage.textContent =
      lost && camera.message !== null ? pick(camera.message) : t("banner.camera_lost_default");

    this.formatBanner.hidden = !formatProblem;
    this.formatMessage.textContent = formatProblem && camera.message !== null ? pick(camera.message) : "";
  }

  /** Shows the centre's state in a word with an icon, and the outbox's size. */
  private renderSync(): void {
    const status = this.sync.status;
    this.syncButton.hidden = status === null || this.session.staff === null;
    if (status === null) {
      return;
    }
    const state = syncState(status);
    this.syncButton.dataset["state"] = state;
    this.syncButton.dataset["waiting"] = String(status.waiting);
    // An empty outbox is left unsaid, which keeps the header short.
    const stateWords = t(`sync.state.${state}`);
    const words =
      status.waiting === 0 ? stateWords : t("sync.header", { state: stateWords, count: status.waiting });
    this.syncButton.replaceChildren(icon(syncIcons[state]), html("span", {}, words));
    const detail = status.last_error === null ? null : pick(status.last_error);
    const since =
      status.last_success_at === null ? null : t("sync.last_success", { time: formatShortTime(status.last_success_at) });
    this.syncButton.title = [detail, since].filter((line) => line !== null).join("\n");
  }
}
