import * as crypto from "crypto";
import * as pulumi from "@pulumi/pulumi";
import { providerByReference } from "../dynamicProvider/byReference";
import { needsRenewal } from "./clusterSigning";

/** Inputs of a {@link CertificateRenewal}. */
export interface CertificateRenewalArgs {
    /**
     * Everything whose change makes the signer issue a new certificate (request,
     * CA, usages, lifetime), as one string; only its SHA-256 is stored.
     */
    issuance: pulumi.Input<string>;
    /** Lifetime of each certificate, in seconds. */
    validitySeconds: pulumi.Input<number>;
    /** Renew when a `pulumi up` runs this many seconds before expiry, or later. */
    renewBeforeSeconds: pulumi.Input<number>;
}

/** What a {@link CertificateRenewal} keeps in state. */
export interface CertificateRenewalState {
    issuanceSha256: string;
    validitySeconds: number;
    renewBeforeSeconds: number;
    /** When the current certificate was issued (ISO 8601). */
    issuedAt?: string;
    /** When it expires (ISO 8601): `issuedAt` + `validitySeconds`. */
    notAfter?: string;
}

/**
 * Decides whether the certificate must be issued again: when what it is issued
 * from changed, or when `now` (ms since the epoch) is inside the renewal window
 * of the one issued last. A change of the window alone changes nothing until
 * the window is reached.
 */
export function diffCertificateRenewal(
    olds: CertificateRenewalState,
    news: CertificateRenewalState,
    now: number,
): pulumi.dynamic.DiffResult {
    const replaces: string[] = (["issuanceSha256", "validitySeconds"] as const).filter((k) => olds[k] !== news[k]);
    if (olds.notAfter && needsRenewal(olds.notAfter, news.renewBeforeSeconds, now)) replaces.push("notAfter");
    return { changes: replaces.length > 0, replaces, deleteBeforeReplace: true };
}

/** The state of a renewal created at `now` (ms since the epoch). */
export function issuedRenewal(inputs: CertificateRenewalState, now: number): CertificateRenewalState {
    return {
        ...inputs,
        issuedAt: new Date(now).toISOString(),
        notAfter: new Date(now + inputs.validitySeconds * 1000).toISOString(),
    };
}

/** The provider's code, which the dynamic-provider host loads by name (see {@link providerByReference}). */
export const certificateRenewalProvider: pulumi.dynamic.ResourceProvider = {
    async diff(_id: string, olds: CertificateRenewalState, news: CertificateRenewalState) {
        return diffCertificateRenewal(olds, news, Date.now());
    },
    async create(inputs: CertificateRenewalState) {
        return { id: inputs.issuanceSha256.slice(0, 16), outs: issuedRenewal(inputs, Date.now()) };
    },
};

const provider = providerByReference(certificateRenewalProvider, __filename, "certificateRenewalProvider");

const sha256Hex = (text: string): string => crypto.createHash("sha256").update(text).digest("hex");

/**
 * The renewal schedule of a certificate signed by a Pulumi resource that only
 * renews on refresh (the tls provider's `earlyRenewalHours` acts only during
 * `pulumi refresh`, pulumi/pulumi-tls#39). This resource is replaced by the
 * first plain `pulumi up` inside the renewal window; the certificate names it
 * in `replaceWith`, so it is issued again in the same run.
 */
export class CertificateRenewal extends pulumi.dynamic.Resource {
    /** When the certificate this schedule tracks expires (ISO 8601). */
    declare public readonly notAfter: pulumi.Output<string>;

    constructor(name: string, args: CertificateRenewalArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            {
                // An Output's own apply: pulumi.output() would copy it first (docs/performance-runs.md, run 12).
                issuanceSha256: (pulumi.Output.isInstance(args.issuance)
                    ? args.issuance
                    : pulumi.output(args.issuance)
                ).apply(sha256Hex),
                validitySeconds: args.validitySeconds,
                renewBeforeSeconds: args.renewBeforeSeconds,
                issuedAt: undefined,
                notAfter: undefined,
            },
            opts,
            "certificates",
            "CertificateRenewal",
        );
    }
}
