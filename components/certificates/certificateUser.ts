import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { CertificateAuth, ClusterSigningOptions, ClusterSpec, UserSpec } from "../model/types";
import { csrObjectName } from "./names";
import { buildCsrPem, clientCertificateUsages } from "../x509/csr";
import { privateKeyArgs, tlsAllowedUses } from "../x509/privateKeys";
import { ClusterSignedCertificate } from "./clusterSignedCertificate";
import { CertificateRenewal } from "./certificateRenewal";
import { renewalStart } from "./certificateStatus";
import { effectiveRenewBeforeSeconds } from "./clusterSignedCertificate";
import { certificateKubeconfig } from "./kubeconfig";
import { certificateExpiry } from "../x509/pem";
import { KubeconfigSource, isStackConfigKubeconfig } from "../kubernetesApi/client";

/** The signer of cluster-issued client certificates. */
export const kubeApiserverClientSigner = "kubernetes.io/kube-apiserver-client";

/** Inputs of a {@link CertificateUser}. */
export interface CertificateUserArgs {
    user: UserSpec & { auth: CertificateAuth };
    cluster: ClusterSpec;
    /** The cluster CA private key (secret); needed for the external signer. */
    clusterCaKey?: pulumi.Input<string>;
    /**
     * How kube-access reaches the cluster for the cluster signer: a secret
     * kubeconfig, the stack config key that holds one, or the ambient one when undefined.
     */
    clusterKubeconfig?: pulumi.Input<KubeconfigSource>;
    clusterSigning: ClusterSigningOptions;
}

/**
 * A user who authenticates with a client certificate: a private key, a CSR
 * with CN = user name and one O per group, and a certificate signed either
 * with the cluster CA key (`external`) or by the cluster through the CSR API
 * (`cluster`).
 */
export class CertificateUser extends pulumi.ComponentResource {
    /** The user's private key, PEM (secret); undefined when the user brought their own CSR. */
    public readonly privateKeyPem?: pulumi.Output<string>;
    /** The signed client certificate, PEM. */
    public readonly certificatePem: pulumi.Output<string>;
    /** When the certificate expires (ISO 8601). */
    public readonly expiresAt: pulumi.Output<string>;
    /** From when a `pulumi up` issues a new certificate (ISO 8601): the start of the renewal window. */
    public readonly renewsAt: pulumi.Output<string | undefined>;
    /** A kubeconfig that authenticates as this user (secret). */
    public readonly kubeconfig: pulumi.Output<string>;

