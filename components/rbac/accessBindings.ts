import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { PlannedBinding } from "./plan";

/** Inputs of {@link AccessBindings}. */
export interface AccessBindingsArgs {
    bindings: PlannedBinding[];
}

const managedByLabels = (binding: PlannedBinding) => ({
    "app.kubernetes.io/managed-by": "kube-access",
    "kube-access/binding": binding.bindingName,
});

/** The RoleBindings and ClusterRoleBindings that grant declared users and groups their roles. */
export class AccessBindings extends pulumi.ComponentResource {
    /** Names of the binding objects, `<namespace>/<name>` for RoleBindings. */
    public readonly objectNames: string[];

    constructor(name: string, args: AccessBindingsArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-access:rbac:AccessBindings", name, {}, opts);
        this.objectNames = [];
        for (const binding of args.bindings) {
            const subject = {
                kind: binding.subject.kind,
                name: binding.subject.name,
                ...(binding.subject.namespace
                    ? { namespace: binding.subject.namespace }
                    : { apiGroup: "rbac.authorization.k8s.io" }),
            };
            const roleRef = {
                apiGroup: "rbac.authorization.k8s.io",
                kind: binding.roleRef.kind,
                name: binding.roleRef.name,
            };
            if (binding.kind === "ClusterRoleBinding") {
                new k8s.rbac.v1.ClusterRoleBinding(
                    binding.objectName,
                    {
                        metadata: { name: binding.objectName, labels: managedByLabels(binding) },
                        roleRef,
                        subjects: [subject],
                    },
                    { parent: this },
                );
                this.objectNames.push(binding.objectName);
            } else {
                const qualified = `${binding.namespace}/${binding.objectName}`;
                new k8s.rbac.v1.RoleBinding(
                    qualified,
                    {
                        metadata: {
                            name: binding.objectName,
                            namespace: binding.namespace,
                            labels: managedByLabels(binding),
                        },
                        roleRef,
                        subjects: [subject],
                    },
                    { parent: this },
                );
                this.objectNames.push(qualified);
            }
        }
        this.registerOutputs({ objectNames: this.objectNames });
    }
}
