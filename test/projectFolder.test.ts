import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { Invocation, projectFolder, projectFolderProblem, startedIn } from "../scripts/lib/projectFolder";

const root = "/src/kube-access";
/** `npm run <command>` started in `folder`: npm runs the script in the package root. */
const viaNpm = (folder: string, env: NodeJS.ProcessEnv = {}): Invocation => ({
    root,
    cwd: root,
    env: { INIT_CWD: folder, ...env },
});
/** `ts-node scripts/<command>.ts` run in `folder`. */
const direct = (folder: string, env: NodeJS.ProcessEnv = {}): Invocation => ({ root, cwd: folder, env });
const projects =
    (...folders: string[]) =>
    (file: string) =>
        folders.map((f) => path.join(f, "Pulumi.yaml")).includes(file);

describe("startedIn: where relative paths on the command line are taken from", () => {
    test.each([
        ["npm run from a project folder", viaNpm("/work/team-a"), "/work/team-a"],
        ["npm run from a subfolder of the checkout", viaNpm(`${root}/teams`), `${root}/teams`],
        ["npm run from the checkout", viaNpm(root), root],
        ["npm run without INIT_CWD (an old npm)", { root, cwd: root, env: {} }, root],
        ["run directly in a project folder", direct("/work/team-a"), "/work/team-a"],
        ["the checkout named with a trailing slash", { root: `${root}/`, cwd: root, env: { INIT_CWD: "/w" } }, "/w"],
    ])("%s", (_, at, expected) => {
        expect(startedIn(at)).toBe(expected);
    });
});

describe("projectFolder: the stack's Pulumi project, the same rule for every command", () => {
    test("--cwd wins, taken relative to where the command was started", () => {
        expect(projectFolder(viaNpm("/work"), "team-a", projects())).toBe("/work/team-a");
        expect(projectFolder(direct("/work"), "../elsewhere", projects())).toBe("/elsewhere");
        expect(projectFolder(viaNpm("/work", { KUBE_ACCESS_DEMO_SHELL: "1" }), "/abs", projects())).toBe("/abs");
    });

    test("the folder the command was started in, when it holds a Pulumi.yaml", () => {
        expect(projectFolder(viaNpm("/work/team-a"), undefined, projects("/work/team-a"))).toBe("/work/team-a");
        expect(projectFolder(direct("/work/team-a"), undefined, projects("/work/team-a"))).toBe("/work/team-a");
        // Even in a shell pointed at the demo: a project folder of one's own comes first.
        const demoShell = { KUBE_ACCESS_DEMO_SHELL: "1" };
        expect(projectFolder(viaNpm("/work/team-a", demoShell), undefined, projects("/work/team-a"))).toBe(
            "/work/team-a",
        );
    });

    test("started in the checkout or a folder with no Pulumi.yaml: the demo's project in a demo shell, else the checkout", () => {
        const every = projects(root, "/work/team-a");
        expect(projectFolder(viaNpm(root), undefined, every)).toBe(root);
        expect(projectFolder(viaNpm("/work/empty"), undefined, every)).toBe(root);
        expect(projectFolder(viaNpm(root, { KUBE_ACCESS_DEMO_SHELL: "1" }), undefined, every)).toBe(
            `${root}/.kube-access/demo/project`,
        );
        expect(
            projectFolder(
                viaNpm("/work/empty", { KUBE_ACCESS_DEMO_SHELL: "1", KUBE_ACCESS_RUN_DIR: "/run/ka" }),
                undefined,
                every,
            ),
        ).toBe("/run/ka/demo/project");
        // A shell that left the demo (tools/env.sh unsets the flag) is back to the checkout.
        expect(projectFolder(viaNpm(root, { KUBE_ACCESS_DEMO_SHELL: "" }), undefined, every)).toBe(root);
    });

    test("reads the file system by default", () => {
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-project-"));
        try {
            expect(projectFolder(direct(dir))).toBe(root);
            fs.writeFileSync(path.join(dir, "Pulumi.yaml"), "name: p\nruntime: nodejs\n");
            expect(projectFolder(direct(dir))).toBe(dir);
        } finally {
            fs.rmSync(dir, { recursive: true, force: true });
        }
    });
});

describe("projectFolderProblem: why a folder cannot be the project folder", () => {
    const files = new Set(["/work/team-a", "/work/team-a/Pulumi.yaml", "/work/empty"]);
    const exists = (file: string) => files.has(file);
    test.each([
        ["/work/team-a", undefined],
        ["/work/empty", "/work/empty has no Pulumi.yaml: give --cwd <project folder>"],
        ["/work/nowhere", "/work/nowhere does not exist: give --cwd <project folder>"],
    ])("%s", (folder, expected) => {
        expect(projectFolderProblem(folder, exists)).toBe(expected);
    });
});
