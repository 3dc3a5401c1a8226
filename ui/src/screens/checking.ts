// Checking screen: shown while the capture command runs. The live screen
// starts the capture and leaves this screen when the outcome arrives.

import { byId } from "../dom";
import type { Screen } from "./screen";

export class CheckingScreen implements Screen {
  private readonly status = byId("checking", HTMLElement);

  enter(): void {
    // Focus moves here so a key pressed during the check cannot hit a button
    // of the screen that was left.
    this.status.focus();
  }

  leave(): void {}

  render(): void {}
}
