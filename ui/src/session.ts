// The state shared by the screens: the station's status, the signed-in
// staff member, the student being photographed and the outcome of the last
// capture.

import type { CaptureOutcome } from "./bindings/CaptureOutcome";
import type { SessionView } from "./bindings/SessionView";
import type { Settings } from "./bindings/Settings";
import type { StaffMember } from "./bindings/StaffMember";
import type { StationStatus } from "./bindings/StationStatus";
import type { StudentView } from "./bindings/StudentView";
import type { SubmissionView } from "./bindings/SubmissionView";

export class Session {
  private stationStatus: StationStatus | null = null;
  private currentStudent: StudentView | null = null;
  private lastOutcome: CaptureOutcome | null = null;
  private signedIn: SessionView | null = null;
  private latestSubmission: SubmissionView | null = null;
  /** The station's settings as last read or saved; null until staff sign in. */
  settings: Settings | null = null;
  private readonly listeners: Array<() => void> = [];

  get station(): StationStatus | null {
    return this.stationStatus;
  }

  set station(status: StationStatus | null) {
    this.stationStatus = status;
    this.notify();
  }

  /** The staff member signed in, or null before sign-in and after sign-out. */
  get staff(): StaffMember | null {
    return this.signedIn?.staff ?? null;
  }

  get isSupervisor(): boolean {
    return this.staff?.role === "supervisor";
  }

  get signIn(): SessionView | null {
    return this.signedIn;
  }

  set signIn(view: SessionView | null) {
    this.signedIn = view;
    this.notify();
  }

  get student(): StudentView | null {
    return this.currentStudent;
  }

  set student(student: StudentView | null) {
    this.currentStudent = student;
    this.lastOutcome = null;
    this.latestSubmission = null;
    this.notify();
  }

  /** The current student's latest submission to the centre, if any. */
  get submission(): SubmissionView | null {
    return this.latestSubmission;
  }

  set submission(submission: SubmissionView | null) {
    this.latestSubmission = submission;
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

  /**
   * Replaces the student's view with a fresh one from the backend (lock,
   * attempts and draft count), keeping the last outcome.
   */
  refreshStudent(student: StudentView): void {
    this.currentStudent = student;
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
