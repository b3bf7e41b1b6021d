import * as YAML from "yaml";

/** The cluster part of a kubeconfig. */
export interface KubeconfigCluster {
    name: string;
    server: string;
    caCertificatePem: string;
}

/** An exec credential plugin entry (`users[].user.exec`). */
export interface ExecCredential {
    command: string;
    args: string[];
    /** Whether the plugin may prompt (kubelogin opens a browser). */
    interactiveMode: "Never" | "IfAvailable" | "Always";
}

/** What a kubeconfig's user entry authenticates with. */
export type KubeconfigCredential =
    | { kind: "clientCertificate"; certificatePem: string; privateKeyPem: string }
    /** The user keeps the key: the kubeconfig names its file (relative paths resolve beside the kubeconfig). */
    | { kind: "clientCertificateWithKeyFile"; certificatePem: string; privateKeyPath: string }
    | { kind: "token"; token: string }
    | { kind: "exec"; exec: ExecCredential }
    | { kind: "authProvider"; name: string; config: Record<string, string> };

/** Everything a single-user kubeconfig holds. */
export interface KubeconfigInput {
    cluster: KubeconfigCluster;
    userName: string;
    /** Default namespace of the context, if any. */
    namespace?: string;
    credential: KubeconfigCredential;
}

const base64 = (text: string) => Buffer.from(text, "utf8").toString("base64");

/** Name of the context kube-access writes for a user. */
export function contextName(userName: string, clusterName: string): string {
    return `${userName}@${clusterName}`;
}

function userEntry(credential: KubeconfigCredential): Record<string, unknown> {
    switch (credential.kind) {
        case "clientCertificate":
            return {
                "client-certificate-data": base64(credential.certificatePem),
                "client-key-data": base64(credential.privateKeyPem),
            };
        case "clientCertificateWithKeyFile":
            return {
                "client-certificate-data": base64(credential.certificatePem),
                "client-key": credential.privateKeyPath,
            };
        case "token":
            return { token: credential.token };
        case "exec":
            return {
                exec: {
                    apiVersion: "client.authentication.k8s.io/v1",
                    command: credential.exec.command,
                    args: credential.exec.args,
                    interactiveMode: credential.exec.interactiveMode,
                    provideClusterInfo: false,
                },
            };
        case "authProvider":
            return { "auth-provider": { name: credential.name, config: credential.config } };
    }
}

/**
 * Renders a kubeconfig for one user: one cluster, one user, one context, and
 * that context as current. Pure: the same input always gives the same text.
 */
export function renderKubeconfig(input: KubeconfigInput): string {
    const context = contextName(input.userName, input.cluster.name);
    const doc = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [
            {
                name: input.cluster.name,
                cluster: {
                    server: input.cluster.server,
                    "certificate-authority-data": base64(input.cluster.caCertificatePem),
                },
            },
        ],
        users: [{ name: input.userName, user: userEntry(input.credential) }],
        contexts: [
            {
                name: context,
                context: {
                    cluster: input.cluster.name,
                    user: input.userName,
                    ...(input.namespace ? { namespace: input.namespace } : {}),
                },
            },
        ],
        "current-context": context,
        preferences: {},
    };
    return YAML.stringify(doc, { lineWidth: 0 });
}
