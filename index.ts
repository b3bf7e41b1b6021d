import * as pulumi from "@pulumi/pulumi";
import { loadAccessSpec } from "./components/access/load";
import { publishedPassphraseWarning } from "./components/access/passphraseCheck";
import { limitHeapGrowth, limitStackTraces } from "./components/access/runtimeSettings";

// No stack trace per promise the SDK makes: with thousands of resources it is most of the program's time.
limitStackTraces();

/** Runs `read`; what it refuses is a RunError, which Pulumi prints as its message alone, not as a crash. */
function refusedAsRunError<T>(read: () => T): T {
    try {
        return read();
    } catch (e) {
        throw new pulumi.RunError((e as Error).message);
    }
}

// A heap that grows to 1.2 times what is alive, not V8's default of up to several times (peak memory).
refusedAsRunError(limitHeapGrowth);

// A stack whose secrets use the demo's published passphrase is told so at every preview.
const passphraseWarning = publishedPassphraseWarning(process.env);
if (passphraseWarning) pulumi.log.warn(passphraseWarning);

// Read and validate the whole `kube-access` config before creating anything.
const { spec, secrets } = refusedAsRunError(loadAccessSpec);

// Only a valid config loads the components and the providers' packages:
// a refused config is answered without them (docs/performance.md). The
// engine calls this function and takes what it returns as the stack outputs.
export = async () => {
    const [k8s, { KubeAccess, needsKubernetesObjects, providerClusterIdentifier }] = await Promise.all([
        import("@pulumi/kubernetes"),
        import("./components/access/kubeAccess"),
    ]);

    // Pulumi reaches the cluster with the configured admin kubeconfig, or the ambient one.
    // A stack that only signs certificates externally needs no cluster access at all.
    // The cluster's identity (API server URL and CA), not the kubeconfig, decides when the
    // provider and everything it manages would be replaced: a renamed cluster entry, a
    // proxy-url or rotated admin credentials only update it.
    const cluster = needsKubernetesObjects(spec)
        ? new k8s.Provider("cluster", {
              kubeconfig: secrets.clusterKubeconfig,
              clusterIdentifier: providerClusterIdentifier(spec.cluster),
          })
        : undefined;

    const access = new KubeAccess(
        "kube-access",
        { spec, secrets },
        cluster ? { providers: { kubernetes: cluster } } : {},
    );

    // The stack outputs. `oidc` exists only when OIDC is configured: an output
    // whose value is undefined would make every healthy stack without OIDC print
    // "Undefined value (oidc) will not show as a stack output".
    return {
        /** Kubeconfig by user name (secret): `pulumi stack output kubeconfigs --show-secrets --json`. */
        kubeconfigs: access.kubeconfigs,
        /** Who has access and how, by user name: method, groups, identity, certificate expiry, grants. */
        users: access.usersByName,
        /** Grants to users and groups no user in config stands for (external ones, groups with no listed member). */
        unlistedSubjects: access.unlistedSubjects,
        /** kube-apiserver OIDC settings (flags, or an AuthenticationConfiguration), when OIDC is configured. */
        ...(access.oidc ? { oidc: access.oidc } : {}),
        /** kube-apiserver request-header settings, the request-header CA and each proxy's credentials (secret), when proxies are configured. */
        ...(access.authenticatingProxy ? { authenticatingProxy: access.authenticatingProxy } : {}),
    };
};
