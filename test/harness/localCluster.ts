import * as fs from "fs";
import * as path from "path";
import { CommandResult, repoRoot, run, toolEnv } from "./toolEnv";

/** Ports of a local cluster; each defaults to what tools/local-cluster.sh uses. */
export interface LocalClusterPorts {
    etcd?: number;
    etcdPeer?: number;
    apiServer?: number;
    controllerManager?: number;
    keycloak?: number;
    keycloakHttp?: number;
}

/** What a started local cluster tells its users (from its env file). */
export interface LocalClusterInfo {
    dir: string;
    apiServerUrl: string;
    caCertificatePath: string;
    caKeyPath: string;
    adminKubeconfigPath: string;
    authenticationConfigPath: string;
    keycloakUrl: string;
    keycloakAdminUser: string;
    keycloakAdminPassword: string;
    keycloakCaCertificatePath: string;
    kubectl: string;
}

const script = path.join(repoRoot, "tools", "local-cluster.sh");

/** The environment tools/local-cluster.sh reads its state dir and ports from. */
export function portEnv(dir: string, ports: LocalClusterPorts): Record<string, string> {
    const env: Record<string, string> = { KUBE_ACCESS_CLUSTER_DIR: dir };
    const names: [keyof LocalClusterPorts, string][] = [
        ["etcd", "KUBE_ACCESS_ETCD_PORT"],
        ["etcdPeer", "KUBE_ACCESS_ETCD_PEER_PORT"],
        ["apiServer", "KUBE_ACCESS_APISERVER_PORT"],
        ["controllerManager", "KUBE_ACCESS_CONTROLLER_MANAGER_PORT"],
        ["keycloak", "KUBE_ACCESS_KEYCLOAK_PORT"],
        ["keycloakHttp", "KUBE_ACCESS_KEYCLOAK_HTTP_PORT"],
    ];
    for (const [key, variable] of names) if (ports[key] !== undefined) env[variable] = String(ports[key]);
    return env;
}

/** Parses the `KEY=value` env file tools/local-cluster.sh writes. */
export function parseEnvFile(text: string): Record<string, string> {
    const out: Record<string, string> = {};
    for (const line of text.split("\n")) {
        const at = line.indexOf("=");
        if (at > 0 && !line.startsWith("#")) out[line.slice(0, at)] = line.slice(at + 1);
    }
    return out;
}

/**
 * A local control plane (etcd, kube-apiserver, kube-controller-manager) and
 * Keycloak on loopback, driven through tools/local-cluster.sh.
 */
export class LocalCluster {
    private constructor(
        readonly info: LocalClusterInfo,
        /** The environment of the cluster's tools (tools/harness-env.sh with this cluster's ports). */
        readonly env: NodeJS.ProcessEnv,
    ) {}

    /** Starts the cluster in `dir` (or reports the one already running there). */
    static async start(dir: string, ports: LocalClusterPorts = {}, echo?: string): Promise<LocalCluster> {
        const env = toolEnv(portEnv(dir, ports));
        try {
            await run("bash", [script, "start"], { env, echo });
        } catch (e) {
            // A start that failed part-way stops what it started, so nothing holds the ports afterwards.
            await run("bash", [script, "stop"], { env, check: false });
            throw e;
        }
        const vars = parseEnvFile(fs.readFileSync(path.join(dir, "env"), "utf8"));
        return new LocalCluster(
            {
                dir,
                apiServerUrl: vars.KUBE_ACCESS_APISERVER_URL,
                caCertificatePath: vars.KUBE_ACCESS_CLUSTER_CA_CERT,
                caKeyPath: vars.KUBE_ACCESS_CLUSTER_CA_KEY,
                adminKubeconfigPath: vars.KUBE_ACCESS_ADMIN_KUBECONFIG,
                authenticationConfigPath: vars.KUBE_ACCESS_AUTHENTICATION_CONFIG,
                keycloakUrl: vars.KUBE_ACCESS_KEYCLOAK_URL,
                keycloakAdminUser: vars.KUBE_ACCESS_KEYCLOAK_ADMIN_USER,
                keycloakAdminPassword: vars.KUBE_ACCESS_KEYCLOAK_ADMIN_PASSWORD,
                keycloakCaCertificatePath: vars.KUBE_ACCESS_KEYCLOAK_CA_CERT,
                kubectl: vars.KUBE_ACCESS_KUBECTL,
            },
            env,
        );
    }

