import { HAN, LATIN, LETTER, NUMBER, UNSPACED, WIDTH_SHIFT, codePointScripts, isWhitespace } from '../features/scripts';

// Math's functions as module constants: under jest's vm sandbox each `Math.x` in a hot loop is a slow global lookup.
const { imul, log, max, min, round, sqrt } = Math;

/**
 * Text features for any language, with no vocabulary to store: word unigrams and bigrams plus character
 * n-grams, hashed into a fixed number of dimensions, weighted by TF-IDF and L2-normalised.
 */
export interface SparseVector {
  indices: Int32Array;
  values: Float32Array;
}

/** Earlier turns of a conversation, and how much they weigh against the routed message (1: as much). */
export interface WeightedContext {
  text: string;
  weight: number;
}

/**
 * What the word scanner reads as a word. `letters`: a run of letters, combining marks and digits of any
 * script, except that each character of a script written without spaces (Han, kana, Thai, Lao, Khmer,
 * Myanmar) is a word alone. `latin-han`, the scanner of artifacts trained before `letters` existed: a run
 * of Latin letters and digits, or one Han character; text in other scripts (Cyrillic, Greek, Arabic,
 * Hangul, kana, ...) gives no words, only character n-grams.
 */
export type WordScanner = 'letters' | 'latin-han';
export const WORD_SCANNERS: readonly WordScanner[] = ['letters', 'latin-han'];

export interface TextFeaturizerState {
  dims: number;
  charNgrams: [number, number];
  /** Absent in artifacts trained before it existed: `latin-han`, so they keep the features they learnt on. */
  words?: WordScanner;
  /** Inverse document frequency per dimension, from the training texts. */
  idf: number[];
}

/** What a featurizer reads (dimensions, n-grams, word scanner), without its IDF weights: for reports. */
export function featurizerReads(state: TextFeaturizerState): Omit<TextFeaturizerState, 'idf'> {
  const { idf: _idf, ...reads } = state;
  return reads;
}

/**
 * Longest text looked at (4,000 routed no better on MMLU-Pro and cost 10% more at p99): a longer text is
 * read as its first and its last thousand characters, so a long preamble shared by every prompt (a system
 * prompt, a template) does not hide the part that differs, which usually comes last.
 */
const MAX_CHARS = 2000;
const HEAD_CHARS = MAX_CHARS / 2;

export class TextFeaturizer {
  private readonly mask: number;
  private readonly idf: Float32Array;
  // One text's counts per dimension and the dimensions it touched, reused across calls and zeroed again
  // after each: O(n) per text with no allocation and no hashing of the hashes (a Map, sorting, or an
  // open-addressing table cost more on the hot path; measured with bench decision).
  private readonly counter: Int32Array;
  private touched = new Int32Array(1024);
  // The text's UTF-16 code units with runs of whitespace collapsed to one space, for the character n-grams.
  private units = new Uint16Array(MAX_CHARS + 2);
  private readonly anyScript: boolean;

  constructor(private readonly state: TextFeaturizerState) {
    if ((state.dims & (state.dims - 1)) !== 0) throw new Error(`dims must be a power of two, got ${state.dims}`);
    if (state.words !== undefined && !WORD_SCANNERS.includes(state.words))
      throw new Error(`words must be one of ${WORD_SCANNERS.join(', ')}, got ${JSON.stringify(state.words)}`);
    this.anyScript = state.words === 'letters';
    this.mask = state.dims - 1;
    this.idf = Float32Array.from(state.idf.length > 0 ? state.idf : new Array<number>(state.dims).fill(1));
    this.counter = new Int32Array(state.dims);
  }

  get dims(): number {
    return this.state.dims;
  }

