import { z } from 'zod';
import { checked, guardNesting, parseJson, SbomError } from './document.ts';
import { parsePurl } from './read.ts';

/**
 * A VEX statement, whatever document it came in: a vulnerability (and its aliases), the products
 * it is about (images by purl, digest or name) with their components (package purls) if named,
 * the status, and the why.
 */
export interface VexStatement {
  vulnerability: string;
  aliases: string[];
  products: { id: string; components: string[] }[];
  status: 'not_affected' | 'affected' | 'fixed' | 'under_investigation';
  justification?: string;
  impact?: string;
  action?: string;
  timestamp?: string;
  /** Where in the document: `statements[3]`. */
  where: string;
  /**
   * Drydock's own decision when the document is Drydock's (CycloneDX properties, or the wording
   * of its OpenVEX statements), so its VEX read back gives the same triage.
   */
  drydock?: { decision: string; expiresAt?: string };
}

/** Drydock's decision behind one of its own OpenVEX statements. */
function drydockDecision(s: {
  status: string;
  impact_statement?: string | undefined;
  action_statement?: string | undefined;
}) {
  if (s.status === 'not_affected' && s.impact_statement?.startsWith('False positive'))
    return { decision: 'false_positive' };
  if (s.status !== 'affected') return undefined;
  const risk = /^Risk accepted(?: until (\d{4}-\d{2}-\d{2}T[\d:.]+Z))?/.exec(
    s.action_statement ?? '',
  );
  if (risk) return { decision: 'accepted_risk', ...(risk[1] ? { expiresAt: risk[1] } : {}) };
  if (s.action_statement?.startsWith('Ignored')) return { decision: 'ignored' };
  return undefined;
}

export interface ReadVex {
  format: 'openvex' | 'cyclonedx' | 'csaf';
  /** The document's id and author, as it says. */
  id: string | undefined;
  author: string | undefined;
  statements: VexStatement[];
}

/** The OpenVEX justification for CycloneDX's impact analysis justifications. */
const FROM_CDX: Record<string, string> = {
  code_not_present: 'vulnerable_code_not_present',
  code_not_reachable: 'vulnerable_code_not_in_execute_path',
  requires_configuration: 'vulnerable_code_cannot_be_controlled_by_adversary',
  requires_dependency: 'component_not_present',
  requires_environment: 'vulnerable_code_cannot_be_controlled_by_adversary',
  protected_by_compiler: 'inline_mitigations_already_exist',
  protected_at_runtime: 'inline_mitigations_already_exist',
  protected_at_perimeter: 'inline_mitigations_already_exist',
  protected_by_mitigating_control: 'inline_mitigations_already_exist',
};

const OPENVEX_JUSTIFICATIONS = [
  'component_not_present',
  'vulnerable_code_not_present',
  'vulnerable_code_not_in_execute_path',
  'vulnerable_code_cannot_be_controlled_by_adversary',
  'inline_mitigations_already_exist',
] as const;

const Product = z.union([
  z.string(),
  z.object({
    '@id': z.string().optional(),
    identifiers: z.record(z.string(), z.string()).optional(),
    subcomponents: z
      .array(
        z.union([
          z.string(),
          z.object({
            '@id': z.string().optional(),
            identifiers: z.record(z.string(), z.string()).optional(),
          }),
        ]),
      )
      .optional(),
  }),
]);
const OpenVex = z.object({
  '@context': z.string().regex(/^https:\/\/openvex\.dev\/ns/),
  '@id': z.string().optional(),
  author: z.string().optional(),
  statements: z.array(
    z.object({
      vulnerability: z.union([
        z.string(),
        z.object({
          name: z.string().optional(),
          '@id': z.string().optional(),
          aliases: z.array(z.string()).optional(),
        }),
      ]),
      products: z.array(Product).optional(),
      status: z.enum(['not_affected', 'affected', 'fixed', 'under_investigation']),
      justification: z.enum(OPENVEX_JUSTIFICATIONS).optional(),
      impact_statement: z.string().optional(),
      action_statement: z.string().optional(),
      timestamp: z.string().optional(),
    }),
  ),
});

const idOf = (
  p: string | { '@id'?: string | undefined; identifiers?: Record<string, string> | undefined },
) => (typeof p === 'string' ? p : (p['@id'] ?? p.identifiers?.purl ?? p.identifiers?.cpe23 ?? ''));

