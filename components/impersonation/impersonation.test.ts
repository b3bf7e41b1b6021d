import * as YAML from "yaml";
import { AccessSpecError } from "../intake/reader";
import { validateAccessSpec } from "../access/validate";
import { secretKeys, validConfig } from "../../test/helpers/config";
import {
    addImpersonationContexts,
    impersonationContexts,
    impersonationContextsIn,
    impersonationsByUser,
    planImpersonation,
} from "./plan";
import { renderKubeconfig } from "../kubeconfig/render";

/* eslint-disable @typescript-eslint/no-explicit-any */
function configWith(mutate: (c: any) => void) {
    const config = validConfig();
    mutate(config);
    return config;
}
function specWith(mutate: (c: any) => void) {
    return validateAccessSpec(configWith(mutate), { secretKeys });
}
function issuesOf(mutate: (c: any) => void): { path: string; message: string }[] {
    try {
        specWith(mutate);
    } catch (e) {
        if (e instanceof AccessSpecError) return e.issues;
        throw e;
    }
    return [];
}

/** user1 (certificate, group1+group2) may act as user2 (certificate, group1), sa1 (ci) and da-admin (OIDC). */
const supportGrant = () => ({
    name: "support",
    impersonators: [{ user: "user1" }],
    targets: [{ user: "user2" }, { user: "sa1" }, { user: "da-admin" }],
});

describe("impersonation config", () => {
    test("a valid grant is read with defaults", () => {
        const spec = specWith((c) => (c.impersonation = [supportGrant()]));
        expect(spec.impersonation).toEqual([
            {
                name: "support",
                impersonators: [{ kind: "user", name: "user1", external: false }],
                targets: [
                    { kind: "user", name: "user2", external: false },
                    { kind: "user", name: "sa1", external: false },
                    { kind: "user", name: "da-admin", external: false },
                ],
                extras: {},
                allowSystemIdentities: false,
            },
        ]);
    });

    test("no impersonation key leaves the spec without grants", () => {
        expect(specWith(() => undefined).impersonation).toBeUndefined();
    });

    const refused: [string, (g: any, c: any) => void, string, RegExp][] = [
        [
            "an undeclared target user",
            (g) => (g.targets = [{ user: "user3" }]),
            "impersonation[0].targets[0].user",
            /"user3" is not a user in kube-access:users; did you mean "user1"\?/,
        ],
        [
            "an undeclared target group",
            (g) => (g.targets = [{ group: "grop1" }]),
            "impersonation[0].targets[0].group",
            /not a group of any user.*did you mean "group1"/,
        ],
        [
            "an undeclared impersonator",
            (g) => (g.impersonators = [{ user: "nobody" }]),
            "impersonation[0].impersonators[0].user",
            /"nobody" is not a user/,
        ],
        [
            "impersonating system:masters",
            (g) => (g.targets = [{ group: "system:masters", external: true }]),
            "impersonation[0].targets[0].group",
            /system:masters bypasses every RBAC check.*allowSystemIdentities: true/,
        ],
        [
            "impersonating system:nodes",
            (g) => (g.targets = [{ group: "system:nodes", external: true }]),
            "impersonation[0].targets[0].group",
            /"system:nodes" is a Kubernetes system group/,
        ],
        [
            "impersonating a system: user",
            (g) => (g.targets = [{ user: "system:kube-scheduler", external: true }]),
            "impersonation[0].targets[0].user",
            /system user/,
        ],
        [
            "a target user in system:masters",
            (g, c) => {
                c.allowSystemMasters = true;
                c.users[1].groups = ["group1", "system:masters"];
                g.targets = [{ user: "user2" }];
            },
            "impersonation[0].targets[0].user",
            /acting as "user2" means acting in their group "system:masters"/,
        ],
        [
            "a user impersonating themselves",
            (g) => (g.targets = [{ user: "user1" }]),
            "impersonation[0].targets[0].user",
            /impersonating themselves/,
        ],
        [
            "a user impersonating themselves by their identity",
            (g) => {
                g.impersonators = [{ user: "oidc:da-admin", external: true }];
                g.targets = [{ user: "da-admin" }];
            },
            "impersonation[0].targets[0].user",
            /impersonating themselves/,
        ],
        ["no targets", (g) => (g.targets = []), "impersonation[0].targets", /at least one/],
        ["no impersonators", (g) => (g.impersonators = []), "impersonation[0].impersonators", /at least one/],
        [
            "a target with two kinds",
            (g) => (g.targets = [{ user: "user2", group: "group1" }]),
            "impersonation[0].targets[0]",
            /exactly one of user, group or uid, and has user and group/,
        ],
        [
            "a misspelt target field",
            (g) => (g.targets = [{ usr: "user2" }]),
            "impersonation[0].targets[0].usr",
            /did you mean "user"/,
        ],
        ["a bad grant name", (g) => (g.name = "Support Team"), "impersonation[0].name", /lower case letters/],
        [
            "a bad extra key",
            (g) => (g.extras = { "acme.com/project": ["a"] }),
            "impersonation[0].extras.acme.com/project",
            /user-extra key/,
        ],
        [
            "external on a uid",
            (g) => (g.targets = [{ uid: "1234", external: true }]),
            "impersonation[0].targets[0].external",
            /always impersonated as written/,
        ],
    ];
    test.each(refused)("refuses %s, with its field path", (_label, breakIt, path, message) => {
        const issues = issuesOf((c) => {
            const grant = supportGrant();
            c.impersonation = [grant];
            breakIt(grant, c);
        });
        expect(issues).toEqual(expect.arrayContaining([{ path, message: expect.stringMatching(message) }]));
    });

    test("two grants with one name are refused", () => {
        const issues = issuesOf((c) => (c.impersonation = [supportGrant(), supportGrant()]));
        expect(issues).toContainEqual({
            path: "impersonation[1].name",
            message: expect.stringMatching(/also used by impersonation\[0\]/),
        });
    });

    test("every problem is reported at once", () => {
        const issues = issuesOf(
            (c) =>
                (c.impersonation = [
                    {
                        name: "a",
                        impersonators: [{ user: "ghost" }],
                        targets: [{ group: "system:masters", external: true }],
                    },
                ]),
        );
        expect(issues.map((i) => i.path).sort()).toEqual([
            "impersonation[0].impersonators[0].user",
            "impersonation[0].targets[0].group",
        ]);
    });

    test.each([
        ["system:masters", { group: "system:masters", external: true }],
        ["a system: user", { user: "system:kube-scheduler", external: true }],
    ])("%s is allowed with allowSystemIdentities", (_label, target) => {
        const spec = specWith(
            (c) => (c.impersonation = [{ ...supportGrant(), targets: [target], allowSystemIdentities: true }]),
        );
        expect(spec.impersonation![0].allowSystemIdentities).toBe(true);
    });

    test("an external service account user name needs no opt-in", () => {
        expect(
            issuesOf(
                (c) =>
                    (c.impersonation = [
                        { ...supportGrant(), targets: [{ user: "system:serviceaccount:x:y", external: true }] },
                    ]),
            ),
        ).toEqual([]);
    });
});

