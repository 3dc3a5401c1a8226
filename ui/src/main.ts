// Wires the screens, header and error box together, loads the station
// status and routes to setup or sign-in until staff are signed in.

import "./styles.css";

import { isFailure, signOut, stationStatus, toFailure } from "./api";
import type { Failure } from "./api";
import { ActDialog } from "./dialog";
import { ErrorBox } from "./errors";
import { StaffGate } from "./gate";
import { Header } from "./header";
import { onLanguageChange, translateDocument } from "./i18n";
import { Router } from "./router";
import { CheckingScreen } from "./screens/checking";
import { DraftsScreen } from "./screens/drafts";
import { GuideScreen } from "./screens/guide";
import { IdentifyScreen } from "./screens/identify";
import { LiveScreen } from "./screens/live";
import type { App, ScreenName } from "./screens/screen";
import { SetupScreen } from "./screens/setup";
import { SignInScreen } from "./screens/signin";
import { StaffScreen } from "./screens/staff";
import { VerdictScreen } from "./screens/verdict";
import { Session } from "./session";
import { SyncWatcher } from "./sync";
import { TextSize } from "./textsize";

// The screens that keep the camera preview running. Leaving them stops it.
const previewScreens: ReadonlySet<ScreenName> = new Set(["live", "checking"]);

// Station status refreshes closer together than this are skipped, because the
// live screen requests one every second while the picture is stalled.
const refreshIntervalMilliseconds = 2000;

// The camera's state changes with no action in the window (lost, back, or
// sending frames the station cannot read), so the status is read this often.
const cameraPollMilliseconds = 3000;

function main(): void {
  translateDocument();
  new TextSize();
  const session = new Session();
  const errors = new ErrorBox();
  let router: Router | null = null;
  let gate: StaffGate | null = null;
  let lastRefresh = 0;

  // After a denied act: true when staff are still signed in, so the
  // approval was at fault rather than an idle sign-out.
  const stillSignedIn = async (): Promise<boolean> => {
    try {
      await gate?.check("idle");
    } catch {
      return true;
    }
    return session.staff !== null;
  };

  const showError = (failure: Failure): void => {
    if (failure.kind !== "denied" || gate === null) {
      errors.show(failure);
      return;
    }
    // Denied means either that nobody is signed in any more (the idle
    // time passed) or that the act needs a supervisor: the session tells.
    const denied = failure;
    gate
      .check("idle")
      .then(() => {
        if (session.staff !== null) {
          errors.show(denied);
        }
      })
      .catch((reason: unknown) => errors.show(isFailure(reason) ? reason : toFailure(reason)));
  };

  const app: App = {
    session,
    current: () => router?.current() ?? "signin",
    go: (screen) => router?.go(screen),
    startOver,
    showError,
    report: (reason: unknown) => showError(isFailure(reason) ? reason : toFailure(reason)),
    clearError: () => errors.clear(),
    checkSession: async () => {
      try {
        await gate?.check("start");
      } catch (reason) {
        app.report(reason);
      }
    },
    signedIn: (view) => void gate?.signedIn(view),
    act: (request) => dialog.act(request),
    refreshStation: async () => {
      const now = performance.now();
      if (lastRefresh !== 0 && now - lastRefresh < refreshIntervalMilliseconds) {
        return;
      }
      lastRefresh = now;
      try {
        session.station = await stationStatus();
      } catch (reason) {
        app.report(reason);
      }
    },
  };

  const dialog = new ActDialog(session, stillSignedIn, showError);
  const sync = new SyncWatcher(session);
  const staff = new StaffScreen(app, sync);
  const header = new Header(session, sync, {
    newStudent: startOver,
    signOut: () => void staffSignOut(),
    openStaff: () => router?.go("staff"),
    openCentre: () => {
      staff.choose("centre");
      router?.go("staff");
    },
  });
  const signIn = new SignInScreen(app);
  const identify = new IdentifyScreen(app);
  const live = new LiveScreen(app);
  gate = new StaffGate(app, signIn);
  router = new Router(
    {
      setup: new SetupScreen(app),
      signin: signIn,
      identify,
      guide: new GuideScreen(app),
      live,
      checking: new CheckingScreen(),
      verdict: new VerdictScreen(app),
      drafts: new DraftsScreen(app),
      staff,
    },
    "signin",
    (_from, to) => {
      if (!previewScreens.has(to)) {
        live.preview.stop().catch((reason: unknown) => app.report(reason));
      }
      void app.refreshStation();
    },
  );

  function startOver(): void {
    session.student = null;
    errors.clear();
    identify.reset();
    router?.go("identify");
  }

  async function staffSignOut(): Promise<void> {
    // A deliberate sign-out ends the shift, so the student in hand is let go.
    session.student = null;
    identify.reset();
    errors.clear();
    try {
      gate?.apply(await signOut(), "signed_out");
    } catch (reason) {
      app.report(reason);
    }
  }

  onLanguageChange(() => {
    header.render();
    router?.renderAll();
  });

  header.render();
  router.start();
  void app.refreshStation();
  void app.checkSession().then(() => {
    if (session.staff !== null) {
      router?.go("identify");
      void gate?.loadSettings();
    }
  });
  gate.startPolling();
  window.setInterval(() => void app.refreshStation(), cameraPollMilliseconds);
}

main();
