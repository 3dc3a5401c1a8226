// Typed wrappers for the station's Tauri commands. This is the only module
// that calls `invoke` or creates a `Channel`, and screens import these functions.

import { Channel, invoke, isTauri } from "@tauri-apps/api/core";

import type { CameraOption } from "./bindings/CameraOption";
import type { Approval } from "./bindings/Approval";
import type { AuditEntry } from "./bindings/AuditEntry";
import type { CaptureOutcome } from "./bindings/CaptureOutcome";
import type { Dashboard } from "./bindings/Dashboard";
import type { DiagnosticsView } from "./bindings/DiagnosticsView";
import type { DraftView } from "./bindings/DraftView";
import type { ErrorKind } from "./bindings/ErrorKind";
import type { ErrorView } from "./bindings/ErrorView";
import type { ExportSummary } from "./bindings/ExportSummary";
import type { LiveStatus } from "./bindings/LiveStatus";
import type { PaintedFrame } from "./bindings/PaintedFrame";
import type { Role } from "./bindings/Role";
import type { RosterImportView } from "./bindings/RosterImportView";
import type { SessionView } from "./bindings/SessionView";
import type { Settings } from "./bindings/Settings";
import type { StaffMember } from "./bindings/StaffMember";
import type { StationStatus } from "./bindings/StationStatus";
import type { StudentView } from "./bindings/StudentView";
import type { SubmissionView } from "./bindings/SubmissionView";
import type { SyncStatus } from "./bindings/SyncStatus";
import type { Text } from "./bindings/Text";

/**
 * A rejected command. `kind` is the backend's `ErrorKind`, or "ipc" when the
 * call never reached a station command: the page runs outside the Tauri
 * window, the command is not registered, or Tauri rejected the arguments.
 * Tauri rejects those with a plain string, not an `ErrorView`.
 */
export type Failure = {
  kind: ErrorKind | "ipc";
  message: string;
  /** The message in both languages, when the backend sent it. */
  text?: Text | null;
};

// A record, so that `tsc` fails when the backend adds a kind this list lacks.
const errorKindNames: Record<ErrorKind, true> = {
  not_found: true,
  invalid_input: true,
  camera: true,
  model: true,
  store: true,
  conflict: true,
  internal: true,
  denied: true,
  locked: true,
  network: true,
};
const errorKinds: ReadonlySet<string> = new Set(Object.keys(errorKindNames));

function isErrorView(value: unknown): value is ErrorView {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const record = value as Record<string, unknown>;
  return (
    typeof record["kind"] === "string" &&
    errorKinds.has(record["kind"]) &&
    typeof record["message"] === "string"
  );
}

/** Converts whatever a command rejected with into a `Failure`. */
export function toFailure(reason: unknown): Failure {
  if (isErrorView(reason)) {
    return { kind: reason.kind, message: reason.message, text: reason.text ?? null };
  }
  if (reason instanceof Error) {
    return { kind: "ipc", message: reason.message };
  }
  return { kind: "ipc", message: String(reason) };
}

export function isFailure(value: unknown): value is Failure {
  if (typeof value !== "object" || value === null) {
    return false;
  }
  const record = value as Record<string, unknown>;
  return typeof record["kind"] === "string" && typeof record["message"] === "string";
}

const outsideTauri: Failure = {
  kind: "ipc",
  message: "window.__TAURI_INTERNALS__ is missing: the page is not running inside the Tauri window",
};

/** Invokes `command` and rejects with a `Failure` on any error. */
async function call<T>(command: string, args?: Record<string, unknown>): Promise<T> {
  if (!isTauri()) {
    throw outsideTauri;
  }
  try {
    return await invoke<T>(command, args);
  } catch (reason) {
    throw toFailure(reason);
  }
}

export function stationStatus(): Promise<StationStatus> {
  return call<StationStatus>("station_status");
}

/** Looks up a student by collection code or student number. */
export function findStudent(query: string): Promise<StudentView> {
  return call<StudentView>("find_student", { query });
}

export type PreviewHandlers = {
  /** One preview frame: a 9-byte header, then the JPEG bytes (see `FrameView`). */
  onFrame: (message: ArrayBuffer) => void;
  onLive: (status: LiveStatus) => void;
};

/**
 * Starts the camera preview. Frames and live statuses arrive through the
 * handlers. Messages can still arrive shortly after `stopPreview`, so the
 * caller drops late ones.
 */
export function startPreview(handlers: PreviewHandlers): Promise<void> {
  if (!isTauri()) {
    // In @tauri-apps/api 2.12 `new Channel` calls into the Tauri internals, so fail before creating one.
    return Promise.reject(outsideTauri);
  }
  const onFrame = new Channel<ArrayBuffer>(handlers.onFrame);
  const onLive = new Channel<LiveStatus>(handlers.onLive);
  return call<void>("start_preview", { onFrame, onLive });
}

/**
 * Acknowledges a painted preview frame. The station sends the next frame
 * only after this call, or after a time-out of 1 s.
 */
export function previewPainted(painted: PaintedFrame): Promise<void> {
  return call<void>("preview_painted", { painted });
}

export function stopPreview(): Promise<void> {
  return call<void>("stop_preview");
}

