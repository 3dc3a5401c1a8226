// Shows JPEG preview frames in an <img> through Blob object URLs.
//
// At most one frame is decoding and one is waiting. A frame that arrives
// while another is decoding replaces the waiting one, so a slow webview drops
// frames instead of queueing them. Each object URL is revoked as soon as the
// next frame has loaded, so at most two object URLs exist at any time.

export class FrameView {
  private waiting: ArrayBuffer | null = null;
  private loadingUrl: string | null = null;
  private shownUrl: string | null = null;
  private lastFrameAt = 0;

  constructor(private readonly img: HTMLImageElement) {
    img.addEventListener("load", () => this.settle(true));
    img.addEventListener("error", () => this.settle(false));
  }

  /** Shows `jpeg` as soon as the frame before it has decoded. */
  push(jpeg: ArrayBuffer): void {
    this.lastFrameAt = performance.now();
    this.waiting = jpeg;
    if (this.loadingUrl === null) {
      this.showWaiting();
    }
  }

  /** Milliseconds since the last frame arrived, or Infinity before the first one. */
  sinceLastFrame(): number {
    return this.lastFrameAt === 0 ? Number.POSITIVE_INFINITY : performance.now() - this.lastFrameAt;
  }

  /** Removes the picture and frees every object URL. */
  clear(): void {
    this.waiting = null;
    this.lastFrameAt = 0;
    this.img.removeAttribute("src");
    this.img.classList.remove("has-frame");
    for (const url of [this.loadingUrl, this.shownUrl]) {
      if (url !== null) {
        URL.revokeObjectURL(url);
      }
    }
    this.loadingUrl = null;
    this.shownUrl = null;
  }

  private showWaiting(): void {
    const jpeg = this.waiting;
    if (jpeg === null) {
      return;
    }
    this.waiting = null;
    this.loadingUrl = URL.createObjectURL(new Blob([jpeg], { type: "image/jpeg" }));
    this.img.src = this.loadingUrl;
  }

  private settle(loaded: boolean): void {
    // A load or error event can still arrive for a URL that `clear` dropped.
    if (this.loadingUrl === null || this.img.src !== this.loadingUrl) {
      return;
    }
    if (this.shownUrl !== null) {
      URL.revokeObjectURL(this.shownUrl);
    }
    this.shownUrl = this.loadingUrl;
    this.loadingUrl = null;
    if (loaded) {
      this.img.classList.add("has-frame");
    }
    this.showWaiting();
  }
}
