// The stack a dashboard suite runs in Chromium against: the production build of the app, every
// server in-process with only the dashboard's trusted documents running (as in production), the
// web BFF listening on a local port, and Debian's chromium.
import { ensureWebAppBuilt } from '@meridian/web/build';
import type { Browser } from 'playwright-core';
import { startStack, type Stack } from './stack';
import { launchChromium, listenWeb } from './web-browser';

export interface WebStack {
  stack: Stack;
  /** The web BFF's base URL. */
  base: string;
  browser: Browser;
}

/** Starts it all; `env` adds to the stack's settings. Close the browser, then the stack, after the suite. */
export async function startWebStack(env: Record<string, string> = {}): Promise<WebStack> {
  await ensureWebAppBuilt();
  const stack = await startStack({ WEB_TRUSTED_DOCUMENTS: 'required', ...env });
  const base = await listenWeb(stack.web);
  const browser = await launchChromium();
  return { stack, base, browser };
}
