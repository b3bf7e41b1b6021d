import { Clock, pollUntil } from "./polling";

function fakeClock(): Clock & { slept: number[] } {
    let now = 1_000;
    const slept: number[] = [];
    return {
        slept,
        now: () => now,
        sleep: async (ms) => {
            slept.push(ms);
            now += ms;
        },
    };
}

describe("pollUntil", () => {
    test("returns the first value, sleeping the interval between attempts", async () => {
        const answers = [undefined, undefined, "done"];
        const clock = fakeClock();
        await expect(
            pollUntil(
                async () => answers.shift(),
                { timeoutSeconds: 10, intervalMs: 250 },
                () => new Error("late"),
                clock,
            ),
        ).resolves.toBe("done");
        expect(clock.slept).toEqual([250, 250]);
    });

    test.each([
        [1, 500, 2],
        [2, 500, 4],
        [3, 1000, 3],
    ])("gives up after %ss polling every %sms (%s sleeps)", async (timeoutSeconds, intervalMs, sleeps) => {
        const clock = fakeClock();
        await expect(
            pollUntil(
                async () => undefined,
                { timeoutSeconds, intervalMs },
                () => new Error("timed out"),
                clock,
            ),
        ).rejects.toThrow("timed out");
        expect(clock.slept).toHaveLength(sleeps);
    });

    test("an attempt that throws stops the loop with its error", async () => {
        const clock = fakeClock();
        await expect(
            pollUntil(
                async () => {
                    throw new Error("denied");
                },
                { timeoutSeconds: 10, intervalMs: 100 },
                () => new Error("timed out"),
                clock,
            ),
        ).rejects.toThrow("denied");
        expect(clock.slept).toHaveLength(0);
    });
});
