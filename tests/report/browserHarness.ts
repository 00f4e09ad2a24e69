/**
 * Opens a report in Debian's Chromium (playwright-core, no browser download) and records everything
 * the page asks the network for and logs, so tests can assert a report is self-contained and clean.
 */
import { chromium, type Browser, type Page } from 'playwright-core';
import { pathToFileURL } from 'node:url';

export const CHROMIUM = '/usr/bin/chromium';
const FLAGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
  '--disable-component-update', '--disable-sync',
];

export interface OpenedPage {
  page: Page;
  requests: string[];
  consoleErrors: string[];
  /** alert/confirm/prompt messages: a report must never open one. */
  dialogs: string[];
}

export function launchChromium(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM, args: FLAGS });
}

export async function openReport(browser: Browser, file: string, viewport = { width: 1100, height: 900 }): Promise<OpenedPage> {
  const page = await browser.newPage({ viewport });
  const requests: string[] = [];
  const consoleErrors: string[] = [];
  const dialogs: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  page.on('dialog', (dialog) => {
    dialogs.push(dialog.message());
    void dialog.dismiss();
  });
  // Warnings too: a chart spec Vega-Lite has to correct says so with a warning.
  page.on('console', (message) => {
    if (message.type() === 'error' || message.type() === 'warning') consoleErrors.push(`${message.type()}: ${message.text()}`);
  });
  page.on('pageerror', (error) => consoleErrors.push(error.message));
  await page.goto(pathToFileURL(file).href, { waitUntil: 'load' });
  // vega-embed draws asynchronously: wait until every chart holder has its SVG (or an error message).
  await page.waitForFunction(() =>
    [...document.querySelectorAll('[data-chart]')].every((el) => el.querySelector('svg .role-legend, svg .mark-rect, svg .mark-line') || el.textContent),
  );
  return { page, requests, consoleErrors, dialogs };
}
