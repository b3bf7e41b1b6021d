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
 *   kube-access, from values it has at hand (no `apply`: the cheapest a raw
 *   program could do, so the comparison is not tilted towards kube-access).
 *
 * The replay baseline instead gives each request as the value the program's
 * recording run made, which no program can know while it evaluates.
 */
import * as fs from "fs";
import * as path from "path";
import { CORE_SCHEMA, loadAll } from "js-yaml";
import * as pulumi from "@pulumi/pulumi";
import { buildCsrPem, parseCsrPem, CertificateSubject } from "../../components/x509/csr";
import { privateKeyArgs } from "../../components/x509/privateKeys";
import { oidcKubeconfig } from "../../components/oidc/kubeconfigCredential";
import { certificateKubeconfig } from "../../components/certificates/kubeconfig";
import { serviceAccountKubeconfig } from "../../components/serviceAccounts/kubeconfig";
import type { AccessSpec, KeyAlgorithm } from "../../components/model/types";
import { parseConfigValue } from "../../components/access/load";
import { tlsPrivateKeyPem } from "../../test/helpers/mocks";
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

/** What rendering every user's kubeconfig needs besides the spec: the certificate users' keys. */
export interface KubeconfigInputs {
    spec: AccessSpec;
    /** The signed certificate every certificate user's kubeconfig carries (the mocks give every one the same). */
    certificatePem: string;
    /** Each certificate user's key when kube-access makes it, as the tls provider writes one. */
    keyOf: Map<string, string>;
}

/** A key for every certificate user whose key kube-access makes, of the user's `keyAlgorithm`. */
export function kubeconfigInputs(spec: AccessSpec, certificatePem: string): KubeconfigInputs {
    const keyOf = new Map(
        spec.users.flatMap((user) =>
            user.auth.method === "certificate" && !user.auth.certificateRequestPem
                ? [[user.name, tlsPrivateKeyPem(plainKeyArgs(user.auth.keyAlgorithm))] as const]
                : [],
        ),
    );
    return { spec, certificatePem, keyOf };
}

/** The tls provider's inputs for a key algorithm, which privateKeyArgs gives as plain values. */
export function plainKeyArgs(algorithm: KeyAlgorithm): { algorithm?: string; rsaBits?: number; ecdsaCurve?: string } {
    return privateKeyArgs(algorithm) as { algorithm?: string; rsaBits?: number; ecdsaCurve?: string };
}

/**
 * Every user's kubeconfig, by user name, rendered with the functions the
 * components use: a certificate user's with the signed certificate and key,
 * a service account's with a stand-in token, an OIDC user's for the spec's
 * issuer.
 */
export function renderKubeconfigs({ spec, certificatePem, keyOf }: KubeconfigInputs): Record<string, string> {
    const { cluster } = spec;
    const kubeconfigs: Record<string, string> = {};
    for (const user of spec.users) {
        if (user.auth.method === "oidc") {
            if (spec.oidc) kubeconfigs[user.name] = oidcKubeconfig(cluster, user.name, spec.oidc);
        } else if (user.auth.method === "serviceAccount")
            kubeconfigs[user.name] = serviceAccountKubeconfig(cluster, user.name, user.auth.namespace, "bench");
        else kubeconfigs[user.name] = certificateKubeconfig(cluster, user.name, certificatePem, keyOf.get(user.name));
    }
    return kubeconfigs;
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
