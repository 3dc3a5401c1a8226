// Short tones through WebAudio: one when a capture is taken, and one for
// the verdict (rising for a pass, low and doubled for a fail), so that the
// student hears the outcome without reading the screen.

export type Tone = "capture" | "pass" | "fail";

type Note = { frequency: number; start: number; length: number };

// Frequencies in hertz, times in seconds from the tone's start.
const notes: Record<Tone, Note[]> = {
  capture: [{ frequency: 1320, start: 0, length: 0.08 }],
  pass: [
    { frequency: 660, start: 0, length: 0.12 },
    { frequency: 990, start: 0.13, length: 0.18 },
  ],
  fail: [
    { frequency: 330, start: 0, length: 0.16 },
    { frequency: 330, start: 0.22, length: 0.16 },
  ],
};

let context: AudioContext | null = null;

/**
 * Plays `tone` and records it on `<body>` (`data-tone`, and the count in
 * `data-tone-count`) for the window tests. A webview without audio output
 * plays nothing and the flow goes on.
 */
export function playTone(tone: Tone): void {
  const body = document.body.dataset;
  body["tone"] = tone;
  body["toneCount"] = String(Number(body["toneCount"] ?? "0") + 1);
  try {
    context ??= new AudioContext();
    const audio = context;
    const now = audio.currentTime;
    for (const note of notes[tone]) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.frequency.value = note.frequency;
      // A quick fade in and out avoids the click of a square start and end.
      gain.gain.setValueAtTime(0, now + note.start);
      gain.gain.linearRampToValueAtTime(0.2, now + note.start + 0.01);
      gain.gain.linearRampToValueAtTime(0, now + note.start + note.length);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(now + note.start);
      oscillator.stop(now + note.start + note.length + 0.02);
    }
  } catch {
    // No audio device or WebAudio disabled: the screen still shows the outcome.
  }
}
