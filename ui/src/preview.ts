// Starts and stops the backend's camera preview and routes its two channels.

import { previewPainted, startPreview, stopPreview } from "./api";
import type { LiveStatus } from "./bindings/LiveStatus";
import { FrameView } from "./frames";

export class LivePreview {
  readonly frames: FrameView;
  private running = false;
  // Counts start calls, so that messages from a stopped preview's channels,
  // which can still be in flight, are dropped.
  private generation = 0;

  constructor(
    canvas: HTMLCanvasElement,
    private readonly onLive: (status: LiveStatus) => void,
  ) {
    this.frames = new FrameView(canvas, (painted) => {
      // Without the acknowledgement the station waits its 1 s time-out and
      // then sends the next frame, so a failed call only slows the preview.
      previewPainted(painted).catch((reason: unknown) => console.warn("preview acknowledgement failed", reason));
    });
  }

  isRunning(): boolean {
    return this.running;
  }

  /** Starts the preview unless it runs already. Rejects with a `Failure`. */
  async start(): Promise<void> {
    if (this.running) {
      return;
    }
    this.generation += 1;
    const generation = this.generation;
    this.running = true;
    try {
      await startPreview({
        onFrame: (jpeg) => {
          if (generation === this.generation) {
            this.frames.push(jpeg);
          }
        },
        onLive: (status) => {
          if (generation === this.generation) {
            this.onLive(status);
          }
        },
      });
    } catch (failure) {
      if (generation === this.generation) {
        this.running = false;
      }
      throw failure;
    }
  }

  /** Stops the preview if it runs and clears the picture. Rejects with a `Failure`. */
  async stop(): Promise<void> {
    if (!this.running) {
      return;
    }
    this.running = false;
    this.generation += 1;
    this.frames.clear();
    await stopPreview();
  }
}
