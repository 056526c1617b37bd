/**
 * Test support: generators of JSON number texts that are hard to decode
 * correctly (shortest round-trip forms of random doubles, 17–20 significant
 * digits, very long significands, exponents near the subnormal and overflow
 * limits, exact midpoints between neighbouring doubles and their close
 * neighbours, integer spellings with trailing zeros, respellings of one
 * value with shifted digits and exponents), from a seeded generator.
 *
 * In: a seed and a count. Out: strings in the JSON number grammar.
 * Must not use anything but the seed: the same seed gives the same texts.
 */

/** A small seeded generator (xorshift): deterministic and fast. */
export class Rng {
  private a: number;
  private b: number;
  constructor(seed: number) {
    this.a = (seed * 2654435761) >>> 0 || 1;
    this.b = (seed ^ 0x9e3779b9) >>> 0 || 2;
  }
  /** A uniform u32. */
  u32(): number {
    const t = this.a ^ (this.a << 11);
    this.a = this.b;
    this.b = (this.b ^ (this.b >>> 19) ^ (t ^ (t >>> 8))) >>> 0;
    return this.b;
  }
  /** An integer in [lo, hi]. */
  int(lo: number, hi: number): number {
    // 53 uniform bits, exactly representable, so `%` sees every bit.
    const bits = (this.u32() >>> 5) * 67108864 + (this.u32() >>> 6);
    return lo + (bits % (hi - lo + 1));
  }
  pick<T>(items: readonly T[]): T {
    return items[this.int(0, items.length - 1)]!;
  }
  digits(n: number, leadingNonZero = true): string {
    let s = "";
    for (let i = 0; i < n; i++) s += String(i === 0 && leadingNonZero ? this.int(1, 9) : this.int(0, 9));
    return s;
  }
  /** A random finite double from random bits. */
  double(): number {
    const view = new DataView(new ArrayBuffer(8));
    for (;;) {
      view.setUint32(0, this.u32());
      view.setUint32(4, this.u32());
      const x = view.getFloat64(0);
      if (Number.isFinite(x)) return x;
    }
  }
}

/** Places a decimal point and an exponent so the text means `digits × 10^exp10`, in one of several spellings. */
export function spell(rng: Rng, digits: string, exp10: number, negative = false): string {
  const sign = negative ? "-" : "";
  const n = digits.length;
  switch (rng.int(0, 4)) {
    case 0: // d.ddd e(x)
      return `${sign}${digits[0]}${n > 1 ? `.${digits.slice(1)}` : ""}e${exp10 + n - 1}`;
    case 1: {
      // ddd.ddd with the point inside, exponent for the rest
      const at = rng.int(1, n);
      const frac = digits.slice(at);
      const e = exp10 + n - at;
      return `${sign}${digits.slice(0, at)}${frac === "" ? "" : `.${frac}`}E${e >= 0 ? rng.pick(["", "+"]) : ""}${e}`;
    }
    case 2: {
      // 0.000ddd e(x): z leading zeros after the point
      const z = rng.int(0, 5);
      return `${sign}0.${"0".repeat(z)}${digits}e${exp10 + n + z}`;
    }
    case 3: // trailing zeros, exponent adjusted
      {
        const z = rng.int(1, 30);
        return `${sign}${digits}${"0".repeat(z)}e${exp10 - z}`;
      }
    default: // plain integer or decimal without exponent when small enough
      if (exp10 >= 0 && exp10 < 25) return `${sign}${digits}${"0".repeat(exp10)}`;
      if (exp10 < 0 && -exp10 < 40) {
        const k = -exp10;
        const padded = digits.padStart(k + 1, "0");
        return `${sign}${padded.slice(0, padded.length - k)}.${padded.slice(padded.length - k)}`;
      }
      return `${sign}${digits}e${exp10}`;
  }
}

/** The exact decimal digits and exponent of `m × 2^e` (m, e integers; m > 0): digits × 10^exp. */
export function exactDecimal(m: bigint, e: number): { digits: string; exp10: number } {
  if (e >= 0) return { digits: (m << BigInt(e)).toString(), exp10: 0 };
  const digits = (m * 5n ** BigInt(-e)).toString();
  return { digits, exp10: e };
}

