// Staff sign-in around the student flow: the screen shown while nobody is
// signed in, the check for a sign-out after the idle time, and the return
// to the student in hand after signing in again.

import { findStudent, getSettings, session } from "./api";
import type { SessionView } from "./bindings/SessionView";
import { hasStoredLanguage, setLanguage } from "./i18n";
import type { SignInReason, SignInScreen } from "./screens/signin";
import type { App, ScreenName } from "./screens/screen";

// The backend signs staff out lazily, at their next command. Asking who is
// signed in this often brings the sign-in screen up on an idle station
// within half a minute of the idle time, without counting as input.
const sessionPollMilliseconds = 30_000;

// Screens that come back after a new sign-in, with the student re-read
// from the store. Others (the live preview, a verdict) go back to the
// student's card, because their state is stale by then.
const resumable: ReadonlySet<ScreenName> = new Set(["identify", "guide", "drafts", "staff"]);

const gateScreens: ReadonlySet<ScreenName> = new Set(["setup", "signin"]);

export class StaffGate {
  private resumeTo: ScreenName = "identify";

  constructor(
    private readonly app: App,
    private readonly signInScreen: SignInScreen,
  ) {}

  /** Stores the session and shows setup or sign-in when nobody is signed in. */
  apply(view: SessionView, reason: SignInReason): void {
    this.app.session.signIn = view;
    if (view.needs_first_supervisor) {
      this.app.go("setup");
    } else if (view.staff === null) {
      this.requireSignIn(reason);
    }
  }

  /** Asks the backend who is signed in, then routes as `apply` does. */
  async check(reason: SignInReason): Promise<void> {
    this.apply(await session(), reason);
  }

  /** Shows the sign-in screen and remembers the screen to come back to. */
  requireSignIn(reason: SignInReason): void {
    const current = this.app.current();
    if (!gateScreens.has(current)) {
      this.resumeTo = current;
    }
    this.signInScreen.setReason(reason);
    if (current !== "signin") {
      this.app.go("signin");
    }
  }

  /** Takes the session after a sign-in and resumes with the student in hand. */
  async signedIn(view: SessionView): Promise<void> {
    this.app.session.signIn = view;
    this.app.clearError();
    void this.loadSettings();
    const student = this.app.session.student;
    const target = resumable.has(this.resumeTo) ? this.resumeTo : "identify";
    this.resumeTo = "identify";
    if (student !== null) {
      try {
        this.app.session.refreshStudent(await findStudent(student.student_number));
      } catch (reason) {
        this.app.report(reason);
        this.app.go("identify");
        return;
      }
    }
    this.app.go(student === null && target !== "staff" ? "identify" : target);
  }

  /**
   * Reads the settings the window acts on (automatic capture, the language
   * at start). Settings failing to load leave the window as it is.
   */
  async loadSettings(): Promise<void> {
    try {
      const settings = await getSettings();
      this.app.session.settings = settings;
      if (!hasStoredLanguage()) {
        setLanguage(settings.language === "en" ? "en" : "zh-CN", false);
      }
    } catch (reason) {
      this.app.report(reason);
    }
  }

  /** Polls the session while staff are signed in. */
  startPolling(): void {
    window.setInterval(() => {
      if (!gateScreens.has(this.app.current())) {
        this.check("idle").catch((reason: unknown) => this.app.report(reason));
      }
    }, sessionPollMilliseconds);
  }
}
