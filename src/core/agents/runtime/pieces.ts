/** Words in one streamed piece of a reply made at once (the local agent's), as a typing agent sends them. */
const WORDS_PER_PIECE = 4;

/**
 * A reply cut into pieces at word boundaries: joined, the pieces are exactly the text (spaces stay
 * at the start of the piece they precede).
 */
export function piecesOf(text: string, wordsPerPiece = WORDS_PER_PIECE): string[] {
  const words = text.match(/\s*\S+/g) ?? [];
  const pieces: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerPiece) pieces.push(words.slice(i, i + wordsPerPiece).join(''));
  const trailing = /\s+$/.exec(text)?.[0];
  if (trailing && pieces.length > 0) pieces[pieces.length - 1] += trailing;
  else if (trailing) pieces.push(trailing);
  return pieces;
}
