import type { TriageRequest, VexExportQuery, VexImported } from '@drydock/contract';
import { TriageRequestSchema, VexJustificationSchema } from '@drydock/contract';
import { Prisma, type PrismaClient } from '@drydock/db';
import {
  conflicts,
  covers,
  ociPurl,
  productsOf,
  readVex,
  SbomError,
  toCycloneDxVex,
  toOpenVex,
  type VexDecision,
  type VexStatement,
} from '@drydock/sbom';
import type { Visibility } from '../../auth/permissions.ts';
import { visibleSql } from '../../auth/visibility.ts';
import { UnprocessableError } from '../../lib/errors.ts';
import { imageJoins } from '../findings/findings-sql.ts';
import type { TriageService } from '../findings/triage-service.ts';

const sql = Prisma.sql;

/**
 * VEX in and out. Out: the triage decisions (not affected with its justification, false positive,
 * accepted risk, ignored, handled) as OpenVEX or CycloneDX VEX, each statement signed off with who
 * decided, when and why. In: OpenVEX, CycloneDX VEX and CSAF VEX statements become triage
 * decisions with the document as their source.
 */
export function createVexService(db: PrismaClient, triage: TriageService) {
  return {
    async decisions(q: VexExportQuery, visible: Visibility): Promise<VexDecision[]> {
      const rows = await db.$queryRaw<
        {
          vulnerability_id: string;
          aliases: string[];
          image_id: string;
          name: string;
          digest: string;
          purl: string;
          path: string;
          package_name: string;
          installed_version: string;
          status: string;
          decision: string | null;
          justification: string | null;
          expires: Date | null;
          actor: string | null;
          at: Date | null;
          reason: string | null;
        }[]
      >`
        SELECT f.vulnerability_id, v.aliases, i.id AS image_id, i.name, i.digest, f.purl, f.path,
               f.package_name, f.installed_version, f.status::text AS status,
               f.triage_decision AS decision, f.triage_justification AS justification,
               f.ignore_expires_at AS expires, e.actor, e.at, e.reason
        FROM finding f JOIN vulnerability v ON v.id = f.vulnerability_id ${imageJoins('f')}
        LEFT JOIN LATERAL (SELECT actor, at, reason FROM triage_event te
          WHERE te.finding_id = f.id ORDER BY te.at DESC, te.id DESC LIMIT 1) e ON TRUE
        WHERE f.status IN ('ignored', 'handled')
          ${q.imageId ? sql`AND i.id = ${q.imageId}::uuid` : Prisma.empty}
          ${visible ? sql`AND ${visibleSql(visible) as Prisma.Sql}` : Prisma.empty}
        ORDER BY f.vulnerability_id, i.digest, f.purl`;
      const out = new Map<string, VexDecision>();
      for (const r of rows) {
        const decision = r.status === 'handled' ? 'handled' : (r.decision ?? 'ignored');
        const key = `${r.vulnerability_id}|${r.image_id}|${decision}|${r.justification ?? ''}`;
        let d = out.get(key);
        if (!d) {
          d = {
            vulnerability: r.vulnerability_id,
            aliases: r.aliases,
            image: { name: r.name, digest: r.digest, purl: ociPurl(r.name || 'image', r.digest) },
            packages: [],
            decision,
            justification: r.justification,
            reason: r.reason,
            decidedBy: r.actor ?? 'unknown',
            decidedAt: r.at ?? new Date(0),
            expiresAt: r.expires,
          };
          out.set(key, d);
        }
        d.packages.push({
          purl: r.purl,
          path: r.path,
          name: r.package_name,
          version: r.installed_version,
        });
      }
      return [...out.values()];
    },

    async exportVex(q: VexExportQuery, visible: Visibility, author: string) {
      const decisions = await this.decisions(q, visible);
      return q.format === 'openvex'
        ? {
            body: `${JSON.stringify(toOpenVex(decisions, author), null, 2)}\n`,
            contentType: 'application/json',
            filename: 'drydock-vex.openvex.json',
          }
        : {
            body: toCycloneDxVex(decisions),
            contentType: 'application/vnd.cyclonedx+json; version=1.6',
            filename: 'drydock-vex.cdx-vex.json',
          };
    },

    async importVex(text: string, actor: string, visible: Visibility): Promise<VexImported> {
      let doc: ReturnType<typeof readVex>;
      try {
        doc = readVex(text);
      } catch (error) {
        if (error instanceof SbomError) throw new UnprocessableError('invalid_vex', error.message);
        throw error;
      }
      const clashes = conflicts(doc.statements);
      const clashing = new Set(clashes.flat());
      const source = `VEX ${doc.format}${doc.id ? ` ${doc.id}` : ''}${doc.author ? ` by ${doc.author}` : ''}`;
      const result: VexImported = {
        format: doc.format,
        documentId: doc.id ?? null,
        author: doc.author ?? null,
        statements: doc.statements.length,
        applied: 0,
        findingsChanged: 0,
        recorded: 0,
        unmatched: [],
        conflicts: clashes.map((g) => ({
          vulnerability: g[0]?.vulnerability ?? '',
          product: g[0]?.products[0]?.id ?? '',
          statuses: [...new Set(g.map((s) => s.status))],
          where: g.map((s) => s.where),
        })),
      };
      const limit = visibleSql(visible) ?? sql`TRUE`;
      for (const s of doc.statements) {
        if (clashing.has(s)) continue;
        const ids = [s.vulnerability, ...s.aliases];
        const vulns = await db.$queryRaw<{ id: string }[]>`
          SELECT id FROM vulnerability WHERE id = ANY(${ids}::text[]) OR aliases && ${ids}::text[]`;
        if (vulns.length === 0) {
          result.unmatched.push({
            where: s.where,
            vulnerability: s.vulnerability,
            reason: 'no finding of this vulnerability',
          });
          continue;
        }
        // The images (and findings) the statement is about, within the caller's scope.
        const targets = await this.findingsOf(
          s,
          vulns.map((v) => v.id),
          limit,
        );
        if (targets.length === 0) {
          result.unmatched.push({
            where: s.where,
            vulnerability: s.vulnerability,
            reason: 'no image of the products in scope has it',
          });
          continue;
        }
        const reason =
          `${source}: ${s.status}${s.impact ? ` — ${s.impact}` : ''}${s.action ? ` — ${s.action}` : ''}`.slice(
            0,
            2000,
          );
        const own = s.drydock;
        if (own && ['accepted_risk', 'ignored', 'false_positive'].includes(own.decision)) {
          // Drydock's own decision, read back as it was made.
          let changed = 0;
          for (const { vulnerabilityId, imageId } of targets) {
            const request = TriageRequestSchema.safeParse({
              action: 'ignore',
              reason,
              decision: own.decision,
              ...(own.expiresAt ? { expiresAt: own.expiresAt } : {}),
              scope: { type: 'image', id: imageId },
            });
            if (!request.success) {
              result.unmatched.push({
                where: s.where,
                vulnerability: s.vulnerability,
                reason: request.error.issues[0]?.message ?? 'not a valid decision',
              });
              break;
            }
            changed += (
              await triage.apply('vulnerability', vulnerabilityId, request.data, actor, visible)
            ).changed;
          }
          result.applied++;
          result.findingsChanged += changed;
        } else if (s.status === 'not_affected' || s.status === 'fixed') {
          const justification = VexJustificationSchema.safeParse(s.justification);
          let changed = 0;
          for (const { vulnerabilityId, imageId } of targets) {
            const scope = { type: 'image' as const, id: imageId };
            const request: TriageRequest =
              s.status === 'fixed'
                ? { action: 'handle', reason, scope }
                : justification.success
                  ? {
                      action: 'ignore',
                      reason,
                      decision: 'not_affected',
                      justification: justification.data,
                      scope,
                    }
                  : { action: 'ignore', reason: `${reason} (no justification given)`, scope };
            changed += (
              await triage.apply('vulnerability', vulnerabilityId, request, actor, visible)
            ).changed;
          }
          result.applied++;
          result.findingsChanged += changed;
        } else {
          // affected: stays as it is (open); under_investigation: marked in the history.
          await db.$executeRaw`
            INSERT INTO triage_event (kind, target_id, finding_id, image_id, action, old_status, new_status, reason, scope, actor, at)
            SELECT 'vulnerability', f.vulnerability_id, f.id, f.image_id, ${`vex_${s.status}`}, f.status::text, f.status::text,
                   ${reason}, 'image:' || f.image_id::text, ${actor}, now()
            FROM finding f WHERE (f.vulnerability_id, f.image_id) IN (
              SELECT x.v, x.i::uuid FROM unnest(${targets.map((t) => t.vulnerabilityId)}::text[], ${targets.map((t) => t.imageId)}::text[]) AS x(v, i))`;
          result.recorded++;
        }
      }
      return result;
    },

    /** (vulnerability, image) pairs a statement covers: its products are images or packages. */
    async findingsOf(s: VexStatement, vulnerabilityIds: string[], limit: Prisma.Sql) {
      // Narrowed in SQL to the images (and, for package products, the vulnerabilities) named;
      // `covers` decides for each finding, as the CLI's --vex does.
      const named = productsOf(s);
      const rows = await db.$queryRaw<
        { vulnerability_id: string; image_id: string; purl: string; digest: string; name: string }[]
      >`
        SELECT DISTINCT f.vulnerability_id, f.image_id::text AS image_id, f.purl, i.digest, i.name
        FROM finding f ${imageJoins('f')}
        WHERE f.vulnerability_id = ANY(${vulnerabilityIds}::text[]) AND ${limit}
          AND (i.digest = ANY(${named.digests}::text[]) OR i.name = ANY(${named.names}::text[])
               OR ${named.packages})`;
      const matches = rows.filter((r) =>
        covers(s, { digests: [r.digest], names: [r.name] }, r.purl),
      );
      return [
        ...new Map(
          matches.map((r) => [
            `${r.vulnerability_id}|${r.image_id}`,
            { vulnerabilityId: r.vulnerability_id, imageId: r.image_id },
          ]),
        ).values(),
      ];
    },
  };
}
export type VexService = ReturnType<typeof createVexService>;
