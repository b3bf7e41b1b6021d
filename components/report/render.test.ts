import { AccessReport, UserChange } from "./model";
import { describeGrant, renderJson, renderMarkdown, reportMarker } from "./render";

const alice: UserChange = {
    name: "alice",
    method: "certificate",
    signer: "cluster",
    identity: "alice",
    impersonation: { gained: [], lost: [] },
    gained: [
        {
            roleKind: "ClusterRole",
            role: "cluster-admin",
            binding: "admins",
            via: { kind: "group", group: "admins" },
            allows: ["* on * (*)"],
            rules: "read",
            escalations: [
                { kind: "cluster-admin", message: "every verb on every resource cluster-wide (cluster-admin)" },
            ],
        },
    ],
    lost: [
        {
            roleKind: "ClusterRole",
            role: "view",
            binding: "viewers",
            via: { kind: "group", group: "viewers" },
            allows: [],
            rules: "read",
            escalations: [],
        },
    ],
    kept: [
        {
            roleKind: "ClusterRole",
            role: "view",
            binding: "viewers",
            via: { kind: "group", group: "viewers" },
            until: "2027-06-01T12:00:00Z",
            reason: "the certificate (CN=alice, O=viewers) stays valid until it expires",
        },
    ],
    credential: [
        {
            kind: "certificate-reissued",
            reasons: ["groups viewers → admins"],
            message: "certificate re-issued (groups viewers → admins)",
        },
    ],
    escalations: [{ kind: "cluster-admin", message: "every verb on every resource cluster-wide (cluster-admin)" }],
};

function report(overrides: Partial<AccessReport> = {}): AccessReport {
    return {
        stack: "prod",
        at: "2026-06-01T12:00:00.000Z",
        cluster: { rulesRead: true },
        summary: {
            gainAccess: 0,
            loseAccess: 0,
            changeAccess: 1,
            escalations: 1,
            credentialsReissued: 1,
            renewalsDue: 0,
            subjectsChanged: 0,
            proxiesChanged: 0,
            text: "0 users gain access, 0 lose it, 1 changes access; 1 escalation; 1 credential re-issued",
        },
        added: [],
        removed: [],
        changed: [alice],
        subjects: [],
        proxies: { added: [], removed: [], escalations: [] },
        ...overrides,
    };
}

test("renderMarkdown shows six rules of a gained grant and counts the rest; the JSON has every one", () => {
    const allows = Array.from({ length: 9 }, (_, i) => `get on resource-${i}`);
    const many: UserChange = { ...alice, gained: [{ ...alice.gained[0], escalations: [], allows }] };
    const r = report({ changed: [many] });
    expect(renderMarkdown(r)).toContain(
        `    - allows: ${allows.slice(0, 6).join("; ")}; and 3 more rules (all in --format json)`,
    );
    expect(JSON.parse(renderJson(r)).changed[0].gained[0].allows).toEqual(allows);
});

test("renderMarkdown: a subject outside the users list, with its note and what it may impersonate", () => {
    const markdown = renderMarkdown(
        report({
            changed: [],
            subjects: [
                {
                    subject: "group:corp:sre",
                    kind: "Group",
                    name: "corp:sre",
                    reason: "external",
                    note: "OIDC tokens' groups arrive prefixed",
                    gained: [],
                    lost: [],
                    impersonation: { gained: ["user:bob"], lost: ["user:carol"] },
                    escalations: [
                        { kind: "impersonate", message: "may impersonate user:bob: acts with its permissions" },
                    ],
                    compared: true,
                },
            ],
        }),
    );
    expect(markdown).toContain(
        [
            "- **group** `corp:sre` (external: whoever the API server puts in this group)",
            "  - note: OIDC tokens' groups arrive prefixed",
            "  - may now impersonate `user:bob`",
            "  - may no longer impersonate `user:carol`",
        ].join("\n"),
    );
    expect(markdown).toContain("- ⚠️ **group:corp:sre**: may impersonate user:bob: acts with its permissions");
});

describe("renderMarkdown", () => {
    const markdown = renderMarkdown(report());
    const lines = markdown.split("\n");

    test("starts with the marker CI finds its comment by, then the title and the summary in bold", () => {
        expect(lines.slice(0, 4)).toEqual([
            "<!-- kube-access access report: prod -->",
            "### Access changes for stack `prod`",
            "",
            "**0 users gain access, 0 lose it, 1 changes access; 1 escalation; 1 credential re-issued**",
        ]);
    });

    test("escalations come first, then each user with what is gained, lost, re-issued and kept", () => {
        const escalations = lines.indexOf("#### Escalations");
        const changed = lines.indexOf("#### Changed");
        expect(escalations).toBeGreaterThan(0);
        expect(changed).toBeGreaterThan(escalations);
        expect(lines).toContain("- ⚠️ **alice**: every verb on every resource cluster-wide (cluster-admin)");
        expect(lines.slice(changed + 2)).toEqual(
            expect.arrayContaining([
                "- **alice** (certificate, signer cluster; the API server sees `alice`)",
                "  - gains ClusterRole `cluster-admin` cluster-wide, via group `admins` (binding `admins`)",
                "    - ⚠️ every verb on every resource cluster-wide (cluster-admin)",
                "    - allows: * on * (*)",
                "  - loses ClusterRole `view` cluster-wide, via group `viewers` (binding `viewers`)",
                "  - certificate re-issued (groups viewers → admins)",
                "  - keeps until 2027-06-01T12:00:00Z: ClusterRole `view` cluster-wide, via group `viewers` (binding `viewers`); the certificate (CN=alice, O=viewers) stays valid until it expires",
            ]),
        );
    });

    test("says when role rules were not read, and why", () => {
        const blind = renderMarkdown(
            report({ cluster: { rulesRead: false, note: "connect ECONNREFUSED 127.0.0.1:6443" } }),
        );
        expect(blind).toContain(
            "Role rules were not read: connect ECONNREFUSED 127.0.0.1:6443. Roles are judged by name only.",
        );
        expect(markdown).toContain("Role rules were read from the cluster.");
    });

    test("sections without users are left out; no change renders the summary alone", () => {
        const none = renderMarkdown(
            report({
                changed: [],
                summary: {
                    ...report().summary,
                    changeAccess: 0,
                    escalations: 0,
                    credentialsReissued: 0,
                    text: "No access change.",
                },
            }),
        );
        expect(none).toContain("**No access change.**");
        expect(none).not.toMatch(/####/);
    });

    test.each([
        ["plain", "edit", "`edit`"],
        ["with a backtick", "odd`role", "``odd`role``"],
        ["starting with a backtick", "`x", "`` `x ``"],
    ])("role names are code spans, %s", (_label, role, rendered) => {
        expect(describeGrant({ roleKind: "Role", role, namespace: "apps", binding: "b", via: { kind: "user" } })).toBe(
            `Role ${rendered} in namespace apps, bound to the user (binding \`b\`)`,
        );
    });
});

describe("renderJson", () => {
    test("is the report itself, parseable", () => {
        expect(JSON.parse(renderJson(report()))).toEqual(report());
    });
});

test("the marker names the stack, so reports of several stacks each update their own comment", () => {
    expect(reportMarker("a")).not.toBe(reportMarker("b"));
    expect(reportMarker()).toBe("<!-- kube-access access report -->");
});
