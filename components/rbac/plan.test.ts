import { validateAccessSpec } from "../access/validate";
import { secretKeys, validConfig } from "../../test/helpers/config";
import { planRoleBindings, subjectsForGroup, unlistedSubjects } from "./plan";
import { impersonatorsBySubject } from "../impersonation/plan";

/* eslint-disable @typescript-eslint/no-explicit-any */
function specWith(mutate: (c: any) => void) {
    const config = validConfig();
    mutate(config);
    return validateAccessSpec(config, { secretKeys });
}

describe("planRoleBindings", () => {
    test("a group with certificate and OIDC members is bound in both forms", () => {
        const spec = specWith((c) => {
            c.users[3].groups = ["group1", "admins"];
        });
        expect(subjectsForGroup("group1", spec).map((s) => s.name)).toEqual(["group1", "oidc:group1"]);
    });

    // A group is bound only in the forms that exist in config: the plain name for
    // certificate members (whose certificates carry O=<group>), the prefixed name
    // for OIDC members or, with no member yet, for whoever Keycloak puts in it.
    test.each([
        [
            "only OIDC members (the admins case)",
            (c: any) => (c.users[3].groups = ["admins"]),
            "admins",
            ["oidc:admins"],
        ],
        ["no member, OIDC set up", (c: any) => (c.groups = ["later"]), "later", ["oidc:later"]],
        [
            "no member, no OIDC",
            (c: any) => {
                c.users = c.users.slice(0, 3);
                delete c.oidc;
                delete c.oidcInitialPasswords;
                c.groups = ["later", "admins"];
            },
            "later",
            [],
        ],
        [
            "only certificate members",
            (c: any) => {
                c.users[3].groups = [];
                c.groups = ["admins"];
            },
            "group1",
            ["group1"],
        ],
        [
            "a service-account user's name that looks like a group does not count",
            (c: any) => (c.groups = ["ci"]),
            "ci",
            ["oidc:ci"],
        ],
    ])("a group with %s: bound in the forms that exist", (_label, mutate, group, names) => {
        expect(subjectsForGroup(group as string, specWith(mutate as (c: any) => void)).map((s) => s.name)).toEqual(
            names,
        );
    });

    test("a group with no certificate member gets no plain-name binding object, even when its binding names it", () => {
        const spec = specWith((c) => (c.users[3].groups = ["admins"]));
        const objects = planRoleBindings(spec).map((b) => b.objectName);
        expect(objects).toContain("kube-access:admins:group:oidc:admins");
        expect(objects).not.toContain("kube-access:admins:group:admins");
    });

    test("a plain group for certificates kube-access does not issue is bound with external: true", () => {
        const spec = specWith((c) =>
            c.bindings.push({
                name: "partners",
                clusterRole: "view",
                subjects: [{ group: "partners", external: true }],
            }),
        );
        expect(planRoleBindings(spec).map((b) => b.subject)).toContainEqual({ kind: "Group", name: "partners" });
    });

    test("one RoleBinding per namespace for a namespaced binding", () => {
        const spec = specWith(
            (c) => (c.bindings = [{ role: "pod-reader", namespaces: ["a", "b"], subjects: [{ user: "user1" }] }]),
        );
        expect(planRoleBindings(spec).map((b) => [b.kind, b.namespace, b.objectName, b.roleRef.kind])).toEqual([
            ["RoleBinding", "a", "kube-access:role-pod-reader:user:user1", "Role"],
            ["RoleBinding", "b", "kube-access:role-pod-reader:user:user1", "Role"],
        ]);
    });

    test("external subjects are bound exactly as written", () => {
        const spec = specWith((c) => c.bindings[0].subjects.push({ user: "alice@corp.example", external: true }));
        expect(planRoleBindings(spec).map((b) => b.subject)).toContainEqual({
            kind: "User",
            name: "alice@corp.example",
        });
    });

    test("OIDC users bound directly get the username prefix; with the email claim, their email", () => {
        const byName = specWith((c) =>
            c.bindings.push({ name: "da", clusterRole: "view", subjects: [{ user: "da-admin" }] }),
        );
        expect(planRoleBindings(byName).find((b) => b.bindingName === "da")!.subject).toEqual({
            kind: "User",
            name: "oidc:da-admin",
        });
        const byEmail = specWith((c) => {
            c.oidc.usernameClaim = "email";
            c.bindings.push({ name: "da", clusterRole: "view", subjects: [{ user: "da-admin" }] });
        });
        expect(planRoleBindings(byEmail).find((b) => b.bindingName === "da")!.subject).toEqual({
            kind: "User",
            name: "oidc:da@example.com",
        });
    });

    test("removing a user from config removes exactly that user's binding objects", () => {
        const before = planRoleBindings(specWith(() => undefined)).map((b) => b.objectName);
        const after = planRoleBindings(
            specWith((c) => {
                c.users.splice(2, 1);
                c.bindings[0].subjects = c.bindings[0].subjects.filter((s: any) => s.user !== "sa1");
            }),
        ).map((b) => b.objectName);
        expect(before.filter((n) => !after.includes(n))).toEqual([
            "kube-access:clusterrole-view:serviceaccount:ci:sa1",
        ]);
        expect(after.filter((n) => !before.includes(n))).toEqual([]);
    });
});

