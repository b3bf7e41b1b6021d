import { describeRules, escalationsOf, groupEscalations, ruleAllows, rulesBeyond } from "./escalation";
import { EscalationKind, GrantDetail, PolicyRule, RoleRules } from "./model";

/** Rules in the shape of Kubernetes' default ClusterRoles (a representative subset of each). */
const view: PolicyRule[] = [
    { apiGroups: [""], resources: ["pods", "services", "configmaps"], verbs: ["get", "list", "watch"] },
    { apiGroups: ["apps"], resources: ["deployments"], verbs: ["get", "list", "watch"] },
];
const edit: PolicyRule[] = [
    ...view,
    { apiGroups: [""], resources: ["secrets"], verbs: ["create", "delete", "get", "list", "patch", "update", "watch"] },
    { apiGroups: [""], resources: ["pods", "pods/exec"], verbs: ["create", "delete", "patch", "update"] },
    { apiGroups: [""], resources: ["serviceaccounts/token"], verbs: ["create"] },
];
const clusterAdmin: PolicyRule[] = [
    { apiGroups: ["*"], resources: ["*"], verbs: ["*"] },
    { nonResourceURLs: ["*"], verbs: ["*"] },
];
const read = (rules: PolicyRule[]): RoleRules => ({ state: "read", rules });
const grant = (role: string, namespace?: string, roleKind: GrantDetail["roleKind"] = "ClusterRole"): GrantDetail => ({
    roleKind,
    role,
    ...(namespace ? { namespace } : {}),
    binding: `b-${role}`,
    via: { kind: "user" },
});

