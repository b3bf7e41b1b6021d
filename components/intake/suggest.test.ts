import { closestMatch } from "./suggest";

describe("closestMatch", () => {
    test.each([
        ["alcie", ["alice", "bob"], "alice"],
        ["usre1", ["user1", "user2"], "user1"],
        ["gorups", ["groups", "auth", "name"], "groups"],
        ["rotatoin", ["rotation", "signer"], "rotation"],
        ["nmaespace", ["namespace", "bindings"], "namespace"],
    ])("two neighbouring characters swapped count as one edit: %s → %s", (value, candidates, expected) => {
        expect(closestMatch(value, candidates)).toBe(expected);
    });

    test.each([
        ["grups", ["groups"], "groups"],
        ["Server", ["server"], "server"],
        ["validityHour", ["validityHours", "renewBeforeHours"], "validityHours"],
    ])("a missing, extra or case-changed character: %s → %s", (value, candidates, expected) => {
        expect(closestMatch(value, candidates)).toBe(expected);
    });

    test.each([
        ["xyz", ["alice", "bob"]],
        ["lacie", ["alice"]],
        ["ab", ["ba", "cd"].map((c) => c + "xyz")],
        ["anything", []],
    ])("a wild guess is never offered: %s", (value, candidates) => {
        expect(closestMatch(value, candidates)).toBeUndefined();
    });
});