function readOpenVex(data: unknown, text: string): ReadVex {
  const doc = checked(OpenVex, data, text);
  return {
    format: 'openvex',
    id: doc['@id'],
    author: doc.author,
    statements: doc.statements.map((s, i) => {
      const v = typeof s.vulnerability === 'string' ? { name: s.vulnerability } : s.vulnerability;
      return {
        vulnerability: v.name ?? v['@id'] ?? '',
        aliases: ('aliases' in v ? v.aliases : undefined) ?? [],
        products: (s.products ?? []).map((p) => ({
          id: idOf(p),
          components:
            typeof p === 'string' ? [] : (p.subcomponents ?? []).map(idOf).filter(Boolean),
        })),
        status: s.status,
        ...(s.justification ? { justification: s.justification } : {}),
        ...(s.impact_statement ? { impact: s.impact_statement } : {}),
        ...(s.action_statement ? { action: s.action_statement } : {}),
        ...(s.timestamp ? { timestamp: s.timestamp } : {}),
        where: `statements[${i}]`,
        ...(drydockDecision(s) ? { drydock: drydockDecision(s) } : {}),
      };
    }),
  };
}

const CdxVex = z.object({
  bomFormat: z.literal('CycloneDX'),
  serialNumber: z.string().optional(),
  metadata: z
    .object({
      component: z
        .object({
          'bom-ref': z.string().optional(),
          purl: z.string().optional(),
          version: z.string().optional(),
        })
        .optional(),
    })
    .optional(),
  components: z
    .array(
      z
        .object({
          'bom-ref': z.string().optional(),
          purl: z.string().optional(),
          version: z.string().optional(),
          type: z.string(),
        })
        .passthrough(),
    )
    .optional(),
  vulnerabilities: z.array(
    z.object({
      id: z.string(),
      references: z.array(z.object({ id: z.string() })).optional(),
      analysis: z
        .object({
          state: z
            .enum([
              'resolved',
              'resolved_with_pedigree',
              'exploitable',
              'in_triage',
              'false_positive',
              'not_affected',
            ])
            .optional(),
          justification: z.string().optional(),
          response: z.array(z.string()).optional(),
          detail: z.string().optional(),
          lastUpdated: z.string().optional(),
        })
        .optional(),
      affects: z.array(z.object({ ref: z.string() })).optional(),
      properties: z.array(z.object({ name: z.string(), value: z.string().optional() })).optional(),
    }),
  ),
});

