// The error box under the header. It shows a title and advice chosen by the
// error's kind (never by its text) and the backend's message as detail.

import type { Failure } from "./api";
import { byId } from "./dom";
import { onLanguageChange, pick, t } from "./i18n";
import type { MessageKey } from "./i18n";

const titles: Record<Failure["kind"], MessageKey> = {
  not_found: "error.title.not_found",
  invalid_input: "error.title.invalid_input",
  camera: "error.title.camera",
  model: "error.title.model",
  store: "error.title.store",
  conflict: "error.title.conflict",
  internal: "error.title.internal",
  denied: "error.title.denied",
  locked: "error.title.locked",
  network: "error.title.network",
  ipc: "error.title.ipc",
};

const advice: Record<Failure["kind"], MessageKey> = {
  not_found: "error.advice.not_found",
  invalid_input: "error.advice.invalid_input",
  camera: "error.advice.camera",
  model: "error.advice.model",
  store: "error.advice.store",
  conflict: "error.advice.conflict",
  internal: "error.advice.internal",
  denied: "error.advice.denied",
  locked: "error.advice.locked",
  network: "error.advice.network",
  ipc: "error.advice.ipc",
};

/** Returns the failure's message in the current language, when the backend sent both. */
export function failureMessage(failure: Failure): string {
  return failure.text != null ? pick(failure.text) : failure.message;
}

export class ErrorBox {
  private readonly box = byId("error", HTMLElement);
  private readonly title = byId("error-title", HTMLElement);
  private readonly message = byId("error-message", HTMLElement);
  private readonly adviceText = byId("error-advice", HTMLElement);
  private currentFailure: Failure | null = null;

  constructor() {
    byId("error-dismiss", HTMLButtonElement).addEventListener("click", () => this.clear());
    onLanguageChange(() => this.render());
  }

  show(failure: Failure): void {
    this.currentFailure = failure;
    this.render();
  }

  clear(): void {
    this.currentFailure = null;
    this.render();
  }

  private render(): void {
    const failure = this.currentFailure;
    this.box.hidden = failure === null;
    if (failure === null) {
      delete this.box.dataset["kind"];
      return;
    }
    this.box.dataset["kind"] = failure.kind;
    this.title.textContent = t(titles[failure.kind]);
    this.message.textContent = failureMessage(failure);
    this.adviceText.textContent = t(advice[failure.kind]);
  }
}
