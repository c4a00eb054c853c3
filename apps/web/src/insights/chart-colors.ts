/**
 * The colours of the spending chart's slices, in order, as Mantine colour
 * names (the chart takes these); dark shades, so each stands out on white
 * and beside its neighbours. The table shows the same colour by each row.
 */
export const SLICE_COLORS = ['blue.8', 'teal.8', 'grape.7', 'orange.8', 'cyan.8', 'pink.7', 'lime.9', 'indigo.6', 'red.8', 'yellow.9', 'violet.8', 'green.9', 'gray.7'] as const;

/** The colour of the `index`-th slice. */
export function sliceColor(index: number): (typeof SLICE_COLORS)[number] {
  return SLICE_COLORS[index % SLICE_COLORS.length];
}

/** A Mantine colour name as a CSS value: `blue.8` → `var(--mantine-color-blue-8)`. */
export function cssColor(name: string): string {
  return `var(--mantine-color-${name.replace('.', '-')})`;
}
