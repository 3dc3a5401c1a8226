// Sign-in screen: a staff member's username and password. The station
// shows it at start, after "Sign out", and when the backend signed staff
// out after the idle time.

import { isFailure, signIn, toFailure } from "../api";
import type { Failure } from "../api";
import { byId } from "../dom";
import { failureMessage } from "../errors";
import { t } from "../i18n";
import type { MessageKey } from "../i18n";
import type { App, Screen } from "./screen";

/** The reason the sign-in screen shows, for the note above the form. */
export type SignInReason = "start" | "idle" | "signed_out";

export class SignInScreen implements Screen {
  private readonly form = byId("signin-form", HTMLFormElement);
  private readonly username = byId("signin-username", HTMLInputElement);
  private readonly password = byId("signin-password", HTMLInputElement);
  private readonly submit = byId("signin-submit", HTMLButtonElement);
  private readonly note = byId("signin-note", HTMLElement);
  private readonly error = byId("signin-error", HTMLElement);
  private reason: SignInReason = "start";
  private failure: Failure | null = null;
  private busy = false;

  constructor(private readonly app: App) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.signIn();
    });
  }

  /** Sets the note shown above the form the next time the screen renders. */
  setReason(reason: SignInReason): void {
    this.reason = reason;
    this.failure = null;
    this.render();
  }

  enter(): void {
    this.password.value = "";
    this.render();
    (this.username.value === "" ? this.username : this.password).focus();
  }

  leave(): void {
    this.password.value = "";
    this.failure = null;
  }

  render(): void {
    const student = this.app.session.student;
    let note = "";
    if (this.reason === "idle") {
      const minutes = this.app.session.signIn?.idle_minutes ?? 0;
      note = t("signin.idle_note", { minutes });
    } else if (this.reason === "signed_out") {
      note = t("signin.signed_out_note");
    }
    if (student !== null && this.reason !== "start") {
      const kept = t("signin.student_kept", { name: student.name });
      note = note === "" ? kept : `${note}\n${kept}`;
    }
    this.note.textContent = note;
    this.note.hidden = note === "";
    this.renderError();
  }

  private renderError(): void {
    const failure = this.failure;
    this.error.hidden = failure === null;
    if (failure === null) {
      this.error.textContent = "";
      return;
    }
    const keys: Partial<Record<Failure["kind"], MessageKey>> = {
      denied: "signin.denied",
      invalid_input: "signin.invalid",
    };
    const key = keys[failure.kind];
    this.error.textContent =
      key === undefined ? t("form.failed", { message: failureMessage(failure) }) : t(key);
  }

  private async signIn(): Promise<void> {
    if (this.busy) {
      return;
    }
    const username = this.username.value.trim();
    const password = this.password.value;
    if (username === "" || password === "") {
      this.failure = { kind: "invalid_input", message: "" };
      this.renderError();
      (username === "" ? this.username : this.password).focus();
      return;
    }
    this.busy = true;
    this.submit.disabled = true;
    try {
      const view = await signIn(username, password);
      this.failure = null;
      this.app.signedIn(view);
    } catch (reason) {
      this.failure = isFailure(reason) ? reason : toFailure(reason);
      this.renderError();
      this.password.value = "";
      this.password.focus();
    } finally {
      this.busy = false;
      this.submit.disabled = false;
    }
  }
}
