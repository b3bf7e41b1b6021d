import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { providerByReference } from "../dynamicProvider/byReference";

/**
 * When a user's credential is made anew. A credential (a service account's
 * token Secret) names its user's CredentialRotation in `replaceWith`, so it
 * is replaced in the same run as this resource, and only then:
 * - when the user's rotation counter (config `users[i].auth.rotation`)
 *   changes: rotation on demand, for one user, touching no other config;
 * - when a maximum age is set (`auth.tokenMaxAgeHours`, or the default
 *   `serviceAccountTokens.maxAgeHours`) and a `pulumi up` runs at least that
 *   long after the credential was made.
 */
export interface CredentialRotationArgs {
    /** The user's rotation counter; 0 when never rotated by hand. */
    rotation: pulumi.Input<number>;
    /** Replace the credential at the first `pulumi up` this many seconds after it was made; never when undefined. */
    maxAgeSeconds?: pulumi.Input<number | undefined>;
}

/** What a {@link CredentialRotation} keeps in state. */
export interface CredentialRotationState {
    rotation: number;
    maxAgeSeconds?: number;
    /** When the credential was made (ISO 8601); for credentials made before this resource existed, when it was added. */
    madeAt?: string;
}

/**
 * Replaced when the counter changes, or when `now` (ms since the epoch) is at
 * least `maxAgeSeconds` after `madeAt`. A change of the maximum age alone is
 * an update: it takes effect at the first run after the new age is reached.
 */
export function diffCredentialRotation(
    olds: CredentialRotationState,
    news: CredentialRotationState,
    now: number,
): pulumi.dynamic.DiffResult {
    const replaces: string[] = [];
    if ((olds.rotation ?? 0) !== (news.rotation ?? 0)) replaces.push("rotation");
    if (credentialAgeReached(olds.madeAt, news.maxAgeSeconds, now)) replaces.push("madeAt");
    return {
        changes: replaces.length > 0 || olds.maxAgeSeconds !== news.maxAgeSeconds,
        replaces,
        deleteBeforeReplace: false,
    };
}

/** True when a credential made at `madeAt` (ISO 8601) is at least `maxAgeSeconds` old at `now` (ms). */
export function credentialAgeReached(
    madeAt: string | undefined,
    maxAgeSeconds: number | undefined,
    now: number,
): boolean {
    if (madeAt === undefined || maxAgeSeconds === undefined) return false;
    return now >= Date.parse(madeAt) + maxAgeSeconds * 1000;
}

/** When a credential made at `madeAt` is replaced, at the first run from then on (ISO 8601); undefined without a maximum age. */
export function credentialRotatesAt(madeAt: string, maxAgeSeconds: number | undefined): string | undefined {
    return maxAgeSeconds === undefined ? undefined : new Date(Date.parse(madeAt) + maxAgeSeconds * 1000).toISOString();
}

/** The provider's code, which the dynamic-provider host loads by name (see {@link providerByReference}). */
export const credentialRotationProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: CredentialRotationState, news: CredentialRotationState) {
        return diffCredentialRotation(olds, news, Date.now());
    },
    async create(inputs: CredentialRotationState) {
        return {
            id: crypto.randomBytes(8).toString("hex"),
            outs: { ...inputs, madeAt: new Date().toISOString() },
        };
    },
    async update(_id: string, olds: CredentialRotationState, news: CredentialRotationState) {
        return { outs: { ...olds, rotation: news.rotation, maxAgeSeconds: news.maxAgeSeconds } };
    },
};

const provider = providerByReference(credentialRotationProvider, __filename, "credentialRotationProvider");

/** The rotation schedule of one user's credential; see {@link CredentialRotationArgs}. */
export class CredentialRotation extends pulumi.dynamic.Resource {
    /** When the current credential was made (ISO 8601). */
    declare public readonly madeAt: pulumi.Output<string>;

    constructor(name: string, args: CredentialRotationArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            { rotation: args.rotation, maxAgeSeconds: args.maxAgeSeconds, madeAt: undefined },
            opts,
            "rotation",
            "CredentialRotation",
        );
    }
}
