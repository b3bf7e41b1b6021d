import { execFileSync } from "child_process";
import { AccessSpec } from "../model/types";
import { AccessSpecError } from "../intake/reader";
import { RawConfig, validateAccessSpec } from "./validate";
import { planRoleBindings } from "../rbac/plan";
import { buildCsrPem } from "../x509/csr";
import { clusterKubeconfigText } from "./validate";
import { rbacNameProblem } from "../intake/limits";
import { opensslCertificate, opensslCsr, testCa } from "../../test/helpers/fixtures";
import { secretKeys, validConfig } from "../../test/helpers/config";

// The kinds of fault of issue #11, each as a table of several values.

/* eslint-disable @typescript-eslint/no-explicit-any */
const users = (c: RawConfig) => c.users as any[];
const bindings = (c: RawConfig) => c.bindings as any[];
const cluster = (c: RawConfig) => c.cluster as any;
const oidc = (c: RawConfig) => c.oidc as any;

type Issue = { path: string; message: string };

function issuesOf(mutate: (c: RawConfig) => void): Issue[] {
    const config = validConfig();
    mutate(config);
    try {
        validateAccessSpec(config, { secretKeys });
    } catch (e) {
        if (e instanceof AccessSpecError) return e.issues;
        throw e;
    }
    return [];
}

function specOf(mutate: (c: RawConfig) => void): AccessSpec {
    const config = validConfig();
    mutate(config);
    return validateAccessSpec(config, { secretKeys });
}

/** Asserts one issue at `path` whose message matches every pattern (and none of `not`). */
function expectIssue(issues: Issue[], path: string, patterns: RegExp[], not: RegExp[] = []): void {
    const at = issues.filter((i) => i.path === path);
    expect({ path, issues }).toMatchObject({ path, issues: expect.arrayContaining([expect.anything()]) });
    expect(at.map((i) => i.path)).toContain(path);
    const message = at.map((i) => i.message).join("\n");
    for (const p of patterns) expect(message).toMatch(p);
    for (const p of not) expect(message).not.toMatch(p);
}

const x = (n: number, ch = "a") => ch.repeat(n);

type Case = [description: string, mutate: (c: RawConfig) => void, path: string, patterns: RegExp[], not?: RegExp[]];

