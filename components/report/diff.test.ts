import { validateAccessSpec } from "../access/validate";
import { grantsByUser, planRoleBindings } from "../rbac/plan";
import { testCa } from "../../test/helpers/fixtures";
import { buildAccessReport, credentialChanges, diffGrants, hasChanges, summaryText } from "./diff";
import {
    accessFromSpec,
    accessFromUsersOutput,
    parseGrantLine,
    proxiesFromOutput,
    proxiesFromSpec,
    subjectsFromOutput,
    subjectsFromSpec,
} from "./snapshot";
import { requestHeaderFlags } from "../proxy/apiServer";
import { unlistedSubjectSummaries, userSummaries } from "../access/summary";
import { renderMarkdown } from "./render";
import { AccessEntry, GrantDetail, PolicyRule, RoleRules } from "./model";

/* eslint-disable @typescript-eslint/no-explicit-any */
const ca = testCa();
const secretKeys = ["clusterCaKey"];

/** A team's config: alice and carol view through `viewers`, carol also edits `default`, bob's certificate is short-lived. */
function teamConfig(): any {
    return {
        cluster: { name: "team", server: "https://127.0.0.1:6443", caCertificate: ca.certificatePem },
        clusterCaKey: ca.privateKeyPem,
        users: [
            { name: "alice", groups: ["viewers"], auth: { method: "certificate", signer: "cluster" } },
            {
                name: "bob",
                groups: ["viewers"],
                auth: { method: "certificate", signer: "external", validityHours: 2, renewBeforeHours: 1 },
            },
            { name: "carol", groups: ["viewers"], auth: { method: "certificate", signer: "cluster" } },
        ],
        groups: ["admins", "developers"],
        bindings: [
            { name: "viewers", clusterRole: "view", subjects: [{ group: "viewers" }] },
            { name: "admins", clusterRole: "cluster-admin", subjects: [{ group: "admins" }] },
            { name: "developers", clusterRole: "edit", namespaces: ["apps"], subjects: [{ group: "developers" }] },
            { name: "carol-edit", clusterRole: "edit", namespaces: ["default"], subjects: [{ user: "carol" }] },
        ],
    };
}

/** The pull request: dave joins the developers, carol leaves, alice moves to the admins. */
function pullRequestConfig(): any {
    const config = teamConfig();
    config.users = config.users.filter((u: any) => u.name !== "carol");
    config.users[0].groups = ["admins"];
    config.users.push({ name: "dave", groups: ["developers"], auth: { method: "certificate", signer: "cluster" } });
    config.bindings = config.bindings.filter((b: any) => b.name !== "carol-edit");
    return config;
}

const now = new Date("2026-06-01T12:00:00Z");
const hours = (h: number) => new Date(now.getTime() + h * 3600 * 1000).toISOString();

/** What the stack's users output says after deploying a config: the program's summary plus expiry dates. */
function deployed(config: any, expiresAt: Record<string, string>): AccessEntry[] {
    return accessFromSpec(validateAccessSpec(config, { secretKeys })).map((u) => ({
        ...u,
        ...(expiresAt[u.name] ? { expiresAt: expiresAt[u.name] } : {}),
    }));
}

const rules: Record<string, PolicyRule[]> = {
    view: [{ apiGroups: [""], resources: ["pods"], verbs: ["get", "list", "watch"] }],
    edit: [{ apiGroups: [""], resources: ["pods", "secrets"], verbs: ["get", "list", "watch", "create", "delete"] }],
    "cluster-admin": [{ apiGroups: ["*"], resources: ["*"], verbs: ["*"] }],
};
const fromCluster = (g: GrantDetail): RoleRules =>
    rules[g.role] ? { state: "read", rules: rules[g.role] } : { state: "missing" };

function teamReport(rolesOf = fromCluster) {
    const before = deployed(teamConfig(), { alice: hours(8000), bob: hours(0.5), carol: hours(8000) });
    const spec = validateAccessSpec(pullRequestConfig(), { secretKeys });
    return buildAccessReport({
        before,
        after: accessFromSpec(spec),
        planned: planRoleBindings(spec),
        rolesOf,
        now,
        stack: "team",
        cluster: { rulesRead: true },
    });
}

test("buildAccessReport: a pull request that only raises rotation counters re-issues those credentials, and says so", () => {
    const config = teamConfig();
    config.users.push({ name: "ci", auth: { method: "serviceAccount", namespace: "ci" } });
    const before = deployed(config, { alice: hours(8000), bob: hours(5000), carol: hours(8000) });
    config.users[0].auth.rotation = 1;
    config.users[3].auth.rotation = 4;
    const spec = validateAccessSpec(config, { secretKeys });
    const report = buildAccessReport({
        before,
        after: accessFromSpec(spec),
        planned: planRoleBindings(spec),
        rolesOf: fromCluster,
        now,
        cluster: { rulesRead: true },
    });
    expect(hasChanges(report)).toBe(true);
    expect(report.summary).toMatchObject({ credentialsReissued: 2, gainAccess: 0, loseAccess: 0, changeAccess: 0 });
    expect(report.changed.map((u) => [u.name, u.credential.map((c) => c.reasons)])).toEqual([
        ["alice", [["rotation 0 → 1"]]],
        ["ci", [["rotation 0 → 4"]]],
    ]);
});

