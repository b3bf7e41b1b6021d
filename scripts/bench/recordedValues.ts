/**
 * Values as the benchmark's program run recorded them, for its baseline to
 * declare again: resource inputs as the mocks received them, the outputs the
 * program's components registered, and the stack outputs it returned. All
 * keep which values are secret, in the
 * form Pulumi's RPC layer gives a secret (`{ [specialSigKey]: specialSecretSig, value }`),
 * so that the baseline declares them as secrets too.
 */
import * as pulumi from "@pulumi/pulumi";
import { specialSecretSig, specialSigKey } from "@pulumi/pulumi/runtime/rpc";

/** What the program registered and returned, as {@link recordedValue}s (the work folder's outputs.json). */
export interface RecordedOutputs {
    /** Each component's registered outputs, by {@link resourceKey}. */
    components: Record<string, unknown>;
    /** The stack outputs, by name. */
    stack: Record<string, unknown>;
}

/**
 * Stack outputs that only kube-access makes: its access summary of every
 * user (`users`: method, groups, certificate times, grants) and of the users
 * and groups outside the users list (`unlistedSubjects`). A raw program
 * onboarding the same users delivers the others too: the kubeconfigs and the
 * API server's OIDC and request-header settings.
 */
export const kubeAccessOwnStackOutputs = ["users", "unlistedSubjects"];

/** The stack outputs a raw program delivers too: all but {@link kubeAccessOwnStackOutputs}. */
export function deliveredStackOutputs(stack: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(Object.entries(stack).filter(([name]) => !kubeAccessOwnStackOutputs.includes(name)));
}

/** The value of a known Output (every Output is known under the mocks outside preview). */
function valueOf<T>(output: pulumi.Output<T>): Promise<T> {
    return new Promise((resolve) => output.apply(resolve));
}

/**
 * Outputs as plain JSON: every Output (and Promise) replaced by its value, and
 * a secret Output by its value wrapped as a secret. Plain values are kept as
 * they are. Resolves once every Output in it has.
 */
export async function recordedValue(value: unknown): Promise<unknown> {
    if (pulumi.Resource.isInstance(value)) throw new Error("a resource among outputs cannot be recorded as a value");
    if (value instanceof Promise) return recordedValue(await value);
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

/** A resource's type and name as one key, `<type>::<name>`: how recorded component outputs are found again. */
export const resourceKey = (type: string, name: string): string => `${type}::${name}`;

/**
 * From now on in this process, puts the outputs each component registers
 * into `into`, by {@link resourceKey}, as the component gives them (Outputs
 * and all). Only a component's first `registerOutputs` counts, as in the SDK
 * (`ComponentResource`'s constructor calls it once more); the root stack's
 * outputs are left out. Throws when two components have the same type and
 * name, which the baseline could not tell apart (it renames resources of the
 * same type and name, but could not tell which outputs are whose). `into`
 * keeps every outputs object alive until the run ends, which costs the
 * program, never the baseline, a little memory.
 */
export function recordComponentOutputs(into: Map<string, unknown>): void {
    const prototype = pulumi.ComponentResource.prototype as unknown as {
        registerOutputs(this: unknown, outputs?: unknown): void;
    };
    const registerOutputs = prototype.registerOutputs;
    prototype.registerOutputs = function (
        this: { __pulumiType: string; __name: string; __registered?: boolean },
        outputs?: unknown,
    ) {
        const first = !this.__registered && this.__pulumiType !== "pulumi:pulumi:Stack";
        registerOutputs.call(this, outputs);
        if (!first) return;
        const key = resourceKey(this.__pulumiType, this.__name);
        if (into.has(key)) throw new Error(`two components named ${key}`);
        into.set(key, outputs);
    };
}