  /**
   * Fits the IDF weights on training texts (with their task hints, for a router that uses them), words read
   * by `words` (`letters` unless told).
   */
  static fit(
    texts: readonly string[],
    dims = 1 << 18,
    charNgrams: [number, number] = [2, 4],
    tasks?: ReadonlyArray<string | undefined>,
    words: WordScanner = 'letters',
  ): TextFeaturizer {
    const raw = new TextFeaturizer({ dims, charNgrams, words, idf: [] });
    const df = new Uint32Array(dims);
    for (const [i, text] of texts.entries()) {
      const n = raw.count(withTask(text, tasks?.[i]));
      for (let k = 0; k < n; k++) df[raw.touched[k]]++;
      raw.release(n);
    }
    const n = texts.length;
    const idf = new Array<number>(dims);
    for (let i = 0; i < dims; i++) idf[i] = log((1 + n) / (1 + df[i])) + 1; // smoothed, as scikit-learn
    return new TextFeaturizer({ dims, charNgrams, words, idf });
  }

  toJSON(): TextFeaturizerState {
    return {
      dims: this.state.dims,
      charNgrams: this.state.charNgrams,
      ...(this.state.words === undefined ? {} : { words: this.state.words }),
      idf: Array.from(this.idf, (x) => round(x * 1e4) / 1e4),
    };
  }

  /**
   * The text's features, unit length. A `task` hint, when given, is written before the text as one marked
   * word, so it brings its own word, character n-gram and bigram features (on two validation cuts of the
   * MMLU-Pro training part: APGR 1.37 and 1.15 with the hint, 1.33 and 1.09 without).
   *
   * A `context` (the conversation before the text) adds its own unit vector times its weight, in the same
   * hashed space, and the sum is normalised again: a weight learned for a word on single prompts applies
   * to that word in the context, and below weight 1 the routed text still outweighs it. Without context
   * (or at weight 0) the vector is the text's alone, bit for bit.
   */
  transform(text: string, task?: string, context?: WeightedContext): SparseVector {
    const own = this.textFeatures(withTask(text, task));
    if (context === undefined || context.text === '' || !(context.weight > 0)) return own;
    return this.merge(own, this.textFeatures(context.text), context.weight);
  }

  /**
   * Rows of `weights` (dims × `outputs`, feature-major, as a linear model keeps them) with each dimension's
   * IDF weight before them: `scoreText` reads a feature's IDF and its weights from one place in memory.
   */
  withIdf(weights: Float32Array, outputs: number): Float32Array {
    const dims = this.state.dims;
    if (weights.length !== dims * outputs)
      throw new Error(`weights hold ${weights.length} values; expected ${dims} × ${outputs}`);
    const stride = outputs + 1;
    const rows = new Float32Array(dims * stride);
    for (let j = 0; j < dims; j++) {
      rows[j * stride] = this.idf[j];
      rows.set(weights.subarray(j * outputs, (j + 1) * outputs), j * stride + 1);
    }
    return rows;
  }

  /**
   * The linear scores `rows` (from `withIdf`) give the text's features, written to `out` (one per output,
   * bias not added): what `transform` and a dot product with the weights give, up to rounding. Without
   * context (the serving path) no vector is built: one pass over the text's distinct features, nothing
   * allocated. With context, the merged vector (`transform`) is scored against the same rows.
   */
  scoreText(
    text: string,
    task: string | undefined,
    rows: Float32Array,
    out: Float64Array,
    context?: WeightedContext,
  ): void {
    const outputs = out.length;
    const stride = outputs + 1;
    if (rows.length !== this.state.dims * stride)
      throw new Error(`rows hold ${rows.length} values; expected ${this.state.dims} × ${stride}`);
    out.fill(0);
    if (context !== undefined && context.text !== '' && context.weight > 0) {
      const x = this.transform(text, task, context);
      for (let k = 0; k < x.indices.length; k++) {
        const base = x.indices[k] * stride + 1;
        for (let o = 0; o < outputs; o++) out[o] += rows[base + o] * x.values[k];
      }
      return;
    }
    const n = this.count(withTask(text, task));
    const { touched, counter } = this;
    let norm = 0;
    for (let k = 0; k < n; k++) {
      const index = touched[k];
      const base = index * stride;
      const v = sublinear(counter[index]) * rows[base]; // sublinear tf × idf
      counter[index] = 0;
      norm += v * v;
      for (let o = 0; o < outputs; o++) out[o] += rows[base + 1 + o] * v;
    }
    norm = sqrt(norm) || 1;
    for (let o = 0; o < outputs; o++) out[o] /= norm;
  }