function readCycloneDxVex(data: unknown, text: string): ReadVex {
  const doc = checked(CdxVex, data, text);
  const byRef = new Map<
    string,
    { purl?: string | undefined; type?: string; version?: string | undefined }
  >();
  for (const c of doc.components ?? []) if (c['bom-ref']) byRef.set(c['bom-ref'], c);
  const root = doc.metadata?.component;
  const statements: VexStatement[] = [];
  for (const [i, v] of doc.vulnerabilities.entries()) {
    const state = v.analysis?.state;
    if (!state) continue;
    const status =
      state === 'not_affected' || state === 'false_positive'
        ? 'not_affected'
        : state === 'resolved' || state === 'resolved_with_pedigree'
          ? 'fixed'
          : state === 'exploitable'
            ? 'affected'
            : 'under_investigation';
    const prop = (name: string) => v.properties?.find((p) => p.name === name)?.value;
    // The image: a Drydock property, else the BOM's own component, else each affected container.
    const image = prop('drydock:image');
    const ownJustification = prop('drydock:justification');
    const refs = (v.affects ?? []).map((a) => a.ref.replace(/^urn:cdx:[^#]*#/, ''));
    const containers = refs.filter((r) => byRef.get(r)?.type === 'container');
    const components = refs
      .filter((r) => byRef.get(r)?.type !== 'container')
      .map((r) => byRef.get(r)?.purl ?? r);
    const products = image
      ? [{ id: image, components }]
      : containers.length
        ? containers.map((r) => ({ id: byRef.get(r)?.purl ?? r, components }))
        : [{ id: root?.purl ?? root?.version ?? root?.['bom-ref'] ?? '', components }];
    statements.push({
      vulnerability: v.id,
      aliases: (v.references ?? []).map((r) => r.id),
      products,
      status,
      ...(ownJustification
        ? { justification: ownJustification }
        : state === 'false_positive'
          ? { justification: 'vulnerable_code_not_present' }
          : v.analysis?.justification && FROM_CDX[v.analysis.justification]
            ? { justification: FROM_CDX[v.analysis.justification] as string }
            : {}),
      ...(v.analysis?.detail ? { impact: v.analysis.detail } : {}),
      ...(v.analysis?.response?.length
        ? { action: `Response: ${v.analysis.response.join(', ')}` }
        : {}),
      ...(v.analysis?.lastUpdated ? { timestamp: v.analysis.lastUpdated } : {}),
      where: `vulnerabilities[${i}]`,
      ...(prop('drydock:decision')
        ? {
            drydock: {
              decision: prop('drydock:decision') as string,
              ...(prop('drydock:expiresAt')
                ? { expiresAt: prop('drydock:expiresAt') as string }
                : {}),
            },
          }
        : {}),
    });
  }
  return { format: 'cyclonedx', id: doc.serialNumber, author: undefined, statements };
}

// CSAF 2.0 with the VEX profile: products in a tree (purls in their identification helpers),
// statuses per vulnerability as lists of product ids, justifications as flags, impacts as threats.
type Branch = {
  branches?: Branch[] | undefined;
  product?:
    | {
        product_id: string;
        name?: string | undefined;
        product_identification_helper?:
          | { purl?: string | undefined; cpe?: string | undefined }
          | undefined;
      }
    | undefined;
};
const CsafBranch: z.ZodType<Branch> = z.lazy(() =>
  z.object({
    branches: z.array(CsafBranch).optional(),
    product: z
      .object({
        product_id: z.string(),
        name: z.string().optional(),
        product_identification_helper: z
          .object({ purl: z.string().optional(), cpe: z.string().optional() })
          .optional(),
      })
      .optional(),
  }),
);
const ProductIds = z.array(z.string()).optional();
const Csaf = z.object({
  document: z.object({
    category: z.string(),
    tracking: z.object({ id: z.string() }).optional(),
    publisher: z.object({ name: z.string() }).optional(),
  }),
  product_tree: z
    .object({
      branches: z.array(CsafBranch).optional(),
      full_product_names: z
        .array(
          z.object({
            product_id: z.string(),
            name: z.string().optional(),
            product_identification_helper: z.object({ purl: z.string().optional() }).optional(),
          }),
        )
        .optional(),
      relationships: z
        .array(
          z.object({
            product_reference: z.string(),
            relates_to_product_reference: z.string(),
            full_product_name: z.object({ product_id: z.string() }),
          }),
        )
        .optional(),
    })
    .optional(),
  vulnerabilities: z.array(
    z.object({
      cve: z.string().optional(),
      ids: z.array(z.object({ text: z.string() })).optional(),
      product_status: z
        .object({
          known_not_affected: ProductIds,
          fixed: ProductIds,
          known_affected: ProductIds,
          under_investigation: ProductIds,
        })
        .optional(),
      flags: z.array(z.object({ label: z.string(), product_ids: ProductIds })).optional(),
      threats: z
        .array(z.object({ category: z.string(), details: z.string(), product_ids: ProductIds }))
        .optional(),
      remediations: z
        .array(z.object({ category: z.string(), details: z.string(), product_ids: ProductIds }))
        .optional(),
    }),
  ),
});

function readCsaf(data: unknown, text: string): ReadVex {
  const doc = checked(Csaf, data, text);
  const identity = new Map<string, string>();
  const walk = (branches: Branch[] | undefined) => {
    for (const b of branches ?? []) {
      if (b.product) {
        identity.set(
          b.product.product_id,
          b.product.product_identification_helper?.purl ?? b.product.name ?? b.product.product_id,
        );
      }
      walk(b.branches);
    }
  };
  walk(doc.product_tree?.branches);
  for (const p of doc.product_tree?.full_product_names ?? []) {
    identity.set(p.product_id, p.product_identification_helper?.purl ?? p.name ?? p.product_id);
  }
  // "component X as part of product Y": the product is Y (an image), its component X.
  const parts = new Map<string, { product: string; component: string }>();
  for (const r of doc.product_tree?.relationships ?? []) {
    parts.set(r.full_product_name.product_id, {
      product: identity.get(r.relates_to_product_reference) ?? r.relates_to_product_reference,
      component: identity.get(r.product_reference) ?? r.product_reference,
    });
  }
  const productOf = (id: string) => {
    const part = parts.get(id);
    return part
      ? { id: part.product, components: [part.component] }
      : { id: identity.get(id) ?? id, components: [] };
  };
  const statements: VexStatement[] = [];
  for (const [i, v] of doc.vulnerabilities.entries()) {
    const vulnerability = v.cve ?? v.ids?.[0]?.text;
    if (!vulnerability) continue;
    const lists: [VexStatement['status'], string[] | undefined][] = [
      ['not_affected', v.product_status?.known_not_affected],
      ['fixed', v.product_status?.fixed],
      ['affected', v.product_status?.known_affected],
      ['under_investigation', v.product_status?.under_investigation],
    ];
    for (const [status, ids] of lists) {
      for (const id of ids ?? []) {
        const flag = v.flags?.find((f) => f.product_ids?.includes(id))?.label;
        const impact = v.threats?.find(
          (t) => t.category === 'impact' && t.product_ids?.includes(id),
        )?.details;
        const action = v.remediations?.find((r) => r.product_ids?.includes(id))?.details;
        statements.push({
          vulnerability,
          aliases: (v.ids ?? []).map((x) => x.text).filter((x) => x !== vulnerability),
          products: [productOf(id)],
          status,
          ...(flag && (OPENVEX_JUSTIFICATIONS as readonly string[]).includes(flag)
            ? { justification: flag }
            : {}),
          ...(impact ? { impact } : {}),
          ...(action ? { action } : {}),
          where: `vulnerabilities[${i}].product_status.${status === 'not_affected' ? 'known_not_affected' : status === 'affected' ? 'known_affected' : status}`,
        });
      }
    }
  }
  return {
    format: 'csaf',
    id: doc.document.tracking?.id,
    author: doc.document.publisher?.name,
    statements,
  };
}

/** The most statements one document may carry (each is applied with its own queries). */
export const MAX_VEX_STATEMENTS = 20_000;

/** Reads an OpenVEX, CycloneDX VEX or CSAF VEX JSON document into statements. */
export function readVex(text: string): ReadVex {
  const read = guardNesting((): ReadVex => {
    const data = parseJson(text);
    if (data && typeof data === 'object') {
      if ('@context' in data) return readOpenVex(data, text);
      if ('bomFormat' in data) return readCycloneDxVex(data, text);
      if ('document' in data && 'vulnerabilities' in data) return readCsaf(data, text);
    }
    throw new SbomError(
      'not a VEX document: neither OpenVEX (@context), CycloneDX (bomFormat) nor CSAF (document)',
    );
  });
  if (read.statements.length > MAX_VEX_STATEMENTS) {
    throw new SbomError(
      `the document has ${read.statements.length} statements; at most ${MAX_VEX_STATEMENTS} are read at once`,
    );
  }
  return read;
}

/**
 * Statements that disagree: the same vulnerability and product with different statuses in one
 * document. They are reported to the analyst and none of them is applied.
 */
export function conflicts(statements: VexStatement[]): VexStatement[][] {
  const groups = new Map<string, VexStatement[]>();
  for (const s of statements) {
    for (const p of s.products) {
      const key = `${s.vulnerability}\u0000${p.id}`;
      groups.set(key, [...(groups.get(key) ?? []), s]);
    }
  }
  return [...groups.values()].filter((g) => new Set(g.map((s) => s.status)).size > 1);
}

/** A package URL as `type/namespace/name@version`, lowercased (qualifiers and subpath left out). */
export function purlIdentity(purl: string): string {
  const p = parsePurl(purl);
  return p
    ? `${p.type}/${p.namespace ? `${p.namespace}/` : ''}${p.name}@${p.version ?? ''}`.toLowerCase()
    : purl;
}

/** An image as a VEX product may name it: its digests and its names (tags, `repo:tag`). */
export interface VexImage {
  digests: string[];
  names: string[];
}

/** The images a product names (digest, `pkg:oci` purl at a digest, a name); undefined: a package. */
function productImage(id: string): { digest?: string; name?: string } | undefined {
  const parsed = parsePurl(id);
  if (parsed?.type === 'oci') return parsed.version ? { digest: parsed.version } : undefined;
  if (/^sha256:[0-9a-f]{64}$/.test(id)) return { digest: id };
  return parsed ? undefined : { name: id };
}

/** What a statement's products name, for a database to narrow by before `covers`. */
export function productsOf(s: VexStatement): VexImage & { packages: boolean } {
  const out = { digests: [] as string[], names: [] as string[], packages: false };
  for (const p of s.products) {
    const image = productImage(p.id);
    if (image?.digest) out.digests.push(image.digest);
    else if (image?.name) out.names.push(image.name);
    else if (!image && parsePurl(p.id)) out.packages = true;
  }
  return out;
}

/**
 * Whether a statement is about a finding of the package `purl` in `image`: a product that is the
 * image (every finding in it, or those of its named components), or the finding's own package
 * (any version when the product names none).
 */
export function covers(s: VexStatement, image: VexImage, purl: string): boolean {
  const mine = purlIdentity(purl);
  return s.products.some((p) => {
    const named = productImage(p.id);
    if (named) {
      const isThis = named.digest
        ? image.digests.includes(named.digest)
        : image.names.includes(named.name ?? '');
      return isThis && (p.components.length === 0 || p.components.map(purlIdentity).includes(mine));
    }
    if (parsePurl(p.id)?.type === 'oci') return false;
    const product = purlIdentity(p.id);
    return product === mine || (product.endsWith('@') && mine.startsWith(product));
  });
}
