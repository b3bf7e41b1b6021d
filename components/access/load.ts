import * as pulumi from "@pulumi/pulumi";
import * as runtimeConfig from "@pulumi/pulumi/runtime/config";
import { RawConfig, clusterKubeconfigText, configKeys, validateAccessSpec } from "./validate";
import { AccessSpec } from "../model/types";
import { normalisePrivateKeyPem } from "../x509/pem";
import { validateWithAccessFiles } from "../intake/accessFiles";

/** The config namespace kube-access reads. */
export const configNamespace = "kube-access";

/** Secret config values, already wrapped as Pulumi secrets. */
export interface AccessSecrets {
    /** Admin kubeconfig Pulumi uses to reach the cluster; the ambient one when absent. */
    clusterKubeconfig?: pulumi.Output<string>;
    /**
     * True when `clusterKubeconfig` is the stack's `kube-access:clusterKubeconfig`:
     * kube-access's own resources then name the key instead of holding the kubeconfig.
     */
    clusterKubeconfigInStackConfig?: boolean;
    /** The cluster CA private key, for externally signed certificates. */
    clusterCaKey?: pulumi.Output<string>;
    /** Initial Keycloak passwords by OIDC user name. */
    oidcInitialPasswords: Record<string, pulumi.Output<string>>;
    /** The private key of a request-header CA supplied in config, for authenticating proxies. */
    authenticatingProxyCaKey?: pulumi.Output<string>;
}

/**
 * Reads the `kube-access` config of the current stack, validates it and
 * returns the spec plus the secret values. Secret values are read in plain
 * text only to validate them and are wrapped with `pulumi.secret` at once.
 * Access files (`kube-access:accessFiles`) are read relative to `projectDir`,
 * the folder of Pulumi.yaml where the engine runs the program.
 */
export function loadAccessSpec(projectDir: string = process.cwd()): { spec: AccessSpec; secrets: AccessSecrets } {
    const raw: RawConfig = {};
    const all = pulumi.runtime.allConfig();
    for (const [fullKey, value] of Object.entries(all)) {
        const [namespace, key] = splitKey(fullKey);
        if (namespace !== configNamespace) continue;
        raw[key] = parseConfigValue(value);
    }
    // Users, groups, namespaces and bindings may also come from access files (kube-access:accessFiles).
    const facts = { secretKeys: secretConfigKeys(), keycloak: keycloakProviderFacts(all) };
    const spec = validateWithAccessFiles(raw, projectDir, (merged) => validateAccessSpec(merged, facts));
    const asString = (v: unknown) => (typeof v === "string" ? pulumi.secret(v) : undefined);
    const passwords = (raw.oidcInitialPasswords ?? {}) as Record<string, string>;
    return {
        spec,
        secrets: {
            clusterKubeconfig: asString(clusterKubeconfigText(raw.clusterKubeconfig)),
            clusterKubeconfigInStackConfig: raw.clusterKubeconfig !== undefined,
            // Validation has checked the key; the tls provider gets it as one canonical PEM block.
            clusterCaKey: asString(
                typeof raw.clusterCaKey === "string" ? normalisePrivateKeyPem(raw.clusterCaKey) : raw.clusterCaKey,
            ),
            authenticatingProxyCaKey: asString(
                typeof raw.authenticatingProxyCaKey === "string"
                    ? normalisePrivateKeyPem(raw.authenticatingProxyCaKey)
                    : undefined,
            ),
            oidcInitialPasswords: Object.fromEntries(Object.entries(passwords).map(([k, v]) => [k, pulumi.secret(v)])),
        },
    };
}

function splitKey(fullKey: string): [string, string] {
    const i = fullKey.indexOf(":");
    const key = fullKey.slice(i + 1);
    // Older engines pass "ns:config:key".
    return [fullKey.slice(0, i), key.startsWith("config:") ? key.slice("config:".length) : key];
}

/** Structured config arrives as JSON text; plain strings stay strings. */
export function parseConfigValue(value: string): unknown {
    const trimmed = value.trim();
    if (/^[[{]/.test(trimmed) || trimmed === "true" || trimmed === "false" || /^-?\d+$/.test(trimmed)) {
        try {
            return JSON.parse(trimmed);
        } catch {
            return value;
        }
    }
    return value;
}

/** Whether the engine was given this config key (`namespace:key`) as a secret. */
function isSecretConfigKey(fullKey: string): boolean {
    const raw = process.env.PULUMI_CONFIG_SECRET_KEYS;
    const fromEnv: string[] = raw ? JSON.parse(raw) : [];
    // The runtime also knows which keys it was given as secrets (not in its typings).
    const isConfigSecret = (runtimeConfig as { isConfigSecret?: (k: string) => boolean }).isConfigSecret;
    return fromEnv.includes(fullKey) || isConfigSecret?.(fullKey) === true;
}

function secretConfigKeys(): string[] {
    return configKeys.filter((k) => isSecretConfigKey(`${configNamespace}:${k}`));
}

/** Environment variables the Keycloak provider reads when its config is not set. */
const keycloakEnv: Record<string, string> = {
    url: "KEYCLOAK_URL",
    clientId: "KEYCLOAK_CLIENT_ID",
    username: "KEYCLOAK_USER",
    password: "KEYCLOAK_PASSWORD",
    clientSecret: "KEYCLOAK_CLIENT_SECRET",
};

function keycloakProviderFacts(all: Record<string, string>): { set: string[]; plainTextInConfig: string[] } {
    const inConfig = (k: string) => all[`keycloak:${k}`] !== undefined || all[`keycloak:config:${k}`] !== undefined;
    const set = Object.keys(keycloakEnv).filter((k) => inConfig(k) || process.env[keycloakEnv[k]]);
    const plainTextInConfig = ["password", "clientSecret"].filter(
        (k) => inConfig(k) && !isSecretConfigKey(`keycloak:${k}`),
    );
    return { set, plainTextInConfig };
}