describe("impersonation RBAC rules", () => {
    test("the grant's ClusterRole names exactly its users, their groups, uids and extras; its service accounts get a Role in their namespace", () => {
        const spec = specWith(
            (c) =>
                (c.impersonation = [
                    {
                        ...supportGrant(),
                        targets: [
                            ...supportGrant().targets,
                            { group: "group2" },
                            { uid: "06f6ce97" },
                            { user: "jane@example.com", external: true },
                        ],
                        extras: { scopes: ["view", "development"] },
                    },
                ]),
        );
        const [grant] = planImpersonation(spec);
        expect(grant.clusterRole).toEqual({
            objectName: "kube-access:impersonate:support",
            rules: [
                {
                    apiGroups: [""],
                    resources: ["users"],
                    verbs: ["impersonate"],
                    resourceNames: ["jane@example.com", "oidc:da-admin", "user2"],
                },
                {
                    apiGroups: [""],
                    resources: ["groups"],
                    verbs: ["impersonate"],
                    resourceNames: ["group1", "group2", "oidc:admins"],
                },
                {
                    apiGroups: ["authentication.k8s.io"],
                    resources: ["uids"],
                    verbs: ["impersonate"],
                    resourceNames: ["06f6ce97"],
                },
                {
                    apiGroups: ["authentication.k8s.io"],
                    resources: ["userextras/scopes"],
                    verbs: ["impersonate"],
                    resourceNames: ["development", "view"],
                },
            ],
        });
        expect(grant.roles).toEqual([
            {
                objectName: "kube-access:impersonate:support",
                namespace: "ci",
                rules: [
                    { apiGroups: [""], resources: ["serviceaccounts"], verbs: ["impersonate"], resourceNames: ["sa1"] },
                ],
            },
        ]);
        // No rule lets anyone impersonate everything.
        for (const rule of [...grant.clusterRole!.rules, ...grant.roles.flatMap((r) => r.rules)]) {
            expect(rule.resourceNames.length).toBeGreaterThan(0);
            expect(rule.verbs).toEqual(["impersonate"]);
        }
    });

    test.each([
        ["a declared user", [{ user: "user1" }], [{ kind: "User", name: "user1" }]],
        ["a declared group", [{ group: "group1" }], [{ kind: "Group", name: "group1" }]],
        ["a service-account user", [{ user: "sa1" }], [{ kind: "ServiceAccount", name: "sa1", namespace: "ci" }]],
        [
            "an external user",
            [{ user: "ops@example.com", external: true }],
            [{ kind: "User", name: "ops@example.com" }],
        ],
    ])("impersonator %s is bound to the ClusterRole and each Role", (_label, impersonators, subjects) => {
        const spec = specWith(
            (c) =>
                (c.impersonation = [
                    {
                        name: "g",
                        impersonators,
                        targets: [{ user: "user2" }, { user: "system:serviceaccount:ci:deployer", external: true }],
                    },
                ]),
        );
        const [grant] = planImpersonation(spec);
        const clusterBindings = grant.bindings.filter((b) => b.kind === "ClusterRoleBinding");
        const roleBindings = grant.bindings.filter((b) => b.kind === "RoleBinding");
        expect(clusterBindings.map((b) => b.subject)).toEqual(subjects);
        expect(roleBindings.map((b) => [b.subject, b.namespace, b.roleRef])).toEqual(
            subjects.map((s) => [s, "ci", { kind: "Role", name: "kube-access:impersonate:g" }]),
        );
        expect(new Set(grant.bindings.map((b) => `${b.namespace}/${b.objectName}`)).size).toBe(grant.bindings.length);
    });

    test("a grant with only service-account targets makes no ClusterRole and no ClusterRoleBinding", () => {
        const spec = specWith((c) => (c.impersonation = [{ ...supportGrant(), targets: [{ user: "sa1" }] }]));
        const [grant] = planImpersonation(spec);
        expect(grant.clusterRole).toBeUndefined();
        expect(grant.bindings.map((b) => b.kind)).toEqual(["RoleBinding"]);
    });
});

