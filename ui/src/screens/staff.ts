// Staff screen: the day's dashboard, roster import, unlocking, the export,
// the provincial centre, the station itself, settings, staff accounts and
// the audit log, one panel per tab. Acts that need a supervisor ask for
// one's approval while an operator is signed in.

import { AccountsPanel } from "../staff/accounts";
import { AuditPanel } from "../staff/audit";
import { CentrePanel } from "../staff/centre";
import { DashboardPanel } from "../staff/dashboard";
import { ExportPanel } from "../staff/export";
import type { Panel } from "../staff/panel";
import { RosterPanel } from "../staff/roster";
import { SettingsPanel } from "../staff/settings";
import { StationPanel } from "../staff/station";
import { UnlockPanel } from "../staff/unlock";
import { byId } from "../dom";
import type { SyncWatcher } from "../sync";
import type { App, Screen } from "./screen";

export type PanelName =
  | "dashboard"
  | "roster"
  | "unlock"
  | "export"
  | "centre"
  | "station"
  | "settings"
  | "accounts"
  | "audit";

const panelNames: PanelName[] = [
  "dashboard",
  "roster",
  "unlock",
  "export",
  "centre",
  "station",
  "settings",
  "accounts",
  "audit",
];

export class StaffScreen implements Screen {
  private readonly panels: Record<PanelName, Panel>;
  private current: PanelName = "dashboard";

  constructor(
    private readonly app: App,
    sync: SyncWatcher,
  ) {
    this.panels = {
      dashboard: new DashboardPanel(app),
      roster: new RosterPanel(app),
      unlock: new UnlockPanel(app),
      export: new ExportPanel(app),
      centre: new CentrePanel(app, sync),
      station: new StationPanel(app),
      settings: new SettingsPanel(app),
      accounts: new AccountsPanel(app),
      audit: new AuditPanel(app),
    };
    for (const name of panelNames) {
      const tab = this.tab(name);
      tab.addEventListener("click", () => this.show(name));
      tab.addEventListener("keydown", (event) => this.moveBetweenTabs(event, name));
    }
    byId("staff-back", HTMLButtonElement).addEventListener("click", () => this.app.go("identify"));
  }

  enter(): void {
    this.show(this.current, false);
  }

  leave(): void {}

  /** Makes `name` the panel shown the next time the screen is entered. */
  choose(name: PanelName): void {
    this.current = name;
  }

  render(): void {
    for (const name of panelNames) {
      this.panels[name].render();
    }
  }

  /** Shows the tab's panel; `focus` moves the keyboard focus to the tab. */
  private show(name: PanelName, focus = true): void {
    this.current = name;
    for (const other of panelNames) {
      const selected = other === name;
      const tab = this.tab(other);
      tab.setAttribute("aria-selected", String(selected));
      // Only the chosen tab is in the Tab order; the arrow keys move
      // between tabs, as the WAI-ARIA tabs pattern has it.
      tab.tabIndex = selected ? 0 : -1;
      byId(`panel-${other}`, HTMLElement).hidden = !selected;
    }
    if (focus) {
      this.tab(name).focus();
    }
    this.panels[name].enter();
  }

  private moveBetweenTabs(event: KeyboardEvent, from: PanelName): void {
    const index = panelNames.indexOf(from);
    const last = panelNames.length - 1;
    const targets: Record<string, number> = {
      ArrowDown: index === last ? 0 : index + 1,
      ArrowUp: index === 0 ? last : index - 1,
      Home: 0,
      End: last,
    };
    const target = targets[event.key];
    const name = target === undefined ? undefined : panelNames[target];
    if (name !== undefined) {
      event.preventDefault();
      this.show(name);
    }
  }

  private tab(name: PanelName): HTMLButtonElement {
    return byId(`tab-${name}`, HTMLButtonElement);
  }
}
