import '@mantine/charts/styles.css';
import { BarChart } from '@mantine/charts';
import type { CurrencyCode } from '@meridian/client/web';
import { chartAmount, formatChartAmount, formatMonth, type MoneyValue } from './insights-format';

/** One month's money in and out. */
export interface CashFlowBar {
  month: string;
  income: MoneyValue;
  spending: MoneyValue;
}

/**
 * Money in and out per month as bars, loaded with its chart library only when
 * the cash-flow screen shows it. Bar heights are minor units; every figure the
 * chart writes (axis, tooltip) is formatted back from those whole numbers. The
 * table below it carries the same figures for assistive technology.
 */
export default function CashFlowChart({ months, currency }: { months: CashFlowBar[]; currency: CurrencyCode }) {
  return (
    <BarChart
      aria-hidden
      h={260}
      data={months.map((m) => ({ month: formatMonth(m.month), income: chartAmount(m.income), spending: chartAmount(m.spending) }))}
      dataKey="month"
      series={[
        { name: 'income', label: 'Money in', color: 'teal.8' },
        { name: 'spending', label: 'Money out', color: 'red.8' },
      ]}
      valueFormatter={(value) => formatChartAmount(value, currency)}
      withLegend
      yAxisProps={{ width: 90 }}
      barChartProps={{ accessibilityLayer: false }}
      barProps={{ isAnimationActive: false }}
    />
  );
}
