// Amounts are platform-wide: payments and insights parse and format them the same way.
export { formatDecimal, MAX_MINOR_UNITS, parseDecimal, parsePositiveAmount, type Money } from '@meridian/platform';