describe("unlistedSubjects", () => {
    const unlisted = (mutate: (c: any) => void) => {
        const spec = specWith(mutate);
        return unlistedSubjects(spec, planRoleBindings(spec));
    };

    test("the base config binds nobody outside its users list", () => {
        expect(unlisted(() => undefined)).toEqual([]);
    });

    test.each([
        ["an external group", { group: "system:authenticated", external: true }, "group:system:authenticated", "Group"],
        ["an identity provider's group", { group: "oidc:corp:sre", external: true }, "group:oidc:corp:sre", "Group"],
        ["an external user", { user: "alice@corp.example", external: true }, "user:alice@corp.example", "User"],
        [
            "an external user with a colon",
            { user: "system:anonymous", external: true },
            "user:system:anonymous",
            "User",
        ],
    ])("%s is listed with its grants, reason external", (_label, subject, key, kind) => {
        const found = unlisted((c) => c.bindings.push({ name: "outside", clusterRole: "view", subjects: [subject] }));
        expect(found).toEqual([
            {
                subject: key,
                kind,
                name: key.slice(key.indexOf(":") + 1),
                reason: "external",
                grants: [
                    {
                        roleKind: "ClusterRole",
                        role: "view",
                        binding: "outside",
                        via: kind === "Group" ? { kind: "group", group: key.slice(6) } : { kind: "user" },
                    },
                ],
                mayImpersonate: [],
            },
        ]);
    });

    test.each([
        ["a group without the OIDC groups prefix", "corp:sre", true, "oidc:corp:sre"],
        ["another", "platform-team", true, "oidc:platform-team"],
        ["a group with the prefix", "oidc:corp:sre", true, undefined],
        ["a group the API server fills itself", "system:authenticated", true, undefined],
        ["any group when OIDC is not set up", "corp:sre", false, undefined],
    ])("%s, bound external: a note says OIDC members need the prefixed name", (_l, group, oidc, prefixed) => {
        const found = unlisted((c) => {
            if (!oidc) {
                c.users = c.users.filter((u: any) => u.auth?.method !== "oidc");
                delete c.oidc;
                delete c.oidcInitialPasswords;
                c.bindings = c.bindings.filter((b: any) => b.name !== "admins");
            }
            c.bindings.push({ name: "outside", clusterRole: "view", subjects: [{ group, external: true }] });
        });
        expect(found.map((s) => s.note)).toEqual([
            prefixed === undefined
                ? undefined
                : `OIDC tokens' groups arrive prefixed: members of the identity provider's group ${group} are in ${prefixed}, which this grant does not name (bind ${prefixed}, external: true, to reach them)`,
        ]);
    });

    test("a declared group with no listed member is listed under its OIDC name, named as config names it", () => {
        const found = unlisted((c) => {
            c.groups = ["later"];
            c.bindings.push({
                name: "later-edit",
                clusterRole: "edit",
                namespaces: ["a", "b"],
                subjects: [{ group: "later" }],
            });
        });
        expect(found.map((s) => [s.subject, s.reason, s.grants.map((g) => [g.namespace, g.via])])).toEqual([
            [
                "group:oidc:later",
                "no-listed-member",
                [
                    ["a", { kind: "group", group: "later" }],
                    ["b", { kind: "group", group: "later" }],
                ],
            ],
        ]);
    });

    test.each([
        ["an external user named as a listed user's identity", { user: "user1", external: true }],
        ["an external group a certificate user is in", { group: "group2", external: true }],
        ["a declared group with members", { group: "group1" }],
        ["a listed user", { user: "da-admin" }],
        ["a service-account user", { user: "sa1" }],
    ])("%s is not listed: the users output shows it", (_label, subject) => {
        expect(unlisted((c) => c.bindings.push({ name: "more", clusterRole: "edit", subjects: [subject] }))).toEqual(
            [],
        );
    });

    test("one entry per subject, its grants in plan order across bindings", () => {
        const found = unlisted((c) => {
            c.bindings.push({ name: "one", clusterRole: "view", subjects: [{ group: "corp:all", external: true }] });
            c.bindings.push({
                name: "two",
                clusterRole: "edit",
                namespaces: ["apps"],
                subjects: [
                    { group: "corp:all", external: true },
                    { user: "bob", external: true },
                ],
            });
        });
        expect(found.map((s) => [s.subject, s.grants.map((g) => `${g.binding}/${g.namespace ?? "*"}`)])).toEqual([
            ["group:corp:all", ["one/*", "two/apps"]],
            ["user:bob", ["two/apps"]],
        ]);
    });

    test("an impersonator no listed user stands for is listed with whom it may impersonate, bound or not", () => {
        const spec = specWith((c) => {
            c.bindings.push({ name: "sre", clusterRole: "view", subjects: [{ group: "corp:sre", external: true }] });
            c.impersonation = [
                {
                    name: "support",
                    impersonators: [
                        { group: "corp:sre", external: true },
                        { user: "oncall@corp.example", external: true },
                        { user: "user1" },
                    ],
                    targets: [{ user: "user2" }, { group: "system:masters", external: true }],
                    allowSystemIdentities: true,
                },
            ];
        });
        const found = unlistedSubjects(spec, planRoleBindings(spec), impersonatorsBySubject(spec));
        expect(found.map((s) => [s.subject, s.grants.map((g) => g.role), s.mayImpersonate])).toEqual([
            ["group:corp:sre", ["view"], ["user:user2", "group:group1", "group:system:masters"]],
            ["user:oncall@corp.example", [], ["user:user2", "group:group1", "group:system:masters"]],
        ]);
    });
});
