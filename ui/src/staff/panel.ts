// The interface of each panel of the staff screen.

export interface Panel {
  /** Called when the panel's tab is chosen. Loads what the panel shows. */
  enter(): void;
  /** Redraws the dynamic text after a language change. */
  render(): void;
}

/**
 * Shows `text` in a result line, or hides the line when `text` is null. A
 * line that appears is scrolled into view, since it may sit below the
 * bottom of a long panel.
 */
export function showResult(line: HTMLElement, text: string | null, problem = false): void {
  const appearing = line.hidden && text !== null;
  line.hidden = text === null;
  line.textContent = text ?? "";
  line.classList.toggle("is-problem", problem);
  if (appearing) {
    line.scrollIntoView({ block: "nearest" });
  }
}
