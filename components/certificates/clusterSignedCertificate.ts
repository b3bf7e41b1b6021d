import * as pulumi from "@pulumi/pulumi";
import { providerByReference } from "../dynamicProvider/byReference";
import { issueClusterSignedCertificate, needsRenewal } from "./clusterSigning";
import { kubernetesSigningApi } from "./signingApi";
import { certificateExpiry, certificateStart } from "../x509/pem";
import { KubeconfigSource, StackConfig, kubeconfigSecretOutputs, kubeconfigText } from "../kubernetesApi/client";

/** Inputs of a {@link ClusterSignedCertificate}. */
export interface ClusterSignedCertificateArgs {
    /** The user the certificate is for. */
    userName: pulumi.Input<string>;
    /** Name of the CertificateSigningRequest object (unique per stack, see csrObjectName). */
    objectName: pulumi.Input<string>;
    /** `<project>/<stack>`, recorded on the CSR object as the `kube-access/stack` annotation. */
    stackId?: pulumi.Input<string>;
    /** The user's rotation counter (`auth.rotation`); a change issues a new certificate. */
    rotation?: pulumi.Input<number>;
    /** PEM of the PKCS#10 request (CN = user, one O per group). */
    requestPem: pulumi.Input<string>;
    /** Signer to ask; `kubernetes.io/kube-apiserver-client` for client certificates. */
    signerName: pulumi.Input<string>;
    usages: pulumi.Input<pulumi.Input<string>[]>;
    /** Requested lifetime; the signer may issue a shorter one. */
    expirationSeconds: pulumi.Input<number>;
    /** Renew when a `pulumi up` runs this close to expiry. */
    renewBeforeSeconds: pulumi.Input<number>;
    /** How long to wait for the signer. */
    timeoutSeconds: pulumi.Input<number>;
    /** Keep the CSR object after the certificate is read. */
    keepRequest: pulumi.Input<boolean>;
    /**
     * Kubeconfig used to reach the cluster (secret), or the stack config key
     * that holds it ({@link clusterKubeconfigFromStackConfig}); the ambient one when undefined.
     */
    kubeconfig?: pulumi.Input<KubeconfigSource>;
}

interface State {
    userName: string;
    objectName: string;
    stackId?: string;
    rotation?: number;
    requestPem: string;
    signerName: string;
    usages: string[];
    expirationSeconds: number;
    renewBeforeSeconds: number;
    timeoutSeconds: number;
    keepRequest: boolean;
    kubeconfig?: KubeconfigSource;
    certificatePem?: string;
    notBefore?: string;
    notAfter?: string;
}

/** Inputs whose change means a new certificate must be issued. */
const reissueOn = ["userName", "requestPem", "signerName", "usages", "expirationSeconds"] as const;
/**
 * Inputs that only change how kube-access talks to the cluster. The CSR
 * object's name matters only while a certificate is being issued, so a new
 * name (state from before names were unique per stack) is no reason to issue
 * a new certificate.
 */
const updateOn = [
    "objectName",
    "stackId",
    "renewBeforeSeconds",
    "timeoutSeconds",
    "keepRequest",
    "kubeconfig",
] as const;

/**
 * The renewal window actually used: the configured one, but never more than
 * half the lifetime the signer granted (it may shorten the requested one),
 * so a short-lived certificate is not renewed on every run.
 */
export function effectiveRenewBeforeSeconds(
    state: Pick<State, "notBefore" | "notAfter">,
    renewBeforeSeconds: number,
): number {
    if (!state.notBefore || !state.notAfter) return renewBeforeSeconds;
    const lifetime = (Date.parse(state.notAfter) - Date.parse(state.notBefore)) / 1000;
    return Math.min(renewBeforeSeconds, Math.floor(lifetime / 2));
}

/** Decides what a change of inputs (or the passage of time) means for an issued certificate. */
export function diffClusterSignedCertificate(olds: State, news: State, now: number): pulumi.dynamic.DiffResult {
    const replaces: string[] = reissueOn.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    // State from before rotation counters has none: the same as 0.
    if ((olds.rotation ?? 0) !== (news.rotation ?? 0)) replaces.push("rotation");
    if (olds.notAfter && needsRenewal(olds.notAfter, effectiveRenewBeforeSeconds(olds, news.renewBeforeSeconds), now)) {
        replaces.push("notAfter");
    }
    const updates = updateOn.filter((k) => JSON.stringify(olds[k]) !== JSON.stringify(news[k]));
    return {
        changes: replaces.length > 0 || updates.length > 0,
        replaces,
        deleteBeforeReplace: true,
    };
}

/** The stack's configuration, as the provider's `configure` call hands it over. */
const configured: { stackConfig?: StackConfig } = {};

/** The provider's code, which the dynamic-provider host loads by name (see {@link providerByReference}). */
export const clusterSignedCertificateProvider: pulumi.dynamic.ResourceProvider = {
    async configure(request: pulumi.dynamic.ConfigureRequest) {
        configured.stackConfig = request.config;
    },

    async diff(_id: string, olds: State, news: State) {
        return diffClusterSignedCertificate(olds, news, Date.now());
    },

    async create(inputs: State) {
        const api = kubernetesSigningApi(kubeconfigText(inputs.kubeconfig, configured.stackConfig));
        const certificatePem = await issueClusterSignedCertificate(api, inputs, {
            timeoutSeconds: inputs.timeoutSeconds,
            keepRequest: inputs.keepRequest,
        });
        return {
            id: inputs.objectName,
            outs: {
                ...inputs,
                certificatePem,
                notBefore: certificateStart(certificatePem),
                notAfter: certificateExpiry(certificatePem),
            },
        };
    },

    async update(_id: string, olds: State, news: State) {
        // A CSR object kept under the old name would be orphaned: nothing deletes it any more.
        if (olds.keepRequest && olds.objectName !== news.objectName) {
            await kubernetesSigningApi(kubeconfigText(news.kubeconfig, configured.stackConfig)).remove(olds.objectName);
        }
        return {
            outs: { ...olds, rotation: news.rotation, ...Object.fromEntries(updateOn.map((k) => [k, news[k]])) },
        };
    },

    async delete(_id: string, props: State) {
        await kubernetesSigningApi(kubeconfigText(props.kubeconfig, configured.stackConfig)).remove(props.objectName);
    },
};

const provider = providerByReference(clusterSignedCertificateProvider, __filename, "clusterSignedCertificateProvider");

/**
 * A client certificate issued by the cluster itself through a
 * `certificates.k8s.io/v1` CertificateSigningRequest that kube-access
 * creates, approves and reads back. The CA key never leaves the cluster.
 */
export class ClusterSignedCertificate extends pulumi.dynamic.Resource {
    /** PEM of the issued certificate. */
    declare public readonly certificatePem: pulumi.Output<string>;
    /** Expiry of the issued certificate (ISO 8601), as the signer set it. */
    declare public readonly notAfter: pulumi.Output<string>;
    /** Start of the issued certificate's validity (ISO 8601). */
    declare public readonly notBefore: pulumi.Output<string>;

    constructor(name: string, args: ClusterSignedCertificateArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            { ...args, certificatePem: undefined, notBefore: undefined, notAfter: undefined },
            { ...opts, additionalSecretOutputs: kubeconfigSecretOutputs(args.kubeconfig) },
            "certificates",
            "ClusterSignedCertificate",
        );
    }
}
