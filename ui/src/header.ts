// The header (station name, current student, language switch, new student)
// and the camera banners under it, which every screen shows.

import { byId } from "./dom";
import { language, pick, setLanguage, t } from "./i18n";
import type { Session } from "./session";

export class Header {
  private readonly student = byId("current-student", HTMLElement);
  private readonly demoBanner = byId("demo-banner", HTMLElement);
  private readonly demoDetail = byId("demo-detail", HTMLElement);
  private readonly cameraBanner = byId("camera-banner", HTMLElement);
  private readonly cameraMessage = byId("camera-message", HTMLElement);

  constructor(
    private readonly session: Session,
    onNewStudent: () => void,
  ) {
    byId("lang", HTMLButtonElement).addEventListener("click", () => {
      setLanguage(language() === "zh-CN" ? "en" : "zh-CN");
    });
    byId("new-student", HTMLButtonElement).addEventListener("click", onNewStudent);
    session.onChange(() => this.render());
  }

  render(): void {
    const student = this.session.student;
    this.student.textContent =
      student === null
        ? t("header.no_student")
        : t("header.student", { name: student.name, number: student.student_number });

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
