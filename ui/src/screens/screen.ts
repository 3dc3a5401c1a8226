// The interface every screen implements, and the app services the screens use.

import type { Failure } from "../api";
import type { Session } from "../session";

export type ScreenName = "identify" | "guide" | "live" | "checking" | "verdict" | "drafts";

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
  showError(failure: Failure): void;
  clearError(): void;
  /** Fetches the station status again, for example after a camera error. */
  refreshStation(): Promise<void>;
}