describe("buildAccessReport: escalations are what a change adds, not what a user can already do", () => {
    const admin: PolicyRule[] = [
        ...rules.edit,
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["roles"], verbs: ["bind"] },
    ];
    const rolesOf = (g: GrantDetail): RoleRules =>
        g.role === "admin" ? { state: "read", rules: admin } : fromCluster(g);
    /** carol keeps edit in default through her own binding and joins `joined`, bound as `binding` says. */
    function reportFor(binding: any, joined: string) {
        const config = teamConfig();
        const before = deployed(config, { alice: hours(8000), bob: hours(5000), carol: hours(8000) });
        config.bindings.push({ name: "joined", subjects: [{ group: joined }], ...binding });
        config.groups.push(joined);
        config.users[2].groups.push(joined);
        const spec = validateAccessSpec(config, { secretKeys });
        const report = buildAccessReport({
            before,
            after: accessFromSpec(spec),
            planned: planRoleBindings(spec),
            rolesOf,
            now,
            cluster: { rulesRead: true },
        });
        return report.changed.find((u) => u.name === "carol")!;
    }

    test("admin in default, where carol keeps edit: only what edit lacks (the verb bind) is an escalation", () => {
        const carol = reportFor({ clusterRole: "admin", namespaces: ["default"] }, "ns-admins");
        expect(carol.escalations.map((e) => e.message)).toEqual([
            "binds roles it does not hold (verb bind) in namespace default",
        ]);
        expect(carol.gained[0].escalations).toEqual(carol.escalations);
    });

    test("edit in another namespace: each escalation there is new", () => {
        const carol = reportFor({ clusterRole: "edit", namespaces: ["apps"] }, "app-editors");
        expect(carol.escalations.map((e) => e.message)).toEqual([
            "reads Secrets in namespace apps",
            "creates pods in namespace apps, which can run as any service account there",
        ]);
    });

    test("edit cluster-wide: new, although carol can do the same in default", () => {
        const carol = reportFor({ clusterRole: "edit" }, "editors");
        expect(carol.escalations.map((e) => e.kind)).toEqual(["reads-secrets", "creates-pods"]);
    });
});

describe("buildAccessReport: a pull request that adds, removes and moves users", () => {
    const report = teamReport();

    test("the summary counts each kind of change", () => {
        expect(report.summary).toEqual({
            gainAccess: 1,
            loseAccess: 1,
            changeAccess: 1,
            escalations: 3,
            credentialsReissued: 1,
            renewalsDue: 1,
            subjectsChanged: 0,
            proxiesChanged: 0,
            text: "1 user gains access, 1 loses it, 1 changes access; 3 escalations; 1 credential re-issued, 1 certificate due for renewal",
        });
        expect(hasChanges(report)).toBe(true);
    });

    test("dave is added with edit in apps through developers, which reads Secrets and creates pods", () => {
        expect(report.added.map((u) => u.name)).toEqual(["dave"]);
        const [grant] = report.added[0].gained;
        expect(grant).toMatchObject({ role: "edit", namespace: "apps", via: { kind: "group", group: "developers" } });
        expect(grant.escalations.map((e) => e.kind)).toEqual(["reads-secrets", "creates-pods"]);
        expect(grant.allows).toEqual(["get, list, watch, create, delete on pods, secrets"]);
    });

    test("carol loses her own edit grant, and keeps view through viewers until her certificate expires", () => {
        const [carol] = report.removed;
        expect(carol.name).toBe("carol");
        expect(carol.lost.map((g) => [g.role, g.namespace ?? "cluster", g.via.kind])).toEqual([
            ["view", "cluster", "group"],
            ["edit", "default", "user"],
        ]);
        expect(carol.kept).toEqual([
            expect.objectContaining({ role: "view", via: { kind: "group", group: "viewers" }, until: hours(8000) }),
        ]);
        expect(carol.kept[0].reason).toContain("CN=carol, O=viewers");
    });

    test("alice gains cluster-admin through admins (an escalation), loses view, gets a new certificate, and the old one keeps view", () => {
        const alice = report.changed.find((u) => u.name === "alice")!;
        expect(alice.gained.map((g) => g.role)).toEqual(["cluster-admin"]);
        expect(alice.lost.map((g) => g.role)).toEqual(["view"]);
        expect(alice.escalations).toEqual([
            { kind: "cluster-admin", message: "every verb on every resource cluster-wide (cluster-admin)" },
        ]);
        expect(alice.credential).toEqual([
            expect.objectContaining({ kind: "certificate-reissued", reasons: ["groups viewers → admins"] }),
        ]);
        expect(alice.kept.map((k) => [k.role, k.until])).toEqual([["view", hours(8000)]]);
    });

    test("bob changes nothing but his certificate is inside its renewal window", () => {
        const bob = report.changed.find((u) => u.name === "bob")!;
        expect(bob.gained).toEqual([]);
        expect(bob.lost).toEqual([]);
        expect(bob.credential).toEqual([
            {
                kind: "renewal-due",
                reasons: ["renewal window"],
                message: `certificate expires at ${hours(0.5)}, inside its 1-hour renewal window: the next pulumi up issues a new one`,
            },
        ]);
    });

    test("without the cluster's rules, only cluster-admin is judged, by its name", () => {
        const blind = teamReport(() => ({ state: "unknown" }));
        expect(blind.summary.escalations).toBe(1);
        expect(blind.added[0].gained[0]).toMatchObject({ rules: "unknown", allows: [], escalations: [] });
    });

    test("the same config on both sides is no change", () => {
        const config = teamConfig();
        const spec = validateAccessSpec(config, { secretKeys });
        const same = buildAccessReport({
            before: deployed(config, { alice: hours(8000), bob: hours(1.5), carol: hours(8000) }),
            after: accessFromSpec(spec),
            planned: planRoleBindings(spec),
            rolesOf: fromCluster,
            now,
            cluster: { rulesRead: true },
        });
        expect(same.summary.text).toBe("No access change.");
        expect(hasChanges(same)).toBe(false);
    });
});

/**
 * The report between two configs, the deployed one read back from the stack
 * outputs the program makes for it (`users`, `unlistedSubjects`) as the
 * command reads them; `recorded: false` is a stack deployed before the
 * `unlistedSubjects` output existed.
 */
function reportBetween(
    before: any,
    after: any,
    options: { recorded?: boolean; proxiesBefore?: string[]; proxiesAfter?: string[] } = {},
) {
    const deployedSpec = validateAccessSpec(before, { secretKeys });
    const deployedPlan = planRoleBindings(deployedSpec);
    const asOutput = (value: unknown) => JSON.parse(JSON.stringify(value));
    const spec = validateAccessSpec(after, { secretKeys });
    return buildAccessReport({
        before: accessFromUsersOutput(asOutput(userSummaries(deployedSpec, deployedPlan, { expiresAt: {} }))),
        after: accessFromSpec(spec),
        subjectsBefore:
            options.recorded === false
                ? undefined
                : subjectsFromOutput(asOutput(unlistedSubjectSummaries(deployedSpec, deployedPlan))),
        subjectsAfter: subjectsFromSpec(spec),
        proxiesBefore: options.proxiesBefore,
        proxiesAfter: options.proxiesAfter,
        planned: planRoleBindings(spec),
        rolesOf: fromCluster,
        now,
        cluster: { rulesRead: true },
    });
}

