import { waitForServiceAccountToken } from "./serviceAccountToken";

describe("waitForServiceAccountToken", () => {
    test("returns the token once the controller fills it in", async () => {
        const answers = [undefined, undefined, "TOKEN"];
        const token = await waitForServiceAccountToken(async () => answers.shift(), "Secret ci/sa1", 10, {
            now: () => 0,
            sleep: async () => undefined,
        });
        expect(token).toBe("TOKEN");
    });

    test("fails after the timeout pointing at the token controller", async () => {
        let now = 0;
        await expect(
            waitForServiceAccountToken(async () => undefined, "Secret ci/sa1", 2, {
                now: () => now,
                sleep: async (ms) => void (now += ms),
            }),
        ).rejects.toThrow(/Secret ci\/sa1 was not filled in after 2s.*serviceaccount-token controller/);
    });
});
