import { AccessSpecError } from "../intake/reader";
import { RawConfig, validateAccessSpec } from "../access/validate";
import { secretKeys, validConfig } from "../../test/helpers/config";
import { planRoleBindings } from "../rbac/plan";
import { apiServerGroups, apiServerUsername, oidcClaimMappings, serviceAccountUsername } from "./identity";

/* eslint-disable @typescript-eslint/no-explicit-any */
const users = (c: RawConfig) => c.users as any[];

/** The valid config with da-admin (users[3]) changed and bound by name. */
function specWith(oidc: Record<string, unknown>, daAdmin: Record<string, unknown>) {
    const config = validConfig();
    Object.assign(config.oidc as object, oidc);
    Object.assign(users(config)[3].auth, daAdmin);
    (config.bindings as any[]).push({ name: "da", clusterRole: "view", subjects: [{ user: "da-admin" }] });
    return validateAccessSpec(config, { secretKeys });
}

function issuesOf(mutate: (c: RawConfig) => void): { path: string; message: string }[] {
    const config = validConfig();
    mutate(config);
    try {
        validateAccessSpec(config, { secretKeys });
        return [];
    } catch (e) {
        return (e as AccessSpecError).issues;
    }
}

describe("OIDC identity: exactly what Keycloak puts in the token", () => {
    const emailCases: [string, string][] = [
        // The issue's value.
        ["Da.Admin@Example.COM", "oidc:da.admin@example.com"],
        ["DA-ADMIN@EXAMPLE.ORG", "oidc:da-admin@example.org"],
        ["da.admin+K8s@Corp.Example", "oidc:da.admin+k8s@corp.example"],
        ["already.lower@example.com", "oidc:already.lower@example.com"],
    ];
    test.each(emailCases)(
        "usernameClaim email, email %s: binding subject, users output and API server mapping use %s",
        (email, expected) => {
            const spec = specWith({ usernameClaim: "email" }, { email });
            const da = spec.users[3];
            expect(apiServerUsername(da, spec.oidc)).toBe(expected);
            expect(planRoleBindings(spec).find((b) => b.bindingName === "da")!.subject).toEqual({
                kind: "User",
                name: expected,
            });
            expect(oidcClaimMappings(spec.oidc!).username).toEqual({ claim: "email", prefix: "oidc:" });
        },
    );

    test.each([
        ["oidc:", "oidc:da-admin"],
        ["kc#", "kc#da-admin"],
    ])("usernameClaim preferred_username with prefix %s: %s, whatever the email's case", (prefix, expected) => {
        const spec = specWith({ usernamePrefix: prefix }, { email: "Da.Admin@Example.COM" });
        expect(apiServerUsername(spec.users[3], spec.oidc)).toBe(expected);
    });

    test("groups carry the groups prefix; Keycloak keeps group names as written", () => {
        const spec = specWith({ groupsPrefix: "kc:" }, {});
        expect(apiServerGroups(spec.users[3], spec.oidc)).toEqual(["kc:admins"]);
    });

    test("the other methods: a certificate's CN and O as declared; a service account's system names", () => {
        const spec = specWith({}, {});
        expect(apiServerUsername(spec.users[0], spec.oidc)).toBe("user1");
        expect(apiServerGroups(spec.users[0], spec.oidc)).toEqual(["group1", "group2"]);
        expect(apiServerUsername(spec.users[2], spec.oidc)).toBe("system:serviceaccount:ci:sa1");
        expect(serviceAccountUsername("ci", "sa1")).toBe("system:serviceaccount:ci:sa1");
        expect(apiServerGroups(spec.users[2], spec.oidc)).toEqual([
            "system:serviceaccounts",
            "system:serviceaccounts:ci",
        ]);
    });
});

describe("where the token's value cannot be known or would be shared, validation refuses", () => {
    const refused: [string, (c: RawConfig) => void, string, RegExp][] = [
        [
            "an email with letters outside ASCII",
            (c) => (users(c)[3].auth.email = "Dä.Admin@Example.COM"),
            "users[3].auth.email",
            /outside ASCII.*cannot know what the token will carry/,
        ],
        [
            "an OIDC user name with letters outside ASCII",
            (c) => (users(c)[3].name = "dä-admin"),
            "users[3].name",
            /outside ASCII/,
        ],
        [
            "an OIDC user name in upper case, with the email claim too",
            (c) => {
                (c.oidc as any).usernameClaim = "email";
                users(c)[3].name = "Da-Admin";
            },
            "users[3].name",
            /Keycloak lower-cases usernames, so it would store and issue "da-admin"/,
        ],
        [
            "two OIDC users whose emails differ only in case",
            (c) =>
                users(c).push({
                    name: "da-admin2",
                    auth: { method: "oidc", email: "DA@example.com", firstName: "D", lastName: "A" },
                }),
            "users[4].auth.email",
            /same address as users\[3\]\.auth\.email once Keycloak lower-cases it \("da@example.com"\)/,
        ],
    ];
    test.each(refused)("%s", (_d, mutate, path, message) => {
        const issues = issuesOf(mutate);
        const issue = issues.find((i) => i.path === path);
        expect({ issues, found: issue !== undefined }).toMatchObject({ found: true });
        expect(issue!.message).toMatch(message);
    });

    test("certificate users may have any case and letters: the CN is sent as written", () => {
        expect(issuesOf((c) => (users(c)[0].name = "Jürgen"))).toEqual([]);
    });
});
