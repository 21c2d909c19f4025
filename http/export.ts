/**
 * The export link (issue 5): `GET /dsr/export/:token` answers the subject's export as a JSON download, once. The
 * token is 256 random bits; only its hash is stored, with the subject's customer number sealed under the subject's
 * key; the document itself is built on demand and never stored. Expired, used, unknown, erased or relinked: the
 * same plain 404 (AZ-2). Never cached, never framed, no referrer.
 */
import type restify from 'restify';
import type { Logger } from '../guards/log/logger.js';
import { errorFields } from '../guards/log/logger.js';
import type { DsrService } from '../guards/dsr/service.js';
import { refuse } from './body.js';
import { ridField } from './requestContext.js';

export const EXPORT_ROUTE = '/dsr/export/:token';

export function mountExport(server: restify.Server, d: { dsr: DsrService; log: Logger }): void {
  server.get(EXPORT_ROUTE, async (req, res) => {
    const token = String((req.params as { token?: unknown } | undefined)?.token ?? '');
    try {
      const r = await d.dsr.redeemExportLink(token);
      if (!r) {
        refuse(res, 404, 'not_found');
        return;
      }
      const body = Buffer.from(`${JSON.stringify(r.document, null, 2)}\n`, 'utf8');
      res.writeHead(200, {
        'Content-Type': 'application/json; charset=utf-8',
        'Content-Length': String(body.length),
        'Content-Disposition': `attachment; filename="trustline-export-${r.receipt}.json"`,
        'Cache-Control': 'no-store',
        Pragma: 'no-cache',
        'Content-Security-Policy': "default-src 'none'; frame-ancestors 'none'",
      });
      res.end(body);
      d.log.info({ ...ridField(req) }, 'guards.dsr.export_delivered');
    } catch (err) {
      d.log.error({ ...ridField(req), err: errorFields(err) }, 'guards.dsr.export_failed');
      refuse(res, 404, 'not_found');
    }
  });
  for (const verb of ['post', 'put', 'del', 'patch'] as const) server[verb](EXPORT_ROUTE, async (_req, res) => refuse(res, 405, 'method_not_allowed'));
}
