import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';

/** Debian's chromium package: the only browser these tests use (none is ever downloaded). */
export const CHROMIUM = '/usr/bin/chromium';

/**
 * Flags for a machine without a display or a network beyond localhost: without the background
 * networking ones, Chromium keeps dialling Google's hosts at every start.
 */
const CHROMIUM_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

export interface Browser {
  context: BrowserContext;
  close(): Promise<void>;
}

/** Headless Chromium on a fresh, empty profile that is deleted on close. */
export async function launchChromium(): Promise<Browser> {
  if (!existsSync(CHROMIUM)) {
    throw new Error(
      `The browser tests need Debian's Chromium at ${CHROMIUM}: apt-get install -y chromium ` +
        '(.ci/run installs it; never a downloaded browser).',
    );
  }
  const profile = mkdtempSync(join(tmpdir(), 'uo-chromium-'));
  // A persistent context is how Playwright takes a profile directory of our choosing.
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: CHROMIUM_FLAGS,
    viewport: { width: 1280, height: 1000 },
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

export interface Tokens {
  bearer: string;
  /** None for a person without an organization yet (bearer-only routes). */
  session?: string;
}

export type HttpMethod = 'get' | 'post' | 'patch' | 'delete';

/** What one execution showed in the page. */
export interface Execution {
  status: number;
  requestUrl: string;
  body: string;
}

/** The Swagger UI, driven the way a person uses it: buttons, drop-downs, text boxes. */
export class SwaggerUiPage {
  constructor(readonly page: Page) {}

  async open(url: string): Promise<void> {
    await this.page.goto(url);
    await this.page.locator('.opblock').first().waitFor();
  }

  /** Authorize: log out of whatever was authorized, paste the tokens, close the dialog. */
  async authorize(tokens: Tokens): Promise<void> {
    await this.page.locator('.auth-wrapper button.authorize').click();
    const dialog = this.page.locator('.modal-ux');
    const forms = [
      { name: 'bearer', value: tokens.bearer },
      { name: 'session-token', value: tokens.session },
    ];
    for (const { name, value } of forms) {
      const form = dialog.locator('.auth-container').filter({
        has: this.page.locator('h4 code', { hasText: new RegExp(`^${name}$`) }),
      });
      const logout = form.locator('button', { hasText: 'Logout' });
      if (await logout.isVisible()) await logout.click();
      if (value === undefined) continue;
      await form.locator('input').fill(value);
      await form.locator('button.authorize', { hasText: 'Authorize' }).click();
      await form.locator('button', { hasText: 'Logout' }).waitFor();
    }
    await dialog.locator('button.btn-done').first().click();
    await dialog.waitFor({ state: 'detached' });
  }

  /** The operation's block, found by method and documented path. */
  operation(method: HttpMethod, path: string): Locator {
    return this.page.locator(`.opblock.opblock-${method}`).filter({
      has: this.page.locator(`.opblock-summary-path[data-path="${path}"]`),
    });
  }

  /**
   * Opens the operation, clicks "Try it out", types `typed` into the named parameters and picks
   * the named request body example (the first one is pre-selected), clicks "Execute", and reads
   * what the page shows. Nothing else is touched: what the UI pre-fills is what gets sent.
   */
  async execute(
    operation: Locator,
    input: { typed?: Record<string, string>; example?: string },
  ): Promise<Execution> {
    if (!(await operation.evaluate((node) => node.classList.contains('is-open')))) {
      await operation.locator('.opblock-summary-control').click();
    }
    const tryOut = operation.locator('button.try-out__btn');
    if (!(await tryOut.evaluate((node) => node.classList.contains('cancel')))) {
      await tryOut.click();
    }
    for (const [name, value] of Object.entries(input.typed ?? {})) {
      await operation.locator(`tr[data-param-name="${name}"] input`).fill(value);
    }
    if (input.example !== undefined) {
      await operation
        .locator('.opblock-section-request-body .examples-select select')
        .selectOption({ label: input.example });
    }
    await operation.locator('button.execute').click();
    const status = operation.locator('.live-responses-table .response .response-col_status');
    await status.waitFor();
    const shown = await status.innerText();
    const body = operation.locator('.live-responses-table .response-col_description pre');
    return {
      status: Number.parseInt(shown, 10),
      requestUrl: await operation.locator('.request-url pre').innerText(),
      body: (await body.count()) > 0 ? await body.first().innerText() : '',
    };
  }

  /**
   * A picture of the operation from its title down to the response the server gave (status,
   * body, headers), leaving out the documented responses below it.
   */
  async screenshot(operation: Locator, path: string): Promise<void> {
    // Page coordinates (boundingBox() gives viewport ones, and the page has scrolled).
    const box = (locator: Locator) =>
      locator.evaluate((node) => {
        const rect = node.getBoundingClientRect();
        const { scrollX, scrollY } = node.ownerDocument.defaultView ?? { scrollX: 0, scrollY: 0 };
        return {
          x: rect.x + scrollX,
          y: rect.y + scrollY,
          width: rect.width,
          bottom: rect.bottom + scrollY,
        };
      });
    const top = await box(operation);
    const bottom = await box(operation.locator('.live-responses-table'));
    await this.page.screenshot({
      path,
      fullPage: true,
      clip: { x: top.x, y: top.y, width: top.width, height: bottom.bottom - top.y },
    });
  }

  /** Clears the response and folds the operation, as a person moving on would. */
  async close(operation: Locator): Promise<void> {
    const clear = operation.locator('button.btn-clear');
    if (await clear.isVisible()) await clear.click();
    await operation.locator('.opblock-summary-control').click();
  }
}
