// Shows one screen section at a time and runs the screens' enter and leave hooks.

import { byId } from "./dom";
import type { Screen, ScreenName } from "./screens/screen";

export class Router {
  private currentScreen: ScreenName;
  private readonly sections: Record<ScreenName, HTMLElement>;

  constructor(
    private readonly screens: Record<ScreenName, Screen>,
    initial: ScreenName,
    private readonly onChange: (from: ScreenName, to: ScreenName) => void,
  ) {
    const sections: Partial<Record<ScreenName, HTMLElement>> = {};
    for (const name of Object.keys(screens) as ScreenName[]) {
      sections[name] = byId(`screen-${name}`, HTMLElement);
    }
    this.sections = sections as Record<ScreenName, HTMLElement>;
    this.currentScreen = initial;
    for (const [name, element] of Object.entries(this.sections)) {
      element.hidden = name !== initial;
    }
  }

  current(): ScreenName {
    return this.currentScreen;
  }

  /** Enters the first screen. Call it once every screen is constructed. */
  start(): void {
    this.screens[this.currentScreen].enter();
  }

  go(to: ScreenName): void {
    const from = this.currentScreen;
    if (from !== to) {
      this.screens[from].leave();
      this.sections[from].hidden = true;
      this.sections[to].hidden = false;
      this.currentScreen = to;
    }
    this.onChange(from, to);
    this.screens[to].enter();
  }

  renderAll(): void {
    for (const screen of Object.values(this.screens)) {
      screen.render();
    }
  }
}
