// Renders media/icon.svg to media/icon.png (256×256), the Marketplace icon (vsce takes PNG only),
// with the Chromium the end-to-end tests use. Run it after changing the SVG; the PNG is committed.
import { readFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { launchBrowser } from '../../test/integration/codeServerHost';

async function main(): Promise<void> {
  const root = resolve(__dirname, '..', '..');
  const svg = await readFile(join(root, 'media', 'icon.svg'), 'utf8');
  const browser = await launchBrowser();
  try {
    const page = await browser.newPage({ viewport: { width: 256, height: 256 } });
    await page.setContent(`<html><body style="margin:0;background:transparent">${svg}</body></html>`);
    await page.locator('svg').screenshot({ path: join(root, 'media', 'icon.png'), omitBackground: true });
  } finally {
    await browser.close();
  }
}

void main();