describe("impersonation contexts and the users output", () => {
    const spec = () =>
        specWith(
            (c) =>
                (c.impersonation = [
                    {
                        ...supportGrant(),
                        impersonators: [{ group: "group2" }],
                        targets: [...supportGrant().targets, { group: "admins" }],
                    },
                ]),
        );

    test("a member of an impersonating group gets one context per user target, with as and as-groups", () => {
        const s = spec();
        const user1 = s.users.find((u) => u.name === "user1")!;
        expect(impersonationContexts(user1, s)).toEqual([
            { name: "user1-as-user2", as: "user2", asGroups: ["group1"] },
            { name: "user1-as-sa1", as: "system:serviceaccount:ci:sa1", asGroups: [] },
            { name: "user1-as-da-admin", as: "oidc:da-admin", asGroups: ["oidc:admins"] },
        ]);
        // user2 is in group1 only, not an impersonator.
        expect(
            impersonationContexts(
                s.users.find((u) => u.name === "user2")!,
                s,
            ),
        ).toEqual([]);
    });

    test("the kubeconfig keeps its context current and adds the impersonating ones", () => {
        const s = spec();
        const base = renderKubeconfig({
            cluster: { name: "demo", server: "https://127.0.0.1:6443", caCertificatePem: s.cluster.caCertificatePem },
            userName: "user1",
            credential: { kind: "token", token: "t" },
        });
        const doc = YAML.parse(addImpersonationContexts(base, impersonationContexts(s.users[0], s)));
        expect(doc["current-context"]).toBe("user1@demo");
        expect(doc.contexts.map((c: any) => c.name)).toEqual([
            "user1@demo",
            "user1-as-user2@demo",
            "user1-as-sa1@demo",
            "user1-as-da-admin@demo",
        ]);
        const asUser2 = doc.users.find((u: any) => u.name === "user1-as-user2").user;
        expect(asUser2).toEqual({ token: "t", as: "user2", "as-groups": ["group1"] });
        expect(doc.users.find((u: any) => u.name === "user1-as-sa1").user).toEqual({
            token: "t",
            as: "system:serviceaccount:ci:sa1",
        });
        expect(addImpersonationContexts(base, [])).toBe(base);
        // Read back, as the demo lists them.
        expect(impersonationContextsIn(addImpersonationContexts(base, impersonationContexts(s.users[0], s)))).toEqual([
            { context: "user1-as-user2@demo", as: "user2", asGroups: ["group1"] },
            { context: "user1-as-sa1@demo", as: "system:serviceaccount:ci:sa1", asGroups: [] },
            { context: "user1-as-da-admin@demo", as: "oidc:da-admin", asGroups: ["oidc:admins"] },
        ]);
        expect(impersonationContextsIn(base)).toEqual([]);
        expect(impersonationContextsIn("")).toEqual([]);
    });

    test("the users output says whom each impersonator may act as", () => {
        expect(impersonationsByUser(spec())).toEqual({
            // A declared user target brings its groups, which the grant lets user1 name too.
            user1: ["user:user2", "group:group1", "serviceaccount:ci/sa1", "user:oidc:da-admin", "group:oidc:admins"],
        });
    });
});
