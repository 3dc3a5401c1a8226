// Live screen: the camera preview under the head-and-shoulders outline, the
// current hints, and Capture (button or Space key).

import { capture, findStudent, isFailure, toFailure } from "../api";
import type { Failure } from "../api";
import type { Hint } from "../bindings/Hint";
import type { LiveStatus } from "../bindings/LiveStatus";
import { byId, html } from "../dom";
import { hintIcons, icon } from "../icons";
import { isMessageKey, t } from "../i18n";
import { drawOutline, setOutlineLabel } from "../outline";
import { LivePreview } from "../preview";
import { playTone } from "../sound";
import type { App, Screen } from "./screen";

// Without a frame for this long the picture counts as stalled. The waiting
// note comes back and the station status is fetched again, in case the
// camera was lost.
// NOTE: 2 s is a guess, not measured on the booth cameras.
const stallMilliseconds = 2000;

export class LiveScreen implements Screen {
  private readonly section = byId("screen-live", HTMLElement);
  private readonly stage = byId("stage", HTMLElement);
  private readonly frame = byId("frame", HTMLElement);
  private readonly outline = byId("outline", SVGSVGElement);
  private readonly waiting = byId("preview-waiting", HTMLElement);
  private readonly hints = byId("hints", HTMLUListElement);
  private readonly captureButton = byId("capture", HTMLButtonElement);
  private readonly countdown = byId("countdown", HTMLElement);
  private readonly countdownNumber = byId("countdown-number", HTMLElement);
  readonly preview: LivePreview;
  private shownHints: Hint[] = [];
  private capturing = false;
  // When the live checks started to report "ready" without a break, for
  // the automatic capture; null while they report anything else.
  private readySince: number | null = null;
  private stallTimer: number | undefined;
  private drawnFor = "";

  constructor(private readonly app: App) {
    this.preview = new LivePreview(byId("preview", HTMLCanvasElement), (status) =>
      this.showLive(status),
    );
    this.captureButton.addEventListener("click", () => void this.capture());
    document.addEventListener("keydown", (event) => this.onKey(event));
    new ResizeObserver(() => this.fitFrame()).observe(this.stage);
    app.session.onChange(() => {
      if (!this.section.hidden) {
        this.drawOverlay();
      }
    });
  }

  enter(): void {
    this.readySince = null;
    this.showCountdown(null);
    // Hints of an earlier preview no longer describe the student.
    this.shownHints = [];
    this.drawOverlay();
    this.renderHints();
    this.updateWaiting();
    this.captureButton.focus();
    this.stallTimer = window.setInterval(() => this.checkStall(), stallMilliseconds / 2);
    this.preview.start().catch((reason: unknown) => this.fail(reason));
  }

  leave(): void {
    window.clearInterval(this.stallTimer);
    this.stallTimer = undefined;
  }

  render(): void {
    setOutlineLabel(this.outline, t("live.outline_label"));
    this.renderHints();
  }

  private async capture(): Promise<void> {
    const student = this.app.session.student;
    if (this.capturing || student === null || this.section.hidden) {
      return;
    }
    this.capturing = true;
    this.app.clearError();
    playTone("capture");
    this.app.go("checking");
    try {
      const outcome = await capture(student.student_number);
      // Staff may have pressed "New student" during the check. The outcome
      // then belongs to no student on screen and is dropped.
      if (this.app.current() === "checking") {
        this.app.session.recordOutcome(outcome);
        playTone(outcome.report.passed ? "pass" : "fail");
        this.app.go("verdict");
      }
    } catch (reason) {
      if (this.app.current() === "checking") {
        const failure = isFailure(reason) ? reason : toFailure(reason);
        if (failure.kind === "locked") {
          await this.showLock(student.student_number, failure);
        } else {
          this.app.go("live");
          this.fail(failure);
        }
      }
    } finally {
      this.capturing = false;
    }
  }

  /**
   * Returns to the student's card, re-read from the store, which shows the
   * lock with its reason, advice and end.
   */
  private async showLock(studentNumber: string, failure: Failure): Promise<void> {
    try {
      this.app.session.refreshStudent(await findStudent(studentNumber));
    } catch (reason) {
      this.app.report(reason);
    }
    this.app.go("identify");
    this.app.showError(failure);
  }

