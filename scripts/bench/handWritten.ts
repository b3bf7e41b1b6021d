/**
 * The hand-written raw program of the mock comparison (scripts/bench/mockRun.ts,
 * mode `hand-written`): the replay baseline, plus the work any program must do
 * to declare those objects and deliver those kubeconfigs from the same access
 * files, done as plainly as a raw program would, with none of kube-access's
 * checks, components' outputs or summaries:
 *
 * - it reads the access files (YAML, not validated);
 * - it makes each certificate signing request from the key the tls provider
 *   made, in an `apply` on that key: the key exists only once the provider has
 *   made it, so no program knows the request before. It signs the way
 *   kube-access does (RFC 6979 ECDSA), since a request signed with a random
 *   nonce would differ on every run and re-issue every certificate;
 * - it renders every user's kubeconfig with the same functions as
 *   kube-access, in an `apply` on the Outputs of the key, the certificate or
 *   the token (an OIDC user's at once), and returns them as one Output, as
 *   the stack's `kubeconfigs`.
 *
 * Both use kube-access's own functions: the request is built with the
 * @peculiar ASN.1 schemas, which a program encoding DER by hand could do in
 * about two thirds of the time (a reviewer's rough timing, 3 December 2026).
 *
 * The replay baseline instead gives each request as the value the program's
 * recording run made, which no program can know while it evaluates.
 */
import * as fs from "fs";
import * as path from "path";
import { CORE_SCHEMA, loadAll } from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { buildCsrPem, parseCsrPem, CertificateSubject } from "../../components/x509/csr";
import { oidcKubeconfig } from "../../components/oidc/kubeconfigCredential";
import { certificateKubeconfig } from "../../components/certificates/kubeconfig";
import { serviceAccountKubeconfig } from "../../components/serviceAccounts/kubeconfig";
import type { AccessSpec } from "../../components/model/types";
import { parseConfigValue } from "../../components/access/load";
import type { RecordedOptions } from "./declarationOptions";

/** The tls provider's type token of a private key. */
const privateKeyType = "tls:index/privateKey:PrivateKey";

/** How a PEM certificate signing request begins (RFC 7468). */
const requestLabel = "-----BEGIN CERTIFICATE REQUEST-----";

/**
 * An input property whose recorded value is a certificate signing request
 * made from a key declared earlier: the key's index and the request's subject.
 */
export interface RequestDerivation {
    property: string;
    keyIndex: number;
    subject: CertificateSubject;
}

/**
 * For each declared resource (by index), its input properties that are a
 * request made from a private key they depend on (a certificate's
 * `certRequestPem` or `requestPem`). A user's own request depends on no key
 * and stays as recorded, and so does the renewal schedule's digest of the
 * issuance (a SHA-256 a raw program would compute too; replayed, the
 * comparison stays on the raw program's side). Read before the clock starts.
 */
export function requestDerivations(
    declared: { type: string; inputs: Record<string, unknown> }[],
    options: (RecordedOptions | undefined)[],
): Map<number, RequestDerivation[]> {
    const derivations = new Map<number, RequestDerivation[]>();
    declared.forEach((resource, index) => {
        for (const [property, dependencies] of Object.entries(options[index]?.propertyDependencies ?? {})) {
            const value = resource.inputs[property];
            const keyIndex = dependencies.find((i) => declared[i]?.type === privateKeyType);
            if (typeof value !== "string" || keyIndex === undefined || !value.startsWith(requestLabel)) continue;
            const parsed = parseCsrPem(value);
            const entry = {
                property,
                keyIndex,
                subject: { commonName: parsed.commonNames[0], organizations: parsed.organizations },
            };
            derivations.set(index, [...(derivations.get(index) ?? []), entry]);
        }
    });
    return derivations;
}

/**
 * The inputs of one resource with each derived request made from its key's
 * `privateKeyPem` in an `apply`, as a raw program makes it (not secret: a
 * request holds none). One request per key, shared by every property that
 * holds it.
 */
export function derivedRequestInputs(
    inputs: pulumi.Inputs,
    derivations: RequestDerivation[] | undefined,
    declared: (pulumi.Resource | undefined)[],
    requests: Map<number, pulumi.Output<string>>,
): pulumi.Inputs {
    if (!derivations) return inputs;
    const derived = { ...inputs };
    for (const d of derivations) {
        let request = requests.get(d.keyIndex);
        if (!request) {
            const key = declared[d.keyIndex] as unknown as { privateKeyPem: pulumi.Output<string> };
            request = pulumi.unsecret(key.privateKeyPem.apply((pem) => buildCsrPem(pem, d.subject)));
            requests.set(d.keyIndex, request);
        }
        derived[d.property] = request;
    }
    return derived;
}

/**
 * A resource's options without the property dependencies of the derived
 * requests: their Output, made from the key, carries the key itself.
 */
export function withoutPropertyDependencies(
    options: RecordedOptions | undefined,
    derivations: RequestDerivation[],
): RecordedOptions | undefined {
    if (!options?.propertyDependencies) return options;
    const derived = new Set(derivations.map((d) => d.property));
    return {
        ...options,
        propertyDependencies: Object.fromEntries(
            Object.entries(options.propertyDependencies).filter(([property]) => !derived.has(property)),
        ),
    };
}

/** Where a user's credential comes from in the declared resources, by index, and the output property it is. */
export type CredentialSource =
    | { method: "certificate"; certificate: number; certificateProperty: string; key?: number }
    | { method: "serviceAccount"; token: number; namespace: string }
    | { method: "oidc" };

