// The A−/A+ buttons: the root font size in steps, stored in the webview so
// the station keeps it across restarts. Every font size in styles.css is
// in rem, so this one value scales all text.

import { byId } from "./dom";

// Root sizes in CSS pixels. 22 is the default, the size the 1280x800
// layout was drawn for.
const steps = [18, 20, 22, 24, 26, 28];
const defaultStep = 2;
const storageKey = "tucai.text-size";

export class TextSize {
  private readonly smaller = byId("text-smaller", HTMLButtonElement);
  private readonly larger = byId("text-larger", HTMLButtonElement);
  private step = readStoredStep();

  constructor() {
    this.smaller.addEventListener("click", () => this.change(-1));
    this.larger.addEventListener("click", () => this.change(1));
    this.apply();
  }

  private change(by: number): void {
    this.step = Math.min(steps.length - 1, Math.max(0, this.step + by));
    try {
      localStorage.setItem(storageKey, String(steps[this.step]));
    } catch {
      // The size then lasts until the window closes.
    }
    this.apply();
  }

  private apply(): void {
    const size = steps[this.step] ?? 22;
    document.documentElement.style.fontSize = `${size}px`;
    document.documentElement.dataset["textSize"] = String(size);
    this.smaller.disabled = this.step === 0;
    this.larger.disabled = this.step === steps.length - 1;
  }
}

function readStoredStep(): number {
  try {
    const stored = steps.indexOf(Number(localStorage.getItem(storageKey)));
    return stored === -1 ? defaultStep : stored;
  } catch {
    return defaultStep;
  }
}