test("buildAccessReport: a kept grant names every O value of the certificate that keeps it, not only the group left", () => {
    const before = teamConfig();
    before.users[0].groups = ["viewers", "developers"];
    const after = teamConfig();
    after.users[0].groups = ["developers"];
    const spec = validateAccessSpec(after, { secretKeys });
    const report = buildAccessReport({
        before: deployed(before, { alice: hours(8000) }),
        after: accessFromSpec(spec),
        planned: planRoleBindings(spec),
        rolesOf: fromCluster,
        now,
        cluster: { rulesRead: true },
    });
    const alice = report.changed.find((u) => u.name === "alice")!;
    expect(alice.kept.map((k) => [k.role, k.reason])).toEqual([
        [
            "view",
            "the certificate (CN=alice, O=viewers, O=developers) stays valid until it expires; Kubernetes cannot revoke a client certificate",
        ],
    ]);
});

describe("buildAccessReport: what a gained grant adds to the grants a user keeps there", () => {
    const adminRules: PolicyRule[] = [
        ...rules.edit,
        { apiGroups: ["rbac.authorization.k8s.io"], resources: ["rolebindings"], verbs: ["create", "delete"] },
    ];
    const rolesOf = (g: GrantDetail): RoleRules =>
        g.role === "admin" ? { state: "read", rules: adminRules } : fromCluster(g);
    const reportWith = (binding: any, rolesOfGrant = rolesOf) => {
        const after = teamConfig();
        after.bindings.push(binding);
        const spec = validateAccessSpec(after, { secretKeys });
        return buildAccessReport({
            before: deployed(teamConfig(), {}),
            after: accessFromSpec(spec),
            planned: planRoleBindings(spec),
            rolesOf: rolesOfGrant,
            now,
            cluster: { rulesRead: true },
        });
    };
    const carolGained = (report: ReturnType<typeof reportWith>) =>
        report.changed.find((u) => u.name === "carol")!.gained.map((g) => [g.role, g.namespace, g.beyondKept]);

    test("admin in default beside edit there: only the RBAC rule, in the JSON and the Markdown", () => {
        const report = reportWith({
            name: "carol-admin",
            clusterRole: "admin",
            namespaces: ["default"],
            subjects: [{ user: "carol" }],
        });
        expect(carolGained(report)).toEqual([
            ["admin", "default", ["create, delete on rolebindings (rbac.authorization.k8s.io)"]],
        ]);
        expect(renderMarkdown(report)).toContain(
            "    - adds to what the user keeps there: create, delete on rolebindings (rbac.authorization.k8s.io)",
        );
    });

    test("view in default beside edit there adds nothing, and says so", () => {
        const report = reportWith({
            name: "carol-view",
            clusterRole: "view",
            namespaces: ["default"],
            subjects: [{ user: "carol" }],
        });
        // carol keeps view cluster-wide too (viewers), which covers it as well.
        expect(carolGained(report)).toEqual([["view", "default", []]]);
        expect(renderMarkdown(report)).toContain("    - adds nothing to what the user keeps there");
    });

    test("a grant in a namespace where the user keeps only what is cluster-wide is compared with that", () => {
        const report = reportWith({
            name: "carol-edit-apps",
            clusterRole: "edit",
            namespaces: ["apps"],
            subjects: [{ user: "carol" }],
        });
        // Split by what is new for each resource: on pods only create and delete, on secrets every verb.
        expect(carolGained(report)).toEqual([
            ["edit", "apps", ["create, delete on pods", "get, list, watch, create, delete on secrets"]],
        ]);
    });

    test("not compared when a kept role's rules were not read", () => {
        const report = reportWith(
            { name: "carol-admin", clusterRole: "admin", namespaces: ["default"], subjects: [{ user: "carol" }] },
            (g) => (g.role === "edit" ? { state: "unknown" } : rolesOf(g)),
        );
        expect(carolGained(report)).toEqual([["admin", "default", undefined]]);
    });
});

