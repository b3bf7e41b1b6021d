import { RoleRef } from "../model/types";

/** An RBAC subject exactly as it appears in a binding object. */
export interface RbacSubject {
    kind: "User" | "Group" | "ServiceAccount";
    name: string;
    namespace?: string;
}

/** One RoleBinding or ClusterRoleBinding kube-access manages. */
export interface PlannedBinding {
    /** Name of the spec binding it comes from. */
    bindingName: string;
    kind: "ClusterRoleBinding" | "RoleBinding";
    /** Object name; readable and stable: `kube-access:<binding>:<subject kind>:<subject>`. */
    objectName: string;
    /** Set for RoleBindings. */
    namespace?: string;
    roleRef: RoleRef;
    subject: RbacSubject;
}
