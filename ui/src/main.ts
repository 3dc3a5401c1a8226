// Wires the screens, header and error box together and loads the station status.

import "./styles.css";

import { isFailure, stationStatus, toFailure } from "./api";
import type { Failure } from "./api";
import { ErrorBox } from "./errors";
import { Header } from "./header";
import { onLanguageChange, translateDocument } from "./i18n";
import { Router } from "./router";
import { CheckingScreen } from "./screens/checking";
import { DraftsScreen } from "./screens/drafts";
import { GuideScreen } from "./screens/guide";
import { IdentifyScreen } from "./screens/identify";
import { LiveScreen } from "./screens/live";
import type { App, ScreenName } from "./screens/screen";
import { VerdictScreen } from "./screens/verdict";
import { Session } from "./session";

// The screens that keep the camera preview running. Leaving them stops it.
const previewScreens: ReadonlySet<ScreenName> = new Set(["live", "checking"]);

// Station status refreshes closer together than this are skipped, because the
// live screen requests one every second while the picture is stalled.
const refreshIntervalMilliseconds = 2000;

function main(): void {
  translateDocument();
  const session = new Session();
  const errors = new ErrorBox();
  let router: Router | null = null;
  let lastRefresh = 0;

  const app: App = {
    session,
    current: () => router?.current() ?? "identify",
    go: (screen) => router?.go(screen),
    startOver,
    showError: (failure: Failure) => errors.show(failure),
    clearError: () => errors.clear(),
    refreshStation: async () => {
      const now = performance.now();
      if (lastRefresh !== 0 && now - lastRefresh < refreshIntervalMilliseconds) {
        return;
      }
      lastRefresh = now;
      try {
        session.station = await stationStatus();
      } catch (reason) {
        errors.show(isFailure(reason) ? reason : toFailure(reason));
      }
    },
  };

  const header = new Header(session, startOver);
  const identify = new IdentifyScreen(app);
  const live = new LiveScreen(app);
  router = new Router(
    {
      identify,
      guide: new GuideScreen(app),
      live,
      checking: new CheckingScreen(),
      verdict: new VerdictScreen(app),
      drafts: new DraftsScreen(app),
    },
    "identify",
    (_from, to) => {
      if (!previewScreens.has(to)) {
        live.preview.stop().catch((reason: unknown) => {
          errors.show(isFailure(reason) ? reason : toFailure(reason));
        });
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

  onLanguageChange(() => {
    header.render();
    router?.renderAll();
  });

  header.render();
  router.start();
  void app.refreshStation();
}

main();
