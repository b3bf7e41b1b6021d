import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { handEdits, readConfigSnapshot } from "../scripts/lib/demoConfig";

describe("handEdits", () => {
    const written = { "kube-access:users": '[{"name":"user1"}]', "kube-access:clusterCaKey": '{"secure":"v1:abc"}' };
    test.each([
        ["nothing", written, []],
        ["a key set by hand", { ...written, "kube-access:impersonation": "[]" }, ["kube-access:impersonation added"]],
        ["a value changed", { ...written, "kube-access:users": "[]" }, ["kube-access:users changed"]],
        [
            "a secret set again",
            { ...written, "kube-access:clusterCaKey": '{"secure":"v1:xyz"}' },
            ["kube-access:clusterCaKey changed"],
        ],
        [
            "a key removed and another added",
            {
                "kube-access:clusterCaKey": written["kube-access:clusterCaKey"],
                "kube-access:authenticatingProxy": "{}",
            },
            ["kube-access:authenticatingProxy added", "kube-access:users removed"],
        ],
    ])("%s", (_label, current, expected) => {
        expect(handEdits(written, current)).toEqual(expected);
    });
});

test("readConfigSnapshot reads a stack file's config as JSON text per key, and undefined without the file", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "kube-access-demo-config-"));
    try {
        const file = path.join(dir, "Pulumi.dev.yaml");
        expect(readConfigSnapshot(file)).toBeUndefined();
        fs.writeFileSync(
            file,
            "config:\n  kube-access:cluster:\n    name: demo\n  kube-access:clusterCaKey:\n    secure: v1:abc\n",
        );
        expect(readConfigSnapshot(file)).toEqual({
            "kube-access:cluster": '{"name":"demo"}',
            "kube-access:clusterCaKey": '{"secure":"v1:abc"}',
        });
        fs.writeFileSync(file, "encryptionsalt: x\n");
        expect(readConfigSnapshot(file)).toEqual({});
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
});
