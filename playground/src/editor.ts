/**
 * A small code editor: a textarea over a highlighted copy of its text, with
 * line numbers and squiggles under diagnostics. Typing, selection, undo and
 * copy are the browser's own (it is a textarea); the layer behind it only
 * paints.
 *
 * In: a host element, a function that gives each character a CSS class.
 * Out: the editor (value, change events, diagnostics to paint, reveal an
 * offset). Must not know about agp beyond the classifier it is given.
 */

/** A range to underline. */
export interface Mark {
  readonly offset: number;
  readonly endOffset: number;
  readonly severity: "error" | "warning";
  readonly message: string;
}

const ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" };
const escape = (text: string) => text.replace(/[&<>"]/g, (c) => ESCAPES[c]!);

export class CodeEditor {
  readonly element: HTMLElement;
  readonly textarea: HTMLTextAreaElement;
  private readonly paint: HTMLElement;
  private readonly gutter: HTMLElement;
  private marks: readonly Mark[] = [];
  private listeners: ((value: string) => void)[] = [];

  constructor(
    host: HTMLElement,
    private classify: (text: string) => string[],
    label: string,
  ) {
    this.element = document.createElement("div");
    this.element.className = "editor";
    this.gutter = document.createElement("pre");
    this.gutter.className = "gutter";
    this.gutter.setAttribute("aria-hidden", "true");
    const body = document.createElement("div");
    body.className = "editor-body";
    this.paint = document.createElement("pre");
    this.paint.className = "paint";
    this.paint.setAttribute("aria-hidden", "true");
    this.textarea = document.createElement("textarea");
    this.textarea.spellcheck = false;
    this.textarea.autocapitalize = "off";
    this.textarea.setAttribute("autocomplete", "off");
    this.textarea.setAttribute("aria-label", label);
    this.textarea.wrap = "off";
    body.append(this.paint, this.textarea);
    this.element.append(this.gutter, body);
    host.append(this.element);
    this.textarea.addEventListener("input", () => this.changed());
    this.textarea.addEventListener("scroll", () => this.sync());
    this.textarea.addEventListener("keydown", (e) => this.key(e));
  }

  get value(): string {
    return this.textarea.value;
  }

  set value(text: string) {
    this.textarea.value = text;
    this.render();
  }

  onChange(listener: (value: string) => void): void {
    this.listeners.push(listener);
  }

  /** Replaces the classifier (the grammar loads after the page) and repaints. */
  setClassifier(classify: (text: string) => string[]): void {
    this.classify = classify;
    this.render();
  }

  setMarks(marks: readonly Mark[]): void {
    this.marks = marks;
    this.render();
  }

  /** Puts the caret at `offset` and scrolls it into view. */
  reveal(offset: number, endOffset = offset): void {
    this.textarea.focus();
    this.textarea.setSelectionRange(offset, Math.max(offset, endOffset));
    const line = this.value.slice(0, offset).split("\n").length - 1;
    const lineHeight = parseFloat(getComputedStyle(this.textarea).lineHeight) || 18;
    this.textarea.scrollTop = Math.max(0, line * lineHeight - this.textarea.clientHeight / 3);
    this.sync();
  }

  private changed(): void {
    this.render();
    for (const listener of this.listeners) listener(this.value);
  }

  private key(e: KeyboardEvent): void {
    if (e.key !== "Tab" || e.shiftKey || e.ctrlKey || e.metaKey || e.altKey) return;
    e.preventDefault();
    // Insert two spaces the undoable way where the browser supports it.
    if (!document.execCommand("insertText", false, "  ")) {
      const { selectionStart: s, selectionEnd: t } = this.textarea;
      this.textarea.setRangeText("  ", s, t, "end");
      this.changed();
    }
  }

  private render(): void {
    const text = this.value;
    const classes = this.classify(text);
    const marked = new Array<"" | "error" | "warning">(text.length + 1).fill("");
    for (const mark of this.marks) {
      // An empty range (a missing token) underlines the character at it, or the one before at a line's end.
      const start = Math.min(mark.offset, text.length);
      let end = Math.min(Math.max(mark.endOffset, start + 1), text.length + 1);
      if (end > start + 1 && text[end - 1] === "\n") end--;
      for (let i = start; i < end; i++) if (marked[i] !== "error") marked[i] = mark.severity;
    }
    let html = "";
    let run = "";
    let runKey = "";
    const flush = () => {
      if (run === "") return;
      const [cls, mark] = runKey.split("|");
      const classNames = [cls, mark === "" ? "" : `mark-${mark}`].filter(Boolean).join(" ");
      html += classNames === "" ? escape(run) : `<span class="${classNames}">${escape(run)}</span>`;
      run = "";
    };
    for (let i = 0; i <= text.length; i++) {
      const char = i === text.length ? (marked[i] === "" ? "" : " ") : text[i]!;
      if (char === "") break;
      const key = `${char === "\n" ? "" : (classes[i] ?? "")}|${char === "\n" ? "" : marked[i]}`;
      if (key !== runKey) {
        flush();
        runKey = key;
      }
      run += char;
    }
    flush();
    this.paint.innerHTML = `${html}\n `;
    const lines = text.split("\n").length;
    let numbers = "";
    for (let n = 1; n <= lines; n++) numbers += `${n}\n`;
    this.gutter.textContent = numbers;
    this.sync();
  }

  private sync(): void {
    this.paint.style.transform = `translate(${-this.textarea.scrollLeft}px, ${-this.textarea.scrollTop}px)`;
    this.gutter.style.transform = `translateY(${-this.textarea.scrollTop}px)`;
  }
}
