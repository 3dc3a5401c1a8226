// Settings: the camera in use, and every setting of the station with its
// allowed range. A supervisor saves them; the backend validates each value
// and names the one at fault.

import { detectCameras, getSettings, listCameras, saveSettings } from "../api";
import type { Failure } from "../api";
import type { CameraOption } from "../bindings/CameraOption";
import type { LockableControl } from "../bindings/LockableControl";
import type { Settings } from "../bindings/Settings";
import { byId, html } from "../dom";
import { failureMessage } from "../errors";
import { isMessageKey, pick, t } from "../i18n";
import type { App } from "../screens/screen";
import { showResult } from "./panel";
import type { Panel } from "./panel";

type NumberKey = {
  [K in keyof Settings]: Settings[K] extends number ? K : never;
}[keyof Settings];

type Field =
  | { kind: "number"; key: NumberKey; min: number; max: number }
  | { kind: "text"; key: "profile" | "centre_url" | "station_name" }
  | { kind: "language"; key: "language" }
  | { kind: "camera"; key: "camera" }
  | { kind: "flag"; key: "auto_capture" | "kiosk" | "allow_user_facing_camera" }
  // A lock switch is shown only when the camera lists its control.
  | { kind: "flag"; key: "lock_exposure" | "lock_white_balance"; control: LockableControl };

// The ranges repeat the backend's so that the inputs can show them. The
// backend checks them again on save, and its message names the value at fault.
const fields: Field[] = [
  { kind: "text", key: "profile" },
  { kind: "language", key: "language" },
  { kind: "text", key: "centre_url" },
  { kind: "number", key: "draft_limit", min: 1, max: 20 },
  { kind: "number", key: "draft_delete_after_minutes", min: 0, max: 10_080 },
  { kind: "number", key: "lock_failures", min: 1, max: 100 },
  { kind: "number", key: "lock_window_minutes", min: 1, max: 1440 },
  { kind: "number", key: "lock_minutes", min: 1, max: 1440 },
  { kind: "number", key: "recapture_lock_count", min: 1, max: 20 },
  { kind: "number", key: "idle_sign_out_minutes", min: 1, max: 240 },
  { kind: "flag", key: "auto_capture" },
  { kind: "number", key: "auto_capture_hold_ms", min: 500, max: 10_000 },
  { kind: "number", key: "retention_days", min: 1, max: 3650 },
  { kind: "text", key: "station_name" },
  { kind: "number", key: "sync_timeout_seconds", min: 5, max: 600 },
  { kind: "number", key: "sync_poll_seconds", min: 5, max: 3600 },
  { kind: "number", key: "sync_retry_min_seconds", min: 1, max: 600 },
  { kind: "number", key: "sync_retry_max_seconds", min: 1, max: 86_400 },
  { kind: "flag", key: "kiosk" },
  { kind: "camera", key: "camera" },
  { kind: "flag", key: "allow_user_facing_camera" },
  { kind: "flag", key: "lock_exposure", control: "exposure" },
  { kind: "flag", key: "lock_white_balance", control: "white_balance" },
];

type Outcome =
  | { saved: true }
  | { saved: false; message: string }
  | { saved: false; failure: Failure };

export class SettingsPanel implements Panel {
  private readonly form = byId("settings-form", HTMLFormElement);
  private readonly result = byId("settings-result", HTMLElement);
  private settings: Settings | null = null;
  // True once the form shows loaded values, so reading it back is safe.
  private filled = false;
  private outcome: Outcome | null = null;
  // The cameras the system lists, or null until they are read.
  private cameras: CameraOption[] | null = null;
  private detecting = false;

  constructor(private readonly app: App) {
    this.form.addEventListener("submit", (event) => {
      event.preventDefault();
      void this.save();
    });
    // The camera's state and measured rate change while the panel is
    // open; only its row is rebuilt, so typed values stay. The status is
    // read every few seconds, and a row that would look the same is kept,
    // so a press on its button or the focus on it is not lost.
    app.session.onChange(() => {
      const row = this.form.querySelector('[data-key="camera-in-use"]');
      const fresh = this.cameraRow();
      if (row !== null && !row.isEqualNode(fresh)) {
        row.replaceWith(fresh);
      }
    });
  }

