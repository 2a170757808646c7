// ISO 3166-1 alpha-2 codes with their international dialing codes. Names are not stored here:
// Intl.DisplayNames gives them in the person's language.

const DATA =
  'AD376 AE971 AF93 AG1268 AI1264 AL355 AM374 AO244 AR54 AS1684 AT43 AU61 AW297 AX358 AZ994 ' +
  'BA387 BB1246 BD880 BE32 BF226 BG359 BH973 BI257 BJ229 BL590 BM1441 BN673 BO591 BQ599 BR55 BS1242 BT975 BW267 BY375 BZ501 ' +
  'CA1 CC61 CD243 CF236 CG242 CH41 CI225 CK682 CL56 CM237 CN86 CO57 CR506 CU53 CV238 CW599 CX61 CY357 CZ420 ' +
  'DE49 DJ253 DK45 DM1767 DO1809 DZ213 EC593 EE372 EG20 EH212 ER291 ES34 ET251 FI358 FJ679 FK500 FM691 FO298 FR33 ' +
  'GA241 GB44 GD1473 GE995 GF594 GG44 GH233 GI350 GL299 GM220 GN224 GP590 GQ240 GR30 GT502 GU1671 GW245 GY592 ' +
  'HK852 HN504 HR385 HT509 HU36 ID62 IE353 IL972 IM44 IN91 IO246 IQ964 IR98 IS354 IT39 JE44 JM1876 JO962 JP81 ' +
  'KE254 KG996 KH855 KI686 KM269 KN1869 KP850 KR82 KW965 KY1345 KZ7 LA856 LB961 LC1758 LI423 LK94 LR231 LS266 LT370 LU352 LV371 LY218 ' +
  'MA212 MC377 MD373 ME382 MF590 MG261 MH692 MK389 ML223 MM95 MN976 MO853 MP1670 MQ596 MR222 MS1664 MT356 MU230 MV960 MW265 MX52 MY60 MZ258 ' +
  'NA264 NC687 NE227 NF672 NG234 NI505 NL31 NO47 NP977 NR674 NU683 NZ64 OM968 PA507 PE51 PF689 PG675 PH63 PK92 PL48 PM508 PR1787 PS970 PT351 PW680 PY595 ' +
  'QA974 RE262 RO40 RS381 RU7 RW250 SA966 SB677 SC248 SD249 SE46 SG65 SH290 SI386 SJ47 SK421 SL232 SM378 SN221 SO252 SR597 SS211 ST239 SV503 SX1721 SY963 SZ268 ' +
  'TC1649 TD235 TG228 TH66 TJ992 TK690 TL670 TM993 TN216 TO676 TR90 TT1868 TV688 TW886 TZ255 UA380 UG256 US1 UY598 UZ998 ' +
  'VA39 VC1784 VE58 VG1284 VI1340 VN84 VU678 WF681 WS685 XK383 YE967 YT262 ZA27 ZM260 ZW263';

export interface Country {
  code: string;
  dial: string;
}

export const COUNTRIES: readonly Country[] = DATA.split(' ').map((entry) => ({
  code: entry.slice(0, 2),
  dial: entry.slice(2),
}));

const namesCache = new Map<string, Intl.DisplayNames | null>();

/** The country's name in `lang` (falls back to the code). */
export function countryName(code: string, lang: string): string {
  let names = namesCache.get(lang);
  if (names === undefined) {
    try {
      names = new Intl.DisplayNames([lang === 'id' ? 'id' : 'en'], { type: 'region' });
    } catch {
      names = null;
    }
    namesCache.set(lang, names);
  }
  try {
    return names?.of(code) ?? code;
  } catch {
    return code;
  }
}

/** Countries sorted by name in `lang`, with `first` (e.g. Indonesia) on top. */
export function sortedCountries(lang: string, first: readonly string[] = ['ID']): { code: string; dial: string; name: string }[] {
  const collator = new Intl.Collator(lang === 'id' ? 'id' : 'en');
  const all = COUNTRIES.map((c) => ({ ...c, name: countryName(c.code, lang) }));
  const top = first.map((code) => all.find((c) => c.code === code)).filter((c): c is NonNullable<typeof c> => !!c);
  const rest = all.filter((c) => !first.includes(c.code)).sort((a, b) => collator.compare(a.name, b.name));
  return [...top, ...rest];
}

