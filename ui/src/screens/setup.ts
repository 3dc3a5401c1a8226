// First-run screen: a station with no staff account asks for its first
// supervisor. The backend checks the username and the password's length,
// and its message says what it expects.

import { createFirstSupervisor, isFailure, toFailure } from "../api";
import type { Failure } from "../api";
import { byId } from "../dom";
import { failureMessage } from "../errors";
import { t } from "../i18n";
import type { App, Screen } from "./screen";

type SetupProblem =
  | { key: "setup.empty" | "setup.mismatch" }
  | { key: "form.invalid" | "form.failed"; failure: Failure };

export class SetupScreen implements Screen {
  private readonly form = byId("setup-form", HTMLFormElement);
  private readonly username = byId("setup-username", HTMLInputElement);
  private readonly password = byId("setup-password", HTMLInputElement);
  private readonly again = byId("setup-password2", HTMLInputElement);
  private readonly submit = byId("setup-submit", HTMLButtonElement);
  private readonly error = byId("setup-error", HTMLElement);
  private problem: SetupProblem | null = null;
  private busy = false;

  constructor(private readonly app: App) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.create();
    });
  }

  enter(): void {
    this.render();
    this.username.focus();
  }

  leave(): void {
    this.password.value = "";
    this.again.value = "";
    this.problem = null;
  }

  render(): void {
    const problem = this.problem;
    this.error.hidden = problem === null;
    if (problem === null) {
      this.error.textContent = "";
    } else if ("failure" in problem) {
      this.error.textContent = t(problem.key, { message: failureMessage(problem.failure) });
    } else {
      this.error.textContent = t(problem.key);
    }
  }

  private show(problem: SetupProblem | null): void {
    this.problem = problem;
    this.render();
  }

  private async create(): Promise<void> {
    if (this.busy) {
      return;
    }
    const username = this.username.value.trim();
    const password = this.password.value;
    if (username === "" || password === "") {
      this.show({ key: "setup.empty" });
      (username === "" ? this.username : this.password).focus();
      return;
    }
    if (password !== this.again.value) {
      this.show({ key: "setup.mismatch" });
      this.again.value = "";
      this.again.focus();
      return;
    }
    this.busy = true;
    this.submit.disabled = true;
    try {
      const view = await createFirstSupervisor(username, password);
      this.show(null);
      this.app.signedIn(view);
    } catch (reason) {
      const failure = isFailure(reason) ? reason : toFailure(reason);
      if (failure.kind === "conflict") {
        // The command line created an account meanwhile: sign in instead.
        this.app.showError(failure);
        void this.app.checkSession();
        return;
      }
      const key = failure.kind === "invalid_input" ? "form.invalid" : "form.failed";
      this.show({ key, failure });
      this.password.focus();
    } finally {
      this.busy = false;
      this.submit.disabled = false;
    }
  }
}
