import { createHash } from 'node:crypto';

// A fixed namespace, so the same (aggregate type, id, commandId) gives the same commit id in
// every process and every version of Chronicle. Changing it would break retries across a deploy.
const NAMESPACE = Buffer.from('5f0b3c8e6a2d4b1f9c7e0a4d2b6f8e13', 'hex');

/**
 * The commit id of the command `commandId` on aggregate `id` of type `type`: a name-based UUID
 * (version 5: SHA-1 of a namespace and the name), so a retried command targets the same commit
 * and the unique `_id` lets it land at most once.
 */
export function commandCommitId(type: string, id: string, commandId: string): string {
  const hash = createHash('sha1').update(NAMESPACE).update(JSON.stringify([type, id, commandId])).digest();
  hash[6] = ((hash[6] ?? 0) & 0x0f) | 0x50;
  hash[8] = ((hash[8] ?? 0) & 0x3f) | 0x80;
  const hex = hash.subarray(0, 16).toString('hex');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}
