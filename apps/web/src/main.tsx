import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { setNonce } from 'get-nonce';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createMeridianApi } from './api/meridian-api';
import { App, createMeridianApp } from './app';

/** The nonce the web BFF wrote into this page load (its CSP allows `<style>` elements that carry it); none under the dev server. */
function styleNonce(): string | undefined {
  const nonce = document.querySelector('meta[name="csp-nonce"]')?.getAttribute('content') ?? '';
  return nonce && nonce !== '__CSP_NONCE__' ? nonce : undefined;
}

const nonce = styleNonce();
// Dialogs lock the page's scrolling with a <style> element of their own (react-remove-scroll); it carries the nonce too.
if (nonce) setNonce(nonce);
const app = createMeridianApp(createMeridianApi());
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App app={app} styleNonce={nonce} />
  </StrictMode>,
);