    constructor(name: string, args: CertificateUserArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-access:certificates:CertificateUser", name, {}, opts);
        const { user, cluster } = args;
        const auth = user.auth;

        // A change of the user's rotation counter replaces the key (when kube-access
        // holds it) and the certificate; nothing else of the stack. The engine
        // compares the trigger with the value it recorded last (a resource that
        // has none recorded, from before 30 Nov 2026, records it and stays).
        const rotationTrigger = auth.rotation ?? 0;
        // With the user's own CSR, kube-access never holds the private key.
        const key = auth.certificateRequestPem
            ? undefined
            : new tls.PrivateKey(`${name}-key`, privateKeyArgs(auth.keyAlgorithm), {
                  parent: this,
                  replacementTrigger: rotationTrigger,
              });
        this.privateKeyPem = key ? pulumi.secret(key.privateKeyPem) : undefined;
        // A CSR holds no secret; it is deterministic, so unchanged config means no diff.
        const requestPem: pulumi.Output<string> | string = key
            ? pulumi.unsecret(
                  key.privateKeyPem.apply((pem) =>
                      buildCsrPem(pem, { commonName: user.name, organizations: user.groups }),
                  ),
              )
            : auth.certificateRequestPem!;

        if (auth.signer === "external") {
            if (args.clusterCaKey === undefined)
                throw new Error(`user ${user.name}: the external signer needs the cluster CA key`);
            const allowedUses = tlsAllowedUses(auth.keyAlgorithm);
            // From the CSR alone: the CA is plain config.
            const issuanceOf = (request: string) => JSON.stringify([request, cluster.caCertificatePem, allowedUses]);
            // The tls provider renews only on refresh; this schedule makes a plain
            // `pulumi up` inside the renewal window issue the certificate again.
            const renewal = new CertificateRenewal(
                `${name}-renewal`,
                {
                    // An Output's own apply: pulumi.output() would copy it first (docs/performance-runs.md, run 12).
                    issuance: typeof requestPem === "string" ? issuanceOf(requestPem) : requestPem.apply(issuanceOf),
                    validitySeconds: auth.validityHours * 3600,
                    renewBeforeSeconds: auth.renewBeforeHours * 3600,
                },
                { parent: this },
            );
            const certificate = new tls.LocallySignedCert(
                `${name}-certificate`,
                {
                    certRequestPem: requestPem,
                    caCertPem: cluster.caCertificatePem,
                    caPrivateKeyPem: pulumi.secret(args.clusterCaKey),
                    validityPeriodHours: auth.validityHours,
                    earlyRenewalHours: auth.renewBeforeHours,
                    allowedUses,
                },
                { parent: this, replaceWith: [renewal], replacementTrigger: rotationTrigger },
            );
            this.certificatePem = certificate.certPem;
            // The certificate's own notAfter (whole seconds), not the provider's
            // validityEndTime, which carries the sub-second time of signing.
            this.expiresAt = certificate.certPem.apply(certificateExpiry);
            this.renewsAt = renewal.notAfter.apply((notAfter) => renewalStart(notAfter, auth.renewBeforeHours * 3600));
        } else {
            const certificate = new ClusterSignedCertificate(
                `${name}-certificate`,
                {
                    userName: user.name,
                    objectName: csrObjectName(user.name, `${pulumi.getProject()}/${pulumi.getStack()}`),
                    stackId: `${pulumi.getProject()}/${pulumi.getStack()}`,
                    rotation: auth.rotation ?? 0,
                    requestPem,
                    signerName: kubeApiserverClientSigner,
                    usages: clientCertificateUsages(auth.keyAlgorithm),
                    expirationSeconds: auth.validityHours * 3600,
                    renewBeforeSeconds: auth.renewBeforeHours * 3600,
                    timeoutSeconds: args.clusterSigning.timeoutSeconds,
                    keepRequest: args.clusterSigning.keepRequest,
                    kubeconfig:
                        args.clusterKubeconfig === undefined || isStackConfigKubeconfig(args.clusterKubeconfig)
                            ? args.clusterKubeconfig
                            : pulumi.secret(args.clusterKubeconfig),
                },
                { parent: this },
            );
            this.certificatePem = certificate.certificatePem;
            this.expiresAt = certificate.notAfter;
            // One apply inside another rather than `pulumi.all`: the same Output, made with
            // fewer of the SDK's promises (per user, at scale: docs/performance.md).
            this.renewsAt = certificate.notBefore.apply((notBefore) =>
                certificate.notAfter.apply((notAfter) =>
                    renewalStart(
                        notAfter,
                        effectiveRenewBeforeSeconds({ notBefore, notAfter }, auth.renewBeforeHours * 3600),
                    ),
                ),
            );
        }

        // Secret either way: with a key, the key's secret Output makes it so. The key's
        // is the outer Output, so the result is secret also while it is unknown (preview).
        const certificatePem = this.certificatePem;
        const kubeconfigOf = (keyPem?: string) =>
            certificatePem.apply((certPem) => certificateKubeconfig(cluster, user.name, certPem, keyPem));
        this.kubeconfig = this.privateKeyPem
            ? this.privateKeyPem.apply(kubeconfigOf)
            : pulumi.secret(kubeconfigOf(undefined));
        // The key, certificate and kubeconfig are not repeated in the component's
        // state: the key's and certificate's resources and the stack output hold
        // them (docs/performance.md).
        this.registerOutputs({
            expiresAt: this.expiresAt,
            renewsAt: this.renewsAt,
            // Known at preview, for policy packs (policy/): who the certificate
            // names and how long it lives. No secret.
            subject: { commonName: user.name, organizations: user.groups },
            signer: auth.signer,
            validityHours: auth.validityHours,
            renewBeforeHours: auth.renewBeforeHours,
        });
    }
}
