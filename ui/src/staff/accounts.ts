// Staff accounts: a supervisor adds an operator or another supervisor.

import { addStaff } from "../api";
import type { Role } from "../bindings/Role";
import type { StaffMember } from "../bindings/StaffMember";
import { byId } from "../dom";
import { t } from "../i18n";
import type { App } from "../screens/screen";
import { showResult } from "./panel";
import type { Panel } from "./panel";

type Problem = "empty" | "mismatch";

export class AccountsPanel implements Panel {
  private readonly form = byId("accounts-form", HTMLFormElement);
  private readonly username = byId("account-username", HTMLInputElement);
  private readonly role = byId("account-role", HTMLSelectElement);
  private readonly password = byId("account-password", HTMLInputElement);
  private readonly again = byId("account-password2", HTMLInputElement);
  private readonly submit = byId("account-add", HTMLButtonElement);
  private readonly result = byId("accounts-result", HTMLElement);
  private added: StaffMember | null = null;
  private problem: Problem | null = null;

  constructor(private readonly app: App) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.add();
    });
  }

  enter(): void {
    this.render();
    this.username.focus();
  }

  render(): void {
    if (this.problem !== null) {
      showResult(this.result, t(`accounts.${this.problem}`), true);
    } else if (this.added !== null) {
      const { username, role } = this.added;
      showResult(this.result, t("accounts.added", { name: username, role: t(`role.${role}`) }));
    } else {
      showResult(this.result, null);
    }
  }

  private async add(): Promise<void> {
    const username = this.username.value.trim();
    const password = this.password.value;
    const role: Role = this.role.value === "supervisor" ? "supervisor" : "operator";
    this.added = null;
    this.problem = null;
    if (username === "" || password === "") {
      this.problem = "empty";
    } else if (password !== this.again.value) {
      this.problem = "mismatch";
      this.again.value = "";
    }
    this.render();
    if (this.problem !== null) {
      (this.problem === "empty" && username === "" ? this.username : this.password).focus();
      return;
    }
    this.submit.disabled = true;
    try {
      const result = await this.app.act({
        title: t("accounts.approve_title", { name: username }),
        confirmLabel: t("accounts.add"),
        supervisor: true,
        run: ({ approval }) => addStaff(username, password, role, approval),
      });
      if (result.done) {
        this.added = result.value;
        this.username.value = "";
        this.password.value = "";
        this.again.value = "";
        this.render();
      }
    } finally {
      this.submit.disabled = false;
    }
  }
}
