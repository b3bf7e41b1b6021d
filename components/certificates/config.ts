/**
 * The `certificates`, `clusterSigning` and `clusterCaKey` config keys and the
 * `certificate` auth method of a user: key algorithm, validity, signer, and a
 * user-supplied certificate signing request with its subject and signature.
 */
import {
    CertificateAuth,
    CertificateOptions,
    ClusterSigningOptions,
    ClusterSpec,
    KeyAlgorithm,
    keyAlgorithms,
} from "../model/types";
import { z } from "zod";
import { IssueCollector, Raw, isPlainObject } from "../intake/reader";
import {
    certificateAuthSchema,
    certificateOptionsSchema,
    clusterSigningSchema,
    kubeAccessConfigSchema,
} from "../intake/schema";
import { readField, readSection } from "../intake/section";
import { x509AttributeProblem } from "../intake/limits";
import { parsePrivateKeyPem, privateKeyMatchesCertificate } from "../x509/pem";
import { ParsedCsr } from "../x509/csr";
import { parseCsrPemOnce as parseCsrPem } from "../x509/csrOnce";
import { DeclaredUser } from "../model/declared";

/** Defaults applied to every certificate user unless config overrides them. */
export const defaultCertificateOptions: CertificateOptions = {
    keyAlgorithm: "RSA-2048",
    validityHours: 8760,
    renewBeforeHours: 720,
};

/** Defaults of `clusterSigning` (schema): wait up to 120 s for the cluster to sign; delete the request afterwards. */
export const defaultClusterSigning: ClusterSigningOptions = clusterSigningSchema.parse({});

/**
 * Certificate options as read (of `certificates`, or of a certificate user's
 * auth at `path`), with `fallback`'s for unset or wrong fields; the default
 * renewBeforeHours is at most half the validity. renewBeforeHours must be
 * less than validityHours.
 */
function certificateOptions(
    c: IssueCollector,
    path: string,
    o: z.output<typeof certificateOptionsSchema>,
    fallback: CertificateOptions,
): CertificateOptions {
    const keyAlgorithm = o.keyAlgorithm ?? fallback.keyAlgorithm;
    const validityHours = o.validityHours ?? fallback.validityHours;
    const renewBeforeHours = o.renewBeforeHours ?? Math.min(fallback.renewBeforeHours, Math.floor(validityHours / 2));
    if (renewBeforeHours >= validityHours) {
        c.add(
            `${path}.renewBeforeHours`,
            `must be less than validityHours (${validityHours}), got ${renewBeforeHours}; otherwise every run would renew`,
        );
    }
    return { keyAlgorithm, validityHours, renewBeforeHours };
}

/** Reads `certificates`: the defaults of every certificate user (shape in ../intake/schema). */
export function readCertificateDefaults(c: IssueCollector, value: Raw): CertificateOptions {
    if (value === undefined) return defaultCertificateOptions;
    const o = readSection(c, "certificates", value, certificateOptionsSchema);
    return o ? certificateOptions(c, "certificates", o, defaultCertificateOptions) : defaultCertificateOptions;
}

/** Reads `clusterSigning`: timeoutSeconds and keepRequest (shape in ../intake/schema). */
export function readClusterSigning(c: IssueCollector, value: Raw): ClusterSigningOptions {
    if (value === undefined) return defaultClusterSigning;
    const o = readSection(c, "clusterSigning", value, clusterSigningSchema);
    return o ? { ...defaultClusterSigning, ...o } : defaultClusterSigning;
}

/** Reads a user-supplied CSR; its subject is checked against the user later. */
export function readCertificateRequest(
    c: IssueCollector,
    path: string,
    pem: string | undefined,
    keyAlgorithm: Raw,
    signer: string | undefined,
): { pem: string; keyAlgorithm?: KeyAlgorithm; commonNames: string[]; organizations: string[] } | undefined {
    if (pem === undefined) return undefined;
    try {
        const csr = parseCsrPem(pem);
        checkCsrSignature(c, path, csr, signer);
        const algorithm = (keyAlgorithms as readonly string[]).includes(csr.keyAlgorithm ?? "")
            ? (csr.keyAlgorithm as KeyAlgorithm)
            : undefined;
        if (algorithm === undefined) {
            c.add(path, `uses a ${csr.keyAlgorithm ?? "unsupported"} key; use one of ${keyAlgorithms.join(", ")}`);
        }
        if (keyAlgorithm !== undefined) {
            c.add(
                path.replace(/certificateRequest$/, "keyAlgorithm"),
                "must not be set with certificateRequest: the request's key decides",
            );
        }
        return {
            // Canonical PEM (label CERTIFICATE REQUEST), whatever form the user pasted.
            pem: csr.pem,
            keyAlgorithm: algorithm,
            commonNames: csr.commonNames,
            organizations: csr.organizations,
        };
    } catch (e) {
        c.add(
            path,
            `${(e as Error).message}; create one with: openssl req -new -key <user>.key -subj "/CN=<user>/O=<group>..."`,
        );
        return undefined;
    }
}

