import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import {
    HandEdit,
    canonicalJson,
    editsUndone,
    handEdits,
    handEditsMessage,
    readConfigSnapshot,
} from "../scripts/lib/demoConfig";

const written = {
    "kube-access:users": canonicalJson([{ name: "user1" }]),
    "kube-access:clusterCaKey": canonicalJson({ secure: "v1:abc" }),
};

describe("handEdits", () => {
    test.each([
        ["nothing", written, []],
        [
            "a key set by hand",
            { ...written, "kube-access:impersonation": "[]" },
            [["kube-access:impersonation", "added"]],
        ],
        ["a value changed", { ...written, "kube-access:users": "[]" }, [["kube-access:users", "changed"]]],
        [
            "a secret set again",
            { ...written, "kube-access:clusterCaKey": canonicalJson({ secure: "v1:xyz" }) },
            [["kube-access:clusterCaKey", "changed"]],
        ],
        [
            "a key removed and another added",
            {
                "kube-access:clusterCaKey": written["kube-access:clusterCaKey"],
                "kube-access:authenticatingProxy": "{}",
            },
            [
                ["kube-access:authenticatingProxy", "added"],
                ["kube-access:users", "removed"],
            ],
        ],
    ])("%s", (_label, current, expected) => {
        expect(handEdits(written, current).map((e) => [e.key, e.change])).toEqual(expected);
    });
});

describe("editsUndone: only what this run would undo", () => {
    const grant = [{ name: "support", impersonators: [{ user: "user1" }], targets: [{ user: "user2" }] }];
    const current = { ...written, "kube-access:impersonation": canonicalJson(grant) };
    const added: HandEdit[] = [{ key: "kube-access:impersonation", change: "added" }];
    test.each([
        ["Pulumi.dev.yaml lacks it: undone", added, current, { "kube-access:users": [] }, [], 1],
        ["Pulumi.dev.yaml says the same: kept", added, current, { "kube-access:impersonation": grant }, [], 0],
        [
            "the same in another key order: kept",
            added,
            current,
            {
                "kube-access:impersonation": [
                    { targets: [{ user: "user2" }], impersonators: [{ user: "user1" }], name: "support" },
                ],
            },
            [],
            0,
        ],
        ["Pulumi.dev.yaml says otherwise: undone", added, current, { "kube-access:impersonation": [] }, [], 1],
        [
            "removed by hand, and Pulumi.dev.yaml has it: undone",
            [{ key: "kube-access:users", change: "removed" }],
            { "kube-access:clusterCaKey": written["kube-access:clusterCaKey"] },
            { "kube-access:users": [] },
            [],
            1,
        ],
        [
            "removed by hand and from Pulumi.dev.yaml: kept",
            [{ key: "kube-access:users", change: "removed" }],
            { "kube-access:clusterCaKey": written["kube-access:clusterCaKey"] },
            {},
            [],
            0,
        ],
        [
            "a secret the demo sets again: undone",
            [{ key: "kube-access:clusterCaKey", change: "changed" }],
            { ...written, "kube-access:clusterCaKey": canonicalJson({ secure: "v1:xyz" }) },
            {},
            ["kube-access:clusterCaKey"],
            1,
        ],
        [
            "a secret of the user's own, which the demo keeps: kept",
            [{ key: "kube-access:extra", change: "added" }],
            { ...written, "kube-access:extra": canonicalJson({ secure: "v1:own" }) },
            {},
            ["kube-access:clusterCaKey"],
            0,
        ],
    ])("%s", (_label, edits, now, plain, secrets, count) => {
        expect(editsUndone(edits as HandEdit[], now, plain, secrets as string[])).toHaveLength(count as number);
    });
});

test("handEditsMessage names each key; an access file is offered only for keys one can hold", () => {
    const forUsers = handEditsMessage([{ key: "kube-access:users", change: "changed" }], ".kube-access/demo/project");
    expect(forUsers).toContain("  - kube-access:users changed");
    expect(forUsers).toContain("make Pulumi.dev.yaml (or an access file it names) say the same");
    const forImpersonation = handEditsMessage([{ key: "kube-access:impersonation", change: "added" }], "p");
    expect(forImpersonation).toContain("make Pulumi.dev.yaml say the same");
    expect(forImpersonation).not.toContain("access file");
    expect(forImpersonation).toContain("npm run demo -- --reset-config");
});

test("readConfigSnapshot reads a stack file's config as canonical JSON per key, and undefined without the file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-demo-config-"));
    try {
        const file = path.join(dir, "Pulumi.dev.yaml");
        expect(readConfigSnapshot(file)).toBeUndefined();
        fs.writeFileSync(
            file,
            "config:\n  kube-access:cluster:\n    server: https://x\n    name: demo\n  kube-access:clusterCaKey:\n    secure: v1:abc\n",
        );
        expect(readConfigSnapshot(file)).toEqual({
            "kube-access:cluster": canonicalJson({ name: "demo", server: "https://x" }),
            "kube-access:clusterCaKey": canonicalJson({ secure: "v1:abc" }),
        });
        fs.writeFileSync(file, "encryptionsalt: x\n");
        expect(readConfigSnapshot(file)).toEqual({});
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
