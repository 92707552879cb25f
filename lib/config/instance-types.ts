/**
 * What SageMaker hosting instance types imply for the endpoint: local NVMe storage (CreateEndpointConfig refuses a
 * KmsKeyId for it) and Graviton processors (they need an arm64 image). Read from the family name: in `ml.<family>.<size>`
 * the family is a series letter, a generation and attribute letters (`c6gd`: c, 6, g = Graviton, d = local NVMe).
 * Sources: CreateEndpointConfig's KmsKeyId, EC2's instance store volumes, SageMaker's ProductionVariantInstanceType.
 */

/** Families with instance storage whose name does not say so with a `d`. */
const NVME_FAMILIES_WITHOUT_D = new Set(['g5', 'g6', 'g6e', 'gr6', 'p5', 'p5e', 'p5en', 'trn1', 'trn1n', 'trn2']);

function family(instanceType: string): { name: string; attributes: string } | undefined {
  const match = /^ml\.(([a-z]+)(\d+)([a-z-]*))\.[a-z0-9]+$/.exec(instanceType);
  return match ? { name: match[1], attributes: match[4] } : undefined;
}

export function hasLocalNvmeStorage(instanceType: string): boolean {
  const parts = family(instanceType);
  return parts !== undefined && (parts.attributes.includes('d') || NVME_FAMILIES_WITHOUT_D.has(parts.name));
}

/** `ml.c6g`, `ml.m6gd`, `ml.c7g`, `ml.r8g`...: a `g` among the attribute letters (g5 and g4dn are GPU families). */
export function isGraviton(instanceType: string): boolean {
  return family(instanceType)?.attributes.includes('g') ?? false;
}