describe("buildAccessReport: what a lost grant takes away, beside the grants the user still holds there", () => {
    const reportWithout = (before: any, after: any, rolesOf = fromCluster) => {
        const spec = validateAccessSpec(after, { secretKeys });
        return buildAccessReport({
            before: deployed(before, {}),
            after: accessFromSpec(spec),
            planned: planRoleBindings(spec),
            rolesOf,
            now,
            cluster: { rulesRead: true },
        });
    };
    const lostBy = (report: ReturnType<typeof reportWithout>, name: string) =>
        report.changed
            .find((u) => u.name === name)!
            .lost.map((g) => ({
                role: g.role,
                namespace: g.namespace,
                beyondRemaining: g.beyondRemaining,
                stillHeldThere: g.stillHeldThere?.map((h) => `${h.role}@${h.namespace ?? "cluster"} ${h.binding}`),
            }));
    const withoutCarolEdit = () => {
        const config = teamConfig();
        config.bindings = config.bindings.filter((b: any) => b.name !== "carol-edit");
        return config;
    };

    test("edit in default taken while view stays cluster-wide: what edit allowed beyond view", () => {
        const report = reportWithout(teamConfig(), withoutCarolEdit());
        expect(lostBy(report, "carol")).toEqual([
            {
                role: "edit",
                namespace: "default",
                beyondRemaining: ["create, delete on pods", "get, list, watch, create, delete on secrets"],
                stillHeldThere: ["view@cluster viewers"],
            },
        ]);
        const markdown = renderMarkdown(report);
        expect(markdown).toContain(
            "    - takes away: create, delete on pods; get, list, watch, create, delete on secrets\n" +
                "    - still holds there: ClusterRole `view` cluster-wide, via group `viewers` (binding `viewers`)",
        );
    });

    test("a binding removed while the same role stays through a group takes nothing away, and says so", () => {
        const before = teamConfig();
        before.bindings.push({
            name: "viewers-edit-default",
            clusterRole: "edit",
            namespaces: ["default"],
            subjects: [{ group: "viewers" }],
        });
        const after = withoutCarolEdit();
        after.bindings.push(before.bindings[before.bindings.length - 1]);
        const report = reportWithout(before, after);
        expect(lostBy(report, "carol")).toEqual([
            {
                role: "edit",
                namespace: "default",
                beyondRemaining: [],
                stillHeldThere: ["view@cluster viewers", "edit@default viewers-edit-default"],
            },
        ]);
        expect(renderMarkdown(report)).toContain(
            "  - loses ClusterRole `edit` in namespace default, bound to the user (binding `carol-edit`)\n" +
                "    - takes nothing away: everything it allowed is still allowed there\n",
        );
    });

    test("a grant in another namespace is not what the user still holds there", () => {
        const before = teamConfig();
        before.users[2].groups = ["developers"]; // carol: edit in apps only, besides her own edit in default
        const after = withoutCarolEdit();
        after.users[2].groups = ["developers"];
        expect(lostBy(reportWithout(before, after), "carol")).toEqual([
            { role: "edit", namespace: "default", beyondRemaining: undefined, stillHeldThere: undefined },
        ]);
    });

    test("a cluster-wide grant lost beside grants in one namespace is not covered by them", () => {
        const before = teamConfig();
        const after = teamConfig();
        after.users[2].groups = []; // carol leaves viewers: view cluster-wide goes, edit in default stays
        const lost = lostBy(reportWithout(before, after), "carol");
        expect(lost).toEqual([
            { role: "view", namespace: undefined, beyondRemaining: undefined, stillHeldThere: undefined },
        ]);
    });

    test("names what stays without comparing rules when a role's rules were not read", () => {
        const report = reportWithout(teamConfig(), withoutCarolEdit(), (g) =>
            g.role === "view" ? { state: "unknown" } : fromCluster(g),
        );
        expect(lostBy(report, "carol")).toEqual([
            {
                role: "edit",
                namespace: "default",
                beyondRemaining: undefined,
                stillHeldThere: ["view@cluster viewers"],
            },
        ]);
        expect(renderMarkdown(report)).not.toContain("takes");
    });

    test("a group outside the users list: what it loses in a namespace where it keeps another grant", () => {
        const before = teamConfig();
        before.bindings.push(
            {
                name: "corp-view",
                clusterRole: "view",
                namespaces: ["apps"],
                subjects: [{ group: "corp:sre", external: true }],
            },
            {
                name: "corp-edit",
                clusterRole: "edit",
                namespaces: ["apps"],
                subjects: [{ group: "corp:sre", external: true }],
            },
        );
        const after = teamConfig();
        after.bindings.push(before.bindings[before.bindings.length - 2]);
        const report = reportBetween(before, after);
        const sre = report.subjects.find((s) => s.name === "corp:sre")!;
        expect(sre.lost.map((g) => [g.role, g.beyondRemaining, g.stillHeldThere?.map((h) => h.binding)])).toEqual([
            ["edit", ["create, delete on pods", "get, list, watch, create, delete on secrets"], ["corp-view"]],
        ]);
    });
});

