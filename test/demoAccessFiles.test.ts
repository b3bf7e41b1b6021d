import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { demoAccessFileName, demoOidcUserNames } from "../scripts/lib/demoAccessFiles";

// The demo's stack runs in a project folder of its own; access files named in the checkout's Pulumi.dev.yaml.

let checkout: string;
let projectDir: string;

beforeEach(() => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-demo-files-"));
    checkout = path.join(root, "checkout");
    projectDir = path.join(root, "checkout", ".kube-access", "demo", "project");
    for (const file of ["teams/a.yaml", "teams/csr/a1.csr", "access.yaml", "node_modules/x.yaml"]) {
        fs.mkdirSync(path.dirname(path.join(checkout, file)), { recursive: true });
        fs.writeFileSync(path.join(checkout, file), file);
    }
});
afterEach(() => fs.rmSync(path.dirname(checkout), { recursive: true, force: true }));

const readInProject = (name: unknown) => fs.readFileSync(path.resolve(projectDir, name as string), "utf8");

describe("demo access file names", () => {
    test.each(["teams/a.yaml", "./teams/a.yaml", "access.yaml"])(
        "%s keeps its name and is read from the checkout through the project folder",
        (file) => {
            const named = demoAccessFileName(file, checkout, projectDir);
            expect(named).toBe(file);
            expect(readInProject(named)).toBe(path.normalize(file));
        },
    );

    test("files beside an access file (CSR files) are reached through the same link; a second call reuses it", () => {
        expect(demoAccessFileName("teams/a.yaml", checkout, projectDir)).toBe("teams/a.yaml");
        expect(demoAccessFileName("teams/a.yaml", checkout, projectDir)).toBe("teams/a.yaml");
        expect(readInProject("teams/csr/a1.csr")).toBe("teams/csr/a1.csr");
    });

    test("a name outside the checkout, or one whose first folder the project folder holds for something else, becomes absolute", () => {
        fs.mkdirSync(path.join(projectDir, "node_modules"), { recursive: true });
        expect(demoAccessFileName("../elsewhere.yaml", checkout, projectDir)).toBe(
            path.join(path.dirname(checkout), "elsewhere.yaml"),
        );
        expect(demoAccessFileName("node_modules/x.yaml", checkout, projectDir)).toBe(
            path.join(checkout, "node_modules/x.yaml"),
        );
    });

    test("an absolute name and a value that is not a string are kept as they are", () => {
        expect(demoAccessFileName("/etc/team.yaml", checkout, projectDir)).toBe("/etc/team.yaml");
        expect(demoAccessFileName(7, checkout, projectDir)).toBe(7);
    });
});

describe("the OIDC users the demo gives a password", () => {
    test("inline and from the access files, in that order, once each; other methods and malformed entries are not", () => {
        fs.writeFileSync(
            path.join(checkout, "teams/a.yaml"),
            [
                "users:",
                "  - name: dev2",
                "    groups: [team-a]",
                "    auth: { method: oidc, email: dev2@example.com }",
                "  - name: alice",
                "    auth: { method: certificate }",
                "  - name: da-admin",
                "    auth: { method: oidc }",
                "  - auth: { method: oidc }",
                "  - just a string",
            ].join("\n"),
        );
        const config = {
            "kube-access:users": [
                { name: "da-admin", auth: { method: "oidc" } },
                { name: "sa1", auth: { method: "serviceAccount", namespace: "ci" } },
            ],
            "kube-access:accessFiles": ["teams/a.yaml"],
        };
        expect(demoOidcUserNames(config, checkout)).toEqual(["da-admin", "dev2"]);
    });

    test("without access files, or with one that cannot be read, the inline users", () => {
        const inline = { "kube-access:users": [{ name: "dev1", auth: { method: "oidc" } }] };
        expect(demoOidcUserNames(inline, checkout)).toEqual(["dev1"]);
        expect(demoOidcUserNames({ ...inline, "kube-access:accessFiles": "teams/missing.yaml" }, checkout)).toEqual([
            "dev1",
        ]);
        expect(demoOidcUserNames({}, checkout)).toEqual([]);
    });
});
