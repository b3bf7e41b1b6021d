import * as crypto from "crypto";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { stringify } from "yaml";
import { mergeAccessFiles, validateWithAccessFiles } from "./accessFiles";
import { AccessSpecError } from "./reader";
import { RawConfig, validateAccessSpec } from "../access/validate";
import { buildCsrPem } from "../x509/csr";
import { secretKeys, validConfig } from "../../test/helpers/config";

// Access files on a real disk: a project folder with team files and CSR files beside them.

let project: string;
const ecKey = () =>
    crypto.generateKeyPairSync("ec", { namedCurve: "P-256" }).privateKey.export({ type: "pkcs8", format: "pem" });

function write(relative: string, content: unknown): void {
    const file = path.join(project, relative);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, typeof content === "string" ? content : stringify(content));
}

function csrFor(name: string, groups: string[]): string {
    return buildCsrPem(ecKey() as string, { commonName: name, organizations: groups });
}

/** The messages of the AccessSpecError a config raises, by field path. */
function issuesOf(raw: RawConfig): Record<string, string[]> {
    try {
        validateWithAccessFiles(raw, project, (merged) => validateAccessSpec(merged, { secretKeys }));
    } catch (e) {
        if (!(e instanceof AccessSpecError)) throw e;
        const out: Record<string, string[]> = {};
        for (const i of e.issues) (out[i.path] ??= []).push(i.message);
        return out;
    }
    return {};
}

function load(raw: RawConfig) {
    return validateWithAccessFiles(raw, project, (merged) => validateAccessSpec(merged, { secretKeys }));
}

beforeEach(() => {
    project = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-files-"));
});
afterEach(() => fs.rmSync(project, { recursive: true, force: true }));

const cert = (name: string, groups: string[], extra: Record<string, unknown> = {}) => ({
    name,
    groups,
    auth: { method: "certificate", signer: "cluster", ...extra },
});

