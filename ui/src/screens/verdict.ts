// Verdict screen: pass or fail in words and symbol, and each failing rule in
// plain words with its fix. It also shows the failed captures left before a
// lock (or the lock this capture set off), the cropped photo, and a table of
// every rule with failing rules first.

import type { CaptureOutcome } from "../bindings/CaptureOutcome";
import type { RuleResult } from "../bindings/RuleResult";
import type { RuleStatus } from "../bindings/RuleStatus";
import { byId, html } from "../dom";
import { icon, statusIcons } from "../icons";
import { pick, t } from "../i18n";
import type { MessageKey } from "../i18n";
import { renderLock } from "../lock";
import type { App, Screen } from "./screen";

// Rows are sorted by this rank, and rules of equal rank keep the report's order.
const statusRank: Record<RuleStatus, number> = { fail: 0, advisory: 1, not_assessed: 2, pass: 3 };

const statusWords: Record<RuleStatus, MessageKey> = {
  pass: "status.pass",
  fail: "status.fail",
  advisory: "status.advisory",
  not_assessed: "status.not_assessed",
};

export function sortRules(rules: readonly RuleResult[]): RuleResult[] {
  return rules
    .map((rule, index) => ({ rule, index }))
    .sort((a, b) => statusRank[a.rule.status] - statusRank[b.rule.status] || a.index - b.index)
    .map((entry) => entry.rule);
}

export class VerdictScreen implements Screen {
  private readonly verdict = byId("verdict", HTMLElement);
  private readonly headIcon = byId("verdict-icon", HTMLElement);
  private readonly word = byId("verdict-word", HTMLElement);
  private readonly note = byId("verdict-note", HTMLElement);
  private readonly notSaved = byId("not-saved", HTMLElement);
  private readonly lockBox = byId("verdict-lock", HTMLElement);
  private readonly attemptsLeft = byId("attempts-left", HTMLElement);
  private readonly fixes = byId("verdict-fixes", HTMLUListElement);
  private readonly photo = byId("verdict-preview", HTMLImageElement);
  private readonly noPhoto = byId("verdict-no-preview", HTMLElement);
  private readonly rows = byId("verdict-rules-body", HTMLTableSectionElement);
  private readonly retake = byId("retake", HTMLButtonElement);
  private readonly toDrafts = byId("to-drafts", HTMLButtonElement);
  private readonly next = byId("verdict-next", HTMLButtonElement);
  private readonly table = byId("verdict-table", HTMLElement);
  private readonly details = byId("verdict-details", HTMLButtonElement);
  // A failed verdict shows the rules to fix; staff can open every rule.
  private showAll = false;

  constructor(private readonly app: App) {
    this.retake.addEventListener("click", () => this.app.go("live"));
    this.toDrafts.addEventListener("click", () => this.app.go("drafts"));
    this.next.addEventListener("click", () => this.app.startOver());
    this.details.addEventListener("click", () => {
      this.showAll = !this.showAll;
      this.render();
    });
  }

  enter(): void {
    this.showAll = false;
    this.render();
    const outcome = this.app.session.outcome;
    if (outcome === null) {
      return;
    }
    if (outcome.report.passed) {
      this.toDrafts.focus();
    } else {
      (outcome.lock === null ? this.retake : this.next).focus();
    }
  }

  leave(): void {}

  render(): void {
    const outcome = this.app.session.outcome;
    if (outcome === null) {
      return;
    }
    this.renderHead(outcome);
    this.renderRetake(outcome);
    this.renderPhoto(outcome.preview);
    const rules = sortRules(outcome.report.rules);
    const measured = rules.filter((rule) => rule.status !== "not_assessed");
    const unmeasured = rules.filter((rule) => rule.status === "not_assessed");
    const rows = measured.map((rule) => ruleRow(rule));
    if (unmeasured.length > 0) {
      rows.push(unmeasuredRow(unmeasured));
    }
    this.rows.replaceChildren(...rows);
  }

