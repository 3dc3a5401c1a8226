// Paints the station's preview frames into a <canvas> and acknowledges each
// painted frame, which lets the station send the next one.
//
// A frame message starts with a 9-byte header: the frame number as a
// little-endian u64, then a flags byte whose bit 0 is set when the number is
// drawn into the picture. The JPEG bytes follow. `frame_message` in
// src-tauri/src/commands.rs writes it. Each JPEG is decoded by one reused
// <img> element from a blob URL, and `decode()` returns a promise, so the
// decode does not block the page's script. At most one frame is decoding
// and one is waiting. The station sends one frame at a time, so a second
// frame arrives during a decode only after the station's 1 s time-out, and
// then the newer frame replaces the waiting one.
//
// createImageBitmap decodes faster (2 ms at the median against 4 ms), but
// in WebKitGTK 2.50 each call on a Blob left memory behind in the web
// content process. At 30 frames a second the process grew by about
// 10 MiB a minute (30 MiB a minute without the canvas draw), and garbage
// collection never gave it back. A new <img> element per frame let the
// memory swing by 50 MiB between collections. With one <img> element
// reused, the process grew by 0.8 MiB a minute over a 10-minute run
// (docs/benchmarks.md, "Preview").

import type { PaintedFrame } from "./bindings/PaintedFrame";

const headerLength = 9;
/** Blocks in the frame-number stamp (`STAMP_BITS` in the station). */
const stampBits = 24;
/** Each stamp block is this fraction of the frame's width. */
const stampBlocksPerWidth = 32;

type Frame = { number: number; stamped: boolean; jpeg: Blob; receivedAt: number };

export class FrameView {
  private readonly context: CanvasRenderingContext2D | null;
  private readonly decoder = new Image();
  private waiting: Frame | null = null;
  private decoding = false;
  private lastFrameAt = 0;
  // Counts `clear` calls, so that a decode that finishes after one paints nothing.
  private generation = 0;

  constructor(
    private readonly canvas: HTMLCanvasElement,
    private readonly onPainted: (painted: PaintedFrame) => void,
  ) {
    this.context = canvas.getContext("2d", { alpha: false });
  }

  /** Paints the frame in `message` once the frame before it has been painted. */
  push(message: ArrayBuffer): void {
    this.lastFrameAt = performance.now();
    const receivedAt = epochMilliseconds();
    if (message.byteLength <= headerLength) {
      return;
    }
    const header = new DataView(message, 0, headerLength);
    this.waiting = {
      number: Number(header.getBigUint64(0, true)),
      stamped: (header.getUint8(8) & 1) === 1,
      jpeg: new Blob([message.slice(headerLength)], { type: "image/jpeg" }),
      receivedAt,
    };
    if (!this.decoding) {
      void this.paintWaiting();
    }
  }

  /** Milliseconds since the last frame arrived, or Infinity before the first one. */
  sinceLastFrame(): number {
    return this.lastFrameAt === 0 ? Number.POSITIVE_INFINITY : performance.now() - this.lastFrameAt;
  }

  /** Removes the picture and drops any frame still waiting or decoding. */
  clear(): void {
    this.generation += 1;
    this.waiting = null;
    this.decoding = false;
    this.lastFrameAt = 0;
    this.canvas.classList.remove("has-frame");
    delete this.canvas.dataset["frame"];
    this.context?.clearRect(0, 0, this.canvas.width, this.canvas.height);
  }

  private async paintWaiting(): Promise<void> {
    const generation = this.generation;
    this.decoding = true;
    while (this.waiting !== null && generation === this.generation) {
      const frame = this.waiting;
      this.waiting = null;
      let picture: HTMLImageElement | null = null;
      try {
        picture = await this.decode(frame.jpeg);
      } catch (reason) {
        console.warn(`preview frame ${frame.number} not decoded`, reason);
      }
      if (generation !== this.generation) {
        return;
      }
      if (picture === null) {
        // Acknowledged all the same, so the station sends the next frame at once.
        this.onPainted({
          frame: frame.number,
          received_at_ms: frame.receivedAt,
          decoded_at_ms: null,
          painted_at_ms: null,
          stamp: null,
        });
        continue;
      }
      const decodedAt = epochMilliseconds();
      this.draw(picture);
      const stamp = frame.stamped ? this.readStamp() : null;
      await nextAnimationFrame();
      if (generation !== this.generation) {
        return;
      }
      this.canvas.dataset["frame"] = String(frame.number);
      this.onPainted({
        frame: frame.number,
        received_at_ms: frame.receivedAt,
        decoded_at_ms: decodedAt,
        painted_at_ms: epochMilliseconds(),
        stamp,
      });
    }
    this.decoding = false;
  }

  /** Decodes `jpeg` into the reused <img> element and returns the element. */
  private async decode(jpeg: Blob): Promise<HTMLImageElement> {
    const url = URL.createObjectURL(jpeg);
    try {
      this.decoder.src = url;
      await this.decoder.decode();
      return this.decoder;
    } finally {
      URL.revokeObjectURL(url);
    }
  }

  private draw(picture: HTMLImageElement): void {
    const width = picture.naturalWidth;
    const height = picture.naturalHeight;
    if (this.canvas.width !== width || this.canvas.height !== height) {
      this.canvas.width = width;
      this.canvas.height = height;
    }
    this.context?.drawImage(picture, 0, 0);
    this.canvas.classList.add("has-frame");
  }

  /**
   * Reads the frame number that the station drew as black and white blocks
   * along the top-left edge, from the middle of each block.
   */
  private readStamp(): number | null {
    if (this.context === null) {
      return null;
    }
    const side = this.canvas.width / stampBlocksPerWidth;
    const pixels = this.context.getImageData(0, 0, Math.ceil(side * stampBits), Math.ceil(side));
    const middle = Math.floor(side / 2);
    let number = 0;
    for (let bit = 0; bit < stampBits; bit += 1) {
      const x = Math.floor(bit * side + side / 2);
      const offset = (middle * pixels.width + x) * 4;
      const luma = ((pixels.data[offset] ?? 0) + (pixels.data[offset + 1] ?? 0) + (pixels.data[offset + 2] ?? 0)) / 3;
      if (luma >= 128) {
        number += 2 ** bit;
      }
    }
    return number;
  }
}

function epochMilliseconds(): number {
  return performance.timeOrigin + performance.now();
}

/** Resolves in the next animation frame, when the page is painted again. */
function nextAnimationFrame(): Promise<void> {
  return new Promise((resolve) => requestAnimationFrame(() => resolve()));
}