  enter(): void {
    this.outcome = null;
    this.settings = null;
    this.filled = false;
    this.cameras = null;
    this.render();
    void this.load();
  }

  render(): void {
    const outcome = this.outcome;
    if (outcome === null) {
      showResult(this.result, null);
    } else if (outcome.saved) {
      showResult(this.result, t("settings.saved"));
    } else {
      const message = "failure" in outcome ? failureMessage(outcome.failure) : outcome.message;
      showResult(this.result, t("form.invalid", { message }), true);
    }
    // The form is rebuilt from the values shown, so typed changes survive
    // a language switch.
    let values = this.settings;
    if (values !== null && this.filled) {
      values = this.read(values);
    }
    const shown = fields.filter((field) => this.listed(field));
    this.form.replaceChildren(this.cameraRow(), ...shown.map((field) => this.row(field, values)));
    this.filled = values !== null;
  }

  private async load(): Promise<void> {
    try {
      this.settings = await getSettings();
      this.filled = false;
    } catch (reason) {
      this.app.report(reason);
    }
    this.render();
    await this.loadCameras();
  }

  /** Reads the listed cameras and rebuilds the camera choice, keeping typed values. */
  private async loadCameras(): Promise<void> {
    try {
      this.cameras = await listCameras();
    } catch (reason) {
      this.cameras = [];
      this.app.report(reason);
    }
    this.render();
  }

  /** Opens the camera again as the settings choose it, then lists the cameras afresh. */
  private async detect(): Promise<void> {
    this.detecting = true;
    this.render();
    try {
      await detectCameras();
    } catch (reason) {
      this.app.report(reason);
    }
    this.detecting = false;
    await this.app.refreshStation();
    await this.loadCameras();
  }

  /** Returns false for a lock switch whose control the camera does not list. */
  private listed(field: Field): boolean {
    if (!("control" in field)) {
      return true;
    }
    const lockable = this.app.session.station?.camera.lockable_controls ?? [];
    return lockable.includes(field.control);
  }

  private cameraRow(): HTMLElement {
    const row = html("div", { class: "setting setting-wide", "data-key": "camera-in-use" });
    const camera = this.app.session.station?.camera ?? null;
    const name =
      camera === null
        ? "…"
        : t(camera.source === "demo" ? "settings.camera_demo" : "settings.camera_device", {
            name: camera.name,
          });
    const detect = html("button", { type: "button", id: "camera-detect", class: "secondary" }, t(this.detecting ? "settings.camera_detecting" : "settings.camera_detect"));
    detect.disabled = this.detecting;
    detect.addEventListener("click", () => void this.detect());
    row.append(
      html("span", { class: "setting-label" }, t("settings.camera")),
      html("span", { class: "setting-value", id: "setting-camera-in-use" }, name),
      detect,
      html("span", { class: "setting-hint" }, t("settings.camera_hint")),
    );
    if (camera?.facing != null) {
      const facing = t(camera.facing === "user_facing" ? "settings.camera_user_facing" : "settings.camera_external");
      row.append(html("span", { class: "setting-hint", id: "setting-camera-facing" }, facing));
    }
    if (camera?.measured_fps != null) {
      const measured = camera.measured_fps.toFixed(1);
      const rate =
        camera.requested_fps === null
          ? t("settings.camera_rate", { measured })
          : t("settings.camera_rate_requested", { measured, requested: camera.requested_fps });
      row.append(html("span", { class: "setting-hint", id: "setting-camera-rate" }, rate));
    }
    if (camera?.message != null) {
      row.append(html("span", { class: "setting-hint" }, pick(camera.message)));
    }
    return row;
  }

  private row(field: Field, values: Settings | null): HTMLElement {
    const id = `setting-${field.key}`;
    const row = html("div", { class: "setting", "data-key": field.key });
    // The camera row above already uses the texts named "camera".
    const name = field.kind === "camera" ? "camera_choice" : field.key;
    const label = html("label", { for: id, class: "setting-label" }, settingText(name));
    const input = this.input(field, id, values);
    const hint =
      field.kind === "number"
        ? t("settings.range", { min: field.min, max: field.max, hint: settingText(`${name}_hint`) })
        : settingText(`${name}_hint`);
    const hintId = `${id}-hint`;
    input.setAttribute("aria-describedby", hintId);
    row.append(label, input, html("span", { class: "setting-hint", id: hintId }, hint));
    return row;
  }