  /**
   * normalise(a + weight × b) of two unit vectors. The counter, used as a position map (position + 1),
   * places a dimension `b` shares with `a` on `a`'s entry: no Map and no sort per call. The result views
   * arrays sized for both inputs: cheaper than copying them to its length.
   */
  private merge(a: SparseVector, b: SparseVector, weight: number): SparseVector {
    const position = this.counter;
    const indices = new Int32Array(a.indices.length + b.indices.length);
    const values = new Float32Array(indices.length);
    let n = 0;
    const add = (index: number, value: number) => {
      const at = position[index];
      if (at !== 0) {
        values[at - 1] += value;
        return;
      }
      position[index] = n + 1;
      indices[n] = index;
      values[n++] = value;
    };
    for (let k = 0; k < a.indices.length; k++) add(a.indices[k], a.values[k]);
    for (let k = 0; k < b.indices.length; k++) add(b.indices[k], weight * b.values[k]);
    let norm = 0;
    for (let k = 0; k < n; k++) {
      position[indices[k]] = 0;
      norm += values[k] * values[k];
    }
    norm = sqrt(norm) || 1;
    for (let k = 0; k < n; k++) values[k] /= norm;
    return { indices: indices.subarray(0, n), values: values.subarray(0, n) };
  }

  private textFeatures(text: string): SparseVector {
    const n = this.count(text);
    const { touched, counter } = this;
    const indices = touched.slice(0, n);
    const values = new Float32Array(n);
    let norm = 0;
    for (let k = 0; k < n; k++) {
      const index = indices[k];
      const v = sublinear(counter[index]) * this.idf[index];
      counter[index] = 0;
      values[k] = v;
      norm += v * v;
    }
    norm = sqrt(norm) || 1;
    for (let i = 0; i < values.length; i++) values[i] /= norm;
    return { indices, values };
  }

  /** Zeroes the counts of the last `count`, for a caller that only read which dimensions it touched. */
  private release(n: number): void {
    for (let k = 0; k < n; k++) this.counter[this.touched[k]] = 0;
  }