/** "+62" and "0812-3456-7890" → "+62 812 3456 7890" (a national trunk 0 is dropped). */
export function joinPhone(dial: string, local: string): string {
  const digits = local.replace(/[^\d]/g, '');
  const national = dial !== '39' ? digits.replace(/^0+/, '') : digits;
  return national ? `+${dial} ${national}` : '';
}

// Where several countries share a code, the one a number with that code most likely belongs to.
const PREFERRED = ['ID', 'US', 'GB', 'RU', 'AU', 'IT', 'FI', 'NO', 'MA', 'GP', 'CW', 'RE'];

/**
 * The other way round, for a stored number ("+6281234567890", as the API keeps it): the country
 * whose code is the longest prefix, and the national digits. Null when no code matches.
 */
export function splitPhone(phone: string): { code: string; dial: string; national: string } | null {
  const digits = phone.replace(/[^\d]/g, '');
  if (!phone.trim().startsWith('+') || !digits) return null;
  let best: Country | null = null;
  for (const c of COUNTRIES) {
    if (!digits.startsWith(c.dial)) continue;
    const longer = !best || c.dial.length > best.dial.length;
    const preferred = best && c.dial === best.dial && PREFERRED.includes(c.code) && !PREFERRED.includes(best.code);
    if (longer || preferred) best = c;
  }
  if (!best) return null;
  return { code: best.code, dial: best.dial, national: digits.slice(best.dial.length) };
}

// Indonesian area codes of two digits (Jakarta, Bandung, Semarang, Surabaya, Medan); the others have three.
const ID_SHORT_AREA_CODES = ['21', '22', '24', '31', '61'];

/** Digits in groups of the given sizes; what is left over forms a last group. */
function groupDigits(digits: string, sizes: readonly number[]): string[] {
  const groups: string[] = [];
  let at = 0;
  for (const size of sizes) {
    if (at >= digits.length) break;
    groups.push(digits.slice(at, at + size));
    at += size;
  }
  if (at < digits.length) groups.push(digits.slice(at));
  return groups;
}

/** A subscriber number in readable groups: "5150 1234", "515 0123", "512 345". */
function groupSubscriber(digits: string): string[] {
  if (digits.length <= 5) return [digits];
  if (digits.length === 6) return groupDigits(digits, [3, 3]);
  if (digits.length <= 8) return groupDigits(digits, [digits.length - 4, 4]);
  if (digits.length === 9) return groupDigits(digits, [3, 3, 3]);
  if (digits.length === 10) return groupDigits(digits, [3, 3, 4]);
  return groupDigits(digits, [3, 4, 4]);
}

/** The national digits of `country` in groups, as people write them. */
function groupNational(country: string, national: string): string[] {
  if (country === 'ID') {
    // Mobile numbers: "812 3456 7890"; landlines: area code, then the subscriber number.
    if (national.startsWith('8')) return groupDigits(national, [3, 4, 4]);
    const area = ID_SHORT_AREA_CODES.some((code) => national.startsWith(code)) ? 2 : 3;
    if (national.length <= area + 4) return groupSubscriber(national);
    return [national.slice(0, area), ...groupSubscriber(national.slice(area))];
  }
  if (national.length === 10 && COUNTRIES.find((c) => c.code === country)?.dial.startsWith('1')) {
    return groupDigits(national, [3, 3, 4]);
  }
  return groupSubscriber(national);
}

/**
 * A stored number ("+622151501234") as people read it: "+62 21 5150 1234", "+62 812 3456 7890".
 * A number without a known country code is shown as it is.
 */
export function formatPhone(phone: string | null | undefined): string {
  if (!phone) return '';
  const parts = splitPhone(phone);
  if (!parts || !parts.national) return phone;
  return [`+${parts.dial}`, ...groupNational(parts.code, parts.national)].join(' ');
}
