// The dialog for acts that need more than a click: a reason (unlocking),
// a confirmation (deleting a draft), or a supervisor's approval when an
// operator is signed in. The act runs from the dialog, so a wrong password
// or an invalid reason is shown there and the person can try again.

import { isFailure, toFailure } from "./api";
import type { Failure } from "./api";
import type { Approval } from "./bindings/Approval";
import { byId } from "./dom";
import { failureMessage } from "./errors";
import { t } from "./i18n";
import type { Session } from "./session";

export type ActInput = { reason: string; approval: Approval | null };

export type ActRequest<T> = {
  title: string;
  /** The act's effect, shown above the fields. */
  note?: string;
  confirmLabel: string;
  /** Ask for a reason, which the act records. */
  reason?: boolean;
  /** The act needs a supervisor: an operator must get one to approve. */
  supervisor: boolean;
  /** Ask before acting even when nothing needs typing. */
  confirm?: boolean;
  run: (input: ActInput) => Promise<T>;
  /**
   * Takes a failure the caller shows itself, such as a roster's bad rows;
   * returns true when it did, and the dialog closes.
   */
  handles?: (failure: Failure) => boolean;
};

/** The outcome of an act: its value, or nothing when cancelled or failed. */
export type ActResult<T> = { done: true; value: T } | { done: false };

type Pending = {
  request: ActRequest<unknown>;
  resolve: (result: ActResult<unknown>) => void;
};

export class ActDialog {
  private readonly dialog = byId("act-dialog", HTMLDialogElement);
  private readonly form = byId("act-form", HTMLFormElement);
  private readonly title = byId("act-title", HTMLElement);
  private readonly note = byId("act-note", HTMLElement);
  private readonly reasonRow = byId("act-reason-row", HTMLElement);
  private readonly reason = byId("act-reason", HTMLTextAreaElement);
  private readonly approval = byId("act-approval", HTMLFieldSetElement);
  private readonly username = byId("act-username", HTMLInputElement);
  private readonly password = byId("act-password", HTMLInputElement);
  private readonly error = byId("act-error", HTMLElement);
  private readonly confirm = byId("act-confirm", HTMLButtonElement);
  private pending: Pending | null = null;
  private busy = false;

  /**
   * @param whenDenied checks the session after a denied act, and returns
   *   true when staff are still signed in (so the approval was at fault).
   */
  constructor(
    private readonly session: Session,
    private readonly whenDenied: (failure: Failure) => Promise<boolean>,
    private readonly report: (failure: Failure) => void,
  ) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.submit();
    });
    byId("act-cancel", HTMLButtonElement).addEventListener("click", () => this.finish({ done: false }));
    // Escape closes a modal dialog with a "cancel" event.
    this.dialog.addEventListener("cancel", (event) => {
      event.preventDefault();
      if (!this.busy) {
        this.finish({ done: false });
      }
    });
  }

  /**
   * Runs `request`, asking first when it needs a reason, a confirmation or
   * an approval. Failures are shown in the dialog, or in the error box when
   * nothing was asked.
   */
  act<T>(request: ActRequest<T>): Promise<ActResult<T>> {
    const needsApproval = request.supervisor && !this.session.isSupervisor;
    if (!request.reason && !request.confirm && !needsApproval) {
      return this.runDirectly(request);
    }
    this.pending?.resolve({ done: false });
    return new Promise<ActResult<T>>((resolve) => {
      this.pending = {
        request: request as ActRequest<unknown>,
        resolve: resolve as (result: ActResult<unknown>) => void,
      };
      this.open(request, needsApproval);
    });
  }

  private async runDirectly<T>(request: ActRequest<T>): Promise<ActResult<T>> {
    try {
      return { done: true, value: await request.run({ reason: "", approval: null }) };
    } catch (reason) {
      const failure = isFailure(reason) ? reason : toFailure(reason);
      if (!request.handles?.(failure)) {
        this.report(failure);
      }
      return { done: false };
    }
  }

  private open(request: ActRequest<unknown>, needsApproval: boolean): void {
    this.title.textContent = request.title;
    this.note.textContent = request.note ?? "";
    this.note.hidden = request.note === undefined;
    this.reasonRow.hidden = request.reason !== true;
    this.reason.value = "";
    this.approval.hidden = !needsApproval;
    this.approval.disabled = !needsApproval;
    this.username.value = "";
    this.password.value = "";
    this.confirm.textContent = request.confirmLabel;
    this.showError(null);
    if (!this.dialog.open) {
      this.dialog.showModal();
    }
    if (request.reason === true) {
      this.reason.focus();
    } else if (needsApproval) {
      this.username.focus();
    } else {
      this.confirm.focus();
    }
  }

  private async submit(): Promise<void> {
    const pending = this.pending;
    if (pending === null || this.busy) {
      return;
    }
    const reason = this.reason.value.trim();
    if (pending.request.reason === true && reason === "") {
      this.showError(t("act.reason_missing"));
      this.reason.focus();
      return;
    }
    let approval: Approval | null = null;
    if (!this.approval.hidden) {
      approval = { username: this.username.value.trim(), password: this.password.value };
      if (approval.username === "" || approval.password === "") {
        this.showError(t("act.approval_missing"));
        (approval.username === "" ? this.username : this.password).focus();
        return;
      }
    }
    this.busy = true;
    this.confirm.disabled = true;
    try {
      const value = await pending.request.run({ reason, approval });
      this.finish({ done: true, value });
    } catch (thrown) {
      await this.failed(pending, isFailure(thrown) ? thrown : toFailure(thrown));
    } finally {
      this.busy = false;
      this.confirm.disabled = false;
    }
  }

  private async failed(pending: Pending, failure: Failure): Promise<void> {
    if (pending.request.handles?.(failure)) {
      this.finish({ done: false });
      return;
    }
    if (failure.kind === "denied") {
      const stillSignedIn = await this.whenDenied(failure);
      if (!stillSignedIn) {
        this.finish({ done: false });
        return;
      }
      this.password.value = "";
      this.showError(t("act.denied"));
      (this.approval.hidden ? this.confirm : this.password).focus();
      return;
    }
    this.showError(t("form.failed", { message: failureMessage(failure) }));
  }

  private showError(text: string | null): void {
    this.error.hidden = text === null;
    this.error.textContent = text ?? "";
  }

  private finish(result: ActResult<unknown>): void {
    const pending = this.pending;
    this.pending = null;
    this.password.value = "";
    if (this.dialog.open) {
      this.dialog.close();
    }
    pending?.resolve(result);
  }
}
