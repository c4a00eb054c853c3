import type { SanctionsEntry } from '../../src/screening';

/** Mulberry32: a small seeded generator, so a failing case can be replayed from its seed. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 2 ** 32;
  };
}

const GIVEN = [
  'Mohammed', 'Ali', 'Ahmad', 'Hassan', 'Omar', 'Ibrahim', 'Khalid', 'Tariq', 'Samir', 'Walid',
  'Ivan', 'Sergey', 'Vladimir', 'Oleg', 'Andrei', 'Nikolai', 'Pavel', 'Yuri', 'Mikhail', 'Boris',
  'Jose', 'Luis', 'Carlos', 'Miguel', 'Jorge', 'Rafael', 'Pedro', 'Juan', 'Diego', 'Alejandro',
  'Wei', 'Jun', 'Ming', 'Hao', 'Jian', 'Song', 'Chol', 'Min', 'Hyun', 'Jae',
  'John', 'David', 'Peter', 'Michael', 'Paul', 'Chinedu', 'Emeka', 'Kwame', 'Amadou', 'Moussa',
  'Fatima', 'Aisha', 'Elena', 'Olga', 'Maria', 'Ana', 'Mei', 'Ji', 'Grace', 'Nadia',
];

const SURNAMES = [
  'Haddad', 'Nasser', 'Karimi', 'Rahimi', 'Hosseini', 'Siddiqui', 'Qureshi', 'Mansour', 'Saleh', 'Jaber',
  'Ivanov', 'Petrov', 'Smirnov', 'Kuznetsov', 'Popov', 'Sokolov', 'Lebedev', 'Kozlov', 'Novikov', 'Morozov',
  'Garcia', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Perez', 'Sanchez', 'Ramirez', 'Torres',
  'Wang', 'Li', 'Zhang', 'Liu', 'Chen', 'Kim', 'Park', 'Choi', 'Jung', 'Kang',
  'Okafor', 'Adeyemi', 'Mensah', 'Diallo', 'Traore', 'Smith', 'Brown', 'Taylor', 'Wilson', 'Evans',
];

const ONSETS = ['b', 'd', 'f', 'g', 'h', 'k', 'l', 'm', 'n', 'p', 'r', 's', 't', 'v', 'z', 'sh', 'kh', 'ch', 'tr', 'br'];
const VOWELS = ['a', 'e', 'i', 'o', 'u', 'ai', 'ou', 'ia'];
const CODAS = ['', '', 'n', 'r', 'l', 'm', 's', 'v', 'k', 'd'];

function pick<T>(random: () => number, items: readonly T[]): T {
  return items[Math.floor(random() * items.length)] as T;
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** An invented word of two or three syllables, so the vocabulary is large like the real list's. */
function inventedWord(random: () => number): string {
  const syllables = 2 + Math.floor(random() * 2);
  let word = '';
  for (let i = 0; i < syllables; i++) word += pick(random, ONSETS) + pick(random, VOWELS) + pick(random, CODAS);
  return capitalise(word);
}

/** A name in OFAC's `SURNAME, Given Middle` form. */
function listedName(random: () => number): string {
  const surname = random() < 0.5 ? pick(random, SURNAMES) : inventedWord(random);
  const givenCount = 1 + Math.floor(random() * 3);
  const given = Array.from({ length: givenCount }, () => (random() < 0.6 ? pick(random, GIVEN) : inventedWord(random)));
  return `${surname.toUpperCase()}, ${given.join(' ')}`;
}

function readingOrder(name: string): string {
  const [surname = '', given = ''] = name.split(', ');
  return `${given} ${surname}`;
}

/**
 * `count` invented individuals, about half with an alias, some of them weak,
 * with uids from 500000 up so they never collide with the sample list's.
 * Common names are frequent, as on the real list, which is what makes
 * blocking hard.
 */
export function syntheticEntries(count: number, seed: number): SanctionsEntry[] {
  const random = seededRandom(seed);
  return Array.from({ length: count }, (_, i) => {
    const listed = listedName(random);
    const aliases = random() < 0.5 ? [{ name: readingOrder(listedName(random)), weak: random() < 0.1 }] : [];
    const year = 1940 + Math.floor(random() * 50);
    return {
      uid: String(500000 + i),
      type: 'INDIVIDUAL' as const,
      name: readingOrder(listed),
      listedName: listed,
      aliases,
      datesOfBirth: [{ from: `${year}-01-01`, to: `${year}-12-31` }],
      countries: [],
      programs: ['SYNTHETIC'],
    };
  });
}

/** A spelling mistake in one word: a letter changed, dropped, doubled or swapped with the next. */
export function misspell(word: string, random: () => number): string {
  if (word.length < 4) return word;
  const at = 1 + Math.floor(random() * (word.length - 2));
  switch (Math.floor(random() * 4)) {
    case 0:
      return word.slice(0, at) + pick(random, ['a', 'e', 'i', 'o', 'u', 'y']) + word.slice(at + 1);
    case 1:
      return word.slice(0, at) + word.slice(at + 1);
    case 2:
      return word.slice(0, at) + word.charAt(at) + word.slice(at);
    default:
      return word.slice(0, at) + word.charAt(at + 1) + word.charAt(at) + word.slice(at + 2);
  }
}

/** How a customer might give a listed name: misspelt, reordered, without a middle name, or all of these. */
export function customerVariant(name: string, random: () => number): string {
  let words = name.split(/\s+/);
  if (words.length > 2 && random() < 0.5) words.splice(1, 1);
  words = words.map((word) => (random() < 0.4 ? misspell(word, random) : word));
  if (random() < 0.5) words.reverse();
  return words.join(' ');
}