/** The output property that holds the signed certificate, by the certificate resource's type. */
const certificateProperties: Record<string, string> = {
    "tls:index/locallySignedCert:LocallySignedCert": "certPem",
    "pulumi-nodejs:dynamic/certificates:ClusterSignedCertificate": "certificatePem",
};

/** The type of the resource whose output is a service account's token. */
const serviceAccountTokenType = "pulumi-nodejs:dynamic/serviceAccounts:ServiceAccountToken";

/**
 * Each user's credential source among the declared resources: the children
 * of the user's component (`user-<name>`) that hold the key, the signed
 * certificate or the token. Read before the clock starts.
 *
 * @throws Error when a certificate or service-account user has no such resource.
 */
export function credentialSources(
    spec: AccessSpec,
    declared: { type: string; name: string }[],
    options: (RecordedOptions | undefined)[],
): Map<string, CredentialSource> {
    const childrenOf = new Map<number, number[]>();
    options.forEach((o, i) => {
        if (o?.parent !== undefined) childrenOf.set(o.parent, [...(childrenOf.get(o.parent) ?? []), i]);
    });
    const componentOf = new Map(declared.map((r, i) => [r.name, i]));
    const sources = new Map<string, CredentialSource>();
    for (const user of spec.users) {
        if (user.auth.method === "oidc") {
            if (spec.oidc) sources.set(user.name, { method: "oidc" });
            continue;
        }
        const children = childrenOf.get(componentOf.get(`user-${user.name}`) ?? -1) ?? [];
        const child = (test: (type: string) => boolean) => children.find((i) => test(declared[i].type));
        if (user.auth.method === "serviceAccount") {
            const token = child((type) => type === serviceAccountTokenType);
            if (token === undefined) throw new Error(`no token resource for service account ${user.name}`);
            sources.set(user.name, { method: "serviceAccount", token, namespace: user.auth.namespace });
            continue;
        }
        const certificate = child((type) => type in certificateProperties);
        if (certificate === undefined) throw new Error(`no certificate resource for user ${user.name}`);
        sources.set(user.name, {
            method: "certificate",
            certificate,
            certificateProperty: certificateProperties[declared[certificate].type],
            key: child((type) => type === privateKeyType),
        });
    }
    return sources;
}

/**
 * Every user's kubeconfig as a raw program makes it: an `apply` on the
 * credential's Outputs (the certificate inside the key's, as kube-access
 * does, which costs fewer promises than `pulumi.all`), an OIDC user's at
 * once; one secret Output of them all, as the stack's `kubeconfigs`.
 */
export function kubeconfigOutputs(
    spec: AccessSpec,
    sources: Map<string, CredentialSource>,
    declared: (pulumi.Resource | undefined)[],
): pulumi.Output<Record<string, string>> {
    const { cluster } = spec;
    const output = (index: number, property: string) =>
        (declared[index] as unknown as Record<string, pulumi.Output<string>>)[property];
    const kubeconfigs: Record<string, pulumi.Input<string>> = {};
    for (const [name, source] of sources) {
        if (source.method === "oidc") kubeconfigs[name] = oidcKubeconfig(cluster, name, spec.oidc!);
        else if (source.method === "serviceAccount")
            kubeconfigs[name] = output(source.token, "token").apply((token) =>
                serviceAccountKubeconfig(cluster, name, source.namespace, token),
            );
        else {
            const certificatePem = output(source.certificate, source.certificateProperty);
            const { key } = source;
            kubeconfigs[name] =
                key === undefined
                    ? certificatePem.apply((cert) => certificateKubeconfig(cluster, name, cert, undefined))
                    : output(key, "privateKeyPem").apply((keyPem) =>
                          certificatePem.apply((cert) => certificateKubeconfig(cluster, name, cert, keyPem)),
                      );
        }
    }
    return pulumi.secret(pulumi.all(kubeconfigs));
}

/**
 * Reads the access files as YAML (every document) and each CSR file their
 * users name, as a raw program reads its users: no validation. Returns how
 * many users it read.
 */
export function readAccessFiles(projectDir: string, accessFiles: string[]): number {
    let users = 0;
    for (const file of accessFiles) {
        const filePath = path.resolve(projectDir, file);
        for (const document of loadAll(fs.readFileSync(filePath, "utf8"), { schema: CORE_SCHEMA })) {
            for (const user of (document as { users?: { auth?: { certificateRequestFile?: string } }[] })?.users ??
                []) {
                users++;
                const csrFile = user.auth?.certificateRequestFile;
                if (csrFile) fs.readFileSync(path.resolve(path.dirname(filePath), csrFile), "utf8");
            }
        }
    }
    return users;
}

/**
 * The stack config's `kube-access:` keys as the program reads them (values
 * parsed as it parses them, names without the prefix), and which of them are
 * secret.
 */
export function kubeAccessConfig(
    all: Record<string, string>,
    secretKeys: string[],
): { raw: Record<string, unknown>; secretKeys: string[] } {
    const prefix = "kube-access:";
    return {
        raw: Object.fromEntries(
            Object.entries(all)
                .filter(([k]) => k.startsWith(prefix))
                .map(([k, v]) => [k.slice(prefix.length), parseConfigValue(v)]),
        ),
        secretKeys: secretKeys.filter((k) => k.startsWith(prefix)).map((k) => k.slice(prefix.length)),
    };
}
