// Starts and stops the backend's camera preview and routes its two channels.

import { startPreview, stopPreview } from "./api";
import type { LiveStatus } from "./bindings/LiveStatus";
import { FrameView } from "./frames";

export class LivePreview {
  readonly frames: FrameView;
  private running = false;
  // Counts start calls, so that messages from a stopped preview's channels,
  // which can still be in flight, are dropped.
  private generation = 0;

  constructor(
    img: HTMLImageElement,
    private readonly onLive: (status: LiveStatus) => void,
  ) {
    this.frames = new FrameView(img);
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
