import type { KnowledgeChunk } from '../../store/knowledge.ts';

/**
 * Passage sizes. ~1,200 characters is a few paragraphs: large enough that a passage answers on
 * its own, small enough that a search hit points at the answer rather than at a whole chapter
 * and that a prompt can hold several. The overlap repeats the end of the previous passage of the
 * same section, so a fact split across a boundary is still found whole in one of them.
 */
export const CHUNKING = { maxChars: 1200, overlapChars: 200 } as const;

const HEADING = /^(#{1,6})\s+(.*?)\s*#*\s*$/;

interface Section {
  heading: string;
  paragraphs: string[];
}

/** Markdown: sections under their heading path ("Returns › Refunds"); text: one untitled section. */
function sections(content: string, markdown: boolean): Section[] {
  const result: Section[] = [];
  const path: string[] = [];
  let current: Section = { heading: '', paragraphs: [] };
  let paragraph: string[] = [];
  let fenced = false;
  const endParagraph = () => {
    const text = paragraph.join('\n').trim();
    if (text) current.paragraphs.push(text);
    paragraph = [];
  };
  for (const line of content.replace(/\r\n?/g, '\n').split('\n')) {
    if (markdown && /^\s*(```|~~~)/.test(line)) fenced = !fenced;
    const heading = markdown && !fenced ? HEADING.exec(line) : null;
    if (heading) {
      endParagraph();
      result.push(current);
      const level = heading[1].length;
      path.length = Math.min(path.length, level - 1);
      path[level - 1] = heading[2];
      current = { heading: path.filter(Boolean).join(' › '), paragraphs: [] };
    } else if (line.trim() === '' && !fenced) {
      endParagraph();
    } else {
      paragraph.push(line);
    }
  }
  endParagraph();
  result.push(current);
  return result;
}

/** A paragraph longer than a passage, cut at sentence ends where it can be, else at spaces, else anywhere. */
function pieces(paragraph: string, max: number): string[] {
  const out: string[] = [];
  let start = 0;
  // Indexes, not slices of the rest: a 1 MB paragraph would otherwise be copied once per piece.
  while (paragraph.length - start > max) {
    const window = paragraph.slice(start, start + max);
    const sentence = Math.max(window.lastIndexOf('. '), window.lastIndexOf('? '), window.lastIndexOf('! '), window.lastIndexOf('\n'));
    const space = window.lastIndexOf(' ');
    const cut = sentence > max / 2 ? sentence + 1 : space > max / 2 ? space : max;
    const piece = window.slice(0, cut).trim();
    if (piece) out.push(piece);
    start += cut;
    while (start < paragraph.length && /\s/.test(paragraph[start])) start++;
  }
  const rest = paragraph.slice(start).trim();
  if (rest) out.push(rest);
  return out;
}

/** The end of a passage to repeat at the start of the next one, from a word boundary. */
function tail(text: string, chars: number): string {
  if (text.length <= chars) return text;
  const cut = text.slice(-chars);
  const space = cut.indexOf(' ');
  return space < 0 ? cut : cut.slice(space + 1);
}

/**
 * Cuts a document into passages: by section (markdown headings), then paragraphs gathered up to
 * CHUNKING.maxChars, with CHUNKING.overlapChars of the previous passage of the same section
 * repeated.
 */
export function chunkDocument(content: string, markdown: boolean, limits: { maxChars: number; overlapChars: number } = CHUNKING): KnowledgeChunk[] {
  const chunks: KnowledgeChunk[] = [];
  for (const section of sections(content, markdown)) {
    // A heading with no text of its own answers nothing; its words are in its subsections' heading paths.
    if (section.paragraphs.length === 0) continue;
    const units = section.paragraphs.flatMap((p) => pieces(p, limits.maxChars - limits.overlapChars - 2));
    let body = '';
    for (const unit of units) {
      if (body && body.length + 2 + unit.length > limits.maxChars) {
        chunks.push({ heading: section.heading, body });
        body = `${tail(body, limits.overlapChars)}\n\n${unit}`;
      } else {
        body = body ? `${body}\n\n${unit}` : unit;
      }
    }
    if (body) chunks.push({ heading: section.heading, body });
  }
  return chunks;
}
