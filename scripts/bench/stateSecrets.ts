/**
 * How many secrets a stack's state holds, for the engine's floor
 * (`npm run bench -- --targets`): the engine re-encrypts secrets at every
 * checkpoint of a first `pulumi up`, so the floor of a state carries as many
 * secrets of the same size as the state it stands for (docs/performance.md).
 */

// Pulumi marks a secret in state with this key and value (`resource.SecretSig` in the engine).
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/** Secrets in state: how many, and the characters of their ciphertexts. */
export interface StateSecrets {
    count: number;
    ciphertextBytes: number;
}

/**
 * Counts the encrypted values in the inputs and outputs of `resources` (a
 * `pulumi stack export`'s `deployment.resources`), leaving out the root stack
 * resource: its outputs are recorded once, at the end of an `up`, not at
 * every checkpoint. A secret inside a secret is not encrypted again, so it is
 * not counted.
 */
export function stateSecrets(resources: { type: string; inputs?: unknown; outputs?: unknown }[]): StateSecrets {
    const found: StateSecrets = { count: 0, ciphertextBytes: 0 };
    const visit = (value: unknown): void => {
        if (Array.isArray(value)) {
            value.forEach(visit);
        } else if (typeof value === "object" && value !== null) {
            const record = value as Record<string, unknown>;
            if (record[specialSigKey] === specialSecretSig) {
                found.count += 1;
                found.ciphertextBytes += typeof record.ciphertext === "string" ? record.ciphertext.length : 0;
                return;
            }
            Object.values(record).forEach(visit);
        }
    };
    for (const r of resources) {
        if (r.type === "pulumi:pulumi:Stack") continue;
        visit(r.inputs);
        visit(r.outputs);
    }
    return found;
}

/**
 * About how many characters of plain text a passphrase-encrypted value of
 * `ciphertextBytes` characters holds: Pulumi's passphrase ciphertext is
 * `v1:<base64 nonce>:<base64 AES-256-GCM output>`, which is base64 (4
 * characters per 3 bytes, padded) of the text plus a 16-byte tag, after the
 * 20 characters of `v1:` and the 12-byte nonce. Exact to 2 characters.
 */
export function plaintextBytesOfCiphertext(ciphertextBytes: number): number {
    return Math.max(1, Math.floor(((ciphertextBytes - 20) * 3) / 4) - 16);
}