describe("buildAccessReport: users and groups outside the users list", () => {
    const withBinding = (...bindings: any[]) => {
        const config = teamConfig();
        config.bindings.push(...bindings);
        return config;
    };
    test.each([
        [
            "every authenticated identity",
            "system:authenticated",
            "every authenticated user and service account",
            ["alice", "bob", "carol"],
        ],
        ["anonymous requests", "system:unauthenticated", "every anonymous request", []],
        ["every service account", "system:serviceaccounts", "every service account in every namespace", []],
        ["one namespace's service accounts", "system:serviceaccounts:ci", "every service account in namespace ci", []],
    ])(
        "a binding to %s: a subject outside the list with an escalation, and each listed member's gain",
        (_l, group, who, members) => {
            const report = reportBetween(
                teamConfig(),
                withBinding({ name: "everyone", clusterRole: "cluster-admin", subjects: [{ group, external: true }] }),
            );
            // Listed users the API server puts in the group gain it too, through that group.
            expect(report.changed.map((u) => [u.name, u.gained.map((g) => [g.role, g.via])])).toEqual(
                members.map((m) => [m, [["cluster-admin", { kind: "group", group }]]]),
            );
            expect(report.added.length + report.removed.length).toBe(0);
            expect(hasChanges(report)).toBe(true);
            expect(report.subjects).toHaveLength(1);
            const [change] = report.subjects;
            expect([change.subject, change.reason, change.compared]).toEqual([`group:${group}`, "external", true]);
            expect(change.gained.map((g) => g.role)).toEqual(["cluster-admin"]);
            expect(change.escalations.map((e) => e.kind)).toEqual(["broad-subject", "cluster-admin"]);
            expect(change.escalations[0].message).toBe(
                `${who} (group ${group}${group === "system:unauthenticated" ? ", while anonymous auth is on" : ""}) gains ClusterRole cluster-admin cluster-wide`,
            );
            expect(report.summary.subjectsChanged).toBe(1);
            expect(report.summary.changeAccess).toBe(members.length);
            expect(report.summary.text).toContain("1 user or group outside the users list changes access");
            const markdown = renderMarkdown(report);
            expect(markdown).toContain("#### Users and groups outside the users list");
            expect(markdown).toContain(`**group** \`${group}\` (external: whoever the API server puts in this group)`);
            expect(markdown).toContain(`- ⚠️ **group:${group}**: ${change.escalations[0].message}`);
        },
    );

    test("a service-account user gains what is bound to its namespace's service-account group", () => {
        const config = withBinding({
            name: "ci-sa",
            clusterRole: "view",
            subjects: [{ group: "system:serviceaccounts:ci", external: true }],
        });
        config.users.push({ name: "deployer", auth: { method: "serviceAccount", namespace: "ci" } });
        const base = teamConfig();
        base.users.push({ name: "deployer", auth: { method: "serviceAccount", namespace: "ci" } });
        const report = reportBetween(base, config);
        expect(report.changed.map((u) => [u.name, u.gained.map((g) => g.via)])).toEqual([
            ["deployer", [{ kind: "group", group: "system:serviceaccounts:ci" }]],
        ]);
    });

    test("the user name of anonymous requests is flagged too", () => {
        const report = reportBetween(
            teamConfig(),
            withBinding({
                name: "anon",
                clusterRole: "view",
                subjects: [{ user: "system:anonymous", external: true }],
            }),
        );
        expect(report.subjects.map((s) => [s.subject, s.escalations.map((e) => e.message)])).toEqual([
            [
                "user:system:anonymous",
                [
                    "every anonymous request (user system:anonymous, while anonymous auth is on) gains ClusterRole view cluster-wide",
                ],
            ],
        ]);
    });

    test("an identity provider's group or an external user: no broad-subject escalation, but the role's own", () => {
        const report = reportBetween(
            teamConfig(),
            withBinding({
                name: "partners",
                clusterRole: "edit",
                namespaces: ["apps"],
                subjects: [
                    { group: "corp:partners", external: true },
                    { user: "ops@corp.example", external: true },
                ],
            }),
        );
        expect(report.subjects.map((s) => [s.subject, s.escalations.map((e) => e.kind)])).toEqual([
            ["group:corp:partners", ["reads-secrets", "creates-pods"]],
            ["user:ops@corp.example", ["reads-secrets", "creates-pods"]],
        ]);
    });

    test("an escalation the subject already has through a grant it keeps is not flagged again", () => {
        const admin = {
            name: "partners-admin",
            clusterRole: "cluster-admin",
            subjects: [{ group: "corp:partners", external: true }],
        };
        const edit = {
            name: "partners-edit",
            clusterRole: "edit",
            namespaces: ["apps"],
            subjects: [{ group: "corp:partners", external: true }],
        };
        const report = reportBetween(withBinding(admin), withBinding(admin, edit));
        expect(report.subjects.map((s) => [s.subject, s.gained.map((g) => g.role), s.escalations])).toEqual([
            ["group:corp:partners", ["edit"], []],
        ]);
    });

    test("removing the binding loses the grant; an unchanged one is no change", () => {
        const binding = {
            name: "partners",
            clusterRole: "view",
            subjects: [{ group: "corp:partners", external: true }],
        };
        const removal = reportBetween(withBinding(binding), teamConfig());
        expect(removal.subjects.map((s) => [s.subject, s.gained.length, s.lost.map((g) => g.role)])).toEqual([
            ["group:corp:partners", 0, ["view"]],
        ]);
        expect(removal.subjects[0].escalations).toEqual([]);
        expect(renderMarkdown(removal)).toContain(
            "  - loses ClusterRole `view` cluster-wide, via group `corp:partners`",
        );
        const same = reportBetween(withBinding(binding), withBinding(binding));
        expect(hasChanges(same)).toBe(false);
        expect(same.summary.text).toBe("No access change.");
    });

    test("a stack that does not record them: every such grant is listed, marked as not compared", () => {
        const binding = {
            name: "partners",
            clusterRole: "view",
            subjects: [{ group: "corp:partners", external: true }],
        };
        const report = reportBetween(withBinding(binding), withBinding(binding), { recorded: false });
        expect(report.subjects.map((s) => [s.subject, s.compared, s.gained.length])).toEqual([
            ["group:corp:partners", false, 1],
        ]);
        expect(renderMarkdown(report)).toContain("the deployed stack does not record these subjects");
        // Nothing bound outside the list: nothing to list, whether recorded or not.
        expect(hasChanges(reportBetween(teamConfig(), teamConfig(), { recorded: false }))).toBe(false);
    });

    test.each([
        ["system:authenticated", "view", undefined],
        ["system:serviceaccounts", "view", undefined],
        ["system:serviceaccounts:ci", "edit", ["ci"]],
    ])(
        "a stack from before 3 December: a binding to %s it already had is no user's gain, and is listed not compared",
        (group, role, namespaces) => {
            const binding = { name: "broad", clusterRole: role, namespaces, subjects: [{ group, external: true }] };
            const config = withBinding(binding);
            config.users.push({ name: "ci-bot", auth: { method: "serviceAccount", namespace: "ci" } });
            // Such a stack's users output has no grant through a group the API server adds itself.
            const deployedSpec = validateAccessSpec(config, { secretKeys });
            const throughGroup = (g: GrantDetail) => g.via.kind === "group" && g.via.group === group;
            const olderOutput = userSummaries(deployedSpec, planRoleBindings(deployedSpec), { expiresAt: {} }).map(
                (u) => ({ ...u, grants: [], grantDetails: u.grantDetails.filter((g) => !throughGroup(g)) }),
            );
            expect(olderOutput.length).toBe(4);
            const spec = validateAccessSpec(config, { secretKeys });
            const report = buildAccessReport({
                before: accessFromUsersOutput(JSON.parse(JSON.stringify(olderOutput))),
                after: accessFromSpec(spec),
                subjectsAfter: subjectsFromSpec(spec),
                planned: planRoleBindings(spec),
                rolesOf: fromCluster,
                now,
                cluster: { rulesRead: true },
            });
            expect(report.changed.map((u) => u.name)).toEqual([]);
            expect(report.subjects.map((s) => [s.subject, s.compared, s.gained.map((g) => g.role)])).toEqual([
                [`group:${group}`, false, [role]],
            ]);
            // A stack that records its subjects compares them, and the same config is no change at all.
            expect(hasChanges(reportBetween(config, config))).toBe(false);
        },
    );
});

