// Guide screen: how to stand and what the photo requires, then "I'm ready".

import { byId } from "../dom";
import { isPictureName, picture } from "../pictures";
import type { App, Screen } from "./screen";

export class GuideScreen implements Screen {
  private readonly section = byId("screen-guide", HTMLElement);
  private readonly ready = byId("guide-ready", HTMLButtonElement);

  constructor(private readonly app: App) {
    // index.html marks each drawing's place with data-picture="<name>".
    for (const slot of this.section.querySelectorAll<HTMLElement>("[data-picture]")) {
      const name = slot.dataset["picture"] ?? "";
      if (isPictureName(name)) {
        slot.replaceChildren(picture(name));
      }
    }
    this.ready.addEventListener("click", () => this.app.go("live"));
  }

  enter(): void {
    this.ready.focus();
  }

  leave(): void {}

  // Every text on this screen is static markup that i18n.translateDocument fills.
  render(): void {}
}
