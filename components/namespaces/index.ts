import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AccessSpec } from "../model/types";

/**
 * The namespaces kube-access creates: those listed in `kube-access:namespaces`
 * and those of service-account users with `createNamespace: true`, sorted.
 * Listing a namespace in `kube-access:namespaces` keeps it whichever users
 * come and go.
 */
export function ownedNamespaces(spec: Pick<AccessSpec, "namespaces" | "users">): string[] {
    const fromUsers = spec.users.flatMap((u) =>
        u.auth.method === "serviceAccount" && u.auth.createNamespace ? [u.auth.namespace] : [],
    );
    return [...new Set([...spec.namespaces, ...fromUsers])].sort();
}

/**
 * A namespace kube-access creates. It is never deleted by kube-access: when it
 * leaves the config (or on `pulumi destroy`) Pulumi stops managing it and it
 * stays in the cluster with everything in it (`retainOnDelete`), because a
 * namespace usually holds objects kube-access did not create. Delete it with
 * `kubectl delete namespace <name>` when that is meant.
 */
export function managedNamespace(name: string, opts: pulumi.CustomResourceOptions): k8s.core.v1.Namespace {
    return new k8s.core.v1.Namespace(
        `namespace-${name}`,
        { metadata: { name, labels: { "app.kubernetes.io/managed-by": "kube-access" } } },
        { ...opts, retainOnDelete: true },
    );
}

/** Every namespace of {@link ownedNamespaces}, created with {@link managedNamespace}, by name. */
export function managedNamespaces(
    spec: Pick<AccessSpec, "namespaces" | "users">,
    opts: pulumi.CustomResourceOptions,
): Map<string, k8s.core.v1.Namespace> {
    return new Map(ownedNamespaces(spec).map((ns) => [ns, managedNamespace(ns, opts)]));
}