describe("buildAccessReport: impersonation", () => {
    // allowSystemIdentities lets a grant name system:masters; the report still flags it.
    const withImpersonation = (impersonators: any[], targets: any[]) => {
        const config = teamConfig();
        config.impersonation = [{ name: "support", impersonators, targets, allowSystemIdentities: true }];
        return config;
    };
    test.each([
        [
            "another user, and so the user's groups",
            [{ user: "carol" }],
            ["user:carol", "group:viewers"],
            ["impersonate"],
        ],
        [
            "system:masters",
            [{ group: "system:masters", external: true }],
            ["group:system:masters"],
            ["system-masters", "impersonate"],
        ],
        [
            "a service account's name and a uid",
            [{ user: "system:serviceaccount:ci:deployer", external: true }, { uid: "1234" }],
            ["serviceaccount:ci/deployer", "uid:1234"],
            ["impersonate"],
        ],
    ])("a user who may newly impersonate %s changes access, with escalations", (_l, targets, labels, kinds) => {
        const report = reportBetween(teamConfig(), withImpersonation([{ user: "alice" }], targets));
        expect(hasChanges(report)).toBe(true);
        expect(report.changed.map((u) => [u.name, u.gained, u.lost, u.impersonation])).toEqual([
            ["alice", [], [], { gained: labels, lost: [] }],
        ]);
        expect(report.changed[0].escalations.map((e) => e.kind)).toEqual(kinds);
        expect(report.summary.changeAccess).toBe(1);
        expect(renderMarkdown(report)).toContain(`  - may now impersonate ${labels.map((l) => `\`${l}\``).join(", ")}`);
    });

    test("a pull request that lets bob act as system:masters is an access change with both escalations", () => {
        const report = reportBetween(
            teamConfig(),
            withImpersonation([{ user: "bob" }], [{ group: "system:masters", external: true }]),
        );
        expect(report.summary.text).not.toBe("No access change.");
        expect(renderMarkdown(report)).toContain("may impersonate group system:masters: bypasses every RBAC check");
    });

    test("taking impersonation away is a loss without escalation; keeping it is no change", () => {
        const config = withImpersonation([{ group: "viewers" }], [{ user: "bob" }]);
        const loss = reportBetween(config, teamConfig());
        expect(loss.changed.map((u) => [u.name, u.impersonation, u.escalations])).toEqual([
            ["alice", { gained: [], lost: ["user:bob", "group:viewers"] }, []],
            ["bob", { gained: [], lost: ["user:bob", "group:viewers"] }, []],
            ["carol", { gained: [], lost: ["user:bob", "group:viewers"] }, []],
        ]);
        expect(renderMarkdown(loss)).toContain("  - may no longer impersonate `user:bob`, `group:viewers`");
        expect(hasChanges(reportBetween(config, config))).toBe(false);
    });

    test("an added user who may impersonate shows it, a removed one loses it", () => {
        const before = withImpersonation([{ user: "carol" }], [{ user: "bob" }]);
        const after = withImpersonation([{ user: "dave" }], [{ user: "bob" }]);
        after.users = after.users.filter((u: any) => u.name !== "carol");
        after.bindings = after.bindings.filter((b: any) => b.name !== "carol-edit");
        after.users.push({ name: "dave", groups: [], auth: { method: "certificate", signer: "cluster" } });
        const report = reportBetween(before, after);
        expect(report.added.map((u) => [u.name, u.impersonation, u.escalations.map((e) => e.kind)])).toEqual([
            ["dave", { gained: ["user:bob", "group:viewers"], lost: [] }, ["impersonate"]],
        ]);
        expect(report.removed.map((u) => [u.name, u.impersonation])).toEqual([
            ["carol", { gained: [], lost: ["user:bob", "group:viewers"] }],
        ]);
    });

    test("an external impersonator is reported as a subject outside the users list", () => {
        const report = reportBetween(
            teamConfig(),
            withImpersonation([{ group: "corp:sre", external: true }], [{ group: "system:masters", external: true }]),
        );
        expect([report.added, report.removed, report.changed]).toEqual([[], [], []]);
        expect(report.subjects.map((s) => [s.subject, s.impersonation, s.escalations.map((e) => e.kind)])).toEqual([
            ["group:corp:sre", { gained: ["group:system:masters"], lost: [] }, ["system-masters", "impersonate"]],
        ]);
        expect(renderMarkdown(report)).toContain("  - may now impersonate `group:system:masters`");
    });
});

describe("buildAccessReport: authenticating proxies", () => {
    const reportFor = (proxiesBefore: string[], proxiesAfter: string[]) =>
        reportBetween(teamConfig(), teamConfig(), { proxiesBefore, proxiesAfter });

    test.each([
        ["the first proxy", [], ["web-console"], ["web-console"], []],
        ["a second proxy", ["web-console"], ["web-console", "api-gateway"], ["api-gateway"], []],
        ["a proxy renamed", ["web-console"], ["web-ui"], ["web-ui"], ["web-console"]],
    ])("%s: added ones are escalations, removed ones are listed", (_l, before, after, added, removed) => {
        const report = reportFor(before, after);
        expect([report.proxies.added, report.proxies.removed]).toEqual([added, removed]);
        expect(report.proxies.escalations.map((e) => e.kind)).toEqual(added.map(() => "authenticating-proxy"));
        expect(report.summary.proxiesChanged).toBe(added.length + removed.length);
        expect(report.summary.escalations).toBe(added.length);
        expect(hasChanges(report)).toBe(true);
        const markdown = renderMarkdown(report);
        expect(markdown).toContain("#### Authenticating proxies");
        for (const p of added) expect(markdown).toContain(`- \`${p}\` added: acts as any user and group`);
        for (const p of removed) expect(markdown).toContain(`- \`${p}\` removed:`);
    });

    test("the same proxies, in any order, are no change", () => {
        expect(hasChanges(reportFor(["a", "b"], ["b", "a"]))).toBe(false);
        expect(hasChanges(reportFor([], []))).toBe(false);
    });

    test("proxiesFromOutput reads the allowed names the program's output carries", () => {
        const config = teamConfig();
        config.authenticatingProxy = {
            caFile: "/etc/kubernetes/pki/front-proxy-ca.crt",
            proxies: [{ name: "web-console" }, { name: "api-gateway" }],
        };
        const spec = validateAccessSpec(config, { secretKeys });
        expect(proxiesFromOutput({ apiServerFlags: requestHeaderFlags(spec.authenticatingProxy!) })).toEqual(
            proxiesFromSpec(spec),
        );
        expect(proxiesFromSpec(spec)).toEqual(["web-console", "api-gateway"]);
        expect(proxiesFromOutput(undefined)).toEqual([]);
        expect(() => proxiesFromOutput({ apiServerFlags: [] })).toThrow(/requestheader-allowed-names/);
        expect(() => proxiesFromOutput("[secret]")).toThrow(/requestheader-allowed-names/);
    });
});