/** The self-signature of a user's CSR, checked with the algorithm it names. */
export function checkCsrSignature(c: IssueCollector, path: string, csr: ParsedCsr, signer: string | undefined): void {
    const remake =
        'make the request again with RSA or ECDSA and SHA-256 (openssl req -new -key <user>.key -sha256 -subj "/CN=<user>/O=<group>")';
    if (csr.signatureCheck === "unsupported") {
        c.add(path, `uses signature algorithm ${csr.signatureAlgorithm}, which kube-access cannot verify; ${remake}`);
    } else if (csr.signatureCheck === "invalid") {
        c.add(
            path,
            `has a ${csr.signatureAlgorithm} signature that does not verify with its own public key; ` +
                "it was damaged or not made with this key, so make the request again",
        );
    } else if (csr.kubernetesRefusal && signer === "cluster") {
        c.add(
            path,
            `uses signature algorithm ${csr.signatureAlgorithm}, which the cluster signer cannot take: ` +
                `${csr.kubernetesRefusal}; ${remake}, or use signer external`,
        );
    }
}

/** Reads the `certificate` auth method of a user (`path` is `users[i].auth`). */
export function readCertificateAuth(
    c: IssueCollector,
    path: string,
    value: Record<string, Raw>,
    defaults: CertificateOptions,
): CertificateAuth | undefined {
    const o = readSection(c, path, value, certificateAuthSchema) ?? {};
    const opts = certificateOptions(c, path, o, defaults);
    const csr = readCertificateRequest(
        c,
        `${path}.certificateRequest`,
        o.certificateRequest,
        value.keyAlgorithm,
        o.signer,
    );
    if (csr?.keyAlgorithm) opts.keyAlgorithm = csr.keyAlgorithm;
    if (o.signer === undefined) return undefined;
    return {
        method: "certificate",
        signer: o.signer,
        ...opts,
        ...(csr ? { certificateRequestPem: csr.pem } : {}),
        ...(o.rotation ? { rotation: o.rotation } : {}),
    };
}

/** A certificate user's name is the certificate's CN. */
export function checkCertificateUserName(c: IssueCollector, path: string, name: string): void {
    const problem = x509AttributeProblem(name, "CN");
    if (problem) c.add(path, problem);
}

/** A certificate user's group is an O of the certificate. */
export function checkCertificateGroup(c: IssueCollector, path: string, group: string): void {
    const problem = x509AttributeProblem(group, "O");
    if (problem) c.add(path, problem);
}

/**
 * Checks of a certificate user entry that need its name and groups: the
 * cluster signer refuses system:masters, and a user-supplied request's
 * subject must be the user (`path` is `users[i]`). `auth` is the entry's
 * auth as read, `rawAuth` as written (a request is checked even when other
 * auth fields are wrong).
 */
export function checkCertificateUser(
    c: IssueCollector,
    path: string,
    user: { name?: string; groups: string[]; signer?: string },
    auth: CertificateAuth | undefined,
    rawAuth: Raw,
): void {
    const { name, groups, signer } = user;
    if (signer === "cluster" && groups.includes("system:masters")) {
        c.add(
            `${path}.groups`,
            "the cluster signer (kubernetes.io/kube-apiserver-client) refuses certificates for system:masters, " +
                "whatever kube-access:allowSystemMasters says; bind cluster-admin instead, or use signer external " +
                "(which also needs kube-access:allowSystemMasters set to true)",
        );
    }
    const requestPem =
        auth !== undefined
            ? auth.certificateRequestPem
            : isPlainObject(rawAuth) && typeof rawAuth.certificateRequest === "string"
              ? rawAuth.certificateRequest
              : undefined;
    if (name !== undefined && requestPem !== undefined) {
        // A request that does not parse is reported under certificateRequest already.
        let csr: ReturnType<typeof parseCsrPem> | undefined;
        try {
            csr = parseCsrPem(requestPem);
        } catch {
            csr = undefined;
        }
        const expected = `/CN=${name}${groups.map((g) => `/O=${g}`).join("")}`;
        const actual = `/CN=${csr?.commonNames.join(",")}${csr?.organizations.map((o) => `/O=${o}`).join("")}`;
        const sameGroups = [...(csr?.organizations ?? [])].sort().join("\0") === [...groups].sort().join("\0");
        if (csr && (csr.commonNames.length !== 1 || csr.commonNames[0] !== name || !sameGroups)) {
            c.add(
                `${path}.auth.certificateRequest`,
                `has subject ${actual} but the user is ${expected}; the certificate would grant a different identity, so make a new request with that subject`,
            );
        }
    }
}

/**
 * `clusterCaKey`: required when a user's certificate is signed externally,
 * and must be the key of cluster.caCertificate. Never quoted.
 */
export function checkClusterCaKey(
    c: IssueCollector,
    value: Raw,
    users: DeclaredUser[],
    cluster: ClusterSpec | undefined,
): void {
    const externalUsers = users.filter((u) => u.method === "certificate" && u.signer === "external");
    const caKey = readField(c, "clusterCaKey", value, kubeAccessConfigSchema.shape.clusterCaKey);
    if (caKey === undefined && value === undefined && externalUsers.length > 0) {
        c.add(
            "clusterCaKey",
            `is required because ${externalUsers.map((u) => u.name ?? `users[${u.index}]`).join(", ")} ha${externalUsers.length === 1 ? "s" : "ve"} ` +
                "an externally signed certificate; set it with `pulumi config set --secret kube-access:clusterCaKey < ca.key`",
        );
    }
    if (caKey !== undefined) {
        try {
            const key = parsePrivateKeyPem(caKey);
            if (cluster && !privateKeyMatchesCertificate(key, cluster.caCertificatePem)) {
                c.add(
                    "clusterCaKey",
                    "does not belong to cluster.caCertificate; certificates signed with it would be refused",
                );
            }
        } catch (e) {
            c.add("clusterCaKey", (e as Error).message);
        }
    }
}