  private fail(reason: unknown): void {
    const failure: Failure = isFailure(reason) ? reason : toFailure(reason);
    this.app.showError(failure);
    if (failure.kind === "camera") {
      void this.app.refreshStation();
    }
  }

  /**
   * Captures on Space while this screen shows. The key's default action is
   * prevented, so a focused button is not clicked as well.
   */
  private onKey(event: KeyboardEvent): void {
    if (this.section.hidden || event.key !== " " || event.ctrlKey || event.altKey || event.metaKey) {
      return;
    }
    event.preventDefault();
    if (!event.repeat) {
      void this.capture();
    }
  }

  private showLive(status: LiveStatus): void {
    this.updateWaiting();
    const hints = status.hints;
    this.autoCapture(hints[0] === "ready");
    if (hints.length === this.shownHints.length && hints.every((h, i) => h === this.shownHints[i])) {
      return;
    }
    this.shownHints = [...hints];
    this.renderHints();
  }

  /**
   * Captures once the live checks have reported "ready" for the hold time,
   * when the settings ask for automatic capture.
   */
  private autoCapture(ready: boolean): void {
    const settings = this.app.session.settings;
    if (!ready || settings === null || !settings.auto_capture || this.capturing) {
      this.readySince = null;
      this.showCountdown(null);
      return;
    }
    const now = performance.now();
    this.readySince ??= now;
    const left = settings.auto_capture_hold_ms - (now - this.readySince);
    if (left <= 0) {
      this.readySince = null;
      this.showCountdown(null);
      void this.capture();
    } else {
      this.showCountdown(Math.ceil(left / 1000));
    }
  }

  /** Shows the whole seconds left before the automatic capture, or hides them. */
  private showCountdown(seconds: number | null): void {
    this.countdown.hidden = seconds === null;
    const text = seconds === null ? "" : String(seconds);
    // The live checks report several times a second; a screen reader hears
    // each number once.
    if (this.countdownNumber.textContent !== text) {
      this.countdownNumber.textContent = text;
    }
  }

  private renderHints(): void {
    const ready = this.shownHints[0] === "ready";
    this.hints.classList.toggle("is-ready", ready);
    this.outline.classList.toggle("is-ready", ready);
    this.hints.dataset["hints"] = this.shownHints.join(" ");
    this.hints.replaceChildren(
      ...this.shownHints.map((hint, index) => {
        const item = html("li", { "data-hint": hint, class: index === 0 ? "hint hint-first" : "hint" });
        const key = `hint.${hint}`;
        // A hint code this window does not know yet is shown as the code itself.
        const text = isMessageKey(key) ? t(key) : hint;
        item.append(icon(hintIcons[hint] ?? "warning"), html("span", {}, text));
        return item;
      }),
    );
  }

  private drawOverlay(): void {
    const camera = this.app.session.station?.camera ?? null;
    this.frame.hidden = camera === null;
    if (camera === null) {
      return;
    }
    // Redraw only when the camera geometry changed, not on every status refresh.
    const key = JSON.stringify([camera.frame_width, camera.frame_height, camera.outline]);
    if (key !== this.drawnFor) {
      drawOutline(this.outline, camera, t("live.outline_label"));
      this.drawnFor = key;
    }
    this.fitFrame();
  }

  /**
   * Sizes the outline SVG, and with it the preview stacked under it, to the
   * largest box of the camera's aspect ratio that fits the stage.
   */
  private fitFrame(): void {
    const camera = this.app.session.station?.camera;
    if (camera === undefined || camera.frame_width <= 0 || camera.frame_height <= 0) {
      return;
    }
    const available = this.stage.getBoundingClientRect();
    if (available.width <= 0 || available.height <= 0) {
      return;
    }
    const scale = Math.min(available.width / camera.frame_width, available.height / camera.frame_height);
    this.outline.setAttribute("width", String(Math.floor(camera.frame_width * scale)));
    this.outline.setAttribute("height", String(Math.floor(camera.frame_height * scale)));
  }

  private checkStall(): void {
    this.updateWaiting();
    if (this.preview.isRunning() && this.preview.frames.sinceLastFrame() > stallMilliseconds) {
      void this.app.refreshStation();
    }
  }

  private updateWaiting(): void {
    this.waiting.hidden = this.preview.frames.sinceLastFrame() <= stallMilliseconds;
  }
}