    /** Stops every process the cluster started. */
    async stop(): Promise<void> {
        await run("bash", [script, "stop"], { env: this.env, check: false });
    }

    /** Makes the API server trust OIDC tokens as the given AuthenticationConfiguration says. */
    async setAuthenticationConfiguration(yaml: string, echo?: string): Promise<void> {
        const file = path.join(this.info.dir, "authentication-config.next.yaml");
        fs.writeFileSync(file, yaml);
        await run("bash", [script, "set-authentication-config", file], { env: this.env, echo });
    }

    /** Runs the built kubectl; with the admin kubeconfig unless another is given. */
    kubectl(
        args: string[],
        opts: { kubeconfig?: string; check?: boolean; input?: string } = {},
    ): Promise<CommandResult> {
        return run(this.info.kubectl, ["--kubeconfig", opts.kubeconfig ?? this.info.adminKubeconfigPath, ...args], {
            env: this.env,
            check: opts.check,
            input: opts.input,
        });
    }

    /** Reads one of the cluster's files (certificates, keys, kubeconfig). */
    read(file: string): string {
        return fs.readFileSync(file, "utf8");
    }

    /** Log files of every process, for diagnosis and leak checks. */
    logFiles(): string[] {
        const logs = path.join(this.info.dir, "logs");
        return fs.existsSync(logs) ? fs.readdirSync(logs).map((f) => path.join(logs, f)) : [];
    }

    /**
     * Points a stack config (full keys, as in Pulumi.<stack>.yaml) at this
     * cluster and its Keycloak: the API server and its CA, the OIDC issuer of
     * the stack's realm and Keycloak's CA, and the Keycloak provider's settings.
     * Returns the secrets to set beside it: the CA key, an admin kubeconfig and
     * the Keycloak admin password.
     */
    pointStackAt(base: Record<string, unknown>): { config: Record<string, unknown>; secrets: Record<string, string> } {
        const keycloakCa = this.read(this.info.keycloakCaCertificatePath);
        const cluster = (base["kube-access:cluster"] ?? {}) as Record<string, unknown>;
        const oidc = base["kube-access:oidc"] as Record<string, unknown> | undefined;
        const config: Record<string, unknown> = {
            ...base,
            "kube-access:cluster": {
                ...cluster,
                server: this.info.apiServerUrl,
                caCertificate: this.read(this.info.caCertificatePath),
            },
            "keycloak:url": this.info.keycloakUrl,
            "keycloak:realm": "master",
            "keycloak:clientId": "admin-cli",
            "keycloak:username": this.info.keycloakAdminUser,
            "keycloak:rootCaCertificate": keycloakCa,
            // The provider gives up on a Keycloak request after 5 s by default; creating a realm on a
            // busy 2-core machine has taken longer (seen: "context deadline exceeded" on Realm create).
            "keycloak:clientTimeout": 60,
        };
        if (oidc) {
            config["kube-access:oidc"] = {
                ...oidc,
                issuerUrl: `${this.info.keycloakUrl}/realms/${oidc.realm ?? "kubernetes"}`,
                caCertificate: keycloakCa,
            };
        }
        return {
            config,
            secrets: {
                "kube-access:clusterCaKey": this.read(this.info.caKeyPath),
                "kube-access:clusterKubeconfig": this.read(this.info.adminKubeconfigPath),
                "keycloak:password": this.info.keycloakAdminPassword,
            },
        };
    }
}
