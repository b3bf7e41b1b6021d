/**
 * The provider packages' own resource classes, found by type token, for the
 * mock comparison's raw baseline: a raw program declares `new
 * tls.PrivateKey(...)`, not a bare custom resource, and each class declares
 * every output property the provider returns, which the SDK turns into one
 * Output each.
 */
import type * as pulumi from "@pulumi/pulumi";

/** A resource class of a provider package: what `new` takes, and its type token. */
export interface ResourceClass {
    new (name: string, args: pulumi.Inputs, opts?: pulumi.CustomResourceOptions): pulumi.CustomResource;
    __pulumiType: string;
}

/** A provider package's exports, by package name (`kubernetes`, `tls`, `keycloak`). */
export type ProviderPackages = Record<string, Record<string, unknown>>;

function member(from: unknown, key: string): unknown {
    return from !== null && (typeof from === "object" || typeof from === "function")
        ? (from as Record<string, unknown>)[key]
        : undefined;
}

/**
 * The class of a type token, or undefined when none of `packages` has it.
 *
 * Type tokens are `<package>:<module>:<name>` (Pulumi's resource type
 * tokens). The class is looked up where the packages export it:
 * - `tls:index/privateKey:PrivateKey`: `tls.PrivateKey` (`index` is the package's top level);
 * - `keycloak:openid/client:Client`: `keycloak.openid.Client`;
 * - `kubernetes:rbac.authorization.k8s.io/v1:RoleBinding`: `kubernetes.rbac.v1.RoleBinding`
 *   (an API group's first label, then the version);
 * - `pulumi:providers:kubernetes`: `kubernetes.Provider`.
 *
 * A class counts only when its own `__pulumiType` names the same resource
 * (providers' classes carry the package name).
 */
export function resourceClass(packages: ProviderPackages, type: string): ResourceClass | undefined {
    const [packageName, moduleName, name] = type.split(":");
    if (packageName === "pulumi" && moduleName === "providers") {
        const provider = member(packages[name], "Provider") as ResourceClass | undefined;
        return provider?.__pulumiType === name ? provider : undefined;
    }
    const root = packages[packageName];
    if (!root || moduleName === undefined || name === undefined) return undefined;
    const [first, second] = moduleName.split("/");
    const top = first === "index" ? root : member(root, first.split(".")[0]);
    // A version (kubernetes) or a file name (tls, keycloak): try the version first.
    for (const from of [member(top, second ?? ""), top]) {
        const found = member(from, name) as ResourceClass | undefined;
        if (typeof found === "function" && found.__pulumiType === type) return found;
    }
    return undefined;
}
