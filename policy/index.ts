import { PolicyPack, StackValidationArgs, ReportViolation } from "@pulumi/policy";
import {
    AdminBindingConfig,
    StackResource,
    Violation,
    adminBindingViolations,
    certificateValidityViolations,
    defaultAdminBindingConfig,
    everyoneBindingViolations,
    renewalWindowViolations,
    systemMastersViolations,
} from "./rules";

function resourcesOf(args: StackValidationArgs): StackResource[] {
    return args.resources.map((r) => ({ type: r.type, name: r.name, urn: r.urn, props: r.props }));
}

function report(violations: Violation[], reportViolation: ReportViolation): void {
    for (const v of violations) reportViolation(v.message, v.urn);
}

/**
 * Guardrails for kube-access stacks. Every policy but the renewal warning is
 * mandatory by default; each one's enforcement level and settings can be
 * changed with `pulumi preview --policy-pack policy --policy-pack-config <file>`.
 */
new PolicyPack("kube-access-guardrails", {
    policies: [
        {
            name: "kube-access-no-system-masters",
            description: "No client certificate for the group system:masters (it bypasses RBAC and cannot be revoked).",
            enforcementLevel: "mandatory",
            validateStack: (args, reportViolation) =>
                report(systemMastersViolations(resourcesOf(args)), reportViolation),
        },
        {
            name: "kube-access-no-admin-for-groups",
            description:
                "No cluster-admin (or another full-control ClusterRole) for groups or OIDC users outside an allow-list.",
            enforcementLevel: "mandatory",
            configSchema: {
                properties: {
                    adminRoles: {
                        type: "array",
                        items: { type: "string" },
                        default: defaultAdminBindingConfig.adminRoles,
                    },
                    allowedSubjects: { type: "array", items: { type: "string" }, default: [] },
                    oidcUsernamePrefix: { type: "string", default: defaultAdminBindingConfig.oidcUsernamePrefix },
                },
            },
            validateStack: (args, reportViolation) =>
                report(
                    adminBindingViolations(resourcesOf(args), {
                        ...defaultAdminBindingConfig,
                        ...args.getConfig<Partial<AdminBindingConfig>>(),
                    }),
                    reportViolation,
                ),
        },
        {
            name: "kube-access-no-bindings-to-everyone",
            description: "No binding to system:authenticated, system:unauthenticated or system:anonymous.",
            enforcementLevel: "mandatory",
            validateStack: (args, reportViolation) =>
                report(everyoneBindingViolations(resourcesOf(args)), reportViolation),
        },
        {
            name: "kube-access-max-certificate-validity",
            description: "Client certificates are valid for at most maxValidityHours (default 8760, one year).",
            enforcementLevel: "mandatory",
            configSchema: { properties: { maxValidityHours: { type: "integer", minimum: 1, default: 8760 } } },
            validateStack: (args, reportViolation) =>
                report(
                    certificateValidityViolations(
                        resourcesOf(args),
                        args.getConfig<{ maxValidityHours?: number }>().maxValidityHours ?? 8760,
                    ),
                    reportViolation,
                ),
        },
        {
            name: "kube-access-certificate-renewal-window",
            description: "Warns about certificates inside their renewal window: the next pulumi up re-issues them.",
            enforcementLevel: "advisory",
            validateStack: (args, reportViolation) =>
                report(renewalWindowViolations(resourcesOf(args), new Date()), reportViolation),
        },
    ],
});