describe("1. limits of the places a value ends up are checked up front, naming the limit", () => {
    const cases: Case[] = [
        [
            "a certificate user of 300 characters",
            (c) => (users(c)[0].name = x(300)),
            "users[0].name",
            [/is 300 characters; .*X\.509 limits a common name to 64 \(RFC 5280 ub-common-name\)/],
        ],
        [
            "a cluster-signed user of 65 characters",
            (c) => (users(c)[1].name = x(65, "b")),
            "users[1].name",
            [/is 65 characters; .*to 64 \(RFC 5280 ub-common-name\)/],
        ],
        [
            "a certificate user's group of 65 characters",
            (c) => (users(c)[0].groups = [x(65, "g")]),
            "users[0].groups[0]",
            [/is 65 characters; .*organization name to 64 \(RFC 5280 ub-organization-name\)/],
        ],
        [
            "a certificate user's group of 200 characters with spaces",
            (c) => (users(c)[1].groups = [`team ${x(200)}`]),
            "users[1].groups[0]",
            [/is 205 characters; .*ub-organization-name/],
        ],
        [
            "a service-account user of 300 characters, blamed on length",
            (c) => (users(c)[2].name = x(300)),
            "users[2].name",
            [/is 300 characters; .*token Secret name; Kubernetes limits a Secret name to 253.*to 226/],
            [/lower case/],
        ],
        [
            "a service-account user of 300 upper-case characters, still blamed on length",
            (c) => (users(c)[2].name = x(300, "A")),
            "users[2].name",
            [/is 300 characters/],
            [/lower case|letters/],
        ],
        [
            "a service-account user of 240 characters (a valid ServiceAccount, but not its token Secret)",
            (c) => (users(c)[2].name = x(240)),
            "users[2].name",
            [/is 240 characters; .*to 226 \(DNS-1123 subdomain\)/],
        ],
        [
            "a service-account user of 230 characters (room for its first token Secret, not for a rotated one's -<generation>)",
            (c) => (users(c)[2].name = x(230)),
            "users[2].name",
            [/is 230 characters; .*-kube-access-token-<generation> appended.*to 226 \(DNS-1123 subdomain\)/],
        ],
        [
            "a service-account namespace of 64 characters",
            (c) => (users(c)[2].auth.namespace = x(64)),
            "users[2].auth.namespace",
            [/is 64 characters; Kubernetes limits a namespace name to 63 \(DNS-1123 label\)/],
        ],
        [
            "a binding namespace of 100 characters",
            (c) => (bindings(c)[1].namespaces = [x(100)]),
            "bindings[1].namespaces[0]",
            [/is 100 characters; .*to 63 \(DNS-1123 label\)/],
        ],
        [
            "a binding name of 64 characters (a label value)",
            (c) => (bindings(c)[1].name = x(64)),
            "bindings[1].name",
            [/is 64 characters; the binding name becomes a label value, and Kubernetes limits label values to 63/],
        ],
        [
            "a default binding name of 72 characters",
            (c) => (bindings(c)[0].clusterRole = x(60, "r")),
            "bindings[0].name",
            [/the default name "clusterrole-r+" \(from the role\) is 72 characters/, /set name to a shorter one/],
        ],
        [
            "an OIDC user of 256 characters",
            (c) => (users(c)[3].name = x(256)),
            "users[3].name",
            [/is 256 characters; it is the Keycloak username, and Keycloak limits usernames to 255/],
        ],
        ["an OIDC user of 2 characters", (c) => (users(c)[3].name = "da"), "users[3].name", [/at least 3/]],
        [
            "an OIDC user with ':'",
            (c) => (users(c)[3].name = "da:admin"),
            "users[3].name",
            [/':'.*Keycloak refuses in usernames/],
        ],
        [
            "an OIDC user with a space",
            (c) => (users(c)[3].name = "da admin"),
            "users[3].name",
            [/whitespace.*Keycloak refuses/],
        ],
        [
            "an OIDC user with '#' and '!'",
            (c) => (users(c)[3].name = "da#admin!"),
            "users[3].name",
            [/'#', '!'.*username-prohibited-characters/],
        ],
        [
            "an OIDC user's group of 256 characters",
            (c) => (users(c)[3].groups = [x(256, "g")]),
            "users[3].groups[0]",
            [/is 256 characters; .*Keycloak limits group names to 255/],
        ],
        [
            "an OIDC first name of 256 characters",
            (c) => (users(c)[3].auth.firstName = x(256)),
            "users[3].auth.firstName",
            [/is 256 characters; Keycloak limits a first or last name to 255/],
        ],
        [
            "an OIDC last name with '<'",
            (c) => (users(c)[3].auth.lastName = "<Admin>"),
            "users[3].auth.lastName",
            [/'<', '>'.*person-name-prohibited-characters/],
        ],
        [
            "an email of 256 characters",
            (c) => (users(c)[3].auth.email = `da@${x(253)}`),
            "users[3].auth.email",
            [/is 256 characters; Keycloak limits an email address to 255/],
        ],
        [
            "an email whose local part is 65 characters",
            (c) => (users(c)[3].auth.email = `${x(65)}@example.com`),
            "users[3].auth.email",
            [/65 characters before '@'.*64/],
        ],
        [
            "a ClusterRole name with '/'",
            (c) => (bindings(c)[0].clusterRole = "team/view"),
            "bindings[0].clusterRole",
            [/contains '\/', which Kubernetes refuses in RBAC object names/],
        ],
        [
            "a Role name with '%'",
            (c) => (bindings(c)[1] = { role: "pod%reader", namespaces: ["ci"], subjects: [{ user: "user1" }] }),
            "bindings[1].role",
            [/contains '%'/],
        ],
        ["a ClusterRole named '..'", (c) => (bindings(c)[0].clusterRole = ".."), "bindings[0].clusterRole", [/".."/]],
        ["an empty ClusterRole name", (c) => (bindings(c)[0].clusterRole = ""), "bindings[0].clusterRole", [/empty/]],
    ];

    test.each(cases)("refuses %s", (...[, mutate, path, patterns, not]: Case) => {
        expectIssue(issuesOf(mutate), path, patterns, not);
    });

    const atTheLimit: [string, (c: RawConfig) => void][] = [
        ["a certificate user of 64 characters", (c) => (users(c)[0].name = x(64))],
        ["a certificate user's group of 64 characters", (c) => (users(c)[0].groups = [x(64, "g")])],
        [
            "a service-account user of 226 characters (its rotated token Secret's name is 253)",
            (c) => {
                users(c)[2].name = x(226);
                bindings(c)[0].subjects[1].user = x(226);
            },
        ],
        [
            "a dotted service-account user",
            (c) => {
                users(c)[2].name = "build.bot-1";
                bindings(c)[0].subjects[1].user = "build.bot-1";
            },
        ],
        ["a namespace of 63 characters", (c) => (users(c)[2].auth.namespace = x(63))],
        ["a binding name of 63 characters", (c) => (bindings(c)[1].name = x(63))],
        ["an OIDC user of 255 characters", (c) => (users(c)[3].name = x(255))],
        ["an OIDC user of 3 characters with '@' and '.'", (c) => (users(c)[3].name = "d@a.b")],
        ["an OIDC group of 255 characters", (c) => (users(c)[3].groups = ["admins", x(255, "g")])],
        ["an OIDC first name with an apostrophe and a space", (c) => (users(c)[3].auth.firstName = "D'Arcy Ann")],
        ["a ClusterRole with ':'", (c) => (bindings(c)[0].clusterRole = "system:aggregate-to-view")],
    ];
    test.each(atTheLimit)("accepts %s", (_d, mutate) => {
        expect(issuesOf(mutate)).toEqual([]);
    });
});

