import type { CSSProperties } from 'react';

/** A list of cards as a grid: as many 18rem columns as fit, one on a phone. */
export const CARD_GRID_STYLE: CSSProperties = {
  listStyle: 'none',
  display: 'grid',
  gap: 'var(--mantine-spacing-md)',
  gridTemplateColumns: 'repeat(auto-fill, minmax(min(100%, 18rem), 1fr))',
};