  private renderHead(outcome: CaptureOutcome): void {
    const passed = outcome.report.passed;
    this.verdict.dataset["passed"] = String(passed);
    this.headIcon.replaceChildren(icon(passed ? "check" : "cross", "icon icon-huge"));
    this.word.textContent = t(passed ? "verdict.passed" : "verdict.failed");
    if (!passed) {
      this.note.textContent = t("verdict.failed_note");
    } else if (outcome.draft !== null) {
      this.note.textContent = t("verdict.saved_note");
    } else {
      this.note.textContent = t("verdict.passed_note");
    }
    this.notSaved.hidden = outcome.not_saved === null;
    this.notSaved.textContent =
      outcome.not_saved === null ? "" : t("verdict.not_saved", { reason: pick(outcome.not_saved) });
    this.toDrafts.hidden = !passed;
  }

  /** Shows the fixes, the tries left or the lock; a lock hides "Retake". */
  private renderRetake(outcome: CaptureOutcome): void {
    const passed = outcome.report.passed;
    const failing = sortRules(outcome.report.rules).filter((rule) => rule.status === "fail");
    const fixesOnly = failing.length > 0 && !this.showAll;
    this.fixes.hidden = !fixesOnly;
    this.fixes.replaceChildren(...failing.map((rule) => fixItem(rule)));
    this.table.hidden = fixesOnly;
    this.details.hidden = failing.length === 0;
    this.details.setAttribute("aria-expanded", String(this.showAll));
    this.details.textContent = t(this.showAll ? "verdict.fixes_only" : "verdict.all_rules");

    const lock = outcome.lock;
    this.lockBox.hidden = lock === null;
    if (lock !== null) {
      renderLock(this.lockBox, lock);
    }
    this.attemptsLeft.hidden = passed || lock !== null;
    this.attemptsLeft.textContent = t("verdict.attempts_left", { count: outcome.attempts_left });
    this.retake.hidden = lock !== null;
    this.next.hidden = lock === null;
  }

  private renderPhoto(preview: string | null): void {
    if (preview === null) {
      this.photo.hidden = true;
      this.photo.removeAttribute("src");
      this.noPhoto.hidden = false;
    } else {
      this.photo.hidden = false;
      this.photo.src = preview;
      this.noPhoto.hidden = true;
    }
  }
}

function ruleRow(rule: RuleResult): HTMLTableRowElement {
  const row = html("tr", { "data-rule": rule.rule, "data-status": rule.status });
  const status = html("td", { class: `status status-${rule.status}` });
  status.append(icon(statusIcons[rule.status]), html("span", {}, t(statusWords[rule.status])));
  const name = html("th", { scope: "row" });
  name.append(html("span", { class: "rule-title" }, pick(rule.title)));
  if (rule.status !== "pass") {
    name.append(html("span", { class: "rule-reason" }, pick(rule.reason)));
  }
  if (rule.advice !== null) {
    name.append(html("span", { class: "rule-advice" }, `→ ${pick(rule.advice)}`));
  }
  row.append(
    name,
    status,
    html("td", { class: "number" }, rule.measured ?? t("value.none")),
    html("td", { class: "allowed" }, pick(rule.allowed)),
  );
  return row;
}

// One failing rule in plain words: what is wrong and what to do.
function fixItem(rule: RuleResult): HTMLLIElement {
  const item = html("li", { class: "fix", "data-rule": rule.rule });
  const text = html("div", { class: "fix-text" });
  text.append(
    html("strong", {}, `${pick(rule.title)}${t("verdict.fix_separator")}`),
    html("span", {}, pick(rule.reason)),
  );
  if (rule.advice !== null) {
    text.append(html("span", { class: "fix-advice" }, `→ ${pick(rule.advice)}`));
  }
  item.append(icon("cross"), text);
  return item;
}

// One row lists every rule this version does not measure, so that the
// measured ones stay on screen without scrolling.
function unmeasuredRow(rules: readonly RuleResult[]): HTMLTableRowElement {
  const row = html("tr", { class: "unmeasured", "data-status": "not_assessed" });
  const cell = html("td", { colspan: "4" });
  const list = html("ul", { class: "unmeasured-list" });
  list.append(
    ...rules.map((rule) => html("li", { "data-rule": rule.rule, title: pick(rule.allowed) }, pick(rule.title))),
  );
  const heading = html("span", { class: "rule-title" });
  heading.append(icon(statusIcons.not_assessed), html("span", {}, t("verdict.not_measured")));
  cell.append(heading, list);
  row.append(cell);
  return row;
}
