import anyAscii from 'any-ascii';
import countries from 'i18n-iso-countries';
import en from 'i18n-iso-countries/langs/en.json';

countries.registerLocale(en);

/**
 * OFAC spellings that the English country names of i18n-iso-countries do not
 * carry. Keys are in the folded form `foldCountryName` produces.
 */
const OFAC_ALIASES: Readonly<Record<string, string>> = {
  'korea, north': 'KP',
  'korea, south': 'KR',
  burma: 'MM',
  syria: 'SY',
  laos: 'LA',
  moldova: 'MD',
  macau: 'MO',
  brunei: 'BN',
  'cabo verde': 'CV',
  'bahamas, the': 'BS',
  'gambia, the': 'GM',
  'congo, democratic republic of the': 'CD',
  'congo, republic of the': 'CG',
  turkiye: 'TR',
  'west bank': 'PS',
  gaza: 'PS',
  palestinian: 'PS',
  'holy see': 'VA',
  'vatican city': 'VA',
  swaziland: 'SZ',
  'timor-leste': 'TL',
};

/** Lower-case ASCII with single spaces and no trailing full stop, so spellings compare equal. */
function foldCountryName(name: string): string {
  return anyAscii(name).toLowerCase().replace(/\s+/g, ' ').trim().replace(/\.$/, '');
}

/** Every English name the library knows, folded, mapped to its alpha-2 code, plus the OFAC aliases. */
function buildLookup(): Map<string, string> {
  const lookup = new Map<string, string>();
  const names = countries.getNames('en', { select: 'all' });
  for (const [code, spellings] of Object.entries(names)) {
    for (const spelling of spellings) lookup.set(foldCountryName(spelling), code);
  }
  for (const [spelling, code] of Object.entries(OFAC_ALIASES)) lookup.set(spelling, code);
  return lookup;
}

const LOOKUP = buildLookup();

/** The ISO 3166-1 alpha-2 code of a country name as OFAC writes it, or undefined when it is not a known country. */
export function countryCode(name: string): string | undefined {
  return LOOKUP.get(foldCountryName(name));
}

/**
 * The country at the end of a place such as `Moscow, Russia` or
 * `Pyongyang, Korea, North`: the longest comma-separated tail that names a
 * country wins, so a country whose OFAC name contains a comma is still found.
 */
export function countryOfPlace(place: string): string | undefined {
  const parts = place.split(',');
  for (let start = 0; start < parts.length; start++) {
    const code = countryCode(parts.slice(start).join(','));
    if (code) return code;
  }
  return undefined;
}
