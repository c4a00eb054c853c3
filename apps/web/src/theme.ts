import { createTheme, Notification, type CSSVariablesResolver } from '@mantine/core';

/**
 * Meridian's look. The darker primary shade, dimmed and error text and the
 * text of "light" variants (buttons, badges, alerts, the active navigation
 * entry) keep text at WCAG AA contrast (4.5:1), which Mantine's defaults do not.
 */
export const theme = createTheme({
  primaryColor: 'blue',
  primaryShade: { light: 8, dark: 6 },
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif',
  headings: { fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif' },
  defaultRadius: 'md',
  // Dialogs, menus and the navigation appear without motion for people who ask their system for less.
  respectReducedMotion: true,
  components: {
    // A notification's text under its title is gray-6 by default (3.3:1 on white): the dimmed colour passes; its close button gets a name.
    Notification: Notification.extend({
      defaultProps: { closeButtonProps: { 'aria-label': 'Close' } },
      styles: { description: { color: 'var(--mantine-color-dimmed)' } },
    }),
  },
});

/** Money coming in: green dark enough for small text on white (6.5:1). */
export const CREDIT_COLOR = 'var(--meridian-color-credit)';

export const cssVariablesResolver: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-placeholder': 'var(--mantine-color-gray-6)',
    '--mantine-color-error': 'var(--mantine-color-red-9)',
    '--mantine-color-blue-light-color': 'var(--mantine-color-blue-9)',
    '--mantine-color-red-light-color': 'var(--mantine-color-red-9)',
    '--mantine-color-gray-light-color': 'var(--mantine-color-gray-9)',
    '--mantine-color-green-light-color': '#1e6b34',
    '--mantine-color-yellow-light-color': '#7a4a00',
    '--mantine-color-orange-light-color': '#8f3a0a',
    '--meridian-color-credit': '#1e6b34',
  },
  dark: {
    '--meridian-color-credit': 'var(--mantine-color-green-4)',
  },
});