  private input(field: Field, id: string, values: Settings | null): HTMLElement {
    const disabled = values === null;
    switch (field.kind) {
      case "number": {
        const input = html("input", { id, type: "number", min: field.min, max: field.max, step: 1 });
        input.value = values === null ? "" : String(values[field.key]);
        input.disabled = disabled;
        return input;
      }
      case "text": {
        const input = html("input", { id, type: field.key === "centre_url" ? "url" : "text", spellcheck: "false" });
        input.value = values?.[field.key] ?? "";
        input.disabled = disabled;
        return input;
      }
      case "language": {
        const select = html("select", { id });
        for (const value of ["zh-CN", "en"]) {
          select.append(html("option", { value }, t(value === "en" ? "settings.lang_en" : "settings.lang_zh")));
        }
        select.value = values?.language ?? "zh-CN";
        select.disabled = disabled;
        return select;
      }
      case "camera": {
        const select = html("select", { id });
        select.append(html("option", { value: "" }, t("settings.camera_auto")));
        for (const camera of this.cameras ?? []) {
          const kind = t(camera.kind === "user_facing" ? "settings.camera_kind_user_facing" : "settings.camera_kind_external");
          select.append(html("option", { value: String(camera.index) }, `${camera.index}: ${camera.name} (${kind})`));
        }
        const value = values?.camera.trim() ?? "";
        // A camera in the settings that the system no longer lists stays
        // selectable, marked, so that saving other settings keeps it.
        if (value !== "" && !(this.cameras ?? []).some((camera) => String(camera.index) === value)) {
          const label = this.cameras === null ? value : t("settings.camera_not_listed", { index: value });
          select.append(html("option", { value }, label));
        }
        select.value = value;
        select.disabled = disabled;
        return select;
      }
      case "flag": {
        const input = html("input", { id, type: "checkbox" });
        input.checked = values?.[field.key] ?? false;
        input.disabled = disabled;
        return input;
      }
    }
  }

  /**
   * Reads the form over `base`. Fields not rendered yet keep their value
   * from `base`. An empty number field reads as NaN, which `save` reports.
   */
  private read(base: Settings): Settings {
    const next: Settings = { ...base };
    for (const field of fields) {
      const element = this.form.querySelector<HTMLInputElement | HTMLSelectElement>(`#setting-${field.key}`);
      if (element === null) {
        continue;
      }
      switch (field.kind) {
        case "number":
          // An empty or unreadable number input has the value "", which
          // must not become 0.
          next[field.key] = element.value.trim() === "" ? Number.NaN : Number(element.value);
          break;
        case "text":
          next[field.key] = element.value.trim();
          break;
        case "language":
          next.language = element.value;
          break;
        case "camera":
          next.camera = element.value;
          break;
        case "flag":
          next[field.key] = element instanceof HTMLInputElement && element.checked;
          break;
      }
    }
    return next;
  }

  private async save(): Promise<void> {
    if (this.settings === null) {
      return;
    }
    const next = this.read(this.settings);
    const bad = fields.find(
      (field) => field.kind === "number" && !Number.isInteger(next[field.key]),
    );
    if (bad !== undefined) {
      this.outcome = { saved: false, message: t("settings.not_whole", { name: settingText(bad.key) }) };
      this.settings = next;
      this.render();
      return;
    }
    const result = await this.app.act({
      title: t("settings.approve_title"),
      confirmLabel: t("settings.save"),
      supervisor: true,
      run: ({ approval }) => saveSettings(next, approval),
      handles: (failure: Failure) => {
        if (failure.kind !== "invalid_input") {
          return false;
        }
        this.settings = next;
        // The failure, not its text, so that a language switch shows the other half.
        this.outcome = { saved: false, failure };
        this.render();
        return true;
      },
    });
    if (result.done) {
      this.settings = result.value;
      this.app.session.settings = result.value;
      this.filled = false;
      this.outcome = { saved: true };
      this.render();
      // A change of the camera settings opens the camera again.
      await this.app.refreshStation();
    }
  }
}

/** Returns the label or hint `settings.<name>`, or the name itself when the catalog lacks it. */
function settingText(name: string): string {
  const key = `settings.${name}`;
  return isMessageKey(key) ? t(key) : name;
}
