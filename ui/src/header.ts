// The header (station name, current student, signed-in staff, the staff
// buttons and the language switch) and the camera banners under it, which
// every screen shows.

import { byId } from "./dom";
import { language, pick, setLanguage, t } from "./i18n";
import type { Session } from "./session";

export type HeaderActions = {
  newStudent: () => void;
  signOut: () => void;
  openStaff: () => void;
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

  constructor(
    private readonly session: Session,
    actions: HeaderActions,
  ) {
    byId("lang", HTMLButtonElement).addEventListener("click", () => {
      setLanguage(language() === "zh-CN" ? "en" : "zh-CN");
    });
    this.newStudent.addEventListener("click", actions.newStudent);
    this.signOut.addEventListener("click", actions.signOut);
    this.openStaff.addEventListener("click", actions.openStaff);
    session.onChange(() => this.render());
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
    this.demoBanner.hidden = !demo;
    // `message` explains either the loss or the demo camera, so it is shown
    // once: under the lost banner when the camera is lost.
    this.demoDetail.textContent = demo && !lost && camera.message !== null ? pick(camera.message) : "";
    this.demoDetail.hidden = this.demoDetail.textContent === "";

    this.cameraBanner.hidden = !lost;
    this.cameraMessage.textContent =
      lost && camera.message !== null ? pick(camera.message) : t("banner.camera_lost_default");
  }
}