describe("escalationsOf", () => {
    const cases: [string, GrantDetail, RoleRules, string | undefined, EscalationKind[]][] = [
        ["view cluster-wide: nothing to flag", grant("view"), read(view), undefined, []],
        [
            "edit in a namespace, for a person",
            grant("edit", "apps"),
            read(edit),
            undefined,
            ["reads-secrets", "creates-pods", "creates-tokens"],
        ],
        ["edit in a service account's own namespace", grant("edit", "apps"), read(edit), "apps", ["reads-secrets"]],
        [
            "edit in another namespace than the service account's",
            grant("edit", "prod"),
            read(edit),
            "apps",
            ["reads-secrets", "creates-pods", "creates-tokens"],
        ],
        ["cluster-admin, rules read", grant("cluster-admin"), read(clusterAdmin), undefined, ["cluster-admin"]],
        [
            "a role with every verb on every resource",
            grant("root-ish", "x"),
            read(clusterAdmin),
            undefined,
            ["cluster-admin"],
        ],
        [
            "cluster-admin judged by name when rules were not read",
            grant("cluster-admin"),
            { state: "unknown" },
            undefined,
            ["cluster-admin"],
        ],
        ["edit not judged when rules were not read", grant("edit", "apps"), { state: "unknown" }, undefined, []],
        ["a role the cluster does not have", grant("custom", "apps", "Role"), { state: "missing" }, undefined, []],
        [
            "every verb on deployments is a wildcard",
            grant("deployer", "apps", "Role"),
            read([{ apiGroups: ["apps"], resources: ["deployments"], verbs: ["*"] }]),
            undefined,
            ["wildcard"],
        ],
        [
            "list on every core resource is a wildcard that reads Secrets",
            grant("lister"),
            read([{ apiGroups: [""], resources: ["*"], verbs: ["list"] }]),
            undefined,
            ["wildcard", "reads-secrets"],
        ],
        [
            "a single watch on secrets",
            grant("secret-watcher", "apps", "Role"),
            read([{ apiGroups: [""], resources: ["secrets"], verbs: ["watch"] }]),
            undefined,
            ["reads-secrets"],
        ],
        [
            "impersonate users",
            grant("impersonator"),
            read([{ apiGroups: [""], resources: ["users", "groups"], verbs: ["impersonate"] }]),
            undefined,
            ["impersonate"],
        ],
        [
            "bind and escalate on roles",
            grant("role-manager"),
            read([
                { apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterroles"], verbs: ["bind", "escalate"] },
            ]),
            undefined,
            ["bind", "escalate"],
        ],
        [
            "creating rolebindings is not bind, but hands what the holder has to others",
            grant("binder", "apps"),
            read([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create"] }]),
            undefined,
            ["delegates"],
        ],
        [
            "patching clusterrolebindings",
            grant("crb-patcher"),
            read([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["clusterrolebindings"], verbs: ["patch"] }]),
            undefined,
            ["delegates"],
        ],
        [
            "reading rolebindings grants nothing",
            grant("rbac-reader", "apps"),
            read([
                {
                    apiGroups: ["rbac.authorization.k8s.io"],
                    resources: ["rolebindings", "clusterrolebindings"],
                    verbs: ["get", "list", "watch"],
                },
            ]),
            undefined,
            [],
        ],
        [
            "rolebindings in the core group are not RBAC's",
            grant("odd", "apps", "Role"),
            read([{ apiGroups: [""], resources: ["rolebindings"], verbs: ["create"] }]),
            undefined,
            [],
        ],
        [
            "every verb on every RBAC resource: a wildcard that binds, escalates and delegates",
            grant("rbac-admin"),
            read([{ apiGroups: ["rbac.authorization.k8s.io"], resources: ["*"], verbs: ["*"] }]),
            undefined,
            ["wildcard", "bind", "escalate", "delegates"],
        ],
        [
            "Kubernetes' admin role in a namespace (its RBAC rule)",
            grant("admin", "apps"),
            read([
                {
                    apiGroups: ["rbac.authorization.k8s.io"],
                    resources: ["rolebindings", "roles"],
                    verbs: ["create", "delete", "deletecollection", "get", "list", "patch", "update", "watch"],
                },
            ]),
            undefined,
            ["delegates"],
        ],
        [
            "serviceaccounts/* covers the token subresource",
            grant("token-maker", "apps"),
            read([{ apiGroups: [""], resources: ["serviceaccounts/*"], verbs: ["create"] }]),
            undefined,
            ["creates-tokens"],
        ],
        [
            "pods in another API group are not core pods",
            grant("metrics"),
            read([{ apiGroups: ["metrics.k8s.io"], resources: ["pods"], verbs: ["create", "get", "list"] }]),
            undefined,
            [],
        ],
    ];
    test.each(cases)("%s", (_label, g, rules, ownNamespace, kinds) => {
        expect(escalationsOf(g, rules, ownNamespace).map((e) => e.kind)).toEqual(kinds);
    });

    test("messages say where: cluster-wide or in the namespace", () => {
        expect(escalationsOf(grant("edit", "apps"), read(edit))[0].message).toBe("reads Secrets in namespace apps");
        expect(
            escalationsOf(
                grant("binder"),
                read([
                    {
                        apiGroups: ["rbac.authorization.k8s.io"],
                        resources: ["rolebindings", "clusterrolebindings"],
                        verbs: ["update"],
                    },
                ]),
            )[0].message,
        ).toBe(
            "creates or changes RoleBindings and ClusterRoleBindings cluster-wide: can grant what it holds there to " +
                "any user, group or service account, outside this config",
        );
        expect(escalationsOf(grant("cluster-admin"), read(clusterAdmin))[0].message).toBe(
            "every verb on every resource cluster-wide (cluster-admin)",
        );
    });
});

describe("groupEscalations", () => {
    test.each([
        [["system:masters"], ["system-masters"]],
        [["admins", "system:masters"], ["system-masters"]],
        [["admins"], []],
        [[], []],
    ])("%j", (groups, kinds) => {
        expect(groupEscalations(groups).map((e) => e.kind)).toEqual(kinds);
    });
});

describe("ruleAllows", () => {
    test.each([
        [{ apiGroups: [""], resources: ["pods"], verbs: ["create"] }, "create", "pods", "", true],
        [{ apiGroups: [""], resources: ["pods"], verbs: ["create"] }, "delete", "pods", "", false],
        [{ apiGroups: ["*"], resources: ["pods"], verbs: ["*"] }, "delete", "pods", "", true],
        [{ apiGroups: [""], resources: ["pods"], verbs: ["create"] }, "create", "pods/exec", "", false],
        [{ apiGroups: [""], resources: ["pods/*"], verbs: ["create"] }, "create", "pods/exec", "", true],
        [{ resources: ["pods"], verbs: ["create"] }, "create", "pods", "", false],
    ] as [PolicyRule, string, string, string, boolean][])("%j %s %s", (rule, verb, resource, group, allowed) => {
        expect(ruleAllows(rule, verb, resource, group)).toBe(allowed);
    });
});

describe("describeRules", () => {
    test("one line per rule, every rule, API groups other than core named, non-resource URLs said so", () => {
        expect(describeRules(view)).toEqual([
            "get, list, watch on pods, services, configmaps",
            "get, list, watch on deployments (apps)",
        ]);
        expect(describeRules(clusterAdmin)).toEqual(["* on * (*)", "* on URLs *"]);
        expect(describeRules(edit)).toHaveLength(edit.length);
    });
});

describe("rulesBeyond", () => {
    const admin: PolicyRule[] = [
        ...edit,
        {
            apiGroups: ["rbac.authorization.k8s.io"],
            resources: ["roles", "rolebindings"],
            verbs: ["create", "delete", "get", "list", "patch", "update", "watch"],
        },
    ];
    test.each([
        ["admin beside edit: only the RBAC rule", admin, edit, [admin[admin.length - 1]]],
        ["view beside edit: nothing", view, edit, []],
        ["edit beside view: only what edit adds", edit, view, edit.slice(2)],
        [
            "a rule cut to its new verbs and resources",
            [{ apiGroups: [""], resources: ["pods", "secrets"], verbs: ["get", "delete"] }],
            [
                { apiGroups: [""], resources: ["pods"], verbs: ["get", "delete"] },
                { apiGroups: [""], resources: ["secrets"], verbs: ["get"] },
            ],
            [{ apiGroups: [""], resources: ["secrets"], verbs: ["delete"] }],
        ],
        [
            "a rule split by what is new on each resource: only pairs no kept rule allows",
            [{ apiGroups: [""], resources: ["pods", "secrets", "configmaps"], verbs: ["get", "list", "delete"] }],
            [
                { apiGroups: [""], resources: ["pods"], verbs: ["get", "list"] },
                { apiGroups: [""], resources: ["configmaps"], verbs: ["get", "list"] },
            ],
            [
                { apiGroups: [""], resources: ["pods", "configmaps"], verbs: ["delete"] },
                { apiGroups: [""], resources: ["secrets"], verbs: ["get", "list", "delete"] },
            ],
        ],
        [
            "URLs split the same way",
            [{ nonResourceURLs: ["/healthz", "/metrics"], verbs: ["get", "post"] }],
            [{ nonResourceURLs: ["/healthz"], verbs: ["get"] }],
            [
                { nonResourceURLs: ["/healthz"], verbs: ["post"] },
                { nonResourceURLs: ["/metrics"], verbs: ["get", "post"] },
            ],
        ],
        ["a wildcard beside specific rules: kept whole", clusterAdmin, admin, clusterAdmin],
        ["anything beside cluster-admin: nothing", admin, clusterAdmin, []],
        [
            "a kept rule for named resources covers nothing",
            [{ apiGroups: [""], resources: ["configmaps"], verbs: ["update"] }],
            [{ apiGroups: [""], resources: ["configmaps"], verbs: ["update"], resourceNames: ["app-config"] }],
            [{ apiGroups: [""], resources: ["configmaps"], verbs: ["update"] }],
        ],
        [
            "a subresource covered by its parent's wildcard",
            [{ apiGroups: [""], resources: ["pods/log", "pods/exec"], verbs: ["get"] }],
            [{ apiGroups: [""], resources: ["pods/*"], verbs: ["get"] }],
            [],
        ],
        [
            "non-resource URLs, by URL and prefix",
            [{ nonResourceURLs: ["/healthz", "/metrics", "/logs/app"], verbs: ["get"] }],
            [{ nonResourceURLs: ["/healthz", "/logs/*"], verbs: ["get"] }],
            [{ nonResourceURLs: ["/metrics"], verbs: ["get"] }],
        ],
    ])("%s", (_label, gained, kept, expected) => {
        expect(rulesBeyond(gained as PolicyRule[], kept as PolicyRule[])).toEqual(expected);
    });
});
