// The connection to the provincial centre, read every few seconds while
// staff are signed in. The header's status button and the centre panel
// draw from the same reading.

import { syncStatus } from "./api";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { IconName } from "./icons";
import type { Session } from "./session";

const pollMilliseconds = 5000;

/** The four states the header distinguishes, each with its own word and icon. */
export type SyncState = "online" | "offline" | "unenrolled" | "no_centre";

export const syncIcons: Record<SyncState, IconName> = {
  online: "check",
  offline: "cross",
  unenrolled: "warning",
  no_centre: "dash",
};

export function syncState(status: SyncStatus): SyncState {
  if (status.centre_url === null) {
    return "no_centre";
  }
  if (!status.enrolled) {
    return "unenrolled";
  }
  return status.online ? "online" : "offline";
}

export class SyncWatcher {
  private latest: SyncStatus | null = null;
  private timer: number | null = null;
  private readonly listeners: Array<() => void> = [];

  constructor(private readonly session: Session) {
    session.onChange(() => this.follow());
  }

  /** The last reading, or null while no staff member is signed in. */
  get status(): SyncStatus | null {
    return this.latest;
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  /** Reads the status now, as after an enrolment or a submission. */
  async refresh(): Promise<void> {
    if (this.session.staff === null) {
      return;
    }
    try {
      this.set(await syncStatus());
    } catch (reason) {
      // The reading repeats in a few seconds, and a sign-out or a store
      // fault shows through the commands that staff run themselves.
      console.warn("sync status unavailable", reason);
    }
  }

  /** Polls while staff are signed in, and clears the reading at sign-out. */
  private follow(): void {
    const signedIn = this.session.staff !== null;
    if (signedIn && this.timer === null) {
      this.timer = window.setInterval(() => void this.refresh(), pollMilliseconds);
      void this.refresh();
    } else if (!signedIn && this.timer !== null) {
      window.clearInterval(this.timer);
      this.timer = null;
      this.set(null);
    }
  }

  private set(status: SyncStatus | null): void {
    this.latest = status;
    for (const listener of this.listeners) {
      listener();
    }
  }
}
