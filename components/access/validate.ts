/**
 * Validation of the whole `kube-access` config: runs the generic intake and
 * each auth method's rules (the config.ts of each method folder), collects
 * every issue, and builds the access spec.
 */
import { AccessSpec, BindingSpec, ClusterSpec } from "../model/types";
import { AccessSpecError, IssueCollector, Raw, knownNames } from "../intake/reader";
import { checkGroupName, checkNamespace, entryPath, holdsValue } from "../intake/rules";
import { DeclaredUser } from "../model/declared";
import { configKeys, kubeAccessConfigSchema, secretConfigKeys } from "../intake/schema";
import { readField, readNameList } from "../intake/section";
import { checkClusterCaKey, readCertificateDefaults, readClusterSigning } from "../certificates/config";
import {
    checkInitialPasswords,
    checkKeycloakProvider,
    checkOidcPrefixes,
    checkUsersAgainstSettings,
    readOidc,
} from "../oidc/config";
import { checkBindingSubjects, declaredIdentities, readBindings, readSubject } from "../rbac/config";
import { readImpersonation } from "../impersonation/config";
import { readAuthenticatingProxy } from "../proxy/config";
import { readServiceAccountTokens } from "../serviceAccounts/config";
import { checkClusterKubeconfig, readCluster } from "./cluster";
import { namespacesNamedIn, readUsers } from "./users";

export { clusterKubeconfigText } from "./cluster";

/** Config keys of the `kube-access` namespace, and those that hold secrets: declared by the schema. */
export { configKeys, secretConfigKeys } from "../intake/schema";

/** Raw config as Pulumi hands it over: key (without namespace) to parsed value. */
export type RawConfig = Record<string, Raw>;

/** Facts about the raw config that only the runtime knows. */
export interface ConfigFacts {
    /** Keys that are stored as secrets in the stack config. */
    secretKeys: string[];
    /**
     * The Keycloak provider's settings (`url`, `clientId`, `username`,
     * `password`, `clientSecret`) that are set in its `keycloak:` config or its
     * environment variables, and which of them are stored in config as plain
     * text. Checked only when there are OIDC users; absent means not checked.
     */
    keycloak?: { set: string[]; plainTextInConfig: string[] };
    /**
     * The values of secret keys are not given (the access report reads config
     * without decrypting it): they are neither required nor checked. Whether
     * they are stored as secrets still is.
     */
    secretValuesWithheld?: boolean;
}

/**
 * Validates the whole `kube-access` config and returns the access spec with
 * defaults filled in. Throws {@link AccessSpecError} listing every problem,
 * each with its field path, so nothing is created from a bad config.
 */
export function validateAccessSpec(raw: RawConfig, facts: ConfigFacts = { secretKeys: [] }): AccessSpec {
    const c = new IssueCollector(secretConfigKeys);

    for (const key of Object.keys(raw)) {
        if (!(configKeys as readonly string[]).includes(key)) {
            c.add(key, `unknown config key; ${knownNames("keys", key, configKeys)}`);
        }
    }
    if (raw.accessFiles !== undefined) {
        // A library caller who hands over stack config as is would otherwise lose every user in the files.
        c.add(
            "accessFiles",
            "is read by loadAccessSpec or validateWithAccessFiles, which merge the files before validating; " +
                "call one of those instead of validateAccessSpec",
        );
    }
    for (const key of secretConfigKeys) {
        if (holdsValue(raw[key]) && !facts.secretKeys.includes(key)) {
            c.add(
                key,
                `holds a secret but is stored in plain text; set it with \`pulumi config set --secret kube-access:${key}\``,
            );
        }
    }

    const allowSystemMasters =
        readField(c, "allowSystemMasters", raw.allowSystemMasters, kubeAccessConfigSchema.shape.allowSystemMasters) ??
        false;
    const cluster = readCluster(c, raw.cluster);
    const defaults = readCertificateDefaults(c, raw.certificates);
    const clusterSigning = readClusterSigning(c, raw.clusterSigning);
    const tokenDefaults = readServiceAccountTokens(c, raw.serviceAccountTokens);
    const oidc = raw.oidc === undefined ? undefined : readOidc(c, raw.oidc);
    const namespaces = namespacesNamedIn(raw);
    const { users, declared } = readUsers(c, raw.users, defaults, allowSystemMasters, namespaces, tokenDefaults);
    const groups = readNameList(c, "groups", raw.groups, kubeAccessConfigSchema.shape.groups);
    groups.forEach((g, i) => checkGroupName(c, entryPath("groups", raw.groups, g, i), g, allowSystemMasters));
    const ownedNamespaces = readNameList(c, "namespaces", raw.namespaces, kubeAccessConfigSchema.shape.namespaces);
    ownedNamespaces.forEach((ns, i) =>
        checkNamespace(c, entryPath("namespaces", raw.namespaces, ns, i), ns, namespaces),
    );
    const readBindingList = readBindings(c, raw.bindings, namespaces);
    const bindings: BindingSpec[] = readBindingList.flatMap(({ name, role, namespaces, subjects }) =>
        role === undefined ? [] : [{ name, role, namespaces, subjects }],
    );

    checkUsersAgainstSettings(c, declared, oidc, raw.oidc !== undefined, users);
    checkBindingSubjects(c, readBindingList, declaredIdentities(raw, groups));
    const impersonation = readImpersonation(c, raw.impersonation, {
        users,
        declared: declaredIdentities(raw, groups),
        oidc,
        readSubject,
    });
    const authenticatingProxy = readAuthenticatingProxy(c, raw.authenticatingProxy, {
        cluster,
        caKey: raw.authenticatingProxyCaKey,
        secretValuesWithheld: facts.secretValuesWithheld === true,
    });
    if (oidc) checkOidcPrefixes(c, oidc, declared);
    if (!facts.secretValuesWithheld) checkSecrets(c, raw, declared, cluster);
    checkKeycloakProvider(c, users, facts.keycloak);

    if (c.issues.length > 0) throw new AccessSpecError(c.issues);
    return {
        cluster: cluster!,
        users,
        groups,
        namespaces: [...new Set(ownedNamespaces)],
        bindings,
        oidc,
        clusterSigning,
        allowSystemMasters,
        ...(impersonation.length > 0 ? { impersonation } : {}),
        ...(authenticatingProxy ? { authenticatingProxy } : {}),
    };
}

/** The secret keys' own rules (checked only when their values are given). */
function checkSecrets(
    c: IssueCollector,
    raw: RawConfig,
    users: DeclaredUser[],
    cluster: ClusterSpec | undefined,
): void {
    checkClusterCaKey(c, raw.clusterCaKey, users, cluster);
    if (raw.clusterKubeconfig !== undefined) checkClusterKubeconfig(c, raw.clusterKubeconfig);
    if (raw.oidcInitialPasswords !== undefined) checkInitialPasswords(c, raw);
}
