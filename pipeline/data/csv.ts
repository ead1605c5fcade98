/**
 * Writing CSV that is safe to open in a spreadsheet. A text field that starts with =, +, -, @, tab or CR
 * would be run as a formula by Excel or LibreOffice (OWASP "CSV injection"); it gets a leading apostrophe,
 * which spreadsheets show as text. Fields with commas, quotes or line breaks are quoted.
 */
const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function neutralizeFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

/** One text field, neutralized and quoted as needed. Numbers we format ourselves need neither. */
export function csvText(value: string): string {
  const safe = neutralizeFormula(value);
  return NEEDS_QUOTES.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(fields: readonly (string | number)[]): string {
  return fields.map((field) => (typeof field === 'number' ? String(field) : csvText(field))).join(',') + '\n';
}
