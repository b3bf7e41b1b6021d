import * as pulumi from "@pulumi/pulumi";
import { providerByReference } from "../dynamicProvider/byReference";
import { Clock, pollUntil, systemClock } from "../kubernetesApi/polling";
import { readServiceAccountToken } from "./tokenApi";
import { KubeconfigSource, StackConfig, kubeconfigSecretOutputs, kubeconfigText } from "../kubernetesApi/client";

/** Inputs of a {@link ServiceAccountToken}. */
export interface ServiceAccountTokenArgs {
    namespace: pulumi.Input<string>;
    /** The `kubernetes.io/service-account-token` Secret to read. */
    secretName: pulumi.Input<string>;
    /** UID of that Secret: a new Secret means a new token. */
    secretUid: pulumi.Input<string>;
    /** How long to wait for the token controller to fill the Secret. */
    timeoutSeconds: pulumi.Input<number>;
    /**
     * Kubeconfig used to reach the cluster (secret), or the stack config key
     * that holds it ({@link clusterKubeconfigFromStackConfig}); the ambient one when undefined.
     */
    kubeconfig?: pulumi.Input<KubeconfigSource>;
}

interface State {
    namespace: string;
    secretName: string;
    secretUid: string;
    timeoutSeconds: number;
    kubeconfig?: KubeconfigSource;
    token?: string;
}

/** Waits until the token controller has filled the Secret and returns the token. */
export function waitForServiceAccountToken(
    read: () => Promise<string | undefined>,
    describe: string,
    timeoutSeconds: number,
    clock: Clock = systemClock,
): Promise<string> {
    return pollUntil(
        async () => (await read()) || undefined,
        { timeoutSeconds, intervalMs: 500 },
        () =>
            new Error(
                `the token of ${describe} was not filled in after ${timeoutSeconds}s; check that kube-controller-manager ` +
                    "runs the serviceaccount-token controller with --service-account-private-key-file",
            ),
        clock,
    );
}

/** Decides what a change of inputs means for a token already read: a new Secret is a new token. */
export function diffServiceAccountToken(olds: State, news: State): pulumi.dynamic.DiffResult {
    const replaces = (["namespace", "secretName", "secretUid"] as const).filter((k) => olds[k] !== news[k]);
    const changes =
        replaces.length > 0 ||
        JSON.stringify(olds.kubeconfig) !== JSON.stringify(news.kubeconfig) ||
        olds.timeoutSeconds !== news.timeoutSeconds;
    return { changes, replaces };
}

/** The stack's configuration, as the provider's `configure` call hands it over. */
const configured: { stackConfig?: StackConfig } = {};

/** The provider's code, which the dynamic-provider host loads by name (see {@link providerByReference}). */
export const serviceAccountTokenProvider: pulumi.dynamic.ResourceProvider = {
    async configure(request: pulumi.dynamic.ConfigureRequest) {
        configured.stackConfig = request.config;
    },
    async diff(_id: string, olds: State, news: State) {
        return diffServiceAccountToken(olds, news);
    },
    async create(inputs: State) {
        const kubeconfig = kubeconfigText(inputs.kubeconfig, configured.stackConfig);
        const token = await waitForServiceAccountToken(
            () => readServiceAccountToken(kubeconfig, inputs.namespace, inputs.secretName),
            `Secret ${inputs.namespace}/${inputs.secretName}`,
            inputs.timeoutSeconds,
        );
        return { id: `${inputs.namespace}/${inputs.secretName}`, outs: { ...inputs, token } };
    },
    async update(_id: string, olds: State, news: State) {
        return { outs: { ...olds, kubeconfig: news.kubeconfig, timeoutSeconds: news.timeoutSeconds } };
    },
};

const provider = providerByReference(serviceAccountTokenProvider, __filename, "serviceAccountTokenProvider");

/**
 * The bearer token of a service-account token Secret, read back once the
 * controller has filled it in. The token is a secret in state and outputs.
 */
export class ServiceAccountToken extends pulumi.dynamic.Resource {
    /** The bearer token. */
    declare public readonly token: pulumi.Output<string>;

    constructor(name: string, args: ServiceAccountTokenArgs, opts?: pulumi.CustomResourceOptions) {
        super(
            provider,
            name,
            { ...args, token: undefined },
            { ...opts, additionalSecretOutputs: ["token", ...kubeconfigSecretOutputs(args.kubeconfig)] },
            "serviceAccounts",
            "ServiceAccountToken",
        );
    }
}
