import {
    StackResource,
    adminBindingViolations,
    certificateUserType,
    certificateValidityViolations,
    clusterRoleBindingType,
    defaultAdminBindingConfig,
    everyoneBindingViolations,
    renewalWindowViolations,
    roleBindingType,
    systemMastersViolations,
} from "./rules";

const certificateUser = (name: string, groups: string[], extra: Record<string, unknown> = {}): StackResource => ({
    type: certificateUserType,
    name: `user-${name}`,
    urn: `urn:${name}`,
    props: {
        subject: { commonName: name, organizations: groups },
        validityHours: 8760,
        renewBeforeHours: 720,
        ...extra,
    },
});
const binding = (role: string, subjects: { kind: string; name: string }[], namespace?: string): StackResource => ({
    type: namespace ? roleBindingType : clusterRoleBindingType,
    name: `b-${role}`,
    props: {
        metadata: { name: `kube-access:b:${subjects[0].name}`, ...(namespace ? { namespace } : {}) },
        roleRef: { kind: "ClusterRole", name: role },
        subjects,
    },
});

describe("systemMastersViolations", () => {
    test.each([
        [["system:masters"], 1],
        [["ops", "system:masters"], 1],
        [["ops"], 0],
        [[], 0],
    ])("groups %j", (groups, count) => {
        const violations = systemMastersViolations([certificateUser("root", groups)]);
        expect(violations).toHaveLength(count);
        if (count)
            expect(violations[0]).toMatchObject({ urn: "urn:root", message: expect.stringContaining("user root") });
    });
});

describe("adminBindingViolations", () => {
    const group = (name: string) => ({ kind: "Group", name });
    const user = (name: string) => ({ kind: "User", name });
    test.each([
        ["cluster-admin to a group", binding("cluster-admin", [group("admins")]), {}, 1],
        ["cluster-admin to an OIDC user", binding("cluster-admin", [user("oidc:alice")]), {}, 1],
        ["cluster-admin to a certificate user", binding("cluster-admin", [user("alice")]), {}, 0],
        ["admin in a namespace to a group", binding("admin", [group("admins")], "apps"), {}, 0],
        ["an allowed group", binding("cluster-admin", [group("platform")]), { allowedSubjects: ["platform"] }, 0],
        [
            "a wildcard role named in the config",
            binding("root", [group("ops")]),
            { adminRoles: ["cluster-admin", "root"] },
            1,
        ],
        ["another OIDC prefix", binding("cluster-admin", [user("sso:bob")]), { oidcUsernamePrefix: "sso:" }, 1],
    ])("%s", (_label, resource, config, count) => {
        expect(adminBindingViolations([resource], { ...defaultAdminBindingConfig, ...config })).toHaveLength(count);
    });

    test("the message names the binding, the subject and the fix", () => {
        const [v] = adminBindingViolations([binding("cluster-admin", [group("admins")])], defaultAdminBindingConfig);
        expect(v.message).toBe(
            "ClusterRoleBinding kube-access:b:admins grants ClusterRole cluster-admin to group admins, which is not in " +
                "the allow-list; grant a narrower role (admin or edit in namespaces), or add admins to allowedSubjects " +
                "of kube-access-no-admin-for-groups in the policy pack config",
        );
    });
});

describe("everyoneBindingViolations", () => {
    test.each([
        ["system:authenticated", "Group", 1],
        ["system:unauthenticated", "Group", 1],
        ["system:anonymous", "User", 1],
        ["system:serviceaccounts", "Group", 0],
        ["devs", "Group", 0],
    ])("%s", (name, kind, count) => {
        expect(everyoneBindingViolations([binding("view", [{ kind, name }], "default")])).toHaveLength(count);
    });
});

describe("certificateValidityViolations", () => {
    test.each([
        [8760, 8760, 0],
        [8761, 8760, 1],
        [24, 12, 1],
        [12, 12, 0],
    ])("validity %d h, at most %d h", (validityHours, max, count) => {
        expect(certificateValidityViolations([certificateUser("u", [], { validityHours })], max)).toHaveLength(count);
    });
});

describe("renewalWindowViolations", () => {
    const now = new Date("2026-06-01T12:00:00Z");
    const inHours = (h: number) => new Date(now.getTime() + h * 3600_000).toISOString();
    test.each([
        ["outside the window", inHours(2), 1, 0],
        ["inside the window", inHours(0.5), 1, 1],
        ["expired", inHours(-1), 1, 1],
        ["not issued yet (expiry unknown at preview)", undefined, 1, 0],
    ])("%s", (_label, expiresAt, renewBeforeHours, count) => {
        const user = certificateUser("u", [], { renewBeforeHours, ...(expiresAt ? { expiresAt } : {}) });
        expect(renewalWindowViolations([user], now)).toHaveLength(count);
    });
});

test("a value not known during a preview (reading it throws) skips that check, not the policy", () => {
    const user = certificateUser("root", ["system:masters"], { validityHours: 99999 });
    Object.defineProperty(user.props, "expiresAt", {
        get() {
            throw new Error("unknown value during preview");
        },
    });
    expect(systemMastersViolations([user])).toHaveLength(1);
    expect(certificateValidityViolations([user], 8760)).toHaveLength(1);
    expect(renewalWindowViolations([user], new Date())).toEqual([]);
});