/** M and q with x = M × 2^q for a positive finite double. */
export function decompose(x: number): { m: bigint; q: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const ef = Number(bits >> 52n);
  const frac = bits & ((1n << 52n) - 1n);
  return ef === 0 ? { m: frac, q: -1074 } : { m: frac | (1n << 52n), q: ef - 1075 };
}

function trimmed(d: { digits: string; exp10: number }): { digits: string; exp10: number } {
  let { digits, exp10 } = d;
  while (digits.length > 1 && digits.endsWith("0")) {
    digits = digits.slice(0, -1);
    exp10++;
  }
  return { digits, exp10 };
}

/** Adds `delta` (±1) to the last digit of a digit string (no sign change: digits stay > 0). */
function nudge(digits: string, delta: 1 | -1): string {
  const v = BigInt(digits) + BigInt(delta);
  return v.toString().padStart(digits.length, "0");
}

export type NumberClass = "shortest" | "digits17to20" | "long" | "subnormal" | "overflow" | "halfway" | "integers" | "respelled";

/** One generated number text of the given class. */
export function numberText(rng: Rng, kind: NumberClass): string {
  const negative = rng.int(0, 3) === 0;
  const sign = negative ? "-" : "";
  switch (kind) {
    case "shortest": {
      const x = rng.double();
      return rng.int(0, 1) === 0 ? JSON.stringify(x) : String(x);
    }
    case "digits17to20":
      return spell(rng, rng.digits(rng.int(17, 20)), rng.int(-30, 30) + rng.pick([0, 0, 0, -300, 280, -320, 290]), negative);
    case "long": {
      // many digits, magnitudes across the whole range (and a little beyond)
      const n = rng.int(21, rng.pick([60, 400, 1200]));
      return spell(rng, rng.digits(n), rng.int(-330, 312) - n, negative);
    }
    case "subnormal":
      return spell(rng, rng.digits(rng.int(1, rng.pick([3, 17, 25, 800]))), rng.int(-345, -300), negative);
    case "overflow":
      return spell(rng, rng.digits(rng.int(1, rng.pick([3, 17, 25, 400]))), rng.int(290, 312), negative);
    case "halfway": {
      // The exact midpoint between a double and the next one up, or a hair around it.
      const x = Math.abs(rng.pick([rng.double(), rng.double(), Number.MIN_VALUE * rng.int(1, 1 << 20), 2 ** rng.int(-1074, 1023), Number.MAX_VALUE]));
      if (x === 0) return "0";
      const { m, q } = decompose(x);
      const mid = trimmed(exactDecimal(2n * m + 1n, q - 1));
      switch (rng.int(0, 3)) {
        case 0:
          return spell(rng, mid.digits, mid.exp10, negative);
        case 1: {
          // just above the midpoint, by a digit far to the right
          const zeros = rng.int(0, 40);
          return spell(rng, `${mid.digits}${"0".repeat(zeros)}1`, mid.exp10 - zeros - 1, negative);
        }
        case 2:
          return mid.digits.length > 1 ? spell(rng, nudge(mid.digits, -1), mid.exp10, negative) : spell(rng, mid.digits, mid.exp10, negative);
        default:
          return spell(rng, nudge(mid.digits, 1), mid.exp10, negative);
      }
    }
    case "integers": {
      const base = rng.pick([9007199254740991, 9007199254740992, 9007199254740993, 74100246772305, 2 ** 63, 2 ** 64, 1e21, 1e22, 1e23, rng.int(0, 2 ** 31)]);
      const text = BigInt(base).toString();
      return `${sign}${text}${rng.pick(["", ".0", ".000", `.${"0".repeat(rng.int(1, 60))}`, "e0", "E+0", `${"0".repeat(rng.int(1, 5))}e-${rng.int(1, 5)}`])}`;
    }
    case "respelled": {
      const x = rng.double();
      const s = String(Math.abs(x));
      const match = /^(\d+)(?:\.(\d+))?(?:e([+-]\d+))?$/.exec(s);
      if (match === null) return String(x);
      const digits = (match[1]! + (match[2] ?? "")).replace(/^0+/, "") || "0";
      const exp10 = Number(match[3] ?? 0) - (match[2]?.length ?? 0);
      return spell(rng, digits, exp10, x < 0);
    }
  }
}

export const NUMBER_CLASSES: readonly NumberClass[] = ["shortest", "digits17to20", "long", "subnormal", "overflow", "halfway", "integers", "respelled"];