describe("access files", () => {
    test("users, groups, namespaces and bindings of several files are appended to the inline ones, in order", () => {
        write("teams/a.yaml", {
            users: [cert("a1", ["team-a"]), cert("a2", ["team-a", "group1"])],
            bindings: [
                { name: "team-a-edit", clusterRole: "edit", namespaces: ["team-a"], subjects: [{ group: "team-a" }] },
            ],
            namespaces: ["team-a"],
        });
        write("teams/b.yml", {
            users: [{ name: "b-bot", auth: { method: "serviceAccount", namespace: "team-b" } }],
            groups: ["team-b-viewers"],
            bindings: [
                {
                    name: "team-b-view",
                    clusterRole: "view",
                    subjects: [{ user: "b-bot" }, { group: "team-b-viewers" }],
                },
            ],
        });
        const spec = load({ ...validConfig(), accessFiles: ["teams/a.yaml", "teams/b.yml"] });
        expect(spec.users.map((u) => u.name)).toEqual(["user1", "user2", "sa1", "da-admin", "a1", "a2", "b-bot"]);
        expect(spec.bindings.map((b) => b.name)).toEqual(["clusterrole-view", "admins", "team-a-edit", "team-b-view"]);
        expect(spec.namespaces).toEqual(["team-a"]);
        expect(spec.groups).toEqual(["team-b-viewers"]);
    });

    test.each([
        ["a single path", "team.yaml"],
        ["a list of one", ["team.yaml"]],
        ["a path with ./", "./team.yaml"],
    ])("accessFiles may be %s", (_, accessFiles) => {
        write("team.yaml", { users: [cert("t1", ["group1"])] });
        expect(load({ ...validConfig(), accessFiles }).users.map((u) => u.name)).toContain("t1");
    });

    test("a config without accessFiles is validated exactly as before", () => {
        expect(load(validConfig())).toEqual(validateAccessSpec(validConfig(), { secretKeys }));
    });

    test("an inline user's CSR file is read relative to the project folder, with no access file", () => {
        write("csr/solo.csr", csrFor("solo", []));
        const raw = validConfig();
        (raw.users as unknown[]).push(cert("solo", [], { certificateRequestFile: "csr/solo.csr" }));
        const solo = load(raw).users.find((u) => u.name === "solo")!;
        expect(solo.auth.method === "certificate" && solo.auth.certificateRequestPem).toMatch(
            /^-----BEGIN CERTIFICATE REQUEST-----/,
        );
        (raw.users as { auth: Record<string, unknown> }[])[4].auth.certificateRequestFile = "csr/gone.csr";
        expect(issuesOf(raw)["users[4].auth.certificateRequestFile"]).toEqual([
            expect.stringMatching(/cannot read the certificate request file \(no such file/),
        ]);
    });

    test("an empty file or a file with empty lists adds nothing", () => {
        write("empty.yaml", "");
        write("none.yaml", { users: null, bindings: [] });
        expect(load({ ...validConfig(), accessFiles: ["empty.yaml", "none.yaml"] }).users).toHaveLength(4);
    });

    test("a CSR given as a file path is read relative to the access file that names it", () => {
        write("teams/a/csr/alice.csr", csrFor("alice", ["group1"]));
        write("teams/a/users.yaml", {
            users: [cert("alice", ["group1"], { certificateRequestFile: "csr/alice.csr" })],
        });
        write("inline.csr", csrFor("inline-user", []));
        const raw = validConfig();
        (raw.users as unknown[]).push(cert("inline-user", [], { certificateRequestFile: "inline.csr" }));
        const spec = load({ ...raw, accessFiles: "teams/a/users.yaml" });
        const alice = spec.users.find((u) => u.name === "alice")!;
        const inline = spec.users.find((u) => u.name === "inline-user")!;
        expect(alice.auth.method === "certificate" && alice.auth.certificateRequestPem).toMatch(
            /^-----BEGIN CERTIFICATE REQUEST-----/,
        );
        expect(inline.auth.method === "certificate" && inline.auth.certificateRequestPem).toMatch(
            /^-----BEGIN CERTIFICATE REQUEST-----/,
        );
        expect(alice.auth.method === "certificate" && alice.auth.keyAlgorithm).toBe("ECDSA-P256");
    });

    test("problems in each file are all reported at once, named by file and position in it", () => {
        write("teams/a.yaml", {
            users: [cert("a1", ["team-a"]), cert("a2", ["team-a", "system:bad"])],
        });
        write("teams/b.yaml", {
            users: [{ name: "b1", auth: { method: "serviceAccount", namespace: "Team_B" } }],
            bindings: [{ clusterRole: "view", subjects: [{ user: "nobody" }] }],
        });
        const raw = validConfig();
        (raw.users as unknown[]).push({ name: "inline-bad", auth: { method: "certificat" } });
        const issues = issuesOf({ ...raw, accessFiles: ["teams/a.yaml", "teams/b.yaml"] });
        expect(Object.keys(issues)).toEqual(
            expect.arrayContaining([
                "users[4].auth.method",
                "teams/a.yaml:users[1].groups[1]",
                "teams/b.yaml:users[0].auth.namespace",
                "teams/b.yaml:bindings[0].subjects[0].user",
            ]),
        );
        // Nothing is reported at a merged position that does not exist in any file.
        expect(Object.keys(issues).filter((p) => /^users\[(5|6|7)\]/.test(p))).toEqual([]);
    });

    test("the error message names each file path as written, not inside the kube-access namespace", () => {
        write("teams/a.yaml", { users: [cert("a1", ["system:bad"])] });
        try {
            load({ ...validConfig(), accessFiles: "teams/a.yaml" });
            throw new Error("not refused");
        } catch (e) {
            expect((e as Error).message).toMatch(/\n {2}- teams\/a\.yaml:users\[0\]\.groups\[0\] \(line \d+\): /);
            expect((e as Error).message).not.toMatch(/kube-access:teams/);
        }
    });

    test("a user declared in two files, or in a file and inline, is refused at each later place, naming the first", () => {
        write("teams/a.yaml", { users: [cert("a1", []), cert("shared", [])] });
        write("teams/b.yaml", { users: [cert("shared", [])] });
        write("teams/c.yaml", { users: [cert("user1", [])] });
        const issues = issuesOf({ ...validConfig(), accessFiles: ["teams/a.yaml", "teams/b.yaml", "teams/c.yaml"] });
        expect(issues["teams/b.yaml:users[0].name"]).toEqual([
            expect.stringContaining('duplicate user name "shared" (also teams/a.yaml:users[1].name)'),
        ]);
        expect(issues["teams/c.yaml:users[0].name"]).toEqual([
            expect.stringContaining('duplicate user name "user1" (also users[0].name)'),
        ]);
    });

    test("a binding name used in two files is refused naming both places", () => {
        const binding = { name: "team-view", clusterRole: "view", subjects: [{ group: "group1" }] };
        write("a.yaml", { bindings: [binding] });
        write("b.yaml", { bindings: [{ ...binding, clusterRole: "edit" }] });
        const issues = issuesOf({ ...validConfig(), accessFiles: ["a.yaml", "b.yaml"] });
        expect(issues["b.yaml:bindings[0].name"]).toEqual([expect.stringContaining("also used by a.yaml:bindings[0]")]);
    });

    test.each([
        [
            "missing file",
            ["teams/gone.yaml"],
            "teams/gone.yaml",
            /cannot read the access file \(no such file; looked for /,
        ],
        ["folder", ["teams"], "accessFiles[0]", /must name a YAML file/],
        ["folder named like a file", ["dir.yaml"], "dir.yaml", /it is a folder/],
        ["not YAML", ["broken.yaml"], "broken.yaml", /is not valid YAML: .*line \d+, column \d+$/],
        [
            "not a mapping",
            ["list.yaml"],
            "list.yaml",
            /must be a mapping with users, groups, namespaces, bindings, got a list/,
        ],
        ["named twice", ["ok.yaml", "./ok.yaml"], "accessFiles[1]", /names "\.\/ok\.yaml" twice/],
        ["not a string", [42], "accessFiles[0]", /must be a string/],
        ["not a list", { a: "ok.yaml" }, "accessFiles", /must be a file path or a list of them, got an object/],
        ["a list that is not a list", ["scalar-users.yaml"], "scalar-users.yaml:users", /must be a list, got a string/],
        [
            "a key of stack config",
            ["cluster.yaml"],
            "cluster.yaml:cluster",
            /set cluster in stack config \(kube-access:cluster\)/,
        ],
        ["a misspelt key", ["typo.yaml"], "typo.yaml:user", /did you mean "users"/],
    ])("a %s is refused with its path", (_, accessFiles, at, message) => {
        write("teams/.keep", "");
        fs.mkdirSync(path.join(project, "dir.yaml"));
        write("broken.yaml", "users: [\n  - name: x\n");
        write("list.yaml", [cert("x", [])]);
        write("ok.yaml", { users: [cert("ok", [])] });
        write("scalar-users.yaml", { users: "alice" });
        write("cluster.yaml", { cluster: { name: "x" } });
        write("typo.yaml", { user: [] });
        const issues = issuesOf({ ...validConfig(), accessFiles });
        expect(issues[at]).toEqual([expect.stringMatching(message)]);
    });

    test("a file's problems and the rest of the config's are reported together", () => {
        const raw = validConfig();
        (raw.users as unknown[]).push({ name: "bad name!", auth: { method: "serviceAccount" } });
        const issues = issuesOf({ ...raw, accessFiles: ["gone.yaml"] });
        expect(Object.keys(issues).sort()).toEqual(["gone.yaml", "users[4].name"]);
    });

    test.each(["clusterCaKey", "clusterKubeconfig", "oidcInitialPasswords", "authenticatingProxyCaKey"])(
        "a secret (%s) in an access file is refused without quoting it",
        (key) => {
            const marker = "S3CRET-in-a-file-4711";
            write("team.yaml", { [key]: key === "oidcInitialPasswords" ? { "da-admin": marker } : marker });
            try {
                load({ ...validConfig(), accessFiles: "team.yaml" });
                throw new Error("not refused");
            } catch (e) {
                const text = (e as Error).message;
                expect(text).toContain(`team.yaml:${key} (line 1): holds a secret`);
                expect(text).toContain(`pulumi config set --secret kube-access:${key}`);
                expect(text).not.toContain(marker);
            }
        },
    );

    test.each([
        ["missing", { certificateRequestFile: "csr/gone.csr" }, "certificateRequestFile", /no such file/],
        [
            "given with certificateRequest",
            { certificateRequestFile: "csr/a1.csr", certificateRequest: "x" },
            "certificateRequestFile",
            /not both/,
        ],
        ["not a string", { certificateRequestFile: ["csr/a1.csr"] }, "certificateRequestFile", /must be a string/],
        [
            "for another subject",
            { certificateRequestFile: "csr/other.csr" },
            "certificateRequestFile",
            /^csr\/other\.csr: has subject \/CN=other but the user is \/CN=a1/,
        ],
        ["not a CSR", { certificateRequestFile: "csr/garbage.csr" }, "certificateRequestFile", /^csr\/garbage\.csr: /],
    ])("a CSR file that is %s is refused at the file's field", (_, extra, field, message) => {
        write("teams/csr/a1.csr", csrFor("a1", []));
        write("teams/csr/other.csr", csrFor("other", []));
        write("teams/csr/garbage.csr", "not a request");
        write("teams/a.yaml", { users: [cert("ok", []), cert("a1", [], extra)] });
        const issues = issuesOf({ ...validConfig(), accessFiles: "teams/a.yaml" });
        expect(issues[`teams/a.yaml:users[1].auth.${field}`]).toEqual(
            expect.arrayContaining([expect.stringMatching(message)]),
        );
    });

    test("merging keeps inline entries at their own positions and records each entry's file", () => {
        write("a.yaml", { users: [cert("a1", [])] });
        const merged = mergeAccessFiles({ users: [cert("i1", [])], accessFiles: "a.yaml" }, project);
        expect(merged.raw.accessFiles).toBeUndefined();
        expect((merged.raw.users as { name: string }[]).map((u) => u.name)).toEqual(["i1", "a1"]);
        expect(merged.locate({ path: "users[0].name", message: "m" }).path).toBe("users[0].name");
        expect(merged.locate({ path: "users[1].groups[2]", message: "m" }).path).toBe("a.yaml:users[0].groups[2]");
    });

    test("400 users in 4 team files, half with CSR files given as paths, are all read and validated", () => {
        const teams = ["a", "b", "c", "d"];
        for (const team of teams) {
            const users = Array.from({ length: 100 }, (_, i) => {
                const name = `${team}-user-${i}`;
                if (i % 2 === 1) return { name, auth: { method: "serviceAccount", namespace: "ci" } };
                write(`teams/${team}/${name}.csr`, csrFor(name, [`team-${team}`]));
                return cert(name, [`team-${team}`], { certificateRequestFile: `${name}.csr` });
            });
            write(`teams/${team}/access.yaml`, {
                users,
                bindings: [{ name: `team-${team}`, clusterRole: "view", subjects: [{ group: `team-${team}` }] }],
            });
        }
        const spec = load({ ...validConfig(), accessFiles: teams.map((t) => `teams/${t}/access.yaml`) });
        expect(spec.users).toHaveLength(404);
        expect(spec.users.filter((u) => u.auth.method === "certificate" && u.auth.certificateRequestPem)).toHaveLength(
            200,
        );
    });
});

describe("YAML as people write it", () => {
    const marker = "not-quoted-4711";

    test.each([
        ["an unclosed flow list", `users: [\n  - name: ${marker}\n`, 2],
        ["a badly indented field", `users:\n  - name: ${marker}\n   groups: []\n`, 3],
        ["a tab in the indentation", `users:\n\t- name: ${marker}\n`, 2],
        ["a key given twice", `users: []\nnamespaces: [${marker}]\nusers: []\n`, 3],
        ["an unclosed quote", `users:\n  - name: "${marker}\n`, 3],
        ["a tag kube-access does not know", `users: !include ${marker}.yaml\n`, 1],
        ["a mapping on one line", `users: name: ${marker}\n`, 1],
    ])("%s is refused at its line and column, without quoting the file", (_, text, line) => {
        write("team.yaml", text);
        const issues = issuesOf({ ...validConfig(), accessFiles: "team.yaml" });
        expect(Object.keys(issues)).toEqual(["team.yaml"]);
        expect(issues["team.yaml"][0]).toMatch(new RegExp(`^is not valid YAML: .+ at line ${line}, column \\d+$`));
        expect(issues["team.yaml"][0]).not.toContain(marker);
    });

    test.each([
        ["double", `users:\n  - name: "a1\n    groups: [team-a]\n  - name: b\n`],
        ["single", `users:\n  - name: 'a1\n    groups: [team-a]\n`],
        ["double, on the last line", `users:\n  - name: a1\n    groups: ["team-a`],
    ])("an unclosed %s quote is named as such", (_, text) => {
        write("team.yaml", text);
        expect(issuesOf({ ...validConfig(), accessFiles: "team.yaml" })["team.yaml"]).toEqual([
            expect.stringMatching(/^is not valid YAML: Missing closing ["']quote at line \d+, column \d+$/),
        ]);
    });

    test("top-level keys starting with x- hold anchors and are otherwise ignored; other unknown keys are refused once", () => {
        write(
            "team.yaml",
            "x-shared:\n  groups: &groups [team-a, role-dev]\n  auth: &auth {method: certificate, signer: cluster}\n" +
                "users:\n  - {name: a1, groups: *groups, auth: *auth}\n  - {name: a2, groups: *groups, auth: *auth}\n",
        );
        const spec = load({ ...validConfig(), accessFiles: "team.yaml" });
        expect(spec.users.filter((u) => u.name.startsWith("a")).map((u) => [u.name, u.groups])).toEqual([
            ["a1", ["team-a", "role-dev"]],
            ["a2", ["team-a", "role-dev"]],
        ]);
        write("other.yaml", "shared:\n  groups: [team-a]\nusers: []\n");
        expect(issuesOf({ ...validConfig(), accessFiles: "other.yaml" })).toEqual({
            "other.yaml:shared": [
                "an access file holds only users, groups, namespaces, bindings, and keys starting with x- to hold anchors",
            ],
        });
    });

    test("two documents in one file are refused; a file that starts or ends with --- is one document", () => {
        write("two.yaml", "users: []\n---\nbindings: []\n");
        write("leading.yaml", `---\n${stringify({ users: [cert("a1", [])] })}`);
        write("trailing.yaml", `${stringify({ users: [cert("a2", [])] })}---\n`);
        expect(issuesOf({ ...validConfig(), accessFiles: "two.yaml" })["two.yaml"]).toEqual([
            expect.stringMatching(/^holds 2 YAML documents .*name it in kube-access:accessFiles$/),
        ]);
        const spec = load({ ...validConfig(), accessFiles: ["leading.yaml", "trailing.yaml"] });
        expect(spec.users.map((u) => u.name).slice(-2)).toEqual(["a1", "a2"]);
    });

    test("plain scalars follow YAML 1.2's core schema: yes, on, no, dates and 0b101 stay strings", () => {
        write(
            "team.yaml",
            "users:\n  - name: a1\n    groups: [yes, on, no, 2024-01-01, 0b101]\n    auth: {method: certificate, signer: cluster}\n",
        );
        const spec = load({ ...validConfig(), accessFiles: "team.yaml" });
        expect(spec.users.find((u) => u.name === "a1")?.groups).toEqual(["yes", "on", "no", "2024-01-01", "0b101"]);
    });

    test("an anchor may be referred to many times: 300 users share one list of groups and one auth", () => {
        const users = Array.from({ length: 300 }, (_, i) => `  - name: u${i}\n    groups: *groups\n    auth: *auth\n`);
        write(
            "team.yaml",
            "groups: &groups [team-a, role-dev]\n" +
                "namespaces: [team-a]\n" +
                "bindings:\n  - name: team-a\n    clusterRole: edit\n    namespaces: [team-a]\n    subjects: [{group: team-a}]\n" +
                "users:\n  - name: first\n    groups: [team-a]\n    auth: &auth {method: certificate, signer: cluster}\n" +
                users.join(""),
        );
        const spec = load({ ...validConfig(), accessFiles: "team.yaml" });
        const shared = spec.users.filter((u) => /^u\d+$/.test(u.name));
        expect(shared).toHaveLength(300);
        expect(shared.every((u) => u.groups.join() === "team-a,role-dev" && u.auth.method === "certificate")).toBe(
            true,
        );
    });

    /** Nine levels of ten aliases each: a billion values once expanded, in a few hundred characters. */
    function aliasBomb(key: string): string {
        let text = `${key}:\n  - &l0 [a, a, a, a, a, a, a, a, a, a]\n`;
        for (let level = 1; level <= 9; level++) {
            const previous = Array(10)
                .fill(`*l${level - 1}`)
                .join(", ");
            text += `  - &l${level} [${previous}]\n`;
        }
        return text;
    }

    test.each(["users", "bindings", "namespaces", "extra"])(
        "aliases nested to expand exponentially are refused before anything reads them (under %s)",
        (key) => {
            write("team.yaml", aliasBomb(key));
            const issues = issuesOf({ ...validConfig(), accessFiles: "team.yaml" });
            expect(issues).toEqual({
                "team.yaml": [
                    expect.stringMatching(/^holds more than \d+ values once its aliases \(\*name\) are expanded/),
                ],
            });
        },
    );

    test("collections nested past the parser's depth limit are refused, not a stack overflow", () => {
        write("team.yaml", `users: ${"[".repeat(5000)}${"]".repeat(5000)}\n`);
        expect(issuesOf({ ...validConfig(), accessFiles: "team.yaml" })["team.yaml"]).toEqual([
            expect.stringMatching(/^is not valid YAML: .+ at line 1, column \d+$/),
        ]);
    });
});

describe("validateAccessSpec alone", () => {
    test.each([[["teams/a.yaml"]], ["teams/a.yaml"], [[]]])(
        "refuses accessFiles %j rather than dropping the files' users, and names the functions that read them",
        (accessFiles) => {
            expect(() => validateAccessSpec({ ...validConfig(), accessFiles }, { secretKeys })).toThrow(
                /kube-access:accessFiles: is read by loadAccessSpec or validateWithAccessFiles/,
            );
        },
    );
});

describe("where in an access file a problem is", () => {
    const team = [
        "x-devs: &devs [team-a, system:masters]", // 1
        "users:", // 2
        "  - name: a1", // 3
        '    groups: [team-a, "system:bad"]', // 4
        "    auth: { method: certificate, signer: cluster }", // 5
        "  - groups: [team-b]", // 6: no name
        "    auth:", // 7
        "      method: certificate", // 8
        "      signer: cluster", // 9
        "      certificateRequestFile: gone.csr", // 10
        "  - name: a3", // 11
        "    groups: *devs", // 12
        "    auth: { method: certificat }", // 13
        "bindings:", // 14
        "  - clusterRole: view", // 15
        "    subjects:", // 16
        "      - user: nobody", // 17
        "frobnicate: 1", // 18
        "",
    ].join("\n");

    /** The line of each issue a config raises, by field path (null for an issue without one). */
    function linesOf(raw: RawConfig): Record<string, number | null> {
        try {
            load(raw);
        } catch (e) {
            if (!(e instanceof AccessSpecError)) throw e;
            return Object.fromEntries(e.issues.map((i) => [i.path, i.line ?? null]));
        }
        return {};
    }

    test("each issue of a file's entry carries the line of its field, or of the deepest part of its path the file has", () => {
        write("teams/a.yaml", team);
        const raw = validConfig();
        (raw.users as unknown[]).push({ name: "inline-bad", auth: { method: "certificat" } });
        const lines = linesOf({ ...raw, accessFiles: "teams/a.yaml" });
        expect(lines).toMatchObject({
            "teams/a.yaml:users[0].groups[1]": 4, // the list item
            "teams/a.yaml:users[1].name": 6, // missing: the entry
            "teams/a.yaml:users[1].auth.certificateRequestFile": 10, // a file that cannot be read
            "teams/a.yaml:users[2].auth.method": 13, // inside a flow mapping
            "teams/a.yaml:bindings[0].subjects[0].user": 17,
            "teams/a.yaml:frobnicate": 18, // an unknown key, found while merging
            "users[4].auth.method": null, // inline stack config has no lines
        });
        // Reached through an alias: the line of the alias, where the entry uses the anchor.
        expect(lines["teams/a.yaml:users[2].groups[1]"]).toBe(12);
    });

    test("issues are listed as a reader meets them: stack config first, then each file in the order named, by line", () => {
        write("teams/a.yaml", team);
        write("teams/b.yaml", "users:\n  - name: b1\n    groups: [system:bad]\n    auth: { method: certificat }\n");
        const raw = validConfig();
        (raw.users as unknown[]).push({ name: "inline-bad", auth: { method: "certificat" } });
        let listed: { path: string; line?: number }[] = [];
        try {
            load({ ...raw, accessFiles: ["teams/b.yaml", "teams/a.yaml"] });
        } catch (e) {
            listed = (e as AccessSpecError).issues;
        }
        const files = listed.map((i) => i.path.split(":")[0]);
        expect(files.indexOf("users[4].auth.method")).toBe(0);
        expect(files.lastIndexOf("teams/b.yaml")).toBeLessThan(files.indexOf("teams/a.yaml"));
        for (const file of ["teams/a.yaml", "teams/b.yaml"]) {
            const lines = listed.filter((i) => i.path.startsWith(`${file}:`)).map((i) => i.line!);
            expect(lines.length).toBeGreaterThan(1);
            expect(lines).toEqual([...lines].sort((x, y) => x - y));
        }
        // The unknown key, found while merging, is listed at its line, after the entries above it.
        expect(listed.at(-1)?.path).toBe("teams/a.yaml:frobnicate");
    });

    test("a CSR file that is missing is looked for where it is, not through a linked folder", () => {
        const elsewhere = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-linked-"));
        try {
            fs.mkdirSync(path.join(elsewhere, "teams"));
            fs.writeFileSync(path.join(elsewhere, "teams", "a.yaml"), team);
            fs.symlinkSync(path.join(elsewhere, "teams"), path.join(project, "teams"));
            const messages = issuesOf({ ...validConfig(), accessFiles: "teams/a.yaml" })[
                "teams/a.yaml:users[1].auth.certificateRequestFile"
            ];
            expect(messages).toEqual([
                expect.stringContaining(`looked for ${fs.realpathSync(elsewhere)}/teams/gone.csr)`),
            ]);
        } finally {
            fs.rmSync(elsewhere, { recursive: true, force: true });
        }
    });

    test("the error message shows the line after the field path", () => {
        write("teams/a.yaml", team);
        expect(() => load({ ...validConfig(), accessFiles: "teams/a.yaml" })).toThrow(
            /\n {2}- teams\/a\.yaml:users\[0\]\.groups\[1\] \(line 4\): /,
        );
    });

    test.each([
        ["a top-level key", "users: []\nbindings: []\nusers: []\n", "users", 3],
        ["a field of a list entry", "users:\n  - name: a1\n    groups: []\n    name: a2\n", "name", 4],
        [
            "a field in a flow mapping",
            "users:\n  - name: a1\n    auth: { method: certificate, method: oidc }\n",
            "method",
            3,
        ],
    ])("a key given twice is named: %s", (_, text, key, line) => {
        write("team.yaml", text);
        expect(issuesOf({ ...validConfig(), accessFiles: "team.yaml" })["team.yaml"]).toEqual([
            expect.stringMatching(
                new RegExp(
                    `^is not valid YAML: The key "${key}" is given twice in one mapping \\(keep one\\) at line ${line}, column \\d+$`,
                ),
            ),
        ]);
    });

    test.each([
        ["quoted", `"${"not-quoted-4711"}": 1\n"${"not-quoted-4711"}": 2\n`],
        ["with spaces", "not quoted 4711: 1\nnot quoted 4711: 2\n"],
        ["longer than a field name", `${"k".repeat(70)}4711: 1\n${"k".repeat(70)}4711: 2\n`],
    ])("a key given twice that is not a plain word (%s) is not quoted", (_, text) => {
        write("team.yaml", text);
        const [message] = issuesOf({ ...validConfig(), accessFiles: "team.yaml" })["team.yaml"];
        expect(message).toMatch(/^is not valid YAML: Map keys must be unique at line 2, column \d+$/);
        expect(message).not.toContain("4711");
    });
});
