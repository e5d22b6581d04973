/** Letters that Unicode decomposition leaves alone but people write without the mark. */
const TRANSLITERATIONS: Readonly<Record<string, string>> = {
  ß: 'ss',
  æ: 'ae',
  œ: 'oe',
  ø: 'o',
  ł: 'l',
  đ: 'd',
  ð: 'd',
  þ: 'th',
  ı: 'i',
};

/**
 * The comparison key of a name: accents and other marks removed (NFKD), lower case, a few letters
 * transliterated (ß -> ss, ø -> o, ...), apostrophes dropped (O'Brien = OBrien), any other run of
 * non-letters and non-digits (spaces, hyphens, dots) a single separator, and the words sorted so word
 * order does not matter. `'  PÉREZ-listed   josé '` and `'Jose Perez Listed'` give the same key.
 */
export function normaliseName(name: string): string {
  return name
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[ßæœøłđðþı]/g, (letter) => TRANSLITERATIONS[letter] ?? letter)
    .replace(/['’ʼ`]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((word) => word.length > 0)
    .sort()
    .join(' ');
}
