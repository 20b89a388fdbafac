import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { RouteGroup } from '../route-group.js';

const here = dirname(fileURLToPath(import.meta.url));
/** web/ sits at the package root, beside src/ and dist/ (this file is three levels down in either). */
const WEB = join(here, '..', '..', '..', 'web', 'admin');
const require = createRequire(import.meta.url);

const FILES: Record<string, { path: () => string; type: string }> = {
  '/admin': { path: () => join(WEB, 'index.html'), type: 'text/html; charset=utf-8' },
  '/admin/app.js': { path: () => join(WEB, 'app.js'), type: 'text/javascript; charset=utf-8' },
  '/admin/charts.js': { path: () => join(WEB, 'charts.js'), type: 'text/javascript; charset=utf-8' },
  '/admin/api.js': { path: () => join(WEB, 'api.js'), type: 'text/javascript; charset=utf-8' },
  '/admin/monitors.js': { path: () => join(WEB, 'monitors.js'), type: 'text/javascript; charset=utf-8' },
  '/admin/style.css': { path: () => join(WEB, 'style.css'), type: 'text/css; charset=utf-8' },
  '/admin/vendor/uPlot.esm.js': {
    path: () => require.resolve('uplot/dist/uPlot.esm.js'),
    type: 'text/javascript; charset=utf-8',
  },
  '/admin/vendor/uPlot.min.css': {
    path: () => require.resolve('uplot/dist/uPlot.min.css'),
    type: 'text/css; charset=utf-8',
  },
};

/**
 * GET /admin and its assets: static files read once at start (no build step, nothing fetched from the network).
 * The page itself is public; every API call it makes needs an admin session. Served with the observability layer.
 */
export const adminDashboardRoutes: RouteGroup = async (app, { deps }) => {
  if (!deps.observability) return;
  const csp =
    "default-src 'self'; img-src 'self' data:; style-src 'self' 'unsafe-inline'; connect-src 'self'; frame-ancestors 'none'";
  for (const [url, file] of Object.entries(FILES)) {
    const body = await readFile(file.path());
    app.get(url, { schema: { hide: true } }, async (_request, reply) =>
      reply
        .header('content-type', file.type)
        .header('cache-control', 'no-cache')
        .header('content-security-policy', csp)
        .header('x-content-type-options', 'nosniff')
        .send(body),
    );
  }
  app.get('/admin/', { schema: { hide: true } }, async (_request, reply) => reply.redirect('/admin'));
};
