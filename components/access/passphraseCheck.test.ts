import { publishedDemoPassphrase, publishedPassphraseWarning } from "./passphraseCheck";

const files: Record<string, string> = {
    "/stacks/prod/passphrase": `${publishedDemoPassphrase}\n`,
    "/stacks/own/passphrase": "correct horse battery staple\n",
};
const readFile = (file: string) => {
    if (!(file in files)) throw new Error("ENOENT");
    return files[file];
};

describe("warning for stacks under the published demo passphrase", () => {
    test.each([
        ["set in the environment, any backend", { PULUMI_CONFIG_PASSPHRASE: publishedDemoPassphrase }],
        [
            "set in the environment, a cloud backend",
            { PULUMI_CONFIG_PASSPHRASE: publishedDemoPassphrase, PULUMI_BACKEND_URL: "s3://team-state" },
        ],
        [
            "in a passphrase file, a file backend elsewhere",
            { PULUMI_CONFIG_PASSPHRASE_FILE: "/stacks/prod/passphrase", PULUMI_BACKEND_URL: "file:///stacks/prod" },
        ],
        [
            "a backend that only looks like the demo's",
            { PULUMI_CONFIG_PASSPHRASE: publishedDemoPassphrase, PULUMI_BACKEND_URL: "file:///srv/.kube-access/demo" },
        ],
    ])("warns: %s", (_label, env) => {
        expect(publishedPassphraseWarning(env, readFile)).toMatch(/printed in the kube-access repository/);
    });

    test.each([
        ["no passphrase at all (a cloud secrets provider)", {}],
        ["a passphrase of one's own", { PULUMI_CONFIG_PASSPHRASE: "correct horse battery staple" }],
        ["a passphrase file of one's own", { PULUMI_CONFIG_PASSPHRASE_FILE: "/stacks/own/passphrase" }],
        ["a passphrase file that cannot be read", { PULUMI_CONFIG_PASSPHRASE_FILE: "/nowhere" }],
        [
            "the demo's own stack, made before each workspace got its own passphrase",
            {
                PULUMI_CONFIG_PASSPHRASE_FILE: "/stacks/prod/passphrase",
                PULUMI_BACKEND_URL: "file:///home/me/kube-access/.kube-access/demo/state",
            },
        ],
    ])("stays quiet: %s", (_label, env) => {
        expect(publishedPassphraseWarning(env, readFile)).toBeUndefined();
    });

    test("never quotes a passphrase of one's own", () => {
        const own = "correct horse battery staple";
        expect(publishedPassphraseWarning({ PULUMI_CONFIG_PASSPHRASE: own }) ?? "").not.toContain(own);
    });
});
