import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { AccessBindings } from "../rbac/accessBindings";
import { PlannedImpersonation } from "./plan";

/** Inputs of {@link ImpersonationAccess}. */
export interface ImpersonationAccessArgs {
    /** The planned grants ({@link planImpersonation}). */
    grants: PlannedImpersonation[];
}

const labels = (grant: string) => ({
    "app.kubernetes.io/managed-by": "kube-access",
    "kube-access/impersonation": grant,
});

/**
 * The ClusterRoles, Roles and bindings that let declared impersonators act as
 * their targets, and nobody else: the `impersonate` verb on named resources.
 * Removing a grant from config removes its objects, and the right with them,
 * on the next `pulumi up`.
 */
export class ImpersonationAccess extends pulumi.ComponentResource {
    /** Names of the role objects, `<namespace>/<name>` for Roles. */
    public readonly roleNames: string[];

    constructor(name: string, args: ImpersonationAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        super("kube-access:impersonation:ImpersonationAccess", name, {}, opts);
        this.roleNames = [];
        const roles: pulumi.Resource[] = [];
        for (const grant of args.grants) {
            if (grant.clusterRole) {
                roles.push(
                    new k8s.rbac.v1.ClusterRole(
                        grant.clusterRole.objectName,
                        {
                            metadata: { name: grant.clusterRole.objectName, labels: labels(grant.grantName) },
                            rules: grant.clusterRole.rules,
                        },
                        { parent: this },
                    ),
                );
                this.roleNames.push(grant.clusterRole.objectName);
            }
            for (const role of grant.roles) {
                const qualified = `${role.namespace}/${role.objectName}`;
                roles.push(
                    new k8s.rbac.v1.Role(
                        qualified,
                        {
                            metadata: {
                                name: role.objectName,
                                namespace: role.namespace,
                                labels: labels(grant.grantName),
                            },
                            rules: role.rules,
                        },
                        { parent: this },
                    ),
                );
                this.roleNames.push(qualified);
            }
        }
        const bindings = new AccessBindings(
            "bindings",
            { bindings: args.grants.flatMap((g) => g.bindings) },
            { parent: this, dependsOn: roles },
        );
        this.registerOutputs({ roleNames: this.roleNames, bindingNames: bindings.objectNames });
    }
}
