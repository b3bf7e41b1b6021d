/**
 * Values as the benchmark's program run recorded them, for its baseline to
 * declare again: resource inputs as the mocks received them, and the stack
 * outputs the program returned. Both keep which values are secret, in the
 * form Pulumi's RPC layer gives a secret (`{ [specialSigKey]: specialSecretSig, value }`),
 * so that the baseline declares them as secrets too.
 */
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/** The value of a known Output (every Output is known under the mocks outside preview). */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/**
 * A stack output as plain JSON: every Output replaced by its value, and a
 * secret one by its value wrapped as a secret. Plain values are kept as they
 * are. Resolves once every Output in it has.
 */
export async function recordedValue(value: unknown): Promise<unknown> {
    if (pulumi.Output.isInstance(value)) {
        const [inner, secret] = await Promise.all([valueOf(value), pulumi.isSecret(value)]);
        const recorded = await recordedValue(inner);
        return secret ? { [specialSigKey]: specialSecretSig, value: recorded } : recorded;
    }
    if (Array.isArray(value)) return Promise.all(value.map(recordedValue));
    if (value !== null && typeof value === "object") {
        const entries = await Promise.all(
            Object.entries(value).map(async ([key, v]) => [key, await recordedValue(v)] as const),
        );
        return Object.fromEntries(entries);
    }
    return value;
}

/** A recorded value with each wrapped secret made a secret Output again (`pulumi.secret`). */
export function withSecrets(value: unknown): unknown {
    if (Array.isArray(value)) return value.map(withSecrets);
    if (value !== null && typeof value === "object") {
        const o = value as Record<string, unknown>;
        if (o[specialSigKey] === specialSecretSig) return pulumi.secret(withSecrets(o.value));
        return Object.fromEntries(Object.entries(o).map(([k, v]) => [k, withSecrets(v)]));
    }
    return value;
}
