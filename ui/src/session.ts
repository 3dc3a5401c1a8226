// The state shared by the screens: the station's status, the student being
// photographed and the outcome of the last capture.

import type { CaptureOutcome } from "./bindings/CaptureOutcome";
import type { StationStatus } from "./bindings/StationStatus";
import type { StudentView } from "./bindings/StudentView";

export class Session {
  private stationStatus: StationStatus | null = null;
  private currentStudent: StudentView | null = null;
  private lastOutcome: CaptureOutcome | null = null;
  private readonly listeners: Array<() => void> = [];

  get station(): StationStatus | null {
    return this.stationStatus;
  }

  set station(status: StationStatus | null) {
    this.stationStatus = status;
    this.notify();
  }

  get student(): StudentView | null {
    return this.currentStudent;
  }

  set student(student: StudentView | null) {
    this.currentStudent = student;
    this.lastOutcome = null;
    this.notify();
  }

  get outcome(): CaptureOutcome | null {
    return this.lastOutcome;
  }

  /** Stores a capture outcome and counts its draft against the current student. */
  recordOutcome(outcome: CaptureOutcome): void {
    this.lastOutcome = outcome;
    if (outcome.draft !== null && this.currentStudent !== null) {
      this.currentStudent = {
        ...this.currentStudent,
        draft_count: this.currentStudent.draft_count + 1,
      };
    }
    this.notify();
  }

  /** Replaces the student's draft count with the number the backend listed. */
  setDraftCount(count: number): void {
    if (this.currentStudent !== null) {
      this.currentStudent = { ...this.currentStudent, draft_count: count };
      this.notify();
    }
  }

  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private notify(): void {
    for (const listener of this.listeners) {
      listener();
    }
  }
}
