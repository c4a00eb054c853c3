// Currencies are platform-wide: payments and insights hold the same ones.
export { CURRENCIES, currencyCode, isCurrencyCode, type CurrencyCode } from '@meridian/platform';