/**
 * Checks the frame the live checks last saw and, when the report passed,
 * saves it as a draft of `studentNumber`.
 */
export function capture(studentNumber: string): Promise<CaptureOutcome> {
  return call<CaptureOutcome>("capture", { studentNumber });
}

export function listDrafts(studentNumber: string): Promise<DraftView[]> {
  return call<DraftView[]>("list_drafts", { studentNumber });
}

/** Looks up students by name and the last digits of the ID number. */
export function findByName(name: string, lastDigits: string): Promise<StudentView[]> {
  return call<StudentView[]>("find_by_name", { name, lastDigits });
}

/** Returns who is signed in; this call does not count as input for the idle time. */
export function session(): Promise<SessionView> {
  return call<SessionView>("session");
}

export function signIn(username: string, password: string): Promise<SessionView> {
  return call<SessionView>("sign_in", { username, password });
}

export function signOut(): Promise<SessionView> {
  return call<SessionView>("sign_out");
}

/** Creates the first supervisor of a station with no staff and signs them in. */
export function createFirstSupervisor(username: string, password: string): Promise<SessionView> {
  return call<SessionView>("create_first_supervisor", { username, password });
}

export function addStaff(
  username: string,
  password: string,
  role: Role,
  approval: Approval | null,
): Promise<StaffMember> {
  return call<StaffMember>("add_staff", { username, password, role, approval });
}

export function unlockStudent(
  studentNumber: string,
  reason: string,
  approval: Approval | null,
): Promise<void> {
  return call<void>("unlock_student", { studentNumber, reason, approval });
}

export function deleteDraft(draftId: string, approval: Approval | null): Promise<void> {
  return call<void>("delete_draft", { draftId, approval });
}

/**
 * Imports a roster file. The bytes travel as a JSON array of numbers,
 * because the command takes them beside the file name.
 */
export function importRoster(
  fileName: string,
  bytes: Uint8Array,
  approval: Approval | null,
): Promise<RosterImportView> {
  return call<RosterImportView>("import_roster", {
    fileName,
    bytes: Array.from(bytes),
    approval,
  });
}

export function dashboard(): Promise<Dashboard> {
  return call<Dashboard>("dashboard");
}

/** The newest `limit` audit entries, newest first. */
export function auditEntries(limit: number, approval: Approval | null): Promise<AuditEntry[]> {
  return call<AuditEntry[]>("audit_entries", { limit, approval });
}

/** Exports the day's records and originals into a new folder inside `folder`. */
export function exportDay(folder: string, approval: Approval | null): Promise<ExportSummary> {
  return call<ExportSummary>("export_day", { folder, approval });
}

/** Lists the cameras the `camera` setting can choose, as the system lists them now. */
export function listCameras(): Promise<CameraOption[]> {
  return call<CameraOption[]>("list_cameras");
}

/** Opens the camera again as the settings choose it, for example after one is plugged in. */
export function detectCameras(): Promise<void> {
  return call<void>("detect_cameras");
}

export function getSettings(): Promise<Settings> {
  return call<Settings>("get_settings");
}

export function saveSettings(settings: Settings, approval: Approval | null): Promise<Settings> {
  return call<Settings>("save_settings", { settings, approval });
}

/**
 * Queues a draft for the provincial centre. Replacing a final photo needs a
 * supervisor's `approval` while an operator is signed in.
 */
export function submitDraft(draftId: string, approval: Approval | null): Promise<SubmissionView> {
  return call<SubmissionView>("submit_draft", { draftId, approval });
}

/** The student's latest submission, or null before the first. */
export function studentSubmission(studentNumber: string): Promise<SubmissionView | null> {
  return call<SubmissionView | null>("student_submission", { studentNumber });
}

/**
 * Reads a student's code from a QR code held up to the camera, trying the
 * newest frames for a few seconds, and looks the student up.
 */
export function scanStudentCode(): Promise<StudentView> {
  return call<StudentView>("scan_student_code");
}

/** Reads the connection to the provincial centre and the outbox's size. */
export function syncStatus(): Promise<SyncStatus> {
  return call<SyncStatus>("sync_status");
}

/** Enrols the station at the centre with the school's one-time token. */
export function enrolStation(token: string, approval: Approval | null): Promise<SyncStatus> {
  return call<SyncStatus>("enrol_station", { token, approval });
}

/** Saves the student's finished photo into `folder`; returns the file's path. */
export function exportFinishedPhoto(studentNumber: string, folder: string): Promise<string> {
  return call<string>("export_finished_photo", { studentNumber, folder });
}

/** Writes a diagnostics bundle into a new folder inside `folder`. */
export function exportDiagnostics(folder: string, approval: Approval | null): Promise<DiagnosticsView> {
  return call<DiagnosticsView>("export_diagnostics", { folder, approval });
}

/** Closes the station, the only way out of kiosk mode; needs a supervisor. */
export function leaveKiosk(approval: Approval | null): Promise<void> {
  return call<void>("leave_kiosk", { approval });
}

/**
 * Resets a student's attempts with a reason, lifting any lock; needs a
 * supervisor's `approval` while an operator is signed in.
 */
export function resetStudent(studentNumber: string, reason: string, approval: Approval | null): Promise<StudentView> {
  return call<StudentView>("reset_student", { studentNumber, reason, approval });
}