describe("2. a cluster.caCertificate that is not a CA is refused, saying what was probably pasted", () => {
    const ca = testCa();
    const make = (subject: string, extensions: string[], signed = true) =>
        opensslCertificate({ subject, extensions, issuer: signed ? ca : undefined });
    const cases: [string, () => { certificatePem: string; privateKeyPem: string }, RegExp[]][] = [
        [
            "the API server's serving certificate (CA:FALSE, serverAuth, SANs)",
            () =>
                make("/CN=kube-apiserver", [
                    "basicConstraints=critical,CA:FALSE",
                    "keyUsage=critical,digitalSignature,keyEncipherment",
                    "extendedKeyUsage=serverAuth",
                    "subjectAltName=DNS:kubernetes,DNS:kubernetes.default,IP:127.0.0.1",
                ]),
            [/basicConstraints say CA:FALSE/, /serving certificate for DNS:kubernetes/, /CN=kube-access-test-ca/],
        ],
        [
            "a client certificate from a kubeconfig (CA:FALSE, clientAuth)",
            () =>
                make("/CN=kubernetes-admin/O=kubeadm:cluster-admins", [
                    "basicConstraints=critical,CA:FALSE",
                    "extendedKeyUsage=clientAuth",
                ]),
            [/CA:FALSE/, /client certificate \(CN=kubernetes-admin/, /client-certificate-data/],
        ],
        [
            "a self-signed certificate without basicConstraints (X.509 v1)",
            () => make("/CN=old-style", [], false),
            [/no basicConstraints extension/, /end-entity certificate \(CN=old-style\)/],
        ],
        [
            "a self-signed serving certificate (CA:FALSE, SAN only)",
            () => make("/CN=my-host", ["basicConstraints=CA:FALSE", "subjectAltName=DNS:my-host"], false),
            [/CA:FALSE/, /serving certificate for DNS:my-host/],
        ],
        [
            "a CA whose keyUsage lacks keyCertSign",
            () =>
                make(
                    "/CN=odd-ca",
                    ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,digitalSignature,cRLSign"],
                    false,
                ),
            [/keyUsage lacks keyCertSign/],
        ],
    ];
    test.each(cases)("refuses %s", (_d, make, patterns) => {
        const cert = make();
        const issues = issuesOf((c) => {
            cluster(c).caCertificate = cert.certificatePem;
            c.clusterCaKey = cert.privateKeyPem;
        });
        expectIssue(issues, "cluster.caCertificate", [...patterns, /\/etc\/kubernetes\/pki\/ca\.crt/]);
        // The key matches the pasted certificate; the CA problem is the one to fix, not a key mismatch.
        expect(issues.map((i) => i.path)).not.toContain("clusterCaKey");
    });

    test.each([
        ["a CA without keyUsage", ["basicConstraints=critical,CA:TRUE"]],
        ["a CA with keyCertSign", ["basicConstraints=critical,CA:TRUE", "keyUsage=critical,keyCertSign,cRLSign"]],
        ["a CA with a path length", ["basicConstraints=critical,CA:TRUE,pathlen:0", "keyUsage=keyCertSign"]],
    ])("accepts %s", (_d, extensions) => {
        const cert = opensslCertificate({ subject: "/CN=good-ca", extensions });
        expect(
            issuesOf((c) => {
                cluster(c).caCertificate = cert.certificatePem;
                c.clusterCaKey = cert.privateKeyPem;
            }),
        ).toEqual([]);
    });
});

describe("3. every object name derived from user input is valid for its kind, or the input is refused", () => {
    const refused: Case[] = [
        [
            "an external user alice/ops",
            (c) => bindings(c)[0].subjects.push({ user: "alice/ops", external: true }),
            "bindings[0].subjects[2].user",
            [
                /"alice\/ops" contains '\/', which Kubernetes refuses in RBAC object names/,
                /kube-access:<binding>:user:<name>/,
            ],
        ],
        [
            "an external group with '/'",
            (c) => bindings(c)[1].subjects.push({ group: "corp/ops", external: true }),
            "bindings[1].subjects[1].group",
            [/contains '\/'/, /bind a group it belongs to, or grant it with a RoleBinding of your own/],
        ],
        [
            "an external user with '%'",
            (c) => bindings(c)[0].subjects.push({ user: "100%admin", external: true }),
            "bindings[0].subjects[2].user",
            [/contains '%'/],
        ],
        [
            "an external user with both",
            (c) => bindings(c)[0].subjects.push({ user: "a/b%c", external: true }),
            "bindings[0].subjects[2].user",
            [/contains '\/' and '%'/],
        ],
        [
            "a certificate user with '/'",
            (c) => (users(c)[0].name = "alice/ops"),
            "users[0].name",
            [/contains '\/'/, /rename it/],
        ],
        [
            "a group with '/'",
            (c) => (users(c)[0].groups = ["ops/admins"]),
            "users[0].groups[0]",
            [/contains '\/'/, /kube-access:<binding>:group:<name>/],
        ],
        ["a declared group with '%'", (c) => (c.groups = ["50%"]), "groups[0]", [/contains '%'/]],
        [
            "a binding name with ':'",
            (c) => (bindings(c)[1].name = "admins:all"),
            "bindings[1].name",
            [/lower case letters/, /did you mean "admins-all"\?/],
        ],
    ];
    test.each(refused)("refuses %s", (_d, mutate, path, patterns) => {
        expectIssue(issuesOf(mutate), path, patterns);
    });

    test("the names of today's objects stay byte-identical", () => {
        const names = planRoleBindings(specOf(() => undefined)).map(
            (p) => `${p.kind}/${p.namespace ?? ""}/${p.objectName}`,
        );
        expect(names).toEqual([
            "ClusterRoleBinding//kube-access:clusterrole-view:group:group1",
            "ClusterRoleBinding//kube-access:clusterrole-view:serviceaccount:ci:sa1",
            "RoleBinding/default/kube-access:admins:group:oidc:admins",
        ]);
    });

    const accepted: [string, (c: RawConfig) => void, string][] = [
        [
            "an external user that is an email address",
            (c) => bindings(c)[0].subjects.push({ user: "alice@corp.example", external: true }),
            "kube-access:clusterrole-view:user:alice@corp.example",
        ],
        [
            "an external group with a space and a comma",
            (c) => bindings(c)[0].subjects.push({ group: "team, a", external: true }),
            "kube-access:clusterrole-view:group:team, a",
        ],
        [
            "an external service account's user name",
            (c) => bindings(c)[0].subjects.push({ user: "system:serviceaccount:ci:deployer", external: true }),
            "kube-access:clusterrole-view:user:system:serviceaccount:ci:deployer",
        ],
        [
            "a declared group with unicode",
            (c) => {
                users(c)[0].groups = ["équipe"];
                bindings(c)[0].subjects.push({ group: "équipe" });
            },
            "kube-access:clusterrole-view:group:équipe",
        ],
        [
            "a ClusterRole with ':' and no binding name",
            (c) => (bindings(c)[0].clusterRole = "system:auth-delegator"),
            "kube-access:clusterrole-system-auth-delegator:group:group1",
        ],
        [
            "a Role with upper case letters and no binding name",
            (c) => (bindings(c)[1] = { role: "Pod-Reader", namespaces: ["ci"], subjects: [{ user: "user1" }] }),
            "kube-access:role-pod-reader:user:user1",
        ],
    ];
    test.each(accepted)("accepts %s and plans a valid name", (_d, mutate, expected) => {
        const names = planRoleBindings(specOf(mutate)).map((p) => p.objectName);
        expect(names).toContain(expected);
        for (const name of names) expect(rbacNameProblem(name)).toBeUndefined();
    });
});

describe("4. one bad field never hides another", () => {
    const cases: [string, (c: RawConfig) => void, string[]][] = [
        [
            "a binding with neither role nor clusterRole, a bad name, a bad namespace and an undeclared group",
            (c) =>
                (bindings(c)[1] = {
                    name: "Bad_Name",
                    namespaces: ["Prod"],
                    subjects: [{ group: "nobody-has-this" }],
                }),
            ["bindings[1]", "bindings[1].name", "bindings[1].namespaces[0]", "bindings[1].subjects[0].group"],
        ],
        [
            "a binding with both roles, a namespace too long and an undeclared user",
            (c) =>
                (bindings(c)[0] = {
                    clusterRole: "view",
                    role: "reader",
                    namespaces: [x(70)],
                    subjects: [{ user: "mallory" }],
                }),
            ["bindings[0]", "bindings[0].namespaces[0]", "bindings[0].subjects[0].user"],
        ],
        [
            "a subject with neither user nor group beside a bad external flag and an undeclared group",
            (c) => (bindings(c)[0].subjects = [{ external: "maybe" }, { group: "ghosts" }]),
            ["bindings[0].subjects[0]", "bindings[0].subjects[0].external", "bindings[0].subjects[1].group"],
        ],
        [
            "a user with an unknown signer, a name too long and a group with '/'",
            (c) => (users(c)[0] = { name: x(300), groups: ["a/b"], auth: { method: "certificate", signer: "vault" } }),
            ["users[0].auth.signer", "users[0].name", "users[0].groups[0]"],
        ],
        [
            "a service-account user without a name but with groups",
            (c) => (users(c)[2] = { groups: ["group1"], auth: { method: "serviceAccount", namespace: "Bad" } }),
            ["users[2].name", "users[2].groups", "users[2].auth.namespace"],
        ],
        [
            "an OIDC user without email, with a Keycloak-refused name",
            (c) => {
                delete users(c)[3].auth.email;
                users(c)[3].name = "da:admin";
            },
            ["users[3].auth.email", "users[3].name"],
        ],
        [
            "a certificate user without a signer, with a name too long and system:masters",
            (c) => {
                users(c)[1] = { name: x(70), groups: ["system:masters"], auth: { method: "certificate" } };
            },
            ["users[1].auth.signer", "users[1].name", "users[1].groups[0]"],
        ],
    ];
    test.each(cases)("reports all of %s", (_d, mutate, paths) => {
        const found = issuesOf(mutate).map((i) => i.path);
        expect(found).toEqual(expect.arrayContaining(paths));
    });

    test.each([
        [
            "an OIDC user after an entry that is not an object",
            (c: RawConfig) => {
                users(c).unshift("oops");
                users(c)[4].name = "DA-Admin";
                bindings(c)[1].subjects = [{ user: "DA-Admin" }];
            },
            "users[4].name",
            /lower-cases usernames/,
        ],
        [
            "a user name with the OIDC prefix after an entry that is not an object",
            (c: RawConfig) => {
                users(c).unshift(42);
                users(c)[1].name = "oidc:user1";
            },
            "users[1].name",
            /OIDC username prefix/,
        ],
        [
            "a group after a group that is not a string",
            (c: RawConfig) => (users(c)[0].groups = ["group1", 7, "a/b"]),
            "users[0].groups[2]",
            /contains '\/'/,
        ],
        [
            "a group with the OIDC prefix after a duplicate",
            (c: RawConfig) => (users(c)[0].groups = ["group1", "group1", "oidc:x"]),
            "users[0].groups[2]",
            /OIDC groups prefix/,
        ],
        [
            "a namespace after a duplicate",
            (c: RawConfig) => (bindings(c)[1].namespaces = ["default", "default", "Bad"]),
            "bindings[1].namespaces[2]",
            /did you mean "bad"\?/,
        ],
        [
            "a declared group after one that is not a string",
            (c: RawConfig) => (c.groups = [null, "x%"]),
            "groups[1]",
            /contains '%'/,
        ],
    ])("reports %s at its own path", (_d, mutate, path, pattern) => {
        expectIssue(issuesOf(mutate), path, [pattern]);
    });

    test("a user's own CSR for another identity is reported even when the signer is missing", () => {
        const csr = opensslCsr("/CN=mallory/O=group1").csrPem;
        const paths = issuesOf((c) => (users(c)[1].auth = { method: "certificate", certificateRequest: csr })).map(
            (i) => i.path,
        );
        expect(paths).toEqual(expect.arrayContaining(["users[1].auth.signer", "users[1].auth.certificateRequest"]));
    });

    test("an OIDC user without email is still told to write the name in lower case", () => {
        const paths = issuesOf((c) => {
            delete users(c)[3].auth.email;
            users(c)[3].name = "Da-Admin";
        }).map((i) => i.path);
        expect(paths).toEqual(expect.arrayContaining(["users[3].auth.email", "users[3].name"]));
    });

    test.each([
        [
            "a user whose auth is invalid",
            (c: RawConfig) => (users(c)[2].auth = { method: "serviceAccount", namespace: 7 }),
        ],
        ["a user whose signer is unknown", (c: RawConfig) => (users(c)[0].auth.signer = "vault")],
    ])("a binding to %s is not also reported as undeclared", (_d, mutate) => {
        const paths = issuesOf(mutate).map((i) => i.path);
        expect(paths.length).toBeGreaterThan(0);
        expect(paths.filter((p) => p.startsWith("bindings"))).toEqual([]);
    });

    test("OIDC settings that are wrong are reported once, not again on every OIDC user", () => {
        const paths = issuesOf((c) => (c.oidc = "https://kc/realms/kube-access")).map((i) => i.path);
        expect(paths).toEqual(["oidc"]);
    });
});

describe("5. good input is accepted", () => {
    const openssl = (pem: string) =>
        execFileSync("openssl", ["req", "-noout", "-subject", "-nameopt", "RFC2253,-esc_msb,utf8"], { input: pem })
            .toString()
            .trim();

    test.each([
        ["team, a", "O=team\\, a"],
        ["Team A", "O=Team A"],
        ["ops+dev", "O=ops\\+dev"],
        ["équipe:é", "O=équipe:é"],
        ["a=b;c", "O=a=b\\;c"],
    ])("group %j, accepted and encoded in the CSR as it is", (group, rfc2253) => {
        const spec = specOf((c) => {
            users(c)[0].groups = [group];
            bindings(c)[0].subjects.push({ group });
        });
        expect(spec.users[0].groups).toEqual([group]);
        const key = testCa("csr-key").privateKeyPem;
        expect(openssl(buildCsrPem(key, { commonName: spec.users[0].name, organizations: [group] }))).toBe(
            `subject=${rfc2253},CN=user1`,
        );
    });

    test.each(["Jane Doe", "jane.doe@corp.example", "Łukasz"])("certificate user %j", (name) => {
        expect(specOf((c) => (users(c)[0].name = name)).users[0].name).toBe(name);
    });

    const kubeconfig = {
        apiVersion: "v1",
        kind: "Config",
        clusters: [{ name: "c", cluster: { server: "https://127.0.0.1:6443" } }],
        users: [{ name: "admin", user: { token: "t0ken-value" } }],
        contexts: [{ name: "admin@c", context: { cluster: "c", user: "admin" } }],
        "current-context": "admin@c",
    };
    test.each([
        ["an object (pulumi config set --secret --path, or JSON handed over parsed)", kubeconfig],
        ["JSON text", JSON.stringify(kubeconfig)],
        [
            "YAML text",
            "apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: https://h:6443}\n" +
                "users:\n- name: u\n  user: {token: x}\ncontexts:\n- name: u@c\n  context: {cluster: c, user: u}\n" +
                "current-context: u@c\n",
        ],
    ])("an admin kubeconfig given as %s", (_d, value) => {
        expect(issuesOf((c) => (c.clusterKubeconfig = value))).toEqual([]);
        const text = clusterKubeconfigText(value)!;
        expect(typeof text).toBe("string");
        expect(typeof value === "string" ? text : JSON.parse(text)).toEqual(value);
    });

    test.each([
        ["not YAML", "clusters: [oops", /not valid YAML or JSON \(line 1\)/],
        ["without contexts", JSON.stringify({ ...kubeconfig, contexts: [] }), /has no contexts/],
        [
            "without current-context",
            JSON.stringify({ ...kubeconfig, "current-context": undefined }),
            /no current-context/,
        ],
        ["naming a missing context", { ...kubeconfig, "current-context": "other" }, /not among its contexts/],
        ["a list", [kubeconfig], /got a list/],
    ])("an admin kubeconfig %s is refused, without quoting it", (_d, value, pattern) => {
        const issues = issuesOf((c) => (c.clusterKubeconfig = value));
        expectIssue(issues, "clusterKubeconfig", [pattern], [/t0ken-value|oops/]);
    });

    test.each([
        [
            "an email with a plus and subdomains",
            (c: RawConfig) => (users(c)[3].auth.email = "da.admin+k8s@eu.corp.example"),
        ],
        [
            "a server URL with a path",
            (c: RawConfig) => (cluster(c).server = "https://rancher.example/k8s/clusters/c-1"),
        ],
        ["an IPv6 server URL", (c: RawConfig) => (cluster(c).server = "https://[::1]:6443")],
    ])("%s", (_d, mutate) => {
        expect(issuesOf(mutate)).toEqual([]);
    });
});

describe("7. messages say how to fix, with the closest valid value", () => {
    const ca = testCa();
    const body = ca.certificatePem.trim().split("\n");
    const cases: Case[] = [
        [
            "a truncated CA (the middle of the PEM cut out)",
            (c) => (cluster(c).caCertificate = [...body.slice(0, 5), body[body.length - 1]].join("\n")),
            "cluster.caCertificate",
            [/probably truncated/, /copy the whole certificate/],
            [/error:|routines|asn1/i],
        ],
        [
            "a CA cut off before its END line",
            (c) => (cluster(c).caCertificate = body.slice(0, 8).join("\n")),
            "cluster.caCertificate",
            [/no -----END CERTIFICATE----- line/, /cut off/],
        ],
        [
            "a binding without a role",
            (c) => delete bindings(c)[0].clusterRole,
            "bindings[0]",
            [/has neither: set clusterRole/],
        ],
        [
            "a binding with both roles",
            (c) => (bindings(c)[0].role = "reader"),
            "bindings[0]",
            [/has both: keep clusterRole/],
        ],
        [
            "a subject with neither user nor group",
            (c) => (bindings(c)[0].subjects[0] = { external: true }),
            "bindings[0].subjects[0]",
            [/has neither/],
        ],
        [
            "a subject with both user and group",
            (c) => (bindings(c)[0].subjects[0] = { user: "user1", group: "group1" }),
            "bindings[0].subjects[0]",
            [/has both: make them two subjects/],
        ],
        ["a misspelt user field", (c) => (users(c)[0].grups = ["g"]), "users[0].grups", [/did you mean "groups"\?/]],
        [
            "a user field with two letters swapped",
            (c) => (users(c)[0].gorups = ["g"]),
            "users[0].gorups",
            [/did you mean "groups"\?/],
        ],
        [
            "a misspelt certificateRequestFile, a field of the access-file step",
            (c) => (users(c)[0].auth.certificateRequestFiel = "csr/a.csr"),
            "users[0].auth.certificateRequestFiel",
            [/did you mean "certificateRequestFile"\?/, /certificateRequest, certificateRequestFile, rotation/],
        ],
        [
            "a subject user with two letters swapped",
            (c) => (bindings(c)[0].subjects[0] = { user: "usre1" }),
            "bindings[0].subjects[0].user",
            [/is not a user in kube-access:users/, /did you mean "user1"\?/],
        ],
        [
            "a subject group with two letters swapped",
            (c) => (bindings(c)[0].subjects[0] = { group: "gruop1" }),
            "bindings[0].subjects[0].group",
            [/did you mean "group1"\?/],
        ],
        ["a misspelt config key", (c) => (c.userz = []), "userz", [/did you mean "users"\?/]],
        ["a misspelt cluster field", (c) => (cluster(c).sever = "x"), "cluster.sever", [/did you mean "server"\?/]],
        [
            "a binding field in the wrong case",
            (c) => (bindings(c)[0].clusterrole = "view"),
            "bindings[0].clusterrole",
            [/did you mean "clusterRole"\?/],
        ],
        [
            "a misspelt subject field",
            (c) => (bindings(c)[0].subjects[0] = { grop: "group1" }),
            "bindings[0].subjects[0].grop",
            [/did you mean "group"\?/],
        ],
        [
            "a misspelt OIDC field",
            (c) => (oidc(c).issuerURL = "https://x"),
            "oidc.issuerURL",
            [/did you mean "issuerUrl"\?/],
        ],
        [
            "namespace kube_system",
            (c) => (bindings(c)[1].namespaces = ["kube_system"]),
            "bindings[1].namespaces[0]",
            [/valid namespace name/, /did you mean "kube-system"\?/],
        ],
        [
            "namespace Default",
            (c) => (bindings(c)[1].namespaces = ["Default"]),
            "bindings[1].namespaces[0]",
            [/did you mean "default"\?/],
        ],
        [
            "namespace CI, used elsewhere as ci",
            (c) => (bindings(c)[1].namespaces = ["CI"]),
            "bindings[1].namespaces[0]",
            [/did you mean "ci"\?/],
        ],
        [
            "namespace my_app",
            (c) => (users(c)[2].auth.namespace = "my_app"),
            "users[2].auth.namespace",
            [/did you mean "my-app"\?/],
        ],
        [
            "server host:6443",
            (c) => (cluster(c).server = "host:6443"),
            "cluster.server",
            [/did you mean "https:\/\/host:6443"\?/],
        ],
        [
            "server 10.0.0.1:6443",
            (c) => (cluster(c).server = "10.0.0.1:6443"),
            "cluster.server",
            [/did you mean "https:\/\/10.0.0.1:6443"\?/],
        ],
        [
            "server with http://",
            (c) => (cluster(c).server = "http://api.example:6443"),
            "cluster.server",
            [/did you mean "https:\/\/api.example:6443"\?/],
        ],
        [
            "a misspelt auth method",
            (c) => (users(c)[0].auth.method = "certifcate"),
            "users[0].auth.method",
            [/did you mean "certificate"\?/],
        ],
        [
            "a misspelt signer",
            (c) => (users(c)[1].auth.signer = "clustr"),
            "users[1].auth.signer",
            [/did you mean "cluster"\?/],
        ],
        [
            "a misspelt group in a binding",
            (c) => (bindings(c)[0].subjects[0] = { group: "grup1" }),
            "bindings[0].subjects[0].group",
            [/did you mean "group1"\?/],
        ],
        [
            "a misspelt user in a binding",
            (c) => (bindings(c)[0].subjects[1] = { user: "sa2" }),
            "bindings[0].subjects[1].user",
            [/did you mean "sa1"\?/],
        ],
        [
            "a binding name with upper case and '_'",
            (c) => (bindings(c)[1].name = "Group1_View"),
            "bindings[1].name",
            [/did you mean "group1-view"\?/],
        ],
        [
            "a group with a trailing space",
            (c) => (users(c)[0].groups = ["group1 "]),
            "users[0].groups[0]",
            [/did you mean "group1"\?/],
        ],
    ];
    test.each(cases)("%s", (...[, mutate, path, patterns, not]: Case) => {
        expectIssue(issuesOf(mutate), path, patterns, not);
    });

    test.each([
        ["a field far from every known one", (c: RawConfig) => (users(c)[0].zzzzzzzz = 1), "users[0].zzzzzzzz"],
        [
            "a namespace that cannot be repaired",
            (c: RawConfig) => (bindings(c)[1].namespaces = ["___"]),
            "bindings[1].namespaces[0]",
        ],
        [
            "a method far from every known one",
            (c: RawConfig) => (users(c)[0].auth.method = "kerberos"),
            "users[0].auth.method",
        ],
    ])("no wild guess for %s", (_d, mutate, path) => {
        expectIssue(issuesOf(mutate), path, [/./], [/did you mean/]);
    });
});

describe("6. no message ever holds the value of a secret key, whatever its shape", () => {
    const marker = "S3CRET-Value-4711";
    const digits = 987654321987;
    const shapes: [string, unknown][] = [
        ["a string", marker],
        ["a string that is long enough to be a password", `${marker}-long-enough`],
        ["a number", digits],
        ["a list", [marker, digits]],
        ["a nested object", { outer: { inner: marker, n: digits } }],
        ["an object keyed by the secret", { [marker]: "x", [String(digits)]: digits }],
        ["a private key in the wrong key", `-----BEGIN PRIVATE KEY-----\n${marker}\n-----END PRIVATE KEY-----\n`],
        ["a truncated private key", `-----BEGIN EC PRIVATE KEY-----\n${marker}`],
        ["YAML that breaks on the secret's line", `clusters: []\ntoken: ${marker}\n  bad: [`],
        ["true", true],
    ];
    const passwordShapes: [string, unknown][] = [
        ["a number", { "da-admin": digits }],
        ["a nested object", { "da-admin": { value: marker } }],
        ["a list", { "da-admin": [marker] }],
        ["a short string", { "da-admin": "S3cr" }],
        ["the password as the key", { [marker]: "da-admin" }],
        ["the password of a certificate user", { user1: marker }],
    ];
    const cases: [string, string, unknown][] = [
        ...["clusterCaKey", "clusterKubeconfig", "oidcInitialPasswords"].flatMap((key) =>
            shapes.map(([shape, value]): [string, string, unknown] => [key, shape, value]),
        ),
        ...passwordShapes.map(([shape, value]): [string, string, unknown] => ["oidcInitialPasswords", shape, value]),
    ];

    test.each(cases)("%s as %s", (key, _shape, value) => {
        for (const facts of [{ secretKeys }, { secretKeys: [] }]) {
            const config = validConfig();
            config[key] = value;
            let text = "";
            try {
                validateAccessSpec(config, facts);
            } catch (e) {
                text = (e as Error).message + JSON.stringify((e as AccessSpecError).issues);
            }
            expect(text).toMatch(/nothing was created or changed/);
            expect(text).not.toContain(marker);
            expect(text).not.toContain(String(digits));
            expect(text).not.toContain("S3cr");
        }
    });

    test.each([
        ["a user name", (c: RawConfig, key: string) => (users(c)[0].name = key)],
        ["the server", (c: RawConfig, key: string) => (cluster(c).server = key)],
        ["a group", (c: RawConfig, key: string) => (users(c)[0].groups = [key])],
        [
            "an external subject",
            (c: RawConfig, key: string) => bindings(c)[0].subjects.push({ user: key, external: true }),
        ],
    ])("a private key pasted into %s is not quoted back", (_d, mutate) => {
        const key = testCa("pasted").privateKeyPem;
        const issues = issuesOf((c) => mutate(c, key));
        expect(issues.length).toBeGreaterThan(0);
        const body = key.split("\n")[1];
        expect(JSON.stringify(issues)).not.toContain(body);
        expect(JSON.stringify(issues)).not.toMatch(/BEGIN [A-Z ]*PRIVATE KEY/);
    });
});

describe("issue #15: rotation and token age settings are checked up front", () => {
    const cases: Case[] = [
        [
            "a negative rotation counter",
            (c) => (users(c)[0].auth.rotation = -1),
            "users[0].auth.rotation",
            [/between 0 and 1000000, got -1; .*raise it by one/],
        ],
        [
            "a fractional rotation counter",
            (c) => (users(c)[0].auth.rotation = 1.5),
            "users[0].auth.rotation",
            [/must be a whole number.*raise it by one/],
        ],
        [
            "a rotation counter as a word",
            (c) => (users(c)[0].auth.rotation = "now"),
            "users[0].auth.rotation",
            [/must be a whole number/],
        ],
        [
            "a service account's rotation counter below 0",
            (c) => (users(c)[2].auth.rotation = -3),
            "users[2].auth.rotation",
            [/between 0 and 1000000, got -3/],
        ],
        [
            "a rotation counter on an OIDC user",
            (c) => (users(c)[3].auth.rotation = 1),
            "users[3].auth.rotation",
            [/OIDC users hold no credential that kube-access issues.*remove it.*oidc\.clientSecretRotation/],
        ],
        [
            "a token age of 0 hours",
            (c) => (users(c)[2].auth.tokenMaxAgeHours = 0),
            "users[2].auth.tokenMaxAgeHours",
            [/between 1 and 87600, got 0; set the number of hours after which the next `pulumi up` replaces the token/],
        ],
        [
            "a token age in days as text",
            (c) => (users(c)[2].auth.tokenMaxAgeHours = "30d"),
            "users[2].auth.tokenMaxAgeHours",
            [/must be a whole number.*e\.g\. 720 for 30 days/],
        ],
        [
            "a token age on a certificate user",
            (c) => (users(c)[0].auth.tokenMaxAgeHours = 24),
            "users[0].auth.tokenMaxAgeHours",
            [/unknown field/],
        ],
        [
            "a default token age below 1",
            (c) => (c.serviceAccountTokens = { maxAgeHours: -1 }),
            "serviceAccountTokens.maxAgeHours",
            [/between 1 and 87600, got -1/],
        ],
        [
            "an unknown field of serviceAccountTokens",
            (c) => (c.serviceAccountTokens = { maxAge: 5 }),
            "serviceAccountTokens.maxAge",
            [/unknown field; .*maxAgeHours/],
        ],
        [
            "a client secret rotation of a public client",
            (c) => (oidc(c).clientSecretRotation = 1),
            "oidc.clientSecretRotation",
            [/a public client has no secret to rotate; remove it, or set oidc\.clientType: confidential/],
        ],
        [
            "a negative client secret rotation",
            (c) => Object.assign(oidc(c), { clientType: "confidential", clientSecretRotation: -1 }),
            "oidc.clientSecretRotation",
            [/between 0 and 1000000/],
        ],
    ];
    test.each(cases)("%s", (_d, mutate, path, patterns) => expectIssue(issuesOf(mutate), path, patterns));
});

describe("issue #15: rotation settings reach the spec", () => {
    test("a user's token age wins over the default; the default fills the rest", () => {
        const spec = specOf((c) => {
            c.serviceAccountTokens = { maxAgeHours: 720 };
            users(c).push({
                name: "sa2",
                auth: { method: "serviceAccount", namespace: "ci", tokenMaxAgeHours: 24, rotation: 2 },
            });
        });
        const auth = (name: string) => spec.users.find((u) => u.name === name)!.auth;
        expect(auth("sa1")).toMatchObject({ tokenMaxAgeHours: 720 });
        expect(auth("sa2")).toMatchObject({ tokenMaxAgeHours: 24, rotation: 2 });
    });
    test("without any setting, tokens never age out and no rotation is recorded", () => {
        const auth = specOf(() => undefined).users.find((u) => u.name === "sa1")!.auth;
        expect(auth).not.toHaveProperty("tokenMaxAgeHours");
        expect(auth).not.toHaveProperty("rotation");
    });
    test("a certificate user's rotation counter and a confidential client's secret rotation are kept", () => {
        const spec = specOf((c) => {
            users(c)[1].auth.rotation = 4;
            Object.assign(oidc(c), { clientType: "confidential", clientSecretRotation: 2 });
        });
        expect(spec.users[1].auth).toMatchObject({ rotation: 4 });
        expect(spec.oidc).toMatchObject({ clientSecretRotation: 2 });
    });
});
