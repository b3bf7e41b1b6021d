import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { CertificateAuth, ClusterSigningOptions, ClusterSpec, KeyAlgorithm, UserSpec } from "../spec/types";
import { csrObjectName } from "../spec/names";
import { buildCsrPem, clientCertificateUsages } from "./csr";
import { ClusterSignedCertificate } from "./clusterSignedCertificate";
import { renderKubeconfig } from "../kubeconfig/render";

/** The signer of cluster-issued client certificates. */
export const kubeApiserverClientSigner = "kubernetes.io/kube-apiserver-client";

/** Inputs of a {@link CertificateUser}. */
export interface CertificateUserArgs {
    user: UserSpec & { auth: CertificateAuth };
    cluster: ClusterSpec;
    /** The cluster CA private key (secret); needed for the external signer. */
    clusterCaKey?: pulumi.Input<string>;
    /** How kube-access reaches the cluster (secret kubeconfig, or ambient when undefined); for the cluster signer. */
    clusterKubeconfig?: pulumi.Input<string>;
    clusterSigning: ClusterSigningOptions;
}

/** tls.PrivateKey arguments for a key algorithm. */
export function privateKeyArgs(algorithm: KeyAlgorithm): tls.PrivateKeyArgs {
    const [family, size] = algorithm.split("-");
    return family === "RSA" ? { algorithm: "RSA", rsaBits: Number(size) } : { algorithm: "ECDSA", ecdsaCurve: size };
}

/** tls provider spelling of the key usages of a client certificate. */
export function tlsAllowedUses(algorithm: KeyAlgorithm): string[] {
    return clientCertificateUsages(algorithm).map((u) => u.replace(/ /g, "_"));
}

/**
 * A user who authenticates with a client certificate: a private key, a CSR
 * with CN = user name and one O per group, and a certificate signed either
 * with the cluster CA key (`external`) or by the cluster through the CSR API
 * (`cluster`).
 */
export class CertificateUser extends pulumi.ComponentResource {
    /** The user's private key, PEM (secret). */
    public readonly privateKeyPem: pulumi.Output<string>;
    /** The signed client certificate, PEM. */
    public readonly certificatePem: pulumi.Output<string>;
    /** When the certificate expires (ISO 8601). */
    public readonly expiresAt: pulumi.Output<string>;
    /** A kubeconfig that authenticates as this user (secret). */
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: CertificateUserArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-access:certificates:CertificateUser", name, {}, opts);
        const { user, cluster } = args;
        const auth = user.auth;

        const key = new tls.PrivateKey(`${name}-key`, privateKeyArgs(auth.keyAlgorithm), { parent: this });
        this.privateKeyPem = pulumi.secret(key.privateKeyPem);
        // A CSR holds no secret; it is deterministic, so unchanged config means no diff.
        const requestPem = pulumi.unsecret(
            key.privateKeyPem.apply((pem) => buildCsrPem(pem, { commonName: user.name, organizations: user.groups })),
        );

        if (auth.signer === "external") {
            if (args.clusterCaKey === undefined)
                throw new Error(`user ${user.name}: the external signer needs the cluster CA key`);
            const certificate = new tls.LocallySignedCert(
                `${name}-certificate`,
                {
                    certRequestPem: requestPem,
                    caCertPem: cluster.caCertificatePem,
                    caPrivateKeyPem: pulumi.secret(args.clusterCaKey),
                    validityPeriodHours: auth.validityHours,
                    earlyRenewalHours: auth.renewBeforeHours,
                    allowedUses: tlsAllowedUses(auth.keyAlgorithm),
                },
                { parent: this },
            );
            this.certificatePem = certificate.certPem;
            this.expiresAt = certificate.validityEndTime;
        } else {
            const certificate = new ClusterSignedCertificate(
                `${name}-certificate`,
                {
                    userName: user.name,
                    objectName: csrObjectName(user.name),
                    requestPem,
                    signerName: kubeApiserverClientSigner,
                    usages: clientCertificateUsages(auth.keyAlgorithm),
                    expirationSeconds: auth.validityHours * 3600,
                    renewBeforeSeconds: auth.renewBeforeHours * 3600,
                    timeoutSeconds: args.clusterSigning.timeoutSeconds,
                    keepRequest: args.clusterSigning.keepRequest,
                    kubeconfig:
                        args.clusterKubeconfig === undefined ? undefined : pulumi.secret(args.clusterKubeconfig),
                },
                { parent: this },
            );
            this.certificatePem = certificate.certificatePem;
            this.expiresAt = certificate.notAfter;
        }

        this.kubeconfig = pulumi.secret(
            pulumi.all([this.certificatePem, key.privateKeyPem]).apply(([certificatePem, privateKeyPem]) =>
                renderKubeconfig({
                    cluster,
                    userName: user.name,
                    credential: { kind: "clientCertificate", certificatePem, privateKeyPem },
                }),
            ),
        );
        this.registerOutputs({
            privateKeyPem: this.privateKeyPem,
            certificatePem: this.certificatePem,
            expiresAt: this.expiresAt,
            kubeconfig: this.kubeconfig,
        });
    }
}
