import '@mantine/charts/styles.css';
import { DonutChart } from '@mantine/charts';
import { formatShare } from './insights-format';

/** One slice: a category's name, its share of the period's spending, and its colour (a Mantine colour name, as the table shows it). */
export interface SpendingSlice {
  name: string;
  shareBasisPoints: number;
  color: string;
}

/**
 * The spending donut, loaded with its chart library only when a spending
 * screen shows it. Slices are sized by share (basis points, whole numbers):
 * no amount of money passes through the chart. It is a picture of the table
 * beside it, so assistive technology is pointed at the table instead, and
 * nothing in it takes the keyboard's focus.
 */
export default function SpendingChart({ slices, total }: { slices: SpendingSlice[]; total: string }) {
  return (
    <DonutChart
      aria-hidden
      data={slices.map((slice) => ({ name: slice.name, value: slice.shareBasisPoints, color: slice.color }))}
      size={220}
      thickness={34}
      paddingAngle={1}
      chartLabel={total}
      tooltipDataSource="segment"
      valueFormatter={formatShare}
      pieChartProps={{ accessibilityLayer: false }}
      pieProps={{ rootTabIndex: -1, isAnimationActive: false }}
      mx="auto"
    />
  );
}
