// The interface every screen implements, and the app services the screens use.

import type { Failure } from "../api";
import type { SessionView } from "../bindings/SessionView";
import type { ActRequest, ActResult } from "../dialog";
import type { Session } from "../session";

export type ScreenName =
  | "setup"
  | "signin"
  | "identify"
  | "guide"
  | "live"
  | "checking"
  | "verdict"
  | "drafts"
  | "staff";

export interface Screen {
  /** Called after the screen's section is shown. Sets its content and focus. */
  enter(): void;
  /** Called before another screen is shown. */
  leave(): void;
  /** Redraws the dynamic text after a language change. */
  render(): void;
}

export interface App {
  readonly session: Session;
  current(): ScreenName;
  go(screen: ScreenName): void;
  /** Forgets the student and returns to the identify screen. */
  startOver(): void;
  /**
   * Shows a failure in the error box. A denied one first asks the backend
   * who is signed in, and returns to the sign-in screen when nobody is.
   */
  showError(failure: Failure): void;
  /** Shows whatever a command rejected with, as `showError` does. */
  report(reason: unknown): void;
  clearError(): void;
  /** Asks the backend who is signed in and shows sign-in or setup when nobody is. */
  checkSession(): Promise<void>;
  /** Takes the session after a sign-in and returns to the student in hand, if any. */
  signedIn(view: SessionView): void;
  /**
   * Runs an act that may need a reason, a confirmation or a supervisor's
   * approval, asking for them in a dialog first.
   */
  act<T>(request: ActRequest<T>): Promise<ActResult<T>>;
  /** Fetches the station status again, for example after a camera error. */
  refreshStation(): Promise<void>;
}
