import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The system package's headless Chromium (Debian: `apt-get install chromium-headless-shell`). */
export const chromiumBinary = process.env.CHROMIUM_BIN ?? '/usr/bin/chromium-headless-shell';

export interface BrowserPage {
  /** Evaluates an expression in the page and returns its JSON value. */
  evaluate<T>(expression: string): Promise<T>;
  /** Every URL the page asked for (the Network domain's requests). */
  requests: string[];
  close(): Promise<void>;
}

/**
 * Opens `url` in a real headless Chromium through the DevTools protocol, with name resolution off so
 * that a page reaching for the network would show up as a failed request.
 */
export async function openInChromium(url: string): Promise<BrowserPage> {
  const profile = mkdtempSync(join(tmpdir(), 'review-chromium-'));
  const browser = spawn(
    chromiumBinary,
    [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--remote-debugging-port=0',
      `--user-data-dir=${profile}`,
      '--host-resolver-rules=MAP * ~NOTFOUND',
      'about:blank',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const close = async () => {
    browser.kill('SIGTERM');
    await new Promise((resolve) => browser.once('exit', resolve));
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const port = await devToolsPort(browser);
    const targets = (await (await fetch(`http://127.0.0.1:${port}/json/list`)).json()) as {
      type: string;
      webSocketDebuggerUrl: string;
    }[];
    const page = targets.find((t) => t.type === 'page');
    if (!page) throw new Error('headless Chromium opened no page');
    const socket = new WebSocket(page.webSocketDebuggerUrl);
    await new Promise((resolve, reject) => {
      socket.onopen = resolve;
      socket.onerror = reject;
    });
    let id = 0;
    const pending = new Map<number, (message: { result?: unknown; error?: unknown }) => void>();
    const requests: string[] = [];
    let loaded: () => void = () => {};
    const load = new Promise<void>((resolve) => {
      loaded = resolve;
    });
    socket.onmessage = (event) => {
      const message = JSON.parse(String(event.data));
      if (message.id !== undefined) pending.get(message.id)?.(message);
      if (message.method === 'Network.requestWillBeSent') requests.push(message.params.request.url);
      if (message.method === 'Page.loadEventFired') loaded();
    };
    const send = (method: string, params: object = {}) =>
      new Promise<{ result?: unknown; error?: unknown }>((resolve) => {
        pending.set(++id, resolve);
        socket.send(JSON.stringify({ id, method, params }));
      });
    await send('Network.enable');
    await send('Page.enable');
    await send('Page.navigate', { url });
    await load;
    return {
      requests,
      async evaluate<T>(expression: string) {
        const answer = (await send('Runtime.evaluate', { expression, returnByValue: true })) as {
          result?: { result?: { value?: T }; exceptionDetails?: { text: string } };
        };
        if (answer.result?.exceptionDetails) throw new Error(answer.result.exceptionDetails.text);
        return answer.result?.result?.value as T;
      },
      async close() {
        socket.close();
        await close();
      },
    };
  } catch (error) {
    await close();
    throw error;
  }
}

function devToolsPort(browser: ChildProcess): Promise<number> {
  return new Promise((resolve, reject) => {
    let text = '';
    const timer = setTimeout(() => reject(new Error(`headless Chromium did not start: ${text}`)), 30_000);
    browser.once('error', (error) => {
      clearTimeout(timer);
      reject(
        new Error(`cannot run ${chromiumBinary} (apt-get install chromium-headless-shell): ${error.message}`),
      );
    });
    browser.stderr?.on('data', (chunk) => {
      text += String(chunk);
      const match = /DevTools listening on ws:\/\/[^:]+:(\d+)\//.exec(text);
      if (match) {
        clearTimeout(timer);
        resolve(Number(match[1]));
      }
    });
  });
}