describe("subjectsFromOutput", () => {
    test.each([
        ["a list", []],
        ["an entry without kind", { "group:x": { name: "x", grantDetails: [] } }],
        ["an entry with a bad kind", { "group:x": { kind: "Team", name: "x", grantDetails: [] } }],
        ["an entry without grant details", { "group:x": { kind: "Group", name: "x" } }],
    ])("refuses %s", (_label, value) => {
        expect(() => subjectsFromOutput(value)).toThrow(/unlistedSubjects output/);
    });
    test("no output: undefined, not an empty list", () => {
        expect(subjectsFromOutput(undefined)).toBeUndefined();
        expect(subjectsFromOutput({})).toEqual([]);
    });
});

describe("credentialChanges", () => {
    let base: AccessEntry;
    beforeEach(() => {
        base = {
            name: "u",
            method: "certificate",
            signer: "external",
            identity: "u",
            groups: ["a"],
            mayImpersonate: [],
            keyHeldBy: "kube-access",
            expiresAt: hours(1000),
            grants: [],
            credential: { keyAlgorithm: "RSA-2048", validityHours: 8760, renewBeforeHours: 720, rotation: 0 },
        };
    });
    const after = (change: (u: any) => void): AccessEntry => {
        const u = structuredClone(base) as any;
        delete u.expiresAt;
        change(u);
        return u;
    };
    test.each([
        ["nothing", (_u: any) => undefined, []],
        [
            "another key algorithm",
            (u: any) => (u.credential.keyAlgorithm = "ECDSA-P256"),
            ["key RSA-2048 → ECDSA-P256"],
        ],
        ["other groups", (u: any) => (u.groups = ["a", "b"]), ["groups a → a, b"]],
        ["groups in another order", (u: any) => (u.groups = ["a"]), []],
        ["no groups any more", (u: any) => (u.groups = []), ["groups a → (none)"]],
        ["another validity", (u: any) => (u.credential.validityHours = 24), ["validity 8760 h → 24 h"]],
        ["another signer", (u: any) => (u.signer = "cluster"), ["signer external → cluster"]],
        [
            "the user's own CSR",
            (u: any) => ((u.keyHeldBy = "user"), (u.credential.certificateRequestSha256 = "ab")),
            ["key held by kube-access → user"],
        ],
        ["only a longer renewal window", (u: any) => (u.credential.renewBeforeHours = 100), []],
        ["a raised rotation counter", (u: any) => (u.credential.rotation = 1), ["rotation 0 → 1"]],
        [
            "a rotation counter set back",
            (u: any) => ((u.credential.rotation = 0), (base.credential!.rotation = 3)),
            ["rotation 3 → 0"],
        ],
        ["the same rotation counter", (u: any) => (u.credential.rotation = 0), []],
        [
            "a rotation with the user's own CSR: a new certificate, the same key",
            (u: any) => ((u.keyHeldBy = "user"), (u.credential.rotation = 2)),
            ["key held by kube-access → user", "rotation 0 → 2 (a new certificate for the same key)"],
        ],
    ])("certificate: %s", (_label, change, reasons) => {
        const changes = credentialChanges(base, after(change), now);
        expect(changes.flatMap((c) => c.reasons ?? [])).toEqual(reasons);
    });

    test.each([
        ["outside the window", 1000, 720, "external", []],
        ["inside the window", 700, 720, "external", ["renewal-due"]],
        ["exactly at the window's start", 720, 720, "external", ["renewal-due"]],
        ["expired", -1, 720, "external", ["expired"]],
        // The cluster signer renews at most half a lifetime early: 8760 h lifetime, 5000 h window → 4380 h.
        ["cluster signer, window capped at half the lifetime", 4500, 5000, "cluster", []],
        ["cluster signer, inside the capped window", 4000, 5000, "cluster", ["renewal-due"]],
    ])("renewal: %s", (_label, expiresInHours, renewBeforeHours, signer, kinds) => {
        const before = { ...base, signer, expiresAt: hours(expiresInHours) };
        const next = after((u) => ((u.signer = signer), (u.credential.renewBeforeHours = renewBeforeHours)));
        expect(credentialChanges(before, next, now).map((c) => c.kind)).toEqual(kinds);
    });

    test.each([
        [
            "service account moved",
            { method: "serviceAccount", credential: { namespace: "ci" } },
            { method: "serviceAccount", credential: { namespace: "build" } },
            ["token-secret-replaced"],
        ],
        [
            "service account unchanged",
            { method: "serviceAccount", credential: { namespace: "ci" } },
            { method: "serviceAccount", credential: { namespace: "ci" } },
            [],
        ],
        [
            "OIDC groups and email",
            { method: "oidc", groups: ["a"], credential: { email: "a@x.io" } },
            { method: "oidc", groups: ["b"], credential: { email: "b@x.io" } },
            ["keycloak-groups-changed", "keycloak-user-changed"],
        ],
        [
            "service account rotated",
            { method: "serviceAccount", credential: { namespace: "ci", rotation: 0 } },
            { method: "serviceAccount", credential: { namespace: "ci", rotation: 1 } },
            ["token-secret-replaced"],
        ],
        [
            "service account deployed before the users output carried its rotation counter",
            { method: "serviceAccount", credential: { namespace: "ci" } },
            { method: "serviceAccount", credential: { namespace: "ci", rotation: 1 } },
            [],
        ],
        [
            "certificate deployed before the users output carried its rotation counter",
            { credential: { keyAlgorithm: "RSA-2048", validityHours: 8760, renewBeforeHours: 720 } },
            { credential: { keyAlgorithm: "RSA-2048", validityHours: 8760, renewBeforeHours: 720, rotation: 1 } },
            [],
        ],
        ["method", { method: "certificate" }, { method: "oidc", credential: { email: "u@x.io" } }, ["method-changed"]],
    ])("%s", (_label, b, a, kinds) => {
        const changes = credentialChanges({ ...base, ...b } as AccessEntry, { ...base, ...a } as AccessEntry, now);
        expect(changes.map((c) => c.kind)).toEqual(kinds);
    });

    test("a rotated service account's token Secret is named as replaced, with the counter", () => {
        const [change] = credentialChanges(
            { ...base, method: "serviceAccount", credential: { namespace: "ci", rotation: 1 } },
            { ...base, method: "serviceAccount", credential: { namespace: "ci", rotation: 2 } },
            now,
        );
        expect(change).toEqual({
            kind: "token-secret-replaced",
            reasons: ["rotation 1 → 2"],
            message: "token Secret replaced (rotation 1 → 2); the old token is refused once its Secret is deleted",
        });
    });

    test("OIDC group changes name the groups joined and left", () => {
        const b = { ...base, method: "oidc", groups: ["a", "b"] };
        const a = { ...base, method: "oidc", groups: ["b", "c"] };
        expect(credentialChanges(b, a, now)[0].message).toMatch(/^Keycloak groups: \+c, −a;/);
    });
});

