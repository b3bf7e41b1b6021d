import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { ClusterSpec, ServiceAccountAuth, UserSpec } from "../model/types";
import { tokenSecretName } from "./names";
import { serviceAccountUsername } from "../model/identity";
import { ServiceAccountToken } from "./serviceAccountToken";
import { KubeconfigSource, isStackConfigKubeconfig } from "../kubernetesApi/client";
import { serviceAccountKubeconfig } from "./kubeconfig";
import { CredentialRotation, credentialRotatesAt } from "../rotation/credentialRotation";

/** Inputs of a {@link ServiceAccountUser}. */
export interface ServiceAccountUserArgs {
    user: UserSpec & { auth: ServiceAccountAuth };
    cluster: ClusterSpec;
    /**
     * How kube-access reaches the cluster to read the token: a secret
     * kubeconfig, the stack config key that holds one, or the ambient one when undefined.
     */
    clusterKubeconfig?: pulumi.Input<KubeconfigSource>;
    /** How long to wait for the token controller. */
    tokenTimeoutSeconds: number;
}

/**
 * A machine user: a ServiceAccount, a long-lived token Secret bound to it,
 * and the token read back once the controller has filled it in.
 */
export class ServiceAccountUser extends pulumi.ComponentResource {
    /** The bearer token (secret). */
    public readonly token: pulumi.Output<string>;
    /** The identity the API server sees. */
    public readonly username: string;
    /** A kubeconfig that authenticates as this service account (secret). */
    public readonly kubeconfig: pulumi.Output<string>;
    /** From when a `pulumi up` replaces the token (ISO 8601), when the user's token has a maximum age. */
    public readonly tokenRotatesAt?: pulumi.Output<string>;

    constructor(name: string, args: ServiceAccountUserArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-access:serviceAccounts:ServiceAccountUser", name, {}, opts);
        const { user, cluster } = args;
        const namespace = user.auth.namespace;
        const labels = { "app.kubernetes.io/managed-by": "kube-access" };

        const account = new k8s.core.v1.ServiceAccount(
            `${name}-account`,
            { metadata: { name: user.name, namespace, labels } },
            { parent: this },
        );
        const maxAgeSeconds = user.auth.tokenMaxAgeHours === undefined ? undefined : user.auth.tokenMaxAgeHours * 3600;
        const rotation = new CredentialRotation(
            `${name}-rotation`,
            { rotation: user.auth.rotation ?? 0, maxAgeSeconds },
            { parent: this },
        );
        // A stack that never rotates keeps the name it always had; once rotation or a
        // maximum age is configured, each generation of the token gets a Secret of its own
        // name (see tokenSecretName: the same name would give the same token).
        const rotates = (user.auth.rotation ?? 0) > 0 || maxAgeSeconds !== undefined;
        const secretName = rotates
            ? rotation.id.apply((id) => tokenSecretName(user.name, id.slice(0, 8)))
            : tokenSecretName(user.name);
        const secret = new k8s.core.v1.Secret(
            `${name}-token`,
            {
                metadata: {
                    name: secretName,
                    namespace,
                    labels,
                    annotations: {
                        "kubernetes.io/service-account.name": account.metadata.name,
                        // The kubernetes provider waits at most 5 s for the token controller to fill a
                        // token Secret in; a busy cluster takes longer. The reader below waits instead,
                        // for `tokenTimeoutSeconds`, and its error names kube-controller-manager.
                        "pulumi.com/skipAwait": "true",
                    },
                },
                type: "kubernetes.io/service-account-token",
            },
            // A new generation has a new name: the new Secret is made (and its token read)
            // before the old one is deleted, so the service account is never without a token.
            { parent: this, dependsOn: [account] },
        );
        const token = new ServiceAccountToken(
            `${name}-token-value`,
            {
                namespace,
                secretName: secret.metadata.name,
                secretUid: secret.metadata.uid,
                timeoutSeconds: args.tokenTimeoutSeconds,
                kubeconfig:
                    args.clusterKubeconfig === undefined || isStackConfigKubeconfig(args.clusterKubeconfig)
                        ? args.clusterKubeconfig
                        : pulumi.secret(args.clusterKubeconfig),
            },
            { parent: this },
        );
        this.token = pulumi.secret(token.token);
        this.username = serviceAccountUsername(namespace, user.name);
        // Secret because the token is.
        this.kubeconfig = this.token.apply((value) => serviceAccountKubeconfig(cluster, user.name, namespace, value));
        this.tokenRotatesAt =
            maxAgeSeconds === undefined
                ? undefined
                : rotation.madeAt.apply((madeAt) => credentialRotatesAt(madeAt, maxAgeSeconds)!);
        // The token and kubeconfig are not repeated in the component's state: the
        // token Secret's resource and the stack output hold them (docs/performance.md).
        this.registerOutputs({
            username: this.username,
            tokenRotatesAt: this.tokenRotatesAt,
        });
    }
}