  /**
   * Counts a text's hashed features into `counter`; returns how many distinct dimensions it touched, listed
   * first-seen in `touched`. The caller reads them and zeroes their counts before the next call.
   *
   * The features: words (as `WordScanner` says: with `letters`, what the regular expression
   * `(?:(?!U)[\p{L}\p{M}\p{N}])+|(?=U)[\p{L}\p{M}\p{N}]` reads, U being UNSPACED_SCRIPTS; with `latin-han`,
   * `[\p{Script=Latin}\p{N}]+|\p{Script=Han}`), word bigrams, and character n-grams of the text
   * with whitespace runs collapsed. Scanned by hand: a regular expression's match objects and the collapsed
   * copy of the text were most of what a decision allocated. `text-features.spec.ts` checks it against the
   * regular-expression reading on generated texts of every kind of character.
   */
  private count(text: string): number {
    const lower = (
      text.length > MAX_CHARS
        ? `${text.slice(0, HEAD_CHARS)} ${text.slice(text.length - (MAX_CHARS - HEAD_CHARS))}`
        : text
    ).toLowerCase();
    const length = lower.length;
    const [lo, hi] = this.state.charNgrams;
    // At most a word, a bigram and an n-gram of each length from max(lo, 1) to hi per code unit (a typed
    // array drops writes past its end without a word: the list must fit whatever the artifact says).
    const most = min(this.state.dims, (2 + max(0, hi - max(lo, 1) + 1)) * length + 1);
    if (this.touched.length < most) this.touched = new Int32Array(most);
    if (this.units.length < length) this.units = new Uint16Array(length);
    const { counter, touched, units, mask, anyScript } = this;
    let n = 0;

    // Words and word bigrams, seeded apart from character n-grams so the two never share a hash by design.
    let prev = 0;
    for (let i = 0; i < length;) {
      let kind = unitKind(lower, i, anyScript);
      if ((kind & KIND) === OTHER) {
        i += kind >> 2;
        continue;
      }
      let h = 0x811c9dc5;
      if ((kind & KIND) === ALONE) {
        for (const end = i + (kind >> 2); i < end; i++) h = imul(h ^ lower.charCodeAt(i), 0x01000193);
      } else {
        do {
          for (const end = i + (kind >> 2); i < end; i++) h = imul(h ^ lower.charCodeAt(i), 0x01000193);
          kind = i < length ? unitKind(lower, i, anyScript) : OTHER;
        } while ((kind & KIND) === IN_RUN);
      }
      h = h >>> 0 || 1;
      let index = h & mask;
      if (counter[index]++ === 0) touched[n++] = index;
      if (prev !== 0) {
        index = (imul(prev ^ h, 0x01000193) ^ 0x5bd1e995) & mask;
        if (counter[index]++ === 0) touched[n++] = index;
      }
      prev = h;
    }

    // Character n-grams over the text with runs of whitespace collapsed.
    let size = 0;
    for (let i = 0; i < length; i++) {
      const c = lower.charCodeAt(i);
      if (!isWhitespace(c)) units[size++] = c;
      else if (i === 0 || !isWhitespace(lower.charCodeAt(i - 1))) units[size++] = 0x20;
    }
    for (let i = 0; i < size; i++) {
      let h = 0x01234567;
      const end = min(hi, size - i);
      for (let len = 1; len <= end; len++) {
        h = imul(h ^ units[i + len - 1], 0x01000193);
        if (len >= lo) {
          const index = (h ^ len) & mask;
          if (counter[index]++ === 0) touched[n++] = index;
        }
      }
    }
    return n;
  }
}

// 1 + ln(count) for the counts most features have, looked up rather than computed per feature.
const SUBLINEAR = Float64Array.from({ length: 256 }, (_, c) => 1 + log(c));

/** Sublinear term frequency: 1 + ln(count). */
function sublinear(count: number): number {
  return count < 256 ? SUBLINEAR[count] : 1 + log(count);
}

// What a code point is to the word scanner, in the low two bits of `unitKind`; its width in code units above.
const KIND = 3;
/** Part of a run that makes one word. */
const IN_RUN = 1;
/** A word alone. */
const ALONE = 2;
/** Between words. */
const OTHER = 3;

/**
 * The kind and width (1 or 2 code units) of the code point at `i`, as kind | width << 2: with `anyScript`
 * (the `letters` scanner), letters, marks and digits of any script join runs, and those of an unspaced
 * script are words alone; otherwise (`latin-han`) Latin letters and digits join runs, and Han is alone.
 */
function unitKind(text: string, i: number, anyScript: boolean): number {
  const s = codePointScripts(text, i);
  const kind = anyScript
    ? s & (LETTER | NUMBER)
      ? s & UNSPACED
        ? ALONE
        : IN_RUN
      : OTHER
    : s & (LATIN | NUMBER)
      ? IN_RUN
      : s & HAN
        ? ALONE
        : OTHER;
  return kind | ((s >> WIDTH_SHIFT) << 2);
}

/** The text with its task hint written before it as one marked word. */
function withTask(text: string, task: string | undefined): string {
  const marked = task ? task.toLowerCase().replace(/[^\p{L}\p{N}]/gu, '') : '';
  return marked ? `xtaskx${marked} ${text}` : text;
}