describe("diffGrants", () => {
    const g = (role: string, via: GrantDetail["via"], namespace?: string): GrantDetail => ({
        roleKind: "ClusterRole",
        role,
        ...(namespace ? { namespace } : {}),
        binding: "b",
        via,
    });
    const user = { kind: "user" } as const;
    const group = (name: string) => ({ kind: "group", group: name }) as const;
    test.each([
        ["same grants", [g("view", user)], [g("view", user)], [], []],
        ["a new role", [g("view", user)], [g("view", user), g("edit", user)], ["edit"], []],
        ["another namespace", [g("edit", user, "a")], [g("edit", user, "b")], ["edit"], ["edit"]],
        ["same role through a group instead", [g("view", user)], [g("view", group("x"))], ["view"], ["view"]],
        ["through another group", [g("view", group("x"))], [g("view", group("y"))], ["view"], ["view"]],
        ["everything removed", [g("view", user), g("edit", user)], [], [], ["view", "edit"]],
    ])("%s", (_label, before, after, gained, lost) => {
        const diff = diffGrants(before, after);
        expect([diff.gained.map((x) => x.role), diff.lost.map((x) => x.role)]).toEqual([gained, lost]);
    });
});

describe("users output of the program", () => {
    test("every grant line the program writes reads back as the structured grant", () => {
        const config = teamConfig();
        config.bindings.push({
            name: "ext",
            role: "pod-reader",
            namespaces: ["a", "b"],
            subjects: [{ group: "viewers" }],
        });
        const spec = validateAccessSpec(config, { secretKeys });
        const planned = planRoleBindings(spec);
        const lines = grantsByUser(spec, planned);
        for (const entry of accessFromSpec(spec)) {
            expect(lines[entry.name].map(parseGrantLine)).toEqual(entry.grants);
        }
    });

    test("a stack deployed before grantDetails existed is read from its grant lines", () => {
        const entries = accessFromUsersOutput([
            {
                name: "user1",
                method: "certificate",
                signer: "external",
                identity: "user1",
                groups: ["group1"],
                expiresAt: "2027-01-01T00:00:00Z",
                grants: ["ClusterRole/view cluster-wide (kube-access:clusterrole-view:group:group1)"],
            },
        ]);
        expect(entries[0].grants).toEqual([
            {
                roleKind: "ClusterRole",
                role: "view",
                binding: "clusterrole-view",
                via: { kind: "group", group: "group1" },
            },
        ]);
        expect(entries[0].credential).toBeUndefined();
    });

    test.each([
        ["neither a map nor a list", "user1", /neither a map of user summaries nor a list/],
        ["an entry without a method", [{ name: "x" }], /users\[0\]/],
        ["a grant line of another tool", [{ name: "x", method: "oidc", grants: ["admin everywhere"] }], /cannot read/],
    ])("refuses %s", (_label, value, message) => {
        expect(() => accessFromUsersOutput(value)).toThrow(message);
    });

    test("reads the map by user name the same as the list older stacks hold", () => {
        const list = [{ name: "x", method: "oidc", grants: [] }];
        expect(accessFromUsersOutput({ x: list[0] })).toEqual(accessFromUsersOutput(list));
    });

    test("no output yet reads as nobody", () => {
        expect(accessFromUsersOutput(undefined)).toEqual([]);
    });
});

describe("summaryText", () => {
    const zero = {
        gainAccess: 0,
        loseAccess: 0,
        changeAccess: 0,
        escalations: 0,
        credentialsReissued: 0,
        renewalsDue: 0,
        subjectsChanged: 0,
        proxiesChanged: 0,
    };
    test.each([
        [zero, "No access change."],
        [
            { ...zero, gainAccess: 3, loseAccess: 1, escalations: 1 },
            "3 users gain access, 1 loses it, 0 change access; 1 escalation",
        ],
        [{ ...zero, loseAccess: 2 }, "0 users gain access, 2 lose it, 0 change access"],
        [
            { ...zero, renewalsDue: 2 },
            "0 users gain access, 0 lose it, 0 change access; 2 certificates due for renewal",
        ],
        [
            { ...zero, subjectsChanged: 1, escalations: 1 },
            "0 users gain access, 0 lose it, 0 change access; 1 user or group outside the users list changes access; 1 escalation",
        ],
        [
            { ...zero, proxiesChanged: 1, escalations: 1 },
            "0 users gain access, 0 lose it, 0 change access; 1 authenticating proxy added or removed; 1 escalation",
        ],
        [
            { ...zero, subjectsChanged: 2 },
            "0 users gain access, 0 lose it, 0 change access; 2 users or groups outside the users list change access",
        ],
    ])("%j", (counts, text) => {
        expect(summaryText(counts)).toBe(text);
    });
});
