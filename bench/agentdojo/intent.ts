/**
 * What a host would pass as `context.intent` for an AgentDojo user task
 * (ADR 0046): the strings the user's own prompt names — mail addresses,
 * IBANs, web addresses and quoted names (file names, titles, channels).
 *
 * In: the user task's prompt text, and nothing else (never the injection
 * task, the ground truth or a tool's output: that would be the attacker's
 * text or the answer). Out: at most 64 distinct strings of 1 to 254
 * characters without control characters, in the order they occur (the
 * default request shape's `context.intent` accepts them). It matches exactly
 * what the prompt wrote (a web address also without its `https://`), and adds no
 * guess: "Sarah" is not turned into an address.
 */

const MAX_ITEMS = 64;
const MAX_LENGTH = 254;

const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+/g;
const IBAN = /(?<![A-Za-z0-9])[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}(?![A-Za-z0-9])/g;
// A host name with a dot and a letters-only last label, optionally with a scheme and a path.
const URL = /(?<![A-Za-z0-9@.-])(?:https?:\/\/)?[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}(?:\/[^\s'"]*)?/g;
// Quotes that open after a space or the start and close before a space or punctuation: not apostrophes ("I'm").
const QUOTED = /(?<![A-Za-z0-9])(?:'([^'\n]{1,254})'|"([^"\n]{1,254})")(?![A-Za-z0-9])/g;
const TRAILING = /[.,;:!?)]+$/;
// eslint-disable-next-line no-control-regex
const CONTROL = /[\u0000-\u001f\u007f]/;

/** The strings the prompt names, as a host would pass them in `context.intent`. */
export function intentOf(prompt: string): string[] {
  const found: string[] = [];
  const add = (value: string): void => {
    const text = value.trim();
    if (text.length === 0 || text.length > MAX_LENGTH || CONTROL.test(text) || found.includes(text) || found.length >= MAX_ITEMS) return;
    found.push(text);
  };
  for (const m of prompt.matchAll(EMAIL)) add(m[0].replace(TRAILING, ""));
  // Addresses are named; their domains are not web addresses the user asked for.
  const rest = prompt.replace(EMAIL, " ");
  for (const m of rest.matchAll(IBAN)) add(m[0]);
  for (const m of rest.matchAll(URL)) {
    const url = m[0].replace(TRAILING, "");
    add(url);
    add(url.replace(/^https?:\/\//, ""));
  }
  for (const m of prompt.matchAll(QUOTED)) add(m[1] ?? m[2] ?? "");
  return found;
}
